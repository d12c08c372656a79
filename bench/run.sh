#!/usr/bin/env bash
# make bench: bench/run.sh BIN [flags] [scenario...]
# Measures the ssmctl binary BIN beside the AWS CLI on an in-process sandbox
# and prints a markdown report (docs/benchmarks.md explains it).
set -euo pipefail
bin=${1:?usage: bench/run.sh path/to/ssmctl [flags] [scenario...]}
shift
cd "$(dirname "$0")/.."
exec "${GO:-go}" run ./bench -ssmctl "$bin" "$@"
