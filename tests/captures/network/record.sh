#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Record the captures of this folder: what the Linux kernel sends to and from an appliance's port
# (ARP, neighbour discovery, ICMP, GRE over IPv4 and IPv6), in two network namespaces joined by a veth
# pair, written with dumpcap in classic pcap format. README.md says what each file holds.
#
#   tests/captures/network/record.sh
#
# Root. Needs iproute2, dumpcap (Wireshark), ping (iputils-ping); arping when installed. A kernel
# without GRE (no ip_gre / ip6_gre, as in some VMs) is replaced by Debian's user-mode-linux kernel
# (packages user-mode-linux and kmod), booted on the host's own file system to run this same script:
# the captures are then the 6.1 UML kernel's. Idempotent: it removes what an earlier run left (namespaces named dsloc-*) and overwrites
# the files.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$here/$(basename "${BASH_SOURCE[0]}")

# The appliance's port and its neighbour. The test (tests/unit/test_local.c) knows these addresses.
app_ns=dsloc-app
peer_ns=dsloc-peer
app_mac=02:00:5e:00:00:01
peer_mac=02:00:5e:00:00:02
app4=192.0.2.1
peer4=192.0.2.2
peer4b=192.0.2.3
app6=2001:db8::1
peer6=2001:db8::2
peer6b=2001:db8::3

capture_pids=()

in_app() { ip netns exec "$app_ns" "$@"; }
in_peer() { ip netns exec "$peer_ns" "$@"; }

cleanup() {
	local pid ns

	for pid in "${capture_pids[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	capture_pids=()
	for ns in $(ip netns list | awk '/^dsloc-/ { print $1 }'); do
		ip netns del "$ns"
	done
}

# start_capture NS FILE DUMPCAP_ARGS...: returns once dumpcap says it is capturing.
start_capture() {
	local ns=$1 file=$2 log=$2.log

	shift 2
	ip netns exec "$ns" dumpcap -P -w "$file" "$@" 2>"$log" &
	capture_pids+=($!)
	for _ in $(seq 100); do
		grep -q '^Capturing on' "$log" && return 0
		sleep 0.1
	done
	echo "dumpcap did not start: $(cat "$log")" >&2
	return 1
}

# In the reverse order of their start: a capture started first sees all that the later ones see.
stop_captures() {
	local i

	sleep 0.5
	for ((i = ${#capture_pids[@]} - 1; i >= 0; i--)); do
		kill -INT "${capture_pids[i]}"
		wait "${capture_pids[i]}" || true
	done
	capture_pids=()
}

# A UDP datagram from a real socket (bash's /dev/udp): send_udp NS ADDR PORT TEXT.
send_udp() {
	# shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
	ip netns exec "$1" bash -c 'echo "$3" >"/dev/udp/$1/$2"' _ "$2" "$3" "$4"
}

setup_link() {
	local ns

	ip netns add "$app_ns"
	ip netns add "$peer_ns"
	for ns in "$app_ns" "$peer_ns"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
		ip -n "$ns" link set lo up
	done
	ip link add app0 netns "$app_ns" address "$app_mac" type veth peer name peer0 netns "$peer_ns" \
		address "$peer_mac"
	ip -n "$app_ns" addr add "$app4/24" dev app0
	ip -n "$app_ns" addr add "$app6/64" dev app0 nodad
	ip -n "$peer_ns" addr add "$peer4/24" dev peer0
	ip -n "$peer_ns" addr add "$peer4b/24" dev peer0
	ip -n "$peer_ns" addr add "$peer6/64" dev peer0 nodad
	ip -n "$peer_ns" addr add "$peer6b/64" dev peer0 nodad
	ip -n "$app_ns" link set app0 up
}

# arp_nd.pcap: the link comes up (link-local DAD, router solicitations, MLD), the neighbour resolves
# the appliance (ARP, NS to the solicited-node group, NA) and pings it; it also sends to addresses
# behind the appliance (the data plane's frames), and the appliance pings it.
record_arp_nd() {
	local out=$1

	start_capture "$app_ns" "$out/arp_nd.pcap" -i app0
	ip -n "$peer_ns" link set peer0 up
	ip -n "$peer_ns" route add 198.51.100.0/24 via "$app4"
	ip -n "$peer_ns" -6 route add 2001:db8:5100::/48 via "$app6"
	sleep 1
	if command -v arping >/dev/null; then
		in_peer arping -c 1 -I peer0 "$app4" >/dev/null 2>&1 ||
			in_peer arping -c 1 -i peer0 "$app4" >/dev/null 2>&1 || true
	fi
	in_peer ping -q -c 2 -i 0.2 "$app4" >/dev/null
	in_peer ping -q -6 -c 2 -i 0.2 "$app6" >/dev/null
	in_peer ping -q -c 1 -W 1 198.51.100.7 >/dev/null || true
	in_peer ping -q -6 -c 1 -W 1 2001:db8:5100::7 >/dev/null || true
	send_udp "$peer_ns" 198.51.100.7 4433 "to a protected address, not the appliance's"
	in_app ping -q -c 1 "$peer4" >/dev/null
	in_app ping -q -6 -c 1 "$peer6" >/dev/null
	stop_captures
}

# tunnel NAME TYPE PEER_LOCAL APP_LOCAL NET4 NET6 OPTIONS...: one tunnel and its mirror, inside
# 10.NET4.0/24 and fd00:NET6::/64; the peer routes 203.0.113.N and 2001:db8:cafe::N into it, N the last
# number of NET4.
tunnel() {
	local name=$1 type=$2 peer_local=$3 app_local=$4 net4=$5 net6=$6

	shift 6
	ip -n "$peer_ns" link add "$name" type "$type" local "$peer_local" remote "$app_local" "$@"
	ip -n "$app_ns" link add "$name" type "$type" local "$app_local" remote "$peer_local" "$@"
	ip -n "$peer_ns" addr add "10.$net4.2/24" dev "$name"
	ip -n "$app_ns" addr add "10.$net4.1/24" dev "$name"
	ip -n "$peer_ns" addr add "fd00:$net6::2/64" dev "$name" nodad
	ip -n "$app_ns" addr add "fd00:$net6::1/64" dev "$name" nodad
	ip -n "$peer_ns" link set "$name" up
	ip -n "$app_ns" link set "$name" up
	ip -n "$peer_ns" route add "203.0.113.${net4##*.}" dev "$name"
	ip -n "$peer_ns" -6 route add "2001:db8:cafe::${net4##*.}" dev "$name"
}

# Through each tunnel: a UDP datagram over IPv4 and one over IPv6, to the addresses it routes.
send_through() {
	local name=$1 net4=$2 label=$3

	send_udp "$peer_ns" "203.0.113.${net4##*.}" 5000 "$label $name udp4"
	send_udp "$peer_ns" "2001:db8:cafe::${net4##*.}" 5000 "$label $name udp6"
}

# gre4.pcap / gre6.pcap on the appliance's port, and gre4_tunnel.pcap / gre6_tunnel.pcap on all of its
# interfaces (Linux cooked): the inner packets as its own kernel decapsulated them.
record_gre() {
	local out=$1 label=$2 t
	local names=()

	if [ "$label" = gre4 ]; then
		tunnel g4plain gre "$peer4" "$app4" 4.11 411
		tunnel g4key gre "$peer4" "$app4" 4.12 412 key 42
		tunnel g4csum gre "$peer4b" "$app4" 4.13 413 csum
		tunnel g4seq gre "$peer4b" "$app4" 4.14 414 key 7 csum seq
		names=(g4plain:4.11 g4key:4.12 g4csum:4.13 g4seq:4.14)
	else
		tunnel g6plain ip6gre "$peer6" "$app6" 6.21 621 encaplimit none
		tunnel g6key ip6gre "$peer6" "$app6" 6.22 622 key 42 csum encaplimit none
		# The kernel's default: a tunnel encapsulation limit option (RFC 2473) before the GRE header.
		tunnel g6limit ip6gre "$peer6b" "$app6" 6.23 623
		names=(g6plain:6.21 g6key:6.22 g6limit:6.23)
	fi
	sleep 1
	# The tunnel capture first and last: every GRE frame of the port's capture has its inner packet there.
	start_capture "$app_ns" "$out/${label}_tunnel.pcap" -i any -y LINUX_SLL
	start_capture "$app_ns" "$out/$label.pcap" -i app0
	for t in "${names[@]}"; do
		send_through "${t%%:*}" "${t##*:}" "$label"
	done
	# An echo to the appliance's end of the first tunnel: its reply leaves in GRE toward the neighbour.
	in_peer ping -q -c 1 -W 1 "10.${names[0]##*:}.1" >/dev/null
	stop_captures
	for t in "${names[@]}"; do
		ip -n "$peer_ns" link del "${t%%:*}"
		ip -n "$app_ns" link del "${t%%:*}"
	done
}

record() {
	local out=$1

	cleanup
	setup_link
	record_arp_nd "$out"
	record_gre "$out" gre4
	record_gre "$out" gre6
	cleanup
	rm -f "$out"/*.log
}

kernel_has_gre() {
	local ok=0

	ip netns add dsloc-probe
	ip -n dsloc-probe link add g4 type gre local 192.0.2.1 remote 192.0.2.2 2>/dev/null &&
		ip -n dsloc-probe link add g6 type ip6gre local 2001:db8::1 remote 2001:db8::2 2>/dev/null || ok=1
	ip netns del dsloc-probe
	return $ok
}

# PID 1 of the user-mode-linux kernel: a minimal init, the recording, then power off.
uml_init() {
	local rc

	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t tmpfs run /run
	mount -t tmpfs tmp /tmp
	mkdir -p /tmp/mods/lib/modules
	mount --bind /usr/lib/uml/modules /tmp/mods/lib/modules
	for m in af_packet ipv6 veth ip_gre ip6_gre; do
		modprobe -d /tmp/mods "$m"
	done
	set +e
	(set -e; record "$DSLOC_STAGE")
	rc=$?
	echo "$rc" >"$DSLOC_STAGE/rc"
	poweroff -f -f
}

stage=
main() {
	if [ "${DSLOC_UML_INIT:-}" = 1 ] && [ $$ = 1 ]; then
		uml_init
		exit 1
	fi
	[ "$(id -u)" = 0 ] || { echo "record.sh: run as root" >&2; exit 1; }
	for tool in ip dumpcap ping; do
		command -v "$tool" >/dev/null || { echo "record.sh: $tool is needed" >&2; exit 1; }
	done
	cleanup
	rm -rf "$here"/.record.*
	# Under this folder, not /tmp: the UML init mounts its own /tmp over the host's.
	stage=$(mktemp -d "$here/.record.XXXXXX")
	trap 'cleanup; rm -rf "$stage"' EXIT
	if kernel_has_gre; then
		record "$stage"
	elif command -v linux.uml >/dev/null; then
		echo "record.sh: this kernel has no GRE; recording in user-mode-linux $(linux.uml --version 2>/dev/null)"
		timeout 300 linux.uml mem=384M quiet rootfstype=hostfs rootflags=/ rw init="$self" \
			DSLOC_UML_INIT=1 DSLOC_STAGE="$stage" con=null con0=null,fd:1 </dev/null
		[ "$(cat "$stage/rc" 2>/dev/null)" = 0 ] || { echo "record.sh: recording failed in UML" >&2; exit 1; }
		rm -f "$stage/rc"
	else
		echo "record.sh: this kernel has no GRE (ip_gre, ip6_gre); install user-mode-linux" >&2
		exit 1
	fi
	for f in arp_nd gre4 gre4_tunnel gre6 gre6_tunnel; do
		[ -s "$stage/$f.pcap" ] || { echo "record.sh: $f.pcap missing" >&2; exit 1; }
		chmod 644 "$stage/$f.pcap"
		mv -f "$stage/$f.pcap" "$here/$f.pcap"
		echo "$f.pcap: $(stat -c %s "$here/$f.pcap") bytes"
	done
}

main "$@"
