#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Changing the configuration without a restart, in the inline testbed (scripts/lib/testbed.sh). Two
# unmodified clients (openssl s_client over IPv4, gnutls-cli over IPv6) hold DTLS sessions with the
# OpenSSL echo backend, a numbered line every 0.2 s, while ClientHello floods spoofing one /24 come in
# rounds. Between rounds the file changes and the appliance is told to read it again:
#   1. hvr_rate_limit 5/s: a round is nearly all rate-limited;
#   2. reload (telemetry) with 10^6/s: the next round gets every HVR, none limited;
#   3. a file with a YAML error: refused with file:line:col, and the next round still gets every HVR;
#   4. a file that changes flows.capacity: refused naming it, nothing changes;
#   5. reload (SIGHUP) with the flooded /24 in the blocklist: the next round is dropped before any work;
#   6. reload with the blocklist emptied and challenge under-attack at a rate the round never reaches:
#      the round's ClientHellos pass to the server unchallenged.
# The sessions lose no line across all of it and keep their flows. TAP output.
#
#   test_e2e_reload.sh SCRUBBER BACKEND PCAPGEN
set -u
scrubber=$1 backend=$2 pcapgen=$3
root=${DS_SOURCE_ROOT:?}
ROUND=3000 RATE=5000 VICTIM=198.18.5 KEEPALIVE_MS=2000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

e2e_testbed inline dsreload
tb_config "$work/base.yaml" "$work/secret"
CLIENTS=(
	"openssl-ipv4|openssl s_client -dtls1_2 -connect $TB_SRV4:4433"
	"gnutls-ipv6|gnutls-cli --udp --insecure -p 4433 $TB_SRV6"
)

# write_config EXTRA...: the base configuration and these lines, as $work/box.yaml (what reloads read).
write_config() {
	{ cat "$work/base.yaml"; printf '%s\n' "$@"; } >"$work/box.yaml.new"
	mv "$work/box.yaml.new" "$work/box.yaml"
}

# reload: the telemetry command; prints its answer's result and text.
reload() { telemetry /dtls_scrubber/reload "r['result'] + ': ' + r.get('changed', r.get('reason', ''))"; }

# round NAME: one round of the flood, and the counters it moved (as NAME_COUNTER=delta variables).
round() {
	local c before=() after i names=(rx_outside hvr_sent dropped_hvr_rate_limited dropped_blocklist forwarded_unchallenged)
	for c in "${names[@]}"; do before+=("$(counter $c)"); done
	ip netns exec "$(tb_ns cli)" tcpreplay -q --pps=$RATE -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1
	# Wait until the whole round was received (af_packet may keep a few frames for a moment).
	for i in $(seq 100); do
		[ $(($(counter rx_outside) - before[0])) -ge $((ROUND * 95 / 100)) ] && break
		sleep 0.1
	done
	sleep 0.5
	for i in "${!names[@]}"; do
		after=$(counter "${names[$i]}")
		eval "$1_${names[$i]}=$((after - before[i]))"
	done
	eval "echo \"# round $1: received \$$1_rx_outside, HVRs \$$1_hvr_sent, rate-limited \$$1_dropped_hvr_rate_limited, blocklisted \$$1_dropped_blocklist, passed unchallenged \$$1_forwarded_unchallenged\""
}

victim_flood $ROUND "$work/flood.pcap"
write_config "hvr_rate_limit:" "  per_prefix: 5" "  burst: 1"
start_backends "$backend" "$work/secret" --keepalive $KEEPALIVE_MS
start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"
for c in "${CLIENTS[@]}"; do
	name=${c%%|*} cmd=${c#*|}
	session_feed "$name" | timeout 200 ip netns exec "$(tb_ns cli)" $cmd >"$work/$name.out" 2>&1 &
done
for i in $(seq 300); do
	[ "$(session_echoed openssl-ipv4)" -ge 5 ] && [ "$(session_echoed gnutls-ipv6)" -ge 5 ] && break
	sleep 0.1
done
[ "$(session_echoed openssl-ipv4)" -ge 5 ] && [ "$(session_echoed gnutls-ipv6)" -ge 5 ]
check $? "both sessions run through the appliance ($(session_echoed openssl-ipv4) and $(session_echoed gnutls-ipv6) lines echoed)"
declare -A from
for c in "${CLIENTS[@]}"; do from[${c%%|*}]=$(cat "$work/${c%%|*}.sent"); done
flows_before=$(counter flows_active)

# 1. The limit in the file it started with.
round limited
[ "$limited_dropped_hvr_rate_limited" -ge $((ROUND * 9 / 10)) ]
check $? "5 HVRs/s: the round is rate-limited ($limited_dropped_hvr_rate_limited of $limited_rx_outside)"

# 2. A higher limit, by the telemetry command.
write_config "hvr_rate_limit:" "  per_prefix: 1000000" "  burst: 1000000"
answer=$(reload)
echo "# reload: $answer"
case $answer in applied:*hvr_rate_limit*) s=0 ;; *) s=1 ;; esac
check $s "the telemetry reload applies the new limit and names it ($answer)"
round raised
[ "$raised_dropped_hvr_rate_limited" -eq 0 ] && [ "$raised_hvr_sent" -ge $((ROUND * 95 / 100)) ]
check $? "after the reload no HVR is limited ($raised_hvr_sent HVRs, $raised_dropped_hvr_rate_limited limited) without a restart"

# 3. A file that does not validate.
write_config "hvr_rate_limit:" "  per_prefix: 5" "  burst: lots"
line=$(grep -n "burst: lots" "$work/box.yaml" | cut -d: -f1)
answer=$(reload)
echo "# reload: $answer"
case $answer in "refused: $work/box.yaml:$line:"*) s=0 ;; *) s=1 ;; esac
check $s "a file with an error is refused with file:line:col ($answer)"
grep -q "\"event\":\"config_refused\".*box.yaml:$line:" "$work/scrubber.log"
check $? "the refusal is an event (config_refused) with the same position"
round after_bad
[ "$after_bad_dropped_hvr_rate_limited" -eq 0 ] && [ "$after_bad_hvr_sent" -ge $((ROUND * 95 / 100)) ]
check $? "nothing changed: the next round still gets every HVR ($after_bad_hvr_sent, $after_bad_dropped_hvr_rate_limited limited)"

# 4. A change only a restart can make.
write_config "hvr_rate_limit:" "  per_prefix: 5" "  burst: 1"
sed -i 's/^  capacity: 65536$/  capacity: 131072/' "$work/box.yaml"
answer=$(reload)
echo "# reload: $answer"
case $answer in refused:*"only a restart changes flows.capacity"*) s=0 ;; *) s=1 ;; esac
check $s "a file that changes the flow tables' size is refused, naming what needs a restart ($answer)"
round after_frozen
[ "$after_frozen_dropped_hvr_rate_limited" -eq 0 ]
check $? "and nothing of it applied: its lower HVR limit is not in force ($after_frozen_dropped_hvr_rate_limited limited)"

# 5. The blocklist, by SIGHUP.
write_config "hvr_rate_limit:" "  per_prefix: 1000000" "  burst: 1000000" "blocklist:" "  - $VICTIM.0/24"
reloads=$(grep -c '"event":"config_reloaded"' "$work/scrubber.log")
kill -HUP "$scrubber_pid"
for i in $(seq 100); do
	[ "$(grep -c '"event":"config_reloaded"' "$work/scrubber.log")" -gt "$reloads" ] && break
	sleep 0.1
done
grep '"event":"config_reloaded"' "$work/scrubber.log" | tail -1 | grep -q 'blocklist (+1 -0)'
check $? "SIGHUP reloads the file: a config_reloaded event names the blocklist change"
round blocked
[ "$blocked_dropped_blocklist" -ge $((ROUND * 95 / 100)) ] && [ "$blocked_hvr_sent" -eq 0 ]
check $? "the flooded /24 is dropped before any work ($blocked_dropped_blocklist blocklisted, $blocked_hvr_sent HVRs)"

# 6. Challenge settings: only under attack, at a rate this round never reaches.
write_config "hvr_rate_limit:" "  per_prefix: 1000000" "  burst: 1000000" "challenge:" "  mode: under-attack" \
	"  on_rate: 1000000"
answer=$(reload)
echo "# reload: $answer"
case $answer in applied:*"blocklist (+0 -1)"*challenge*) s=0 ;; *) s=1 ;; esac
check $s "a reload empties the blocklist and changes the challenge mode ($answer)"
round unchallenged
[ "$unchallenged_forwarded_unchallenged" -ge $((ROUND * 95 / 100)) ] && [ "$unchallenged_hvr_sent" -eq 0 ] &&
	[ "$unchallenged_dropped_blocklist" -eq 0 ]
check $? "the round passes unchallenged ($unchallenged_forwarded_unchallenged forwarded, $unchallenged_hvr_sent HVRs, $unchallenged_dropped_blocklist blocklisted)"

# The sessions across all of it.
declare -A to
for c in "${CLIENTS[@]}"; do to[${c%%|*}]=$(cat "$work/${c%%|*}.sent"); done
sleep 1.5 # the last lines' echoes
flows_after=$(counter flows_active)
for c in "${CLIENTS[@]}"; do
	name=${c%%|*}
	n=$(session_lost "$name" "${from[$name]}" "${to[$name]}")
	[ "$n" -eq 0 ] && [ "${to[$name]}" -gt "${from[$name]}" ]
	check $? "$name: no line lost across the reloads and floods ($n of $((${to[$name]} - ${from[$name]})) lines)"
done
[ "$flows_after" -ge 2 ] && [ "$flows_after" -eq "$flows_before" ]
check $? "the sessions' flows stay (flows_active $flows_before before, $flows_after after)"
touch "$work/stop"
kill -INT "$scrubber_pid"
wait "$scrubber_pid"
conserved=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/stats.json'))['conserved'])")
[ "$conserved" = True ]
check $? "the counters conserve across the reloads"
kill -TERM $backend_pids 2>/dev/null
finish
