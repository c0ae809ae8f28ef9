#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run one libFuzzer target for a bounded time on a corpus seeded from the real captures, and report the
# result as TAP. Usage: run-fuzzer.sh FUZZER MAKE_CORPUS SEED_KIND SECONDS [CORPUS_DIR]
# With CORPUS_DIR (scripts/fuzz), the corpus is kept there and grows from run to run.
set -u
fuzzer=$1 make_corpus=$2 kind=$3 seconds=$4 keep=${5:-}
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/artifacts"
corpus=$work/corpus
[ -n "$keep" ] && corpus=$keep
mkdir -p "$corpus"
"$make_corpus" "$kind" "$corpus" >/dev/null || { echo "Bail out! cannot seed the corpus"; exit 1; }

"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$corpus" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
coverage=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
	echo "ok 1 - $name: $runs inputs in ${seconds}s under ASan+UBSan, no crash ($coverage)"
else
	echo "not ok 1 - $name: exit status $rc after ${runs:-0} inputs"
	tail -40 "$work/log" | sed 's/^/# /'
	for f in "$work"/artifacts/*; do
		[ -e "$f" ] && echo "# crashing input (hex): $(od -An -tx1 -v "$f" | tr -d ' \n' | head -c 600)"
	done
fi
echo "1..1"
[ "$rc" -eq 0 ]
