#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The appliance's JSON events (app/scrubber/events.c, docs/operations.md), from the real binary in the
# namespace testbed: every line of its stdout that starts with '{' must parse as one event with a time
# and a name, and each kind must appear when its cause happens: config_loaded, start, link_up (both
# ports), key_epoch (4-second keys), challenge_on and challenge_off (a flood, then quiet), blocklist_added
# and blocklist_removed (telemetry), auto_blocklist_added and auto_blocklist_expired (forged cookies),
# flow_table_full (a table of 1 024 flows and 3 000 valid second ClientHellos), state_loaded and
# state_refused (flows.state_file across restarts, then a damaged file), stop. Then 300 blocklist changes
# in a row: no more events than the rate allows (20 a second, bursts of 20), events_suppressed says how
# many were held back. TAP output.
#
#   test_events.sh SCRUBBER PCAPGEN
set -u
scrubber=$1 pcapgen=$2
root=${DS_SOURCE_ROOT:?}
FLOOD=6000 RATE=3000 FORGER=198.18.8.5 CLIENTS=3000 CHANGES=300

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

e2e_testbed inline dsevents
tb_config "$work/box.yaml" "$work/secret" hmac-sha256 4 500
/usr/bin/python3 - "$work/box.yaml" "$work/flows.state" <<'PY'
import sys
path, state = sys.argv[1:]
text = open(path).read().replace("  capacity: 65536\n", f"  capacity: 1024\n  state_file: {state}\n")
text += ("hvr_rate_limit:\n  per_prefix: 0\n"
         "challenge:\n  mode: under-attack\n  on_rate: 500\n  off_rate: 100\n  off_after: 1\n"
         "auto_blocklist:\n  bad_cookies: 5\n  duration: 2\n")
open(path, "w").write(text)
PY
grep -q "state_file" "$work/box.yaml" || bail "cannot write the configuration"
cli=$(tb_ns cli)
template=$root/tests/captures/ossl_dtls10.pcap
gen() { "$pcapgen" --template "$template" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--dst "$TB_SRV4:4433" "$@" >/dev/null || bail "dtls-pcapgen $*"; }
gen --kind ch1 --count $FLOOD --sources 1000 --src 198.18.0.1 --out "$work/flood.pcap"
openssl rand -hex 32 >"$work/forged.secret" && chmod 600 "$work/forged.secret"
replay() { ip netns exec "$cli" tcpreplay -q --pps="$2" -i cli0 "$1" >>"$work/tcpreplay.log" 2>&1; }

# has LOG EVENT [PYTHON_CONDITION]: an event of that name (and condition, over the event `e`) was said.
has() {
	/usr/bin/python3 - "$1" "$2" "${3:-True}" <<'PY'
import json, sys
path, name, cond = sys.argv[1:]
for line in open(path, errors="replace"):
    if line.startswith("{"):
        e = json.loads(line)
        if e.get("event") == name and eval(cond):
            sys.exit(0)
sys.exit(1)
PY
}
# wait_event LOG EVENT SECONDS [CONDITION]
wait_event() {
	local i
	for i in $(seq $(($3 * 10))); do
		has "$1" "$2" "${4:-True}" && return 0
		sleep 0.1
	done
	return 1
}

start_scrubber "$work/box.yaml" "$work/run1.log" "$work/stats1.json"
for e in config_loaded start state_absent; do
	wait_event "$work/run1.log" $e 10
	check $? "$e said at start"
done
wait_event "$work/run1.log" link_up 10 "e['port'] == 'outside'" && wait_event "$work/run1.log" link_up 10 "e['port'] == 'inside'"
check $? "link_up said for both ports"
wait_event "$work/run1.log" key_epoch 9
check $? "key_epoch said when the 4-second epoch changes"

replay "$work/flood.pcap" $RATE
wait_event "$work/run1.log" challenge_on 10 "e['service'] == '$TB_SRV4:4433' and e['rate'] >= 500"
check $? "challenge_on said for $TB_SRV4:4433 during a flood of $RATE ClientHellos/s"
wait_event "$work/run1.log" challenge_off 15 "e['service'] == '$TB_SRV4:4433'"
check $? "challenge_off said once the flood stopped"

"$root/scripts/blocklist" "$TB_PREFIX" add 198.51.100.0/24 >/dev/null &&
	"$root/scripts/blocklist" "$TB_PREFIX" del 198.51.100.0/24 >/dev/null
wait_event "$work/run1.log" blocklist_added 5 "e['prefix'] == '198.51.100.0/24'" &&
	wait_event "$work/run1.log" blocklist_removed 5 "e['prefix'] == '198.51.100.0/24'"
check $? "blocklist_added and blocklist_removed said for changes through telemetry"

# Forged cookies of a live epoch (made now: 4-second keys), so that they count as forged, not as expired.
gen --kind ch2 --secret "$work/forged.secret" --key-period 4 --count 50 --src $FORGER --out "$work/forged.pcap"
replay "$work/forged.pcap" 500
wait_event "$work/run1.log" auto_blocklist_added 5 "e['first'] == '$FORGER/32'"
check $? "auto_blocklist_added said for $FORGER after its forged cookies"
wait_event "$work/run1.log" auto_blocklist_expired 8 "e['first'] == '$FORGER/32'"
check $? "auto_blocklist_expired said after the entry's 2 seconds"

# Valid second ClientHellos from 3 000 clients, made just before they are sent (4-second keys).
gen --kind ch2 --secret "$work/secret" --key-period 4 --count $CLIENTS --sources $CLIENTS --src 198.19.0.1 --out "$work/clients.pcap"
replay "$work/clients.pcap" 6000
wait_event "$work/run1.log" flow_table_full 5 "e['refused'] > 0 and e['capacity_per_worker'] == 1024"
check $? "flow_table_full said when $CLIENTS clients meet a table of 1 024 flows"

# Many changes at once: the events keep to their rate.
begin=$SECONDS
for i in $(seq $CHANGES); do echo "/dtls_scrubber/blocklist_add,203.0.$((i / 256)).$((i % 256))/32"; done |
	dpdk-telemetry.py -f "$TB_PREFIX" >/dev/null 2>&1
took=$((SECONDS - begin + 1))
sleep 1.2
said=$(grep -c '"event":"blocklist_added"' "$work/run1.log")
wait_event "$work/run1.log" events_suppressed 3 "e['count'] > 0"
suppressed=$?
echo "# $CHANGES blocklist changes in about $took s: $said blocklist_added events said"
[ "$said" -lt $CHANGES ] && [ "$said" -le $((20 + 20 * (took + 2))) ] && [ $suppressed -eq 0 ]
check $? "$CHANGES changes in a row: $said events said, within 20/s with bursts of 20; events_suppressed counts the rest"

kill -INT $scrubber_pid
wait $scrubber_pid
wait_event "$work/run1.log" stop 5 "e['reason'] == 'signal'"
check $? "stop said at a SIGINT"
bad=$(/usr/bin/python3 - "$work/run1.log" <<'PY'
import json, sys
bad = 0
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("{"):
        try:
            e = json.loads(line)
            bad += not (isinstance(e.get("time"), str) and e["time"].endswith("Z") and isinstance(e.get("event"), str))
        except ValueError:
            bad += 1
print(bad)
PY
)
check "$bad" "every event line is one JSON object with a time and a name ($bad bad)"

start_scrubber "$work/box.yaml" "$work/run2.log" "$work/stats2.json"
wait_event "$work/run2.log" state_loaded 10 "e['flows'] > 0"
check $? "state_loaded said at the restart, with the flows of the last stop"
kill -INT $scrubber_pid
wait $scrubber_pid
printf 'damaged' | dd of="$work/flows.state" bs=1 seek=40 conv=notrunc 2>/dev/null
start_scrubber "$work/box.yaml" "$work/run3.log" "$work/stats3.json"
wait_event "$work/run3.log" state_refused 10 "len(e['reason']) > 0"
check $? "state_refused said for a damaged state file, with the reason"
kill -INT $scrubber_pid
wait $scrubber_pid
sed 's/^/# /' "$work/run3.log" | grep '"event"' | head -8
finish
