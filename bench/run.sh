#!/usr/bin/env bash
# Runs the side-by-side benchmark on a fresh machine: installs etcd and
# ZooKeeper from Debian's packages (scripts/install-deps.sh), builds Concord
# from this checkout and compares the three.
#
#   bench/run.sh -quick   # about 3 minutes; writes bench/out/
#   bench/run.sh          # full, about 25 minutes; writes bench/results/ and bench/RESULTS.md
#
# Other flags go to concord-bench (go run ./bench/cmd/concord-bench -h).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
args=("$@")
full=1
for a in "$@"; do
	case "$a" in
	-quick | --quick | -quick=true | --quick=true) full=0 ;;
	-out | --out | -out=* | --out=*) full=0 ;; # the caller chose where results go
	esac
done
if [ "$full" = 1 ]; then
	args+=(-out bench/results -record bench/RESULTS.md)
fi
go build -o "${TMPDIR:-/tmp}/concord-bench" ./bench/cmd/concord-bench
exec "${TMPDIR:-/tmp}/concord-bench" "${args[@]}"
