#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Challenge mode under-attack, in the inline testbed (scripts/lib/testbed.sh), once with the OpenSSL
# echo backend (hmac-sha256 cookies) and once with the GnuTLS one (gnutls cookies), each running the
# cookie exchange itself in the appliance's format (libdtlscookie):
#   - new ClientHellos under on_rate pass to the backend, which answers them itself;
#   - a flood over on_rate switches the service to challenging, and back to passing once its rate has
#     stayed under off_rate for off_after;
#   - handshakes that got their cookie before a switch finish after it, both ways: unmodified
#     openssl s_client and gnutls-cli behind relays (tests/tools/udp_delay.c --gate) whose second
#     ClientHello is held until the switch happened.
# TAP output.
#
#   test_e2e_challenge.sh SCRUBBER BACKEND_OPENSSL BACKEND_GNUTLS PCAPGEN UDP_DELAY
set -u
scrubber=$1 backend_openssl=$2 backend_gnutls=$3 pcapgen=$4 udp_delay=$5
root=${DS_SOURCE_ROOT:?}
ON=300 OFF=100 AFTER_S=1 SLOW=200 SLOW_PPS=100 FLOOD=90000 FLOOD_PPS=3000 VICTIM=198.18.9

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
e2e_testbed inline dschallenge
cli=$(tb_ns cli)

challenging() { telemetry /dtls_scrubber/challenge "r['challenging'][0]"; }
rate() { telemetry /dtls_scrubber/challenge "r['rate'][0]"; }

# wait_challenging 0|1 SECONDS: poll the state every 100 ms; sets WAITED_MS. False on timeout.
wait_challenging() {
	local start=$(date +%s%N) deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		if [ "$(challenging)" = "$1" ]; then
			WAITED_MS=$((($(date +%s%N) - start) / 1000000))
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# relay NAME PORT GATE: a relay in the client namespace from 127.0.0.1:PORT to the IPv4 service that
# holds second ClientHellos until the file GATE exists.
relay() {
	ip netns exec "$cli" "$udp_delay" --gate "$3" "127.0.0.1:$2" "$TB_SRV4:4433" 0 >"$work/relay-$1.log" 2>&1 &
	RELAY_PIDS="$RELAY_PIDS $!"
	wait_log "$work/relay-$1.log" udp_delay 10 "relay $1"
}

# client NAME PORT: an unmodified client (openssl-* or gnutls-*) through the relay on PORT; adds its
# pid to PIDS.
client() {
	local cmd="openssl s_client -dtls1_2 -connect 127.0.0.1:$2"
	case $1 in gnutls*) cmd="gnutls-cli --udp --insecure -p $2 127.0.0.1" ;; esac
	rm -f "$work/$1.out" # the previous round's would end stdin before this round's echo
	say_until_echoed "echo-across-a-switch-$1" "$work/$1.out" 40 |
		timeout 45 ip netns exec "$cli" $cmd >"$work/$1.out" 2>&1 &
	PIDS="$PIDS $!"
}

held() { tb_wait_for "$work/relay-$1.log" "holding a second ClientHello" 20; }
echoed() {
	grep -q "^echo-across-a-switch-$1\$" "$work/$1.out" && return 0
	tail -n 5 "$work/$1.out" "$work/relay-$1.log" | sed 's/^/# /'
	return 1
}

# round NAME BACKEND COOKIE_FORMAT: the whole sequence against one backend.
round() {
	local backend=$2 format=$3 T="$1 backend, $3 cookies:"
	tb_config "$work/box.yaml" "$work/secret" "$format"
	printf 'hvr_rate_limit:\n  per_prefix: 0\nchallenge:\n  mode: under-attack\n  on_rate: %d\n  off_rate: %d\n  off_after: %d\n' \
		$ON $OFF $AFTER_S >>"$work/box.yaml"
	rm -f "$work/gate-a" "$work/gate-b"
	start_box "$backend" "$work/secret"
	RELAY_PIDS=
	relay openssl-a 5001 "$work/gate-a"
	relay gnutls-a 5002 "$work/gate-a"
	relay openssl-b 5003 "$work/gate-b"
	relay gnutls-b 5004 "$work/gate-b"

	# 1. Under on_rate: ClientHellos pass, the backend answers them.
	ip netns exec "$cli" tcpreplay -q --pps=$SLOW_PPS -i cli0 "$work/slow.pcap" >"$work/tcpreplay.log" 2>&1
	slow_rate=$(rate) passed=$(counter forwarded_unchallenged) hvr=$(counter hvr_sent)
	echo "# $SLOW ClientHellos at $SLOW_PPS/s: measured rate $slow_rate/s, $passed passed, $hvr HVRs from the appliance"
	[ "$(challenging)" = 0 ] && [ "$passed" -ge $((SLOW - SLOW / 100)) ] && [ "$hvr" -eq 0 ]
	check $? "$T under on_rate ($SLOW_PPS/s < $ON/s): not challenging, $passed of $SLOW ClientHellos passed to the backend, no HVR from the appliance"

	# 2. Two handshakes start while passing: the backend's HVR gives their cookies; their CH2s are held.
	PIDS=
	client openssl-a 5001
	client gnutls-a 5002
	held openssl-a && held gnutls-a
	check $? "$T passing: openssl s_client and gnutls-cli got the backend's HVR and hold their second ClientHello"
	[ "$(counter hvr_sent)" -eq 0 ] && [ "$(counter forwarded_unchallenged)" -ge $((passed + 2)) ]
	check $? "$T their first ClientHellos were passed to the backend (the appliance sent no HVR)"

	# 3. A flood over on_rate: challenging within a few ticks.
	ip netns exec "$cli" tcpreplay -q --pps=$FLOOD_PPS -i cli0 "$work/flood.pcap" >>"$work/tcpreplay.log" 2>&1 &
	flood_pid=$!
	wait_challenging 1 10
	status=$? on_ms=$WAITED_MS on_rate=$(rate)
	echo "# flood at $FLOOD_PPS/s: challenging after ${on_ms:-?} ms, rate $on_rate/s"
	[ $status -eq 0 ] && [ "$on_rate" -ge $ON ]
	check $? "$T a flood at $FLOOD_PPS/s switches challenging on (measured $on_rate/s >= on_rate $ON)"

	# 4. The handshakes begun before the switch finish after it, with the backend's cookies.
	touch "$work/gate-a"
	wait $PIDS
	echoed openssl-a
	check $? "$T switch on: openssl s_client, cookie from the backend before it, completes after it"
	echoed gnutls-a
	check $? "$T switch on: gnutls-cli, cookie from the backend before it, completes after it"

	# 5. Two handshakes start while challenging: the appliance's HVR gives their cookies.
	passed=$(counter forwarded_unchallenged) hvr=$(counter hvr_sent)
	PIDS=
	client openssl-b 5003
	client gnutls-b 5004
	held openssl-b && held gnutls-b
	check $? "$T challenging: openssl s_client and gnutls-cli got an HVR and hold their second ClientHello"
	[ "$(counter forwarded_unchallenged)" -eq "$passed" ] && [ "$(counter hvr_sent)" -gt "$hvr" ] && [ "$(challenging)" = 1 ]
	check $? "$T their first ClientHellos were answered by the appliance (nothing passed meanwhile)"

	# 6. The flood stops: back to passing, not before off_after.
	kill $flood_pid 2>/dev/null
	wait $flood_pid 2>/dev/null
	wait_challenging 0 15
	status=$? off_ms=$WAITED_MS
	echo "# flood stopped: passing again after ${off_ms:-?} ms"
	[ $status -eq 0 ] && [ "$off_ms" -ge $((AFTER_S * 1000)) ]
	check $? "$T after the flood stops, challenging switches off after ${off_ms:-?} ms (off_after ${AFTER_S} s)"

	# 7. The handshakes begun under challenge finish after the switch off, with the appliance's cookies.
	touch "$work/gate-b"
	wait $PIDS
	echoed openssl-b
	check $? "$T switch off: openssl s_client, cookie from the appliance before it, completes after it"
	echoed gnutls-b
	check $? "$T switch off: gnutls-cli, cookie from the appliance before it, completes after it"

	stop_box
	kill $RELAY_PIDS 2>/dev/null
	wait $RELAY_PIDS 2>/dev/null
	json() { /usr/bin/python3 -c "import json; d=json.load(open('$work/stats.json')); t=d['totals']; c=d['challenge']['services']; print($1)"; }
	echo "# $(json "c")"
	[ "$(json "c[0]['switched_on'] == 1 and c[0]['switched_off'] == 1 and not c[0]['challenging']")" = True ]
	check $? "$T the IPv4 service switched on once and off once"
	[ "$(json "c[1]['switched_on'] == 0 and c[1]['new_hellos'] == 0")" = True ]
	check $? "$T the IPv6 service, never flooded, was never challenged"
	[ "$(json "d['conserved'] and t['forwarded_ch2'] >= 4 and t['dropped_unverified'] + t['dropped_malformed'] + t['dropped_hvr_refused'] == 0")" = True ]
	check $? "$T counters conserve; the four CH2s were forwarded; nothing dropped ($(json "t['forwarded_unchallenged']") passed, $(json "t['hvr_sent']") HVRs)"
}

victim_flood $SLOW "$work/slow.pcap"
victim_flood $FLOOD "$work/flood.pcap"
round openssl "$backend_openssl" hmac-sha256
round gnutls "$backend_gnutls" gnutls
finish
