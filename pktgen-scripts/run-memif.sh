#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run-memif.sh SCRIPT [CAPTURE]: one Pktgen-DPDK run against dtls-scrubber on this machine, no NIC.
#
#   PKTGEN=path/to/pktgen pktgen-scripts/run-memif.sh ch1-flood        # ch1.pcap
#   PKTGEN=path/to/pktgen pktgen-scripts/run-memif.sh mix              # mix.pcap
#   PKTGEN=path/to/pktgen pktgen-scripts/run-memif.sh rate-sweep [mix] # ch1.pcap unless told
#
# 1. makes the cookie secret (pktgen-scripts/memif.secret) if missing and fresh captures
#    (gen-pcaps.sh: ch1.pcap, mix.pcap with CH2 cookies of the current key epoch) in OUT;
# 2. starts dtls-scrubber -c pktgen-scripts/memif.yaml (memif server of both sockets) and waits for
#    its telemetry;
# 3. runs Pktgen (memif client of both sockets, --no-huge) with -s 0:CAPTURE -f SCRIPT.lua under a
#    pseudo-terminal (Pktgen refuses to start without one) and a timeout; the script quits Pktgen;
# 4. stops the appliance (SIGINT: final summary and --stats-json) and prints the script's results
#    next to the appliance's summary. Everything stops by itself: Pktgen is killed after
#    PG_TIMEOUT seconds, the appliance stops after its --duration at the latest.
#
# Environment (defaults in brackets):
#   PKTGEN        the pktgen binary (required; Pktgen-DPDK is no Debian package: README.md, build-pktgen.sh)
#   OUT           [pktgen-scripts/out] captures, logs, results-TAG.txt, appliance-TAG.json (TAG: the
#                 script, rate-sweep-ch1 / rate-sweep-mix)
#   DS_PG_RATE [200kpps] DS_PG_RATES [25kpps,50kpps,100kpps,200kpps,400kpps] DS_PG_DURATION [10]
#                 and the other DS_PG_* of common.lua, passed to the Lua script
#   PG_LCORES     [0@0,1@0] Pktgen's EAL --lcores (main lcore 0 + TX/RX lcore 1, both on CPU 0: the
#                 appliance's worker has CPU 1 to itself)   PG_MAIN [0] its --main-lcore
#   PG_MAP        ["1.[0-1]"] Pktgen's -m: lcore 1 does RX and TX of ports 0 and 1
#   PG_MEM        [4096] MB of Pktgen's --no-huge memory (Pktgen makes large mbuf pools)
#   PG_TIMEOUT    [computed from the durations] seconds before Pktgen is killed
#   APP_CONFIG    [pktgen-scripts/memif.yaml]   SCRUBBER [build-release/app/scrubber/dtls-scrubber]
#   SKIP_PCAPS=1  reuse the captures in OUT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

name=${1:?usage: PKTGEN=path/to/pktgen pktgen-scripts/run-memif.sh ch1-flood|mix|rate-sweep [ch1|mix]}
name=${name%.lua}
lua=pktgen-scripts/$name.lua
[ -f "$lua" ] || { echo "run-memif: no $lua" >&2; exit 2; }
case "$name" in
mix) capture=${2:-mix} ;;
*) capture=${2:-ch1} ;;
esac
: "${PKTGEN:?set PKTGEN to the pktgen binary (see pktgen-scripts/README.md)}"
[ -x "$PKTGEN" ] || { echo "run-memif: PKTGEN=$PKTGEN is not executable" >&2; exit 2; }

OUT=${OUT:-pktgen-scripts/out}
APP_CONFIG=${APP_CONFIG:-pktgen-scripts/memif.yaml}
SCRUBBER=${SCRUBBER:-build-release/app/scrubber/dtls-scrubber}
PG_LCORES=${PG_LCORES:-0@0,1@0}
PG_MAIN=${PG_MAIN:-0}
PG_MAP=${PG_MAP:-1.[0-1]}
PG_MEM=${PG_MEM:-4096}
export DS_PG_RATE=${DS_PG_RATE:-200kpps}
export DS_PG_RATES=${DS_PG_RATES:-25kpps,50kpps,100kpps,200kpps,400kpps}
export DS_PG_DURATION=${DS_PG_DURATION:-10}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The appliance's memif sockets and telemetry prefix, as its configuration says.
sock_of() { sed -n "s/.*device: *$1,.*socket=\([^,\" ]*\).*/\1/p" "$APP_CONFIG" | head -1; }
out_sock=$(sock_of net_memif0)
in_sock=$(sock_of net_memif1)
prefix=$(sed -n 's/.*--file-prefix, *\([^],]*\).*/\1/p' "$APP_CONFIG" | head -1 | tr -d ' "')
[ -n "$out_sock" ] && [ -n "$in_sock" ] && [ -n "$prefix" ] ||
	{ echo "run-memif: $APP_CONFIG needs net_memif0/net_memif1 devices with socket= and a --file-prefix" >&2; exit 2; }
export DS_PG_PREFIX=${DS_PG_PREFIX:-$prefix}

steps=1
[ "$name" = rate-sweep ] && steps=$(tr -cd , <<<"$DS_PG_RATES" | wc -c) && steps=$((steps + 1))
PG_TIMEOUT=${PG_TIMEOUT:-$((steps * (DS_PG_DURATION + 8) + 90))}

if [ -z "${SKIP_PCAPS:-}" ]; then
	echo "== captures in $OUT"
	SECRET=${SECRET:-$(dirname "$APP_CONFIG")/$(sed -n 's/^ *secret_file: *\([^ #]*\).*/\1/p' "$APP_CONFIG")} \
		KEY_PERIOD=${KEY_PERIOD:-$(sed -n 's/^ *key_period: *\([0-9]*\).*/\1/p' "$APP_CONFIG")} \
		pktgen-scripts/gen-pcaps.sh "$OUT"
fi
pcap=$OUT/$capture.pcap
[ -f "$pcap" ] || { echo "run-memif: no $pcap" >&2; exit 2; }

tag=$name
[ "$name" = rate-sweep ] && tag=$name-$capture
app_log=$OUT/appliance-$tag.log
app_json=$OUT/appliance-$tag.json
results=$OUT/results-$tag.txt
pg_log=$OUT/pktgen-$tag.log
rm -f "$results" "$app_json"
app_pid=
cleanup() {
	if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
		kill -INT "$app_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$app_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

echo "== dtls-scrubber -c $APP_CONFIG (log $app_log)"
"$SCRUBBER" -c "$APP_CONFIG" --duration $((PG_TIMEOUT + 30)) --stats-json "$app_json" >"$app_log" 2>&1 &
app_pid=$!
for i in $(seq 100); do
	if ! kill -0 "$app_pid" 2>/dev/null; then
		echo "run-memif: the appliance stopped:" >&2
		tail -20 "$app_log" >&2
		exit 1
	fi
	echo /dtls_scrubber/config | dpdk-telemetry.py -f "$prefix" 2>/dev/null | grep -q cookie_epoch && break
	[ "$i" = 100 ] && { echo "run-memif: no telemetry from the appliance after 20 s" >&2; exit 1; }
	sleep 0.2
done

pg_cmd=("$PKTGEN" --lcores "$PG_LCORES" --main-lcore "$PG_MAIN" --no-huge -m "$PG_MEM"
	--file-prefix "${PG_PREFIX:-pktgen}" --no-pci --log-level "*:notice"
	--vdev "net_memif0,role=client,id=0,socket=$out_sock"
	--vdev "net_memif1,role=client,id=0,socket=$in_sock"
	-- -P -m "$PG_MAP" -s "0:$pcap" -f "$root/$lua")
echo "== ${pg_cmd[*]}"
echo "   (under script(1) for a terminal, timeout ${PG_TIMEOUT}s; log $pg_log)"
export DS_PG_RESULTS=$results
rc=0
timeout -k 10 "$PG_TIMEOUT" script -qfec "$(printf '%q ' "${pg_cmd[@]}")" /dev/null </dev/null \
	>"$pg_log" 2>&1 || rc=$?
[ "$rc" = 124 ] && echo "run-memif: Pktgen was killed after ${PG_TIMEOUT}s" >&2

cleanup
app_pid=
echo
echo "== Pktgen $name.lua (exit $rc):"
if [ -s "$results" ]; then
	cat "$results"
	grep -q ": ERROR: " "$results" && [ "$rc" = 0 ] && rc=1
else
	echo "(no results; Pktgen's last lines:)"
	tail -c 2000 "$pg_log" | tr -d '\033' | tail -15
	[ "$rc" = 0 ] && rc=1
fi
echo
echo "== dtls-scrubber's summary (whole run; JSON in $app_json):"
sed -n '/^=== dtls-scrubber/,$p' "$app_log"
exit "$rc"
