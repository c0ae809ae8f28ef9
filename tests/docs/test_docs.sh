#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# docs/testing.md against the build: every test meson registers has a row in the table, and every row
# names a registered test. TAP. Needs DS_SOURCE_ROOT and DS_BUILD_ROOT (meson test sets them).
set -uo pipefail
doc=$DS_SOURCE_ROOT/docs/testing.md
registered=$(meson introspect --tests "$DS_BUILD_ROOT" 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys; print("\n".join(sorted({t["name"] for t in json.load(sys.stdin)})))')
if [ -z "$registered" ]; then
	echo "Bail out! meson introspect --tests $DS_BUILD_ROOT listed nothing"
	exit 1
fi
# First column of the table rows: `name` or `a`, `b`.
described=$(grep -E '^\| `' "$doc" | cut -d'|' -f2 | grep -oE '`[a-z0-9_]+`' | tr -d '`' | sort -u)
# The fuzz targets exist only in a -Dfuzz=true build.
if ! echo "$registered" | grep -q '^fuzz_'; then
	described=$(echo "$described" | grep -v '^fuzz_')
fi
missing=$(comm -23 <(echo "$registered") <(echo "$described"))
stale=$(comm -13 <(echo "$registered") <(echo "$described"))
n=0
check() {
	n=$((n + 1))
	if [ -z "$2" ]; then echo "ok $n - $1"; else echo "not ok $n - $1: $(echo $2)"; fi
}
check "every registered test ($(echo "$registered" | wc -l)) is described in docs/testing.md" "$missing"
check "every test docs/testing.md describes is registered" "$stale"
echo "1..$n"
