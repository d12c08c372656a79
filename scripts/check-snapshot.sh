#!/usr/bin/env bash
# Checks what `goreleaser release --snapshot --clean` left in dist/ (make
# release-check): an archive per platform, a .deb and an .rpm per Linux
# architecture, the Homebrew formula, and that the packages install the
# binary, the session-manager-plugin link, the man pages and the
# completions.
set -euo pipefail
dist=${1:-dist}
fail() { echo "check-snapshot: $*" >&2; exit 1; }

for p in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
	ls "$dist"/ssmctl_*_"$p".tar.gz >/dev/null 2>&1 || fail "no archive for $p"
done
for a in amd64 arm64; do
	ls "$dist"/ssmctl_*_"$a".deb >/dev/null 2>&1 || fail "no .deb for $a"
done
for a in x86_64 aarch64; do
	ls "$dist"/ssmctl-*."$a".rpm >/dev/null 2>&1 || fail "no .rpm for $a"
done
formula=$dist/homebrew/Formula/ssmctl.rb
[ -f "$formula" ] || fail "no Homebrew formula ($formula)"
for want in 'bin.install "ssmctl"' 'bin.install_symlink "ssmctl" => "session-manager-plugin"' 'man1.install' \
	'bash_completion.install' 'zsh_completion.install' 'fish_completion.install'; do
	grep -qF "$want" "$formula" || fail "the formula lacks $want"
done

# An archive holds the licence, the man pages and the completions. (The
# listing is read whole: grep -q would end the pipe early, and pipefail
# would take tar's SIGPIPE for a failure.)
archive=$(ls "$dist"/ssmctl_*_linux_amd64.tar.gz)
files=$(tar -tzf "$archive")
for want in ssmctl LICENSE docs/licenses.md docs/man/ssmctl.1 completions/ssmctl.bash completions/_ssmctl completions/ssmctl.fish; do
	grep -qxF "$want" <<<"$files" || fail "$archive lacks $want"
done

if command -v dpkg-deb >/dev/null; then
	deb=$(ls "$dist"/ssmctl_*_amd64.deb)
	list=$(dpkg-deb -c "$deb")
	for want in ' ./usr/bin/ssmctl$' ' ./usr/bin/session-manager-plugin -> /usr/bin/ssmctl$' \
		' ./usr/share/man/man1/ssmctl.1$' ' ./usr/share/bash-completion/completions/ssmctl$' \
		' ./usr/share/zsh/vendor-completions/_ssmctl$' ' ./usr/share/fish/vendor_completions.d/ssmctl.fish$' \
		' ./usr/share/doc/ssmctl/LICENSE$'; do
		grep -qE -- "$want" <<<"$list" || fail "$deb lacks ${want# }"
	done
	echo "check-snapshot: $deb:"
	echo "$list"
else
	echo "check-snapshot: no dpkg-deb here, the .deb's contents were not listed"
fi
echo "check-snapshot: archives, .deb, .rpm and formula present in $dist"
