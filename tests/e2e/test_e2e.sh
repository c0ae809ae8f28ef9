#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, in three network namespaces (scripts/lib/testbed.sh): the appliance in the box on
# af_packet, an OpenSSL echo backend that accepts the scrubber's cookies in the server namespace,
# unmodified openssl s_client and gnutls-cli (IPv4 and IPv6) in the client namespace. While the
# clients shake hands, a flood of spoofed ClientHellos from thousands of sources enters the outside
# port; then a real client's later handshake flight is replayed from spoofed sources. TAP output.
#
#   test_e2e.sh inline|routed SCRUBBER BACKEND PCAPGEN
set -u
mode=$1 scrubber=$2 backend=$3 pcapgen=$4
root=${DS_SOURCE_ROOT:?}
FLOOD4=100000 SOURCES4=10000 FLOOD6=20000 SOURCES6=5000 REPLAYED=1000 RATE=15000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

json() { /usr/bin/python3 -c "import json,sys; print(json.load(open('$work/stats.json'))$1)"; }
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

e2e_testbed "$mode" dse2e-$mode
tb_config "$work/box.yaml" "$work/secret"
# The IPv6 flood comes from one /56 at 15 000/s: above the default HVR rate limit, which has its own
# test (test_e2e_ratelimit.sh); here every spoofed ClientHello is to be answered.
printf 'hvr_rate_limit:\n  per_prefix: 20000\n' >>"$work/box.yaml"
template=$root/tests/captures/ossl_dtls10.pcap

# Traffic made in advance: spoofed ClientHellos (IPv4 and IPv6), and a client's second flight
# (ClientKeyExchange, ChangeCipherSpec, Finished: frame 5 of a real handshake) from spoofed sources.
"$pcapgen" --template "$template" --kind ch1 --count $FLOOD4 --sources $SOURCES4 --src 198.18.0.1 \
	--dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood4.pcap" >/dev/null &&
"$pcapgen" --template "$template" --kind ch1 --count $FLOOD6 --sources $SOURCES6 --src 2001:db8:f::1 \
	--dst "[$TB_SRV6]:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood6.pcap" >/dev/null &&
"$pcapgen" --template "$template" --frame 5 --kind raw --count $REPLAYED --sources $REPLAYED --src 198.19.0.1 \
	--dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$work/replayed.pcap" >/dev/null ||
	bail "dtls-pcapgen failed"

# Background programs run straight under "ip netns exec" (which execs them): $! is their own PID.
cli=$(tb_ns cli) srv=$(tb_ns srv)

# What reaches the servers, and what comes back from port 4433 to anyone but the real client.
ip netns exec "$srv" dumpcap -q -P -i srv0 -w "$work/srv.pcap" 2>"$work/dumpcap-srv.log" &
capture_pids=$!
ip netns exec "$cli" dumpcap -q -P -i cli0 -B 64 -w "$work/cli.pcap" \
	-f "udp src port 4433 and not dst host $TB_CLI4 and not dst host $TB_CLI6" 2>"$work/dumpcap-cli.log" &
capture_pids="$capture_pids $!"
wait_log "$work/dumpcap-srv.log" Capturing 10 dumpcap
wait_log "$work/dumpcap-cli.log" Capturing 10 dumpcap

start_box "$backend" "$work/secret"

# The flood runs while the real clients shake hands, all four at once.
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood4.pcap" "$work/flood6.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 1
start_clients "$work"
wait $CLIENT_PIDS
flood_running=0
kill -0 $flood_pid 2>/dev/null && flood_running=1
check_clients "$work" "$mode"
completed=$CLIENTS_OK
[ $flood_running -eq 1 ]
check $? "$mode: the handshakes completed while the spoofed flood was still coming in"
wait $flood_pid
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/replayed.pcap" >>"$work/tcpreplay.log" 2>&1

# Telemetry, read the way an operator would.
echo /dtls_scrubber/stats | dpdk-telemetry.py -f "$TB_PREFIX" >"$work/telemetry-stats.txt" 2>&1
echo /dtls_scrubber/config | dpdk-telemetry.py -f "$TB_PREFIX" >"$work/telemetry-config.txt" 2>&1
grep -q '"rx_outside"' "$work/telemetry-stats.txt" && grep -q "\"mode\": \"$mode\"" "$work/telemetry-config.txt" &&
	! grep -qi "$(head -c 16 "$work/secret")" "$work/telemetry-config.txt"
check $? "$mode: telemetry answers /dtls_scrubber/stats and /dtls_scrubber/config (mode $mode, no secret)"

# The master secret's text: every 16-character window of it is looked for in what the appliance
# printed and wrote, and (inline) in a core of the running process: the file's text is wiped as soon
# as it is parsed, only the key bytes stay in memory.
secret_hex=$(tr -d ' \n' <"$work/secret")
for i in $(seq 0 8 $((${#secret_hex} - 16))); do echo "${secret_hex:i:16}"; done >"$work/secret-windows"
# (Not in the sanitizer build: its shadow memory makes a core of tens of gigabytes.)
if [ "$mode" = inline ] && ! ldd "$scrubber" | grep -q libasan; then
	gcore -o "$work/core" "$scrubber_pid" >"$work/gcore.log" 2>&1
	core=$(ls "$work"/core.* 2>/dev/null | head -1)
	# The control: the configuration's path (in argv) is found, so the search does see the memory.
	[ -s "$core" ] && grep -a -q -F "$work/box.yaml" "$core" && ! grep -a -q -i -F -f "$work/secret-windows" "$core"
	check $? "$mode: a core of the running appliance ($(du -m "$core" 2>/dev/null | cut -f1) MB) holds no part of the secret's text"
	rm -f "$core"
fi

sleep 1
kill -INT $scrubber_pid
wait $scrubber_pid
check $? "$mode: the appliance stops cleanly on SIGINT and writes its final counters"
sleep 0.5
kill -TERM $backend_pids 2>/dev/null
kill -INT $capture_pids 2>/dev/null
wait $backend_pids $capture_pids 2>/dev/null
sed 's/^/# /' "$work/scrubber.log" | tail -40

[ -s "$work/stats.json" ] || bail "no stats.json"
! grep -a -q -i -F -f "$work/secret-windows" "$work/scrubber.log" "$work/stats.json" "$work"/telemetry-*.txt
check $? "$mode: no part of the secret in the log, the --stats-json file or the telemetry answers"
flood=$((FLOOD4 + FLOOD6))
rx=$(json "['totals']['rx_outside']") ch1=$(json "['totals']['ch1_no_cookie']")
hvr=$(json "['totals']['hvr_sent']") bad=$(json "['totals']['ch2_bad_cookie'] + json.load(open('$work/stats.json'))['totals']['ch2_expired_key']")
refused=$(json "['totals']['dropped_hvr_refused']") flows=$(json "['totals']['flow_inserted']")
unverified=$(json "['totals']['dropped_unverified']") fates=$(json "['totals']" | /usr/bin/python3 -c "
import ast,sys; t=ast.literal_eval(sys.stdin.read())
print(sum(t[k] for k in ('hvr_sent','forwarded_ch2','forwarded_verified','forwarded_policy','dropped_unverified',
    'dropped_policy','dropped_malformed','dropped_hvr_refused','dropped_hvr_rate_limited','dropped_ttl_expired')))")
echo "# rx_outside $rx, ch1_no_cookie $ch1, hvr_sent $hvr, flows inserted $flows, dropped_unverified $unverified"

[ "$(json "['conserved']")" = True ] && [ "$rx" -eq "$fates" ]
check $? "$mode: counters add up: rx_outside $rx = hvr_sent + forwarded + every drop reason ($fates)"
# The kernel may drop a few frames at the af_packet ring when the two CPUs are busy: not the appliance's
# doing, but the test needs the flood to have really arrived, so allow 0.1 % at most.
[ "$ch1" -ge $((flood - flood / 1000)) ]
check $? "$mode: the spoofed ClientHellos reached the appliance (ch1_no_cookie $ch1 of $flood sent)"
[ "$hvr" -eq $((ch1 + bad - refused)) ]
check $? "$mode: one HVR per ClientHello without a valid cookie ($hvr = $ch1 + $bad - $refused)"
wire=$(capinfos -M -c "$work/cli.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
[ "${wire:-0}" -ge $((flood - flood / 1000)) ] && [ "${wire:-0}" -le "$hvr" ]
check $? "$mode: the HVRs left the outside port: $wire to spoofed sources seen on the client side for $flood sent"
leaked=$(count "$work/srv.pcap" "ip.src == 198.18.0.0/15 || ipv6.src == 2001:db8:f::/48")
legit=$(count "$work/srv.pcap" "udp.dstport == 4433")
[ "$leaked" -eq 0 ] && [ "$legit" -gt 0 ]
check $? "$mode: nothing spoofed reached the server namespace ($leaked frames; $legit legitimate ones did)"
[ "$flows" -ge "$completed" ] && [ "$flows" -le "${#CLIENTS[@]}" ]
check $? "$mode: flows were created only by the real clients' valid cookies ($flows for $completed handshakes)"
[ "$unverified" -ge "$REPLAYED" ]
check $? "$mode: the replayed second flights from $REPLAYED spoofed sources were dropped as unverified ($unverified)"

finish
