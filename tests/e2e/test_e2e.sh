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
TB_PREFIX=dse2e-$mode
work=$(mktemp -d)
n=0 failed=0
cleanup() {
	kill $(jobs -p) 2>/dev/null
	tb_teardown
	rm -rf "$work"
}
trap cleanup EXIT

check() { # check STATUS MESSAGE
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $mode: $2"; else echo "not ok $n - $mode: $2"; failed=$((failed + 1)); fi
}
bail() { echo "Bail out! $mode: $*"; exit 1; }
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open('$work/stats.json'))$1)"; }
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, af_packet)"
tb_setup "$mode" || bail "cannot build the testbed"
install -m 600 "$root/config/examples/demo.secret" "$work/secret"
tb_config "$work/box.yaml" "$work/secret"
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
cli=$(tb_ns cli) box=$(tb_ns box) srv=$(tb_ns srv)

# What reaches the servers, and what comes back from port 4433 to anyone but the real client.
ip netns exec "$srv" dumpcap -q -P -i srv0 -w "$work/srv.pcap" 2>"$work/dumpcap-srv.log" &
capture_pids=$!
ip netns exec "$cli" dumpcap -q -P -i cli0 -B 64 -w "$work/cli.pcap" \
	-f "udp src port 4433 and not dst host $TB_CLI4 and not dst host $TB_CLI6" 2>"$work/dumpcap-cli.log" &
capture_pids="$capture_pids $!"
tb_wait_for "$work/dumpcap-srv.log" Capturing 10 && tb_wait_for "$work/dumpcap-cli.log" Capturing 10 ||
	bail "dumpcap did not start"

ip netns exec "$srv" "$backend" --listen "$TB_SRV4:4433" --secret "$work/secret" >"$work/backend4.log" 2>&1 &
backend_pids=$!
ip netns exec "$srv" "$backend" --listen "[$TB_SRV6]:4433" --secret "$work/secret" >"$work/backend6.log" 2>&1 &
backend_pids="$backend_pids $!"
ip netns exec "$box" "$scrubber" -c "$work/box.yaml" --duration 120 --stats-json "$work/stats.json" \
	>"$work/scrubber.log" 2>&1 &
scrubber_pid=$!
tb_wait_for "$work/scrubber.log" "^dtls-scrubber:" 30 || { cat "$work/scrubber.log" | sed 's/^/# /'; bail "the appliance did not start"; }
tb_wait_for "$work/backend4.log" listening 10 && tb_wait_for "$work/backend6.log" listening 10 || bail "backends did not start"

# The flood runs while the real clients shake hands, all four at once.
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood4.pcap" "$work/flood6.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 1
clients=(
	"openssl-ipv4|openssl s_client -dtls1_2 -connect $TB_SRV4:4433"
	"gnutls-ipv6|gnutls-cli --udp --insecure -p 4433 $TB_SRV6"
	"gnutls-ipv4|gnutls-cli --udp --insecure -p 4433 $TB_SRV4"
	"openssl-ipv6|openssl s_client -dtls1_2 -connect [$TB_SRV6]:4433"
)
client_pids=
for c in "${clients[@]}"; do
	name=${c%%|*} cmd=${c#*|}
	(echo "echo-through-the-scrubber-$name"; sleep 2) |
		timeout 20 ip netns exec "$cli" $cmd >"$work/$name.out" 2>&1 &
	client_pids="$client_pids $!"
done
wait $client_pids
flood_running=0
kill -0 $flood_pid 2>/dev/null && flood_running=1
completed=0
for c in "${clients[@]}"; do
	name=${c%%|*}
	grep -q "^echo-through-the-scrubber-$name\$" "$work/$name.out"
	status=$?
	[ $status -eq 0 ] && completed=$((completed + 1))
	check $status "unmodified $name completes the handshake through the appliance and its data is echoed"
done
[ $flood_running -eq 1 ]
check $? "the handshakes completed while the spoofed flood was still coming in"
wait $flood_pid
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/replayed.pcap" >>"$work/tcpreplay.log" 2>&1

# Telemetry, read the way an operator would.
echo /dtls_scrubber/stats | dpdk-telemetry.py -f "$TB_PREFIX" >"$work/telemetry-stats.txt" 2>&1
echo /dtls_scrubber/config | dpdk-telemetry.py -f "$TB_PREFIX" >"$work/telemetry-config.txt" 2>&1
grep -q '"rx_outside"' "$work/telemetry-stats.txt" && grep -q "\"mode\": \"$mode\"" "$work/telemetry-config.txt" &&
	! grep -qi "$(head -c 16 "$work/secret")" "$work/telemetry-config.txt"
check $? "telemetry answers /dtls_scrubber/stats and /dtls_scrubber/config (mode $mode, no secret)"

sleep 1
kill -INT $scrubber_pid
wait $scrubber_pid
check $? "the appliance stops cleanly on SIGINT and writes its final counters"
sleep 0.5
kill -TERM $backend_pids 2>/dev/null
kill -INT $capture_pids 2>/dev/null
wait $backend_pids $capture_pids 2>/dev/null
sed 's/^/# /' "$work/scrubber.log" | tail -40

[ -s "$work/stats.json" ] || bail "no stats.json"
flood=$((FLOOD4 + FLOOD6))
rx=$(json "['totals']['rx_outside']") ch1=$(json "['totals']['ch1_no_cookie']")
hvr=$(json "['totals']['hvr_sent']") bad=$(json "['totals']['ch2_bad_cookie'] + json.load(open('$work/stats.json'))['totals']['ch2_expired_key']")
refused=$(json "['totals']['dropped_hvr_refused']") flows=$(json "['totals']['flow_inserted']")
unverified=$(json "['totals']['dropped_unverified']") fates=$(json "['totals']" | /usr/bin/python3 -c "
import ast,sys; t=ast.literal_eval(sys.stdin.read())
print(sum(t[k] for k in ('hvr_sent','forwarded_ch2','forwarded_verified','forwarded_policy','dropped_unverified',
    'dropped_policy','dropped_malformed','dropped_hvr_refused','dropped_ttl_expired')))")
echo "# rx_outside $rx, ch1_no_cookie $ch1, hvr_sent $hvr, flows inserted $flows, dropped_unverified $unverified"

[ "$(json "['conserved']")" = True ] && [ "$rx" -eq "$fates" ]
check $? "counters add up: rx_outside $rx = hvr_sent + forwarded + every drop reason ($fates)"
[ "$ch1" -ge "$flood" ]
check $? "all $flood spoofed ClientHellos reached the appliance (ch1_no_cookie $ch1)"
[ "$hvr" -eq $((ch1 + bad - refused)) ]
check $? "one HVR per ClientHello without a valid cookie ($hvr = $ch1 + $bad - $refused)"
wire=$(capinfos -M -c "$work/cli.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
[ "${wire:-0}" -ge "$flood" ] && [ "${wire:-0}" -le "$hvr" ]
check $? "the HVRs left the outside port: $wire to spoofed sources seen on the client side for $flood sent"
leaked=$(count "$work/srv.pcap" "ip.src == 198.18.0.0/15 || ipv6.src == 2001:db8:f::/48")
legit=$(count "$work/srv.pcap" "udp.dstport == 4433")
[ "$leaked" -eq 0 ] && [ "$legit" -gt 0 ]
check $? "nothing spoofed reached the server namespace ($leaked frames; $legit legitimate ones did)"
[ "$flows" -ge "$completed" ] && [ "$flows" -le "${#clients[@]}" ]
check $? "flows were created only by the real clients' valid cookies ($flows for $completed handshakes)"
[ "$unverified" -ge "$REPLAYED" ]
check $? "the replayed second flights from $REPLAYED spoofed sources were dropped as unverified ($unverified)"

echo "1..$n"
[ "$failed" -eq 0 ]
