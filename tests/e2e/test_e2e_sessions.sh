#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sessions the appliance did not see begin survive it, in the inline testbed (scripts/lib/testbed.sh).
# Four unmodified clients (openssl s_client and gnutls-cli, IPv4 and IPv6) hold DTLS sessions with the
# OpenSSL echo backend, each sending a numbered line every 0.2 s; the backend sends "keepalive" to a
# client it has not heard for 2 s, as VPN and media servers do. Then, with the sessions running:
#   1. the sessions start while the box only bridges (a kernel bridge, no appliance on the path);
#   2. the appliance takes the path: the sessions continue once the server speaks (flows learned
#      from the server's encrypted records);
#   3. it restarts without flows.state_file (as a cold standby taking over would): they continue;
#   4. it restarts with flows.state_file: the flows are loaded, the sessions pass at once.
# From the first start to the end, spoofed epoch-1 application data from random sources floods the
# service: none of it reaches the server (captured on the server's side), none makes a flow, and every
# appliance's counters conserve. The lines each client lost are printed per step. TAP output.
#
#   test_e2e_sessions.sh SCRUBBER BACKEND PCAPGEN
set -u
scrubber=$1 backend=$2 pcapgen=$3
root=${DS_SOURCE_ROOT:?}
FLOOD=100000 RATE=10000 FLOOD_NET=198.18.0.0/15 PROGRESS=5 KEEPALIVE_MS=2000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json; d=json.load(open('$1')); t=d['totals']; print($2)"; }

e2e_testbed inline dssessions
e2e_clients
tb_config "$work/box.yaml" "$work/secret"
sed "s|^  idle_timeout: 60\$|&\n  state_file: $work/flows.state|" "$work/box.yaml" >"$work/box-state.yaml"
grep -q state_file "$work/box-state.yaml" || bail "cannot write the configuration with a state file"

# progress LABEL: every client gets PROGRESS more lines echoed than it had (waits at most 30 s).
progress() {
	local c name deadline=$((SECONDS + 30)) all
	declare -A from
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*}
		from[$name]=$(session_echoed "$name")
	done
	while :; do
		all=0
		for c in "${CLIENTS[@]}"; do
			name=${c%%|*}
			[ "$(session_echoed "$name")" -ge $((${from[$name]} + PROGRESS)) ] || all=1
		done
		[ $all -eq 0 ] || [ $SECONDS -ge $deadline ] && break
		sleep 0.1
	done
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*}
		[ "$(session_echoed "$name")" -ge $((${from[$name]} + PROGRESS)) ]
		check $? "$1: $name's session goes on ($((${from[$name]})) lines echoed before, $(session_echoed "$name") now)"
	done
}

# mark STEP: the last line each client had sent when STEP began.
mark() {
	local c name
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*}
		echo "$1 $name $(cat "$work/$name.sent" 2>/dev/null || echo 0)" >>"$work/marks"
	done
}

# lost STEP NEXT_STEP NAME: lines NAME sent from STEP's mark up to NEXT_STEP's that never came back.
lost() {
	local from to
	from=$(awk -v s="$1" -v n="$3" '$1 == s && $2 == n {print $3}' "$work/marks")
	to=$(awk -v s="$2" -v n="$3" '$1 == s && $2 == n {print $3}' "$work/marks")
	session_lost "$3" "$from" "$to"
}

# scrubber_step NAME CONFIG: the appliance on CONFIG, its log and counters named after NAME.
scrubber_step() {
	mark "$1"
	start_scrubber "$2" "$work/$1.log" "$work/$1.json"
}

stop_scrubber() {
	kill -INT "$scrubber_pid"
	wait "$scrubber_pid"
	sed 's/^/# /' "$work/$1.log" | grep -E "flow|conservation|unverified|learned" | head -12
}

# The counters of one appliance's run: no flow but the four sessions', every counter conserved.
check_run() {
	local f=$work/$1.json
	local learned loaded inserted active conserved
	learned=$(json "$f" "t['flow_learned_inside']") loaded=$(json "$f" "t['flow_loaded']")
	inserted=$(json "$f" "t['flow_inserted']") active=$(json "$f" "t['flows_active']")
	conserved=$(json "$f" "d['conserved'] and d['flows_conserved']")
	echo "# $1: learned $learned, loaded $loaded, inserted $inserted, active $active," \
		"unverified dropped $(json "$f" "t['dropped_unverified']"), conserved $conserved"
	[ $((learned + loaded)) -ge 4 ] && [ $((learned + loaded)) -le 4 ] && [ "$inserted" -eq 0 ] &&
		[ "$active" -le 4 ] && [ "$conserved" = True ]
	check $? "$1: the four sessions' flows and no other (learned $learned + loaded $loaded, none from the flood); counters conserve"
}

# 1. The sessions begin through a kernel bridge: the appliance is not on the path.
tb_in box ip link add br0 type bridge || bail "cannot make a bridge"
tb_in box ip link set out0 master br0
tb_in box ip link set in0 master br0
tb_in box ip link set br0 up
start_backends "$backend" "$work/secret" --keepalive $KEEPALIVE_MS
for c in "${CLIENTS[@]}"; do
	name=${c%%|*} cmd=${c#*|}
	session_feed "$name" | timeout 200 ip netns exec "$(tb_ns cli)" $cmd >"$work/$name.out" 2>&1 &
	client_pids="${client_pids:-} $!"
done
mark bridge
progress "through the bridge"

"$pcapgen" --template "$root/tests/captures/ossl_dtls12_ipv6.pcap" --kind data --count $FLOOD \
	--src 198.18.0.1 --sources 65536 --random-sources --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" \
	--dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood.pcap" >/dev/null || bail "dtls-pcapgen failed"

# 2. The appliance takes the path from the bridge.
tb_in box ip link del br0
ip netns exec "$(tb_ns srv)" dumpcap -q -P -i srv0 -B 64 -w "$work/server.pcap" -f "udp and src net $FLOOD_NET" \
	2>"$work/dumpcap.log" &
dumpcap_pid=$!
wait_log "$work/dumpcap.log" Capturing 10 dumpcap
scrubber_step takeover "$work/box.yaml"
ip netns exec "$(tb_ns cli)" tcpreplay -q --pps=$RATE --loop=0 -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
progress "appliance on the path"
stop_scrubber takeover

# 3. A restart without a state file.
scrubber_step restart "$work/box.yaml"
progress "restarted without a state file"
stop_scrubber restart

# 4. Restarts with a state file: the first one has none to load yet and writes one at its stop.
scrubber_step first-with-state "$work/box-state.yaml"
progress "first start with a state file (none there yet)"
stop_scrubber first-with-state
[ -s "$work/flows.state" ] && [ "$(stat -c %a "$work/flows.state")" = 600 ]
check $? "the flows are written to flows.state_file at the stop, readable by root only"
scrubber_step state "$work/box-state.yaml"
progress "restarted with the state file"
loaded_now=$(counter flow_loaded)
# The flood goes on until the appliances have dropped at least FLOOD of it (at most 60 s more).
before=0
for run in takeover restart first-with-state; do
	before=$((before + $(json "$work/$run.json" "t['dropped_unverified']")))
done
for i in $(seq 600); do
	[ $((before + $(counter dropped_unverified))) -ge $FLOOD ] && break
	sleep 0.1
done
stop_scrubber state
mark end
touch "$work/stop"
kill $flood_pid 2>/dev/null
wait $flood_pid 2>/dev/null
kill -INT $dumpcap_pid
wait $dumpcap_pid 2>/dev/null
wait $client_pids 2>/dev/null # their input ends: they close their sessions and leave
kill -TERM $backend_pids 2>/dev/null

[ "${loaded_now:-0}" -eq 4 ] && [ "$(json "$work/state.json" "t['flow_learned_inside']")" -eq 0 ]
check $? "the restart loads the four sessions' flows from the state file (flow_loaded ${loaded_now:-?}); none had to be learned again"
for run in takeover restart first-with-state state; do
	check_run $run
done
reached=$(capinfos -M -c "$work/server.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
sent=$(/usr/bin/python3 -c "
import re; t=open('$work/tcpreplay.log').read(); m=re.findall(r'Actual: (\d+) packets', t); print(m[-1] if m else 0)")
unverified=0
for run in takeover restart first-with-state state; do
	unverified=$((unverified + $(json "$work/$run.json" "t['dropped_unverified']")))
done
echo "# flood: $FLOOD-record file replayed in a loop at $RATE/s; $unverified records dropped unverified by the appliances; ${reached:-?} reached the server"
[ "${reached:-1}" -eq 0 ] && [ "$unverified" -ge $FLOOD ]
check $? "at least $FLOOD spoofed epoch-1 records from random sources: none reached the server"

# What each step cost the sessions: lines sent from its start to the next step's that never came back.
steps=(bridge takeover restart first-with-state state end)
for i in 1 2 3 4; do
	line="# lines lost in step ${steps[$i]}:"
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*}
		line="$line $name $(lost "${steps[$i]}" "${steps[$((i + 1))]}" "$name")"
	done
	echo "$line"
done
state_lost=0
for c in "${CLIENTS[@]}"; do
	name=${c%%|*}
	state_lost=$((state_lost + $(lost state end "$name")))
done
first_lost=0
for c in "${CLIENTS[@]}"; do
	name=${c%%|*}
	first_lost=$((first_lost + $(lost restart first-with-state "$name")))
done
echo "# all clients: $state_lost lines lost across the restart with the state file, $first_lost across the one without"
finish
