# ssmctl's one set of build, test and release commands.
SHELL   := bash
GO      ?= go
BIN     := bin/ssmctl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
BUILD   := github.com/ssmctl/ssmctl/internal/build
LDFLAGS := -s -w -X $(BUILD).version=$(VERSION) -X $(BUILD).commit=$(COMMIT) -X $(BUILD).date=$(DATE)

.PHONY: all build install test vet lint unit tunnel-load demo docs licenses bench release-check clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ssmctl

# Installs ssmctl and links session-manager-plugin to it, so the AWS CLI's
# `aws ssm start-session` uses ssmctl as its plugin (docs/sessions.md). An
# existing session-manager-plugin there is left alone.
install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/ssmctl
	@bin=$$($(GO) env GOBIN); bin=$${bin:-$$($(GO) env GOPATH)/bin}; \
	  if [ ! -e "$$bin/session-manager-plugin" ] || [ -L "$$bin/session-manager-plugin" ]; then \
	    ln -sf ssmctl "$$bin/session-manager-plugin" && echo "linked $$bin/session-manager-plugin -> ssmctl"; \
	  else echo "$$bin/session-manager-plugin exists and is not a link: left alone"; fi

# The one test command (README, .ci/run): vet, staticcheck, gofmt, then every
# test with the race detector, the AWS CLI conformance tests included, then
# the tunnel load test at full size.
test: vet lint unit tunnel-load

vet:
	$(GO) vet ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -race -count=1 -timeout 12m ./...

# Issue 12's reliability test at full size: 64 concurrent connections of
# 8 MiB each way through one tunnel, in mux and then basic mode, every
# connection's SHA-256 checked (unit runs it at 16 x 256 KiB). Without
# -race, which would make it several times slower, and unpaced
# (docs/port-forward.md).
tunnel-load:
	set -o pipefail; SSMCTL_TUNNEL_TEST_CONNS=64 SSMCTL_TUNNEL_TEST_CONN_BYTES=8388608 SSMCTL_TUNNEL_TEST_PACED=0 \
	  $(GO) test -count=1 -timeout 20m -v -run 'TestTunnelConcurrentConnections$$' ./pkg/session/ | grep -E '^(---|ok|FAIL|PASS)|    '

# Build, start a sandbox on a free port, tour what exists, stop it.
demo: build
	@scripts/demo.sh $(BIN)

# Regenerate the command reference (docs/reference, docs/man) from the Cobra tree.
docs:
	$(GO) run ./cmd/gen-docs docs

# Regenerate docs/licenses.md (every go.mod dependency and its licence) from
# the module cache; it fails on a licence it cannot name.
licenses:
	@scripts/licenses.sh docs/licenses.md

bench: build
	@bench/run.sh $(BIN)

# Validate .goreleaser.yaml, then build a snapshot release in dist/ (no
# upload) and check it holds the archives, .deb, .rpm and Homebrew formula
# (docs/packaging.md).
GORELEASER := $(GO) run github.com/goreleaser/goreleaser/v2@v2.12.7
release-check:
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean
	@scripts/check-snapshot.sh dist

clean:
	rm -rf bin dist
