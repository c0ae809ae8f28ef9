#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The appliance in a scrubbing network (docs/deploying.md, "In a scrubbing network"), in five
# namespaces:
#
#   cli [cli0]──[rc0] rtr [ro0]──[out0] box [in0]──[srv0] srv
#   10.77.0.1   10.77.0.254   10.77.1.1  dsout 10.77.1.2  dsin 10.77.3.1  10.77.3.2, GRE → 10.77.9.1 (service)
#                             fd77:1::1        fd77:1::2
#
# rtr is the upstream router: BIRD 2, peering over BGP with the BIRD of the box, which runs on the
# appliance's outside kernel interface (dsout, the exception path). The appliance keeps the route of
# the protected prefix 10.77.9.0/24 in kernel table 100 while it is healthy; the box's BIRD announces
# it. Nobody has a static neighbour entry or a MAC in a configuration: rtr and srv find the appliance's
# MACs by ARP and ND, answered by the kernel through the exception path, and the appliance finds its
# next hops' (given as addresses) by its kernel's ARP through the same path. Clean traffic reaches srv through a GRE tunnel
# srv terminates; srv answers through the appliance's inside address. srv ends the tunnel with the
# kernel's GRE when the kernel has it, else with tests/tools/gre_endpoint.py (raw socket to TUN; the
# test machines' kernel is built without ip_gre and 802.1Q, which is also why VLANs are tested on the
# worker itself, tests/app/test_network.c, and not here).
#
# Checks: ARP/ND learned, route present while healthy, handshakes of unmodified clients over the GRE
# path during a spoofed flood (scrubbed: answered, never forwarded), route withdrawn within the hold
# time when the appliance stops. TAP output.
#
#   test_e2e_network.sh SCRUBBER BACKEND PCAPGEN GRE_ENDPOINT
set -u
scrubber=$1 backend=$2 pcapgen=$3 gre_endpoint=$4
root=${DS_SOURCE_ROOT:?}
HOLD=6 FLOOD=3000 RATE=1500 SPOOFED=10.66.0

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
TB_PREFIX=dsnet
tb_ns() { echo "$TB_PREFIX-$1"; }
in_ns() { local ns=$1; shift; ip netns exec "$(tb_ns "$ns")" "$@"; }
mac_of() { in_ns "$1" cat "/sys/class/net/$2/address"; }
# lib.sh's clients, aimed at the protected service behind the tunnel.
e2e_clients() {
	CLIENTS=(
		"openssl-ipv4|openssl s_client -dtls1_2 -connect 10.77.9.1:4433"
		"gnutls-ipv4|gnutls-cli --udp --insecure -p 4433 10.77.9.1"
	)
}

teardown() {
	local n
	for n in cli rtr box srv; do
		{ ip netns pids "$(tb_ns $n)" 2>/dev/null | xargs -r kill -9 2>/dev/null; } || true
		ip netns del "$(tb_ns $n)" 2>/dev/null || true
	done
}
cleanup() {
	kill $(jobs -p) 2>/dev/null
	teardown
	# DS_KEEP_WORK=1 keeps the logs (both BIRDs', the appliance's) for a look after a failure.
	[ -n "${DS_KEEP_WORK:-}" ] && echo "# kept $work" || rm -rf "$work"
}

[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, af_packet, taps)"
command -v bird >/dev/null || bail "BIRD 2 is missing (scripts/install-deps installs bird2)"
work=$(mktemp -d)
trap cleanup EXIT
install -m 600 "$root/config/examples/demo.secret" "$work/secret"

# ---- the network ----
teardown
for n in cli rtr box srv; do
	ip netns add "$(tb_ns $n)" || bail "cannot make namespace $n"
	in_ns $n ip link set lo up
done
ip link add cli0 netns "$(tb_ns cli)" type veth peer name rc0 netns "$(tb_ns rtr)"
ip link add ro0 netns "$(tb_ns rtr)" type veth peer name out0 netns "$(tb_ns box)"
ip link add in0 netns "$(tb_ns box)" type veth peer name srv0 netns "$(tb_ns srv)"
for pair in "cli cli0" "rtr rc0" "rtr ro0" "box out0" "box in0" "srv srv0"; do
	set -- $pair
	in_ns "$1" ethtool -K "$2" tx off >/dev/null 2>&1
	in_ns "$1" ip link set "$2" up
done
# The box's kernel must leave the data ports to the appliance: no IPv6, no ARP answers, and every
# packet arriving there fails the reverse-path check (its routes all lead to the kernel interfaces).
# The kernel interfaces the appliance makes get IPv6 (default) and no reverse-path filter.
in_ns box sysctl -qw net.ipv6.conf.out0.disable_ipv6=1 net.ipv6.conf.in0.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.out0.rp_filter=1 net.ipv4.conf.in0.rp_filter=1 \
	net.ipv4.conf.out0.arp_ignore=8 net.ipv4.conf.in0.arp_ignore=8
in_ns cli ip addr add 10.77.0.1/24 dev cli0
in_ns cli ip route add default via 10.77.0.254
in_ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
in_ns rtr ip addr add 10.77.0.254/24 dev rc0
in_ns rtr ip addr add 10.77.1.1/24 dev ro0
in_ns rtr ip addr add fd77:1::1/64 dev ro0 nodad
# The flood's spoofed sources live behind the client: the HVRs go back there.
in_ns rtr ip route add $SPOOFED.0/24 via 10.77.0.1
in_ns srv sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
in_ns srv ip addr add 10.77.3.2/24 dev srv0
in_ns srv ip addr add 10.77.9.1/32 dev lo
if in_ns srv ip link add gre1 type gre local 10.77.3.2 remote 10.77.3.1 2>/dev/null; then
	gre_end="the kernel's GRE"
else
	ip netns exec "$(tb_ns srv)" "$gre_endpoint" 10.77.3.2 10.77.3.1 gre1 2>"$work/gre.log" &
	wait_log "$work/gre.log" "gre endpoint ready" 10 "the user-space GRE end"
	gre_end="tests/tools/gre_endpoint.py (no ip_gre in this kernel)"
fi
in_ns srv ip link set gre1 up
in_ns srv sysctl -qw net.ipv4.conf.gre1.rp_filter=0
# Answers go back through the appliance's inside address, not the tunnel.
in_ns srv ip route add 10.77.0.0/24 via 10.77.3.1 dev srv0
in_ns srv ip route add $SPOOFED.0/24 via 10.77.3.1 dev srv0
RTR_MAC=$(mac_of rtr ro0) RC0_MAC=$(mac_of rtr rc0) SRV_MAC=$(mac_of srv srv0) CLI_MAC=$(mac_of cli cli0)
OUT_MAC=$(mac_of box out0)

# ---- the appliance ----
cat >"$work/box.yaml" <<EOF
eal:
  args: [--no-huge, -m, "512", --file-prefix, $TB_PREFIX, --log-level, "*:error"]
lcores:
  main: 0
  workers: [1]
mode: routed
ports:
  outside:
    device: net_af_packet0,iface=out0,framecnt=8192
    next_hop: 10.77.1.1
    control_address: ["10.77.1.2/24", "fd77:1::2/64"]
    kernel_interface: dsout
  inside:
    device: net_af_packet1,iface=in0,framecnt=8192
    next_hop: 10.77.3.2
    control_address: 10.77.3.1/24
    kernel_interface: dsin
    mtu: 1500
services:
  - address: "10.77.9.1:4433"
    tunnel: { type: gre, local: 10.77.3.1, remote: 10.77.3.2 }
cookie:
  secret_file: $work/secret
announce:
  table: 100
  prefixes: [10.77.9.0/24]
  withdraw_wait_ms: 1500
stats:
  interval: 1
metrics:
  listen: "127.0.0.1:9469"
EOF

# ---- BIRD on both sides ----
cat >"$work/rtr.conf" <<EOF
log "$work/bird-rtr.log" all;
debug protocols { states, routes, events };
router id 10.77.1.1;
protocol device { scan time 1; }
protocol kernel { ipv4 { import none; export all; }; }
protocol bgp scrubber {
	local 10.77.1.1 as 65000;
	neighbor 10.77.1.2 as 65001;
	hold time $HOLD;
	connect retry time 1;
	error wait time 1, 2;
	ipv4 { import all; export none; };
}
EOF
# The box's BIRD: what docs/deploying.md shows, with the test's addresses.
cat >"$work/box.conf" <<EOF
log "$work/bird-box.log" all;
debug protocols { states, routes, events };
router id 10.77.1.2;
protocol device { scan time 1; }
protocol kernel scrubber {
	kernel table 100;
	learn;
	scan time 1;
	ipv4 { import all; export none; };
}
protocol bgp upstream {
	local 10.77.1.2 as 65001;
	neighbor 10.77.1.1 as 65000;
	hold time $HOLD;
	connect retry time 1;
	error wait time 1, 2;
	ipv4 { import none; export where proto = "scrubber"; next hop self; };
}
EOF
in_ns rtr bird -c "$work/rtr.conf" -s "$work/rtr.ctl" -P "$work/rtr.pid" || bail "BIRD on the router did not start"

# route_on_rtr: the router's kernel route to the protected prefix, as BIRD installed it.
route_on_rtr() { in_ns rtr ip -4 route show 10.77.9.0/24 proto bird; }
# wait_until SECONDS COMMAND...: poll a condition every 0.2 s.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
has_route() { [ -n "$(route_on_rtr)" ]; }
no_route() { [ -z "$(route_on_rtr)" ]; }

ip netns exec "$(tb_ns srv)" "$backend" --listen 10.77.9.1:4433 --secret "$work/secret" >"$work/backend.log" 2>&1 &
backend_pids=$!
wait_log "$work/backend.log" listening 10 "the backend"
ip netns exec "$(tb_ns box)" "$scrubber" -c "$work/box.yaml" --duration 200 --stats-json "$work/stats.json" >"$work/scrubber.log" 2>&1 &
scrubber_pid=$!
wait_log "$work/scrubber.log" "^dtls-scrubber:" 30 "the appliance"
in_ns box ip -br addr show dsout | grep -q "10.77.1.2/24"
check $? "the appliance made its outside kernel interface dsout with its control addresses"
[ "$(mac_of box dsout)" = "$OUT_MAC" ]
check $? "dsout shows the outside port's MAC ($OUT_MAC): what the kernel answers in ARP and ND is the port's"
in_ns box bird -c "$work/box.conf" -s "$work/box.ctl" -P "$work/box.pid" || bail "BIRD in the box did not start"

wait_until 40 has_route
check $? "the router learned 10.77.9.0/24 over BGP from the appliance's BIRD while it is healthy: $(route_on_rtr)"
in_ns rtr ip neigh show 10.77.1.2 dev ro0 | grep -qi "lladdr $OUT_MAC"
check $? "the router found the appliance's MAC by ARP, through the exception path (no static entry): $(in_ns rtr ip neigh show 10.77.1.2 dev ro0)"
next_hop_mac() { # PORT: the MAC the appliance's next_hop event gave for that port
	grep '"event":"next_hop"' "$work/scrubber.log" | grep "\"port\":\"$1\"" | tail -1 |
		/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["mac"])' 2>/dev/null
}
[ "$(next_hop_mac outside)" = "$RTR_MAC" ] && [ "$(next_hop_mac inside)" = "$SRV_MAC" ]
check $? "the appliance resolved its next hops by ARP on its kernel interfaces: 10.77.1.1 at $(next_hop_mac outside), 10.77.3.2 at $(next_hop_mac inside)"
in_ns rtr ping -6 -c 1 -W 5 fd77:1::2 >/dev/null 2>&1 &&
	in_ns rtr ip -6 neigh show fd77:1::2 dev ro0 | grep -qi "lladdr $OUT_MAC"
check $? "the appliance answers IPv6 neighbour discovery and ping on its control address: $(in_ns rtr ip -6 neigh show fd77:1::2 dev ro0)"
health=$(telemetry /dtls_scrubber/health "r['healthy'], r['announced'], r['table']")
[ "$health" = "1 1 100" ]
check $? "telemetry says healthy, routes announced in table 100: $health"
# gauge NAME: one of the appliance's Prometheus gauges, as a scrape sees it.
gauge() { in_ns box curl -s http://127.0.0.1:9469/metrics | awk -v n="dtls_scrubber_$1" '$1 == n {print $2}'; }
[ "$(gauge healthy) $(gauge routes_announced)" = "1 1" ]
check $? "Prometheus says so too: dtls_scrubber_healthy $(gauge healthy), dtls_scrubber_routes_announced $(gauge routes_announced)"

# ---- a spoofed flood and real handshakes along the route, through the tunnel ----
"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch1 --count $FLOOD --sources 254 \
	--src "$SPOOFED.1" --dst 10.77.9.1:4433 --src-mac "$CLI_MAC" --dst-mac "$RC0_MAC" --out "$work/flood.pcap" \
	>/dev/null || bail "dtls-pcapgen failed"
in_ns cli tcpreplay -q --pps=$RATE -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 0.5
start_clients "$work"
wait $CLIENT_PIDS
kill -0 $flood_pid 2>/dev/null
flooding=$?
check_clients "$work" "through the route BIRD learned and the GRE tunnel, during a spoofed flood"
[ $flooding -eq 0 ]
check $? "the handshakes completed while the flood was still coming in"
wait $flood_pid
gre_rx=$(in_ns srv cat /sys/class/net/gre1/statistics/rx_packets)
[ "$gre_rx" -gt 0 ] && [ "$(counter tunnel_encapsulated)" -gt 0 ]
check $? "clean traffic reached the server through the GRE tunnel ended by $gre_end: gre1 received $gre_rx packets, tunnel_encapsulated $(counter tunnel_encapsulated)"
hvr=$(counter hvr_sent) unch=$(counter forwarded_unchallenged) kern=$(counter to_kernel) ikern=$(counter inside_to_kernel)
echo "# hvr_sent $hvr, forwarded_unchallenged $unch, to_kernel $kern, inside_to_kernel $ikern, from_kernel $(counter from_kernel)"
[ "$hvr" -ge $((FLOOD / 2)) ] && [ "$unch" -eq 0 ]
check $? "the flood was scrubbed on the way: $hvr of $FLOOD spoofed ClientHellos answered with an HVR, none forwarded"
[ "$kern" -gt 0 ] && [ "$ikern" -gt 0 ]
check $? "control traffic went to the kernel interfaces on both sides (BGP, ARP, ND: $kern outside, $ikern inside)"

# ---- drained for maintenance: the route goes, and comes back ----
echo /dtls_scrubber/drain,on | dpdk-telemetry.py -f "$TB_PREFIX" >/dev/null 2>&1
wait_until $((HOLD + 2)) no_route
check $? "draining withdrew the route while the appliance runs: $(telemetry /dtls_scrubber/health "r['reason']")"
[ "$(gauge healthy) $(gauge routes_announced)" = "0 0" ]
check $? "drained, the gauges say unhealthy and not announced"
echo /dtls_scrubber/drain,off | dpdk-telemetry.py -f "$TB_PREFIX" >/dev/null 2>&1
wait_until 30 has_route
check $? "undrained and healthy, it is announced again: $(route_on_rtr)"

# ---- the appliance stops: the route goes ----
kill -INT $scrubber_pid
stopped=$SECONDS
wait_until $((HOLD + 2)) no_route
status=$?
check $status "stopping the appliance withdrew the route from the router within the hold time ($HOLD s): gone after $((SECONDS - stopped)) s"
[ $status -eq 0 ] || { tail -25 "$work/bird-box.log"; tail -25 "$work/bird-rtr.log"; } | sed 's/^/# /' 
wait $scrubber_pid
check $? "the appliance stopped cleanly"
grep -q '"event":"routes_withdrawn"' "$work/scrubber.log"
check $? "it said so (event routes_withdrawn)"
conserved=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/stats.json'))['conserved'])")
[ "$conserved" = True ]
check $? "the counters conserve (rx_outside = sum of fates, rx_inside = forwarded_outside + dropped_inside + inside_to_kernel)"
sed 's/^/# /' "$work/scrubber.log" | grep -v '^# {' | tail -12

# ---- a crash: the kernel interface goes with the process, the router's hold timer does the rest ----
ip netns exec "$(tb_ns box)" "$scrubber" -c "$work/box.yaml" --duration 200 >"$work/scrubber2.log" 2>&1 &
scrubber_pid=$!
wait_log "$work/scrubber2.log" "^dtls-scrubber:" 30 "the appliance (again)"
wait_until 40 has_route
check $? "started again, the appliance is announced again: $(route_on_rtr)"
kill -KILL $scrubber_pid
stopped=$SECONDS
# The hold timer runs from the last keepalive; the poll gives the router's BIRD and kernel time to act.
wait_until $((HOLD + 4)) no_route
check $? "killed (no clean stop), its route left the router at the BGP hold time ($HOLD s): gone after $((SECONDS - stopped)) s"
kill -TERM $backend_pids 2>/dev/null
finish
