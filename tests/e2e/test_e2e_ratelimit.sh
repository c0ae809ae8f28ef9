#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The per-prefix HVR rate limit against a reflection attack, in the inline testbed
# (scripts/lib/testbed.sh): a flood of ClientHellos spoofing every address of one /24 (the victim)
# gets at most the configured HVR rate back to that /24, measured on the wire on the client side,
# while unmodified clients from other prefixes complete their handshakes through the appliance.
# TAP output.
#
#   test_e2e_ratelimit.sh SCRUBBER BACKEND PCAPGEN
set -u
scrubber=$1 backend=$2 pcapgen=$3
root=${DS_SOURCE_ROOT:?}
LIMIT=400 BURST=400 FLOOD=24000 RATE=6000 VICTIM=198.18.7

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json; t=json.load(open('$work/stats.json'))['totals']; print($1)"; }

e2e_testbed inline dsratelimit
tb_config "$work/box.yaml" "$work/secret"
printf 'hvr_rate_limit:\n  per_prefix: %d\n  burst: %d\n' $LIMIT $BURST >>"$work/box.yaml"
cli=$(tb_ns cli)

victim_flood $FLOOD "$work/flood.pcap"

capture_victim
start_box "$backend" "$work/secret"

ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 1
start_clients "$work"
wait $CLIENT_PIDS
kill -0 $flood_pid 2>/dev/null
flooding=$?
check_clients "$work" "other prefixes during the reflection flood"
[ $flooding -eq 0 ]
check $? "the handshakes completed while the flood at the victim's /24 was still coming in"
wait $flood_pid
sleep 1
stop_box

# The flood's length on the wire: from its first to its last ClientHello, as tcpreplay sent them.
seconds=$(/usr/bin/python3 -c "print($FLOOD / $RATE)")
back=$(capinfos -M -c "$work/victim.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
allowed=$(/usr/bin/python3 -c "import math; print(math.ceil($BURST + $LIMIT * ($seconds + 1)))")
ch1=$(json "t['ch1_no_cookie']") hvr=$(json "t['hvr_sent']") limited=$(json "t['dropped_hvr_rate_limited']")
echo "# victim's /24: $FLOOD ClientHellos in ${seconds}s spoofed from it, $back HVRs back (limit $LIMIT/s, burst $BURST: at most $allowed)"
[ "${back:-0}" -ge $BURST ] && [ "${back:-0}" -le "$allowed" ]
check $? "a flood spoofing one /24 gets at most the configured HVR rate back: ${back:-0} HVRs for $FLOOD ClientHellos over ${seconds}s (<= $allowed)"
conserved=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/stats.json'))['conserved'])")
[ "$limited" -gt 0 ] && [ "$hvr" -lt "$ch1" ] && [ "$conserved" = True ] && [ "$(json "t['ch2_valid'] >= $CLIENTS_OK")" = True ]
check $? "the unanswered ClientHellos are counted (dropped_hvr_rate_limited $limited, hvr_sent $hvr of $ch1, counters conserve); valid CH2s are never limited"
finish
