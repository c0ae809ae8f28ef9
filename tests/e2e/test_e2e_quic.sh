#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# QUIC Retry offload end to end, in the three network namespaces of scripts/lib/testbed.sh: the
# appliance in the box (inline, af_packet) protecting a QUIC service on port 443, the example HTTP/3
# server (app/backend-ngtcp2, without its own Retry) on a dual-stack socket in the server namespace,
# Debian's unmodified gtlsclient in the client namespace (IPv4 and IPv6). A real client's first Initial,
# captured on the client side, is the template of a flood of spoofed Initials from thousands of
# sources, replayed while the real clients shake hands. TAP output.
#
#   test_e2e_quic.sh SCRUBBER QUIC_H3_NGTCP2 PCAPGEN
set -u
scrubber=$1 backend=$2 pcapgen=$3
root=${DS_SOURCE_ROOT:?}
FLOOD4=100000 SOURCES4=10000 FLOOD6=20000 SOURCES6=5000 RATE=15000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

json() { /usr/bin/python3 -c "import json,sys; print(json.load(open('$work/stats.json'))$1)"; }
quic_count() { tshark -r "$1" -d udp.port==443,quic -Y "$2" 2>/dev/null | wc -l; }

e2e_testbed inline dsquic
tb_config "$work/box.yaml" "$work/secret"
# The service speaks QUIC on 443 (both families); the floods come from one /56 (IPv6) at 15 000/s, so
# the reply limit is raised: it has its own tests (test_e2e_ratelimit.sh, test_quic).
/usr/bin/python3 - "$work/box.yaml" "$TB_SRV4" "$TB_SRV6" <<'PY'
import sys
path, v4, v6 = sys.argv[1:]
text = open(path).read()
text = text.replace(f'  - "{v4}:4433"\n  - "[{v6}]:4433"\n',
                    f'  - address: "{v4}:443"\n    protocol: quic\n  - address: "[{v6}]:443"\n    protocol: quic\n')
open(path, "w").write(text + "hvr_rate_limit:\n  per_prefix: 20000\n")
PY
grep -q "protocol: quic" "$work/box.yaml" || bail "cannot write the QUIC configuration"

cli=$(tb_ns cli) srv=$(tb_ns srv)
ip netns exec "$srv" "$backend" --listen "[::]:443" --secret "$work/secret" >"$work/backend.log" 2>&1 &
backend_pids=$!
wait_log "$work/backend.log" "listening on" 10 "quic-h3-ngtcp2"
start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"

# fetch NAME HOST URLHOST: GET / with gtlsclient from the client namespace. Sets client_rc.
fetch() {
	mkdir -p "$work/$1"
	timeout 30 ip netns exec "$cli" gtlsclient --exit-on-all-streams-close --no-quic-dump --timeout=15s \
		--download "$work/$1" "$2" 443 "https://$3:443/" >"$work/$1.client" 2>&1
	client_rc=$?
}
# served NAME SEEN_AS WHAT: the answer came back, through the appliance's Retry and token.
served() {
	[ $client_rc -eq 0 ] && grep -qx "hello from quic-h3-ngtcp2" "$work/$1/index.html" 2>/dev/null &&
		grep -q "type=Retry" "$work/$1.client" && grep -q "^token accepted from $2 port " "$work/backend.log" &&
		grep -q "^handshake with $2 port .* completed (after a Retry)" "$work/backend.log"
	check $? "$3: gtlsclient got the HTTP/3 answer through the appliance's Retry, whose token the server took (exit $client_rc)"
}

# A first handshake, captured on the client side: its first datagram is the flood's template. dumpcap
# says "Capturing" a little before it really is: the client connects again until it has caught one.
ip netns exec "$cli" dumpcap -q -P -c 1 -i cli0 -w "$work/first.pcap" -f "udp dst port 443" \
	2>"$work/dumpcap-first.log" &
first_pid=$!
wait_log "$work/dumpcap-first.log" Capturing 10 dumpcap
fetch first "$TB_SRV4" "$TB_SRV4"
served first "::ffff:$TB_CLI4" "IPv4, before the flood"
for _ in 1 2 3 4 5; do
	kill -0 $first_pid 2>/dev/null || break
	fetch again "$TB_SRV4" "$TB_SRV4"
done
kill -INT $first_pid 2>/dev/null
wait $first_pid 2>/dev/null
"$pcapgen" --template "$work/first.pcap" --frame 1 --kind raw --count $FLOOD4 --sources $SOURCES4 --src 198.18.0.1 \
	--dst "$TB_SRV4:443" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood4.pcap" >/dev/null 2>"$work/pcapgen.log" &&
"$pcapgen" --template "$work/first.pcap" --frame 1 --kind raw --count $FLOOD6 --sources $SOURCES6 --src 2001:db8:f::1 \
	--dst "[$TB_SRV6]:443" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood6.pcap" >/dev/null 2>>"$work/pcapgen.log" ||
	bail "dtls-pcapgen failed on the captured Initial: $(cat "$work/pcapgen.log"; capinfos -c "$work/first.pcap" 2>&1 | tail -1)"

# What reaches the server, and what leaves port 443 for anyone but the real client.
ip netns exec "$srv" dumpcap -q -P -i srv0 -w "$work/srv.pcap" 2>"$work/dumpcap-srv.log" &
capture_pids=$!
ip netns exec "$cli" dumpcap -q -P -i cli0 -B 64 -w "$work/cli.pcap" \
	-f "udp src port 443 and not dst host $TB_CLI4 and not dst host $TB_CLI6" 2>"$work/dumpcap-cli.log" &
capture_pids="$capture_pids $!"
wait_log "$work/dumpcap-srv.log" Capturing 10 dumpcap
wait_log "$work/dumpcap-cli.log" Capturing 10 dumpcap

ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood4.pcap" "$work/flood6.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 1
fetch during4 "$TB_SRV4" "$TB_SRV4"
served during4 "::ffff:$TB_CLI4" "IPv4, during the flood"
fetch during6 "$TB_SRV6" "[$TB_SRV6]"
served during6 "$TB_CLI6" "IPv6, during the flood"
kill -0 $flood_pid 2>/dev/null
check $? "the handshakes completed while the spoofed flood was still coming in"
wait $flood_pid

sleep 1
kill -INT $scrubber_pid
wait $scrubber_pid
check $? "the appliance stops cleanly on SIGINT and writes its final counters"
sleep 0.5
kill -TERM $backend_pids 2>/dev/null
kill -INT $capture_pids 2>/dev/null
wait $backend_pids $capture_pids 2>/dev/null
sed 's/^/# /' "$work/scrubber.log" | tail -30
sed 's/^/# /' "$work/backend.log" | tail -12

[ -s "$work/stats.json" ] || bail "no stats.json"
flood=$((FLOOD4 + FLOOD6))
initials=$(json "['totals']['quic_initial']") retries=$(json "['totals']['quic_retry_sent']")
tokens=$(json "['totals']['forwarded_quic_token']") flows=$(json "['totals']['flow_inserted']")
echo "# quic_initial $initials, quic_retry_sent $retries, forwarded_quic_token $tokens, flow_inserted $flows"
[ "$(json "['conserved']")" = True ]
check $? "counters add up (rx_outside = the sum of the fates)"
[ "$initials" -ge $((flood - flood / 1000)) ] && [ "$retries" -eq "$initials" ]
check $? "one Retry per tokenless Initial: $retries for $initials ($flood spoofed sent)"
handshakes=$(grep -c "completed (after a Retry)" "$work/backend.log")
[ "$handshakes" -ge 3 ] && [ "$flows" -eq "$handshakes" ] && [ "$tokens" -ge "$handshakes" ]
check $? "flows were made only by the real clients' tokens: $flows flows for $handshakes handshakes ($tokens Initials with a valid token)"
wire=$(capinfos -M -c "$work/cli.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
dissected=$(quic_count "$work/cli.pcap" "quic.long.packet_type == 3 && quic.retry_token && quic.retry_integrity_tag")
[ "${wire:-0}" -ge $((flood - flood / 1000)) ] && [ "$dissected" -eq "${wire:-0}" ]
check $? "the Retries left the outside port: $wire to spoofed sources, $dissected read as Retries with token and tag by tshark"
leaked=$(quic_count "$work/srv.pcap" "ip.src == 198.18.0.0/15 || ipv6.src == 2001:db8:f::/48")
legit=$(quic_count "$work/srv.pcap" "udp.dstport == 443")
[ "$leaked" -eq 0 ] && [ "$legit" -gt 0 ]
check $? "nothing spoofed reached the server namespace ($leaked frames; $legit legitimate ones did)"
! grep -q "sent Retry" "$work/backend.log"
check $? "the server never had to send a Retry of its own"
finish
