#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A master-secret rotation across two appliances and a backend, box by box, with no failed handshake
# (docs/operations.md, "Rotating the master secret"). Two paths to one service address:
#
#   <p>-cla [c0] == [out0] <p>-boxa [in0] == [sa] \
#                                                   <p>-srv  (10.79.9.9:4433, the OpenSSL echo backend)
#   <p>-clb [c0] == [out0] <p>-boxb [in0] == [sb] /
#
# each box a routed appliance of its own. In each client namespace unmodified clients (openssl
# s_client, gnutls-cli in turn) make handshakes one after the other, each sending a line and waiting
# for its echo, all through the rotation:
#   0. every box and the backend on the old master;
#   1. the backend, then box A, then box B also accept the new master (accept_secret_file / --accept-secret);
#   2. box A, then box B, then the backend make cookies with the new master and still accept the old;
#   3. once no cookie of the old master can be in flight (two key periods), all drop it.
# Every handshake completes; the backend answers no ClientHello with a HelloVerifyRequest of its own
# (it refused no cookie: captured on its side and read by tshark); the boxes refuse no cookie either.
# Then a negative check: box A alone on a third master while the backend does not know it makes
# handshakes fail, so the test can tell. TAP output.
#
#   test_e2e_rotation.sh SCRUBBER BACKEND
set -u
scrubber=$1 backend=$2
root=${DS_SOURCE_ROOT:?}
P=dsrot PERIOD=2 SERVICE=10.79.9.9 PER_STEP=3

. "$(dirname "$0")/lib.sh"

ns() { echo "$P-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
mac() { in_ns "$1" cat "/sys/class/net/$2/address"; }

teardown() {
	local n
	kill $(jobs -p) 2>/dev/null
	for n in cla clb boxa boxb srv; do
		{ ip netns pids "$(ns $n)" 2>/dev/null | xargs -r kill -9 2>/dev/null; } || true
		ip netns del "$(ns $n)" 2>/dev/null || true
	done
	rm -rf "$work"
}

[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, af_packet)"
work=$(mktemp -d)
trap teardown EXIT
for n in cla clb boxa boxb srv; do
	ip netns del "$(ns $n)" 2>/dev/null
	ip netns add "$(ns $n)" || bail "cannot make namespace $n"
	in_ns $n ip link set lo up
done
for b in a b; do
	in_ns box$b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add c0 netns "$(ns cl$b)" type veth peer name out0 netns "$(ns box$b)" || bail "veth"
	ip link add s$b netns "$(ns srv)" type veth peer name in0 netns "$(ns box$b)" || bail "veth"
	for pair in "cl$b c0" "box$b out0" "box$b in0" "srv s$b"; do
		set -- $pair
		in_ns "$1" ethtool -K "$2" tx off >/dev/null 2>&1
		in_ns "$1" ip link set "$2" up
	done
done
in_ns srv sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
in_ns srv ip addr add $SERVICE/32 dev lo
# Path A: clients 10.79.1.0/24, server side 10.79.2.0/24; path B: 10.79.3.0/24 and 10.79.4.0/24.
for b in a b; do
	n=$([ $b = a ] && echo 1 || echo 3) m=$([ $b = a ] && echo 2 || echo 4)
	in_ns cl$b ip addr add 10.79.$n.1/24 dev c0
	in_ns cl$b ip neigh add 10.79.$n.254 lladdr "$(mac box$b out0)" dev c0 nud permanent
	in_ns cl$b ip route add default via 10.79.$n.254
	in_ns srv ip addr add 10.79.$m.2/24 dev s$b
	in_ns srv ip neigh add 10.79.$m.254 lladdr "$(mac box$b in0)" dev s$b nud permanent
	in_ns srv ip route add 10.79.$n.0/24 via 10.79.$m.254 dev s$b
done

# Three masters: the old one, the new one, and one the backend never learns (the negative check).
for s in old new stranger; do
	(umask 077; openssl rand -hex 32 >"$work/$s.secret")
done

# box_config BOX SECRET [ACCEPT]: the routed appliance of box a or b.
box_config() {
	{
		echo "eal:"
		echo "  args: [--no-huge, -m, \"256\", --file-prefix, $P$1, --log-level, \"*:error\"]"
		echo "lcores:"
		echo "  main: 0"
		echo "  workers: [1]"
		echo "mode: routed"
		echo "ports:"
		echo "  outside:"
		echo "    device: net_af_packet0,iface=out0,framecnt=4096"
		echo "    next_hop_mac: \"$(mac cl$1 c0)\""
		echo "  inside:"
		echo "    device: net_af_packet1,iface=in0,framecnt=4096"
		echo "    next_hop_mac: \"$(mac srv s$1)\""
		echo "services:"
		echo "  - \"$SERVICE:4433\""
		echo "cookie:"
		echo "  secret_file: $work/$2.secret"
		[ -n "${3:-}" ] && echo "  accept_secret_file: $work/$3.secret"
		echo "  key_period: $PERIOD"
		echo "  clock_skew_ms: 500"
		echo "stats:"
		echo "  interval: 0"
	} >"$work/box$1.yaml.new"
	mv "$work/box$1.yaml.new" "$work/box$1.yaml"
}

# reload_box BOX SECRET [ACCEPT]: the new file, read by the running appliance; TAP point.
reload_box() {
	local answer
	box_config "$@"
	answer=$(echo /dtls_scrubber/reload | dpdk-telemetry.py -f "$P$1" 2>/dev/null | grep '^{' | tail -1 |
		/usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin)['/dtls_scrubber/reload']; print(r['result'], r.get('changed', r.get('reason')))")
	echo "# box $1: $answer"
	case $answer in "applied master secret"*) s=0 ;; *) s=1 ;; esac
	check $s "box $1 reloads: cookies with the $2 master${3:+, the $3 one accepted too} ($answer)"
}

# backend_secrets SECRET [ACCEPT]: the backend's files rewritten, then SIGHUP; waits for its line.
backend_secrets() {
	local before
	before=$(grep -c '^secrets:' "$work/backend.log")
	cp "$work/$1.secret" "$work/backend.secret"
	if [ -n "${2:-}" ]; then cp "$work/$2.secret" "$work/backend-accept.secret"; else rm -f "$work/backend-accept.secret"; fi
	kill -HUP "$backend_pid"
	tb_wait_for_count "$work/backend.log" '^secrets:' $((before + 1))
	check $? "the backend reads its secrets again on SIGHUP: $(grep '^secrets:' "$work/backend.log" | tail -1 | sed "s|$work/||g")"
}

tb_wait_for_count() { # FILE PATTERN N: wait (at most 10 s) until PATTERN has N lines
	local i
	for i in $(seq 100); do
		[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# handshakes SIDE: one handshake after the other from client namespace SIDE until $work/stop;
# each result ("ok"/"failed" with the client's name) is a line of $work/SIDE.results.
handshakes() {
	local i=0 cmd name out
	while [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		if [ $((i % 2)) -eq 0 ]; then
			name=openssl cmd="openssl s_client -dtls1_2 -connect $SERVICE:4433"
		else
			name=gnutls cmd="gnutls-cli --udp --insecure -p 4433 $SERVICE"
		fi
		out="$work/$1-$i.out"
		say_until_echoed "rotation-$1-$i" "$out" 8 | timeout 10 ip netns exec "$(ns cl$1)" $cmd >"$out" 2>&1
		if grep -qx "rotation-$1-$i" "$out"; then echo "ok $name" >>"$work/$1.results"; rm -f "$out"
		else echo "failed $name ($out)" >>"$work/$1.results"; fi
	done
}

ok_count() { grep -c '^ok' "$work/$1.results" 2>/dev/null || echo 0; }

# settle LABEL: each side completes PER_STEP more handshakes (at most 60 s).
settle() {
	local a b i
	a=$(ok_count a) b=$(ok_count b)
	for i in $(seq 600); do
		[ "$(ok_count a)" -ge $((a + PER_STEP)) ] && [ "$(ok_count b)" -ge $((b + PER_STEP)) ] && break
		sleep 0.1
	done
	[ "$(ok_count a)" -ge $((a + PER_STEP)) ] && [ "$(ok_count b)" -ge $((b + PER_STEP)) ]
	check $? "$1: handshakes go on through both boxes ($(ok_count a) through A, $(ok_count b) through B so far)"
}

# 0. Everything on the old master.
cp "$work/old.secret" "$work/backend.secret"
ip netns exec "$(ns srv)" dumpcap -q -P -i any -B 64 -w "$work/server.pcap" -f "udp src port 4433" 2>"$work/dumpcap.log" &
dumpcap_pid=$!
tb_wait_for_count "$work/dumpcap.log" Capturing 1 || bail "dumpcap did not start"
ip netns exec "$(ns srv)" "$backend" --listen "$SERVICE:4433" --secret "$work/backend.secret" \
	--accept-secret "$work/backend-accept.secret" --key-period $PERIOD --clock-skew-ms 500 >"$work/backend.log" 2>&1 &
backend_pid=$!
tb_wait_for_count "$work/backend.log" listening 1 || bail "the backend did not start"
for b in a b; do
	box_config $b old
	ip netns exec "$(ns box$b)" "$scrubber" -c "$work/box$b.yaml" --stats-json "$work/box$b.json" >"$work/box$b.log" 2>&1 &
	eval "box${b}_pid=$!"
	tb_wait_for_count "$work/box$b.log" "^dtls-scrubber:" 1 || { sed 's/^/# /' "$work/box$b.log"; bail "box $b did not start"; }
done
handshakes a &
side_a=$!
handshakes b &
side_b=$!
settle "all on the old master"

# 1. Everyone also accepts the new master; cookies are still made with the old one.
backend_secrets old new
reload_box a old new
reload_box b old new
settle "the new master accepted everywhere"
# 2. Box by box, cookies from the new master; the old one still accepted.
reload_box a new old
settle "box A makes cookies with the new master, box B still with the old"
reload_box b new old
backend_secrets new old
settle "both boxes and the backend on the new master, the old accepted"
# 3. Two key periods on, the old master goes everywhere.
sleep $((2 * PERIOD + 1))
reload_box a new
reload_box b new
backend_secrets new
settle "the old master dropped everywhere"

touch "$work/stop"
wait $side_a $side_b
ok=$(($(ok_count a) + $(ok_count b)))
failed=$(cat "$work/a.results" "$work/b.results" 2>/dev/null | grep -c '^failed')
echo "# handshakes: $ok completed, $failed failed (A: $(ok_count a), B: $(ok_count b))"
grep '^failed' "$work/a.results" "$work/b.results" 2>/dev/null | head -5 | sed 's/^/# /'
[ "$failed" -eq 0 ] && [ "$ok" -ge $((8 * PER_STEP)) ]
check $? "the rotation completes with 0 failed handshakes ($ok completed through two boxes)"

# 4. The negative check: box A on a master the backend does not know.
negative_from=$(date +%s.%N)
reload_box a stranger
rm -f "$work/stop" "$work/a.results"
handshakes a &
neg_pid=$!
for i in $(seq 300); do
	grep -q '^failed' "$work/a.results" 2>/dev/null && break
	sleep 0.1
done
touch "$work/stop"
wait $neg_pid 2>/dev/null
grep -q '^failed' "$work/a.results" 2>/dev/null
check $? "a box on a master the backend does not accept fails handshakes (so the count above can fail)"

for b in a b; do kill -INT "$(eval echo \$box${b}_pid)"; done
wait $boxa_pid $boxb_pid
kill -INT $dumpcap_pid
wait $dumpcap_pid 2>/dev/null
kill -TERM $backend_pid 2>/dev/null
# The backend's own HelloVerifyRequests: each one answers a cookie it refused. Before the negative
# check there must be none.
hvr_times=$(tshark -r "$work/server.pcap" -d udp.port==4433,dtls -Y "dtls.handshake.type == 3" -T fields \
	-e frame.time_epoch 2>/dev/null)
during=$(echo "$hvr_times" | awk -v t="$negative_from" 'NF && $1 < t' | wc -l)
after=$(echo "$hvr_times" | awk -v t="$negative_from" 'NF && $1 >= t' | wc -l)
echo "# the backend's own HelloVerifyRequests: $during during the rotation, $after during the negative check"
refused_b=$(/usr/bin/python3 -c "import json; t=json.load(open('$work/boxb.json'))['totals']; print(t['ch2_bad_cookie'] + t['ch2_expired_key'])")
[ "$during" -eq 0 ] && [ "$after" -gt 0 ] && [ "$refused_b" -eq 0 ]
check $? "the backend refused no cookie during the rotation ($during own HVRs; $after in the negative check) and box B none ($refused_b)"
finish
