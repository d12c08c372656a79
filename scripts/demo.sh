#!/usr/bin/env bash
# A short tour of ssmctl on a local sandbox: starts one on a free port,
# runs a few commands the way a new user would, stops it, exits 0.
set -euo pipefail

bin=$(cd "$(dirname "${1:-bin/ssmctl}")" && pwd)/$(basename "${1:-bin/ssmctl}")
work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# Nothing from this machine's AWS or ssmctl configuration leaks into the tour.
export HOME="$work" XDG_CONFIG_HOME="$work/config" AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SSM AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

"$bin" sandbox --env-file "$work/sandbox.env" >/dev/null 2>"$work/sandbox.log" &
pid=$!
for _ in $(seq 100); do
	[ -s "$work/sandbox.env" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.05
done
[ -s "$work/sandbox.env" ] || { echo "demo: the sandbox did not start" >&2; cat "$work/sandbox.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/sandbox.env"
PATH="$(dirname "$bin"):$PATH"

step() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	"$@"
}
expect() { # expect CODE CMD...: a step that must fail with CODE
	local want=$1; shift
	printf '\n\033[1m$ %s\033[0m   # exits %s\n' "$*" "$want"
	set +e; "$@"; local got=$?; set -e
	[ "$got" = "$want" ] || { echo "demo: expected exit $want, got $got" >&2; exit 1; }
}

echo "ssmctl tour on a local sandbox ($AWS_ENDPOINT_URL)"
step ssmctl version
step ssmctl nodes -o table
step ssmctl nodes 'tag:Environment=Prod' -o table
step ssmctl nodes 'web-*' --ping Online -o table
step ssmctl nodes -o json --query '[?pingStatus==`ConnectionLost`].{id: id, name: name, lastPing: lastPing}'
step ssmctl nodes db-1 -o yaml
if command -v aws >/dev/null; then
	# The sandbox speaks AWS's wire protocol: the AWS CLI works against it unchanged.
	step aws ssm describe-instance-information --query 'InstanceInformationList[].[InstanceId,PingStatus,PlatformName]' --output text
fi
step ssmctl run web-1 -- 'echo "hello from $AWS_SSM_INSTANCE_ID"; uname -s'
step ssmctl run web-1 web-2 db-1 --prefix -- 'echo "$(date -u +%H:%M:%S) $AWS_SSM_INSTANCE_ID"'
expect 3 ssmctl run db-1 -- 'echo checking; exit 3'
step ssmctl run web-1 db-1 -o json --query 'invocations[].{node: nodeId, status: status, exitCode: responseCode}' -- true
step ssmctl doc ls --owner Amazon

# Sessions: a one-shot command keeps stdout and stderr apart and exits with
# the remote exit code; the shell itself is `ssmctl session web-1`.
expect 7 ssmctl session web-1 -- 'echo "on $(hostname -s 2>/dev/null || echo node)"; echo oops >&2; exit 7'
printf 'whoami\nexit\n' | ssmctl session web-1 --quiet --reason 'demo tour' >/dev/null
step ssmctl session list --state History
step ssmctl session prefs set --idle-timeout 15

# Parameter Store: write, read, the tree, export.
step ssmctl param put /demo/app/url https://example.internal
printf 's3cr=t "quoted"' | step ssmctl param put /demo/app/password --type SecureString -
step ssmctl param tree /demo --values
step ssmctl param get /demo/app/password --decrypt --value-only
step ssmctl param export /demo/app --format dotenv --decrypt
expect 252 ssmctl nodes i-0000000000000dead
expect 252 ssmctl nodes 'tag:=x'
echo
echo "demo: done"
