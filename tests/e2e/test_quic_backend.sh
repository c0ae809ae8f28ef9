#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The example QUIC server (app/backend-ngtcp2) on loopback with Debian's unmodified gtlsclient, an
# HTTP/3 client. With --retry every handshake goes through the server's own Retry, whose token
# (libdtlscookie: the appliance's shared format) the server must accept on the client's next Initial
# and turn into the right transport parameters, or the client would abort; without --retry the client
# is served at once. IPv4, IPv6, and IPv4 on a dual-stack socket. No root, no namespaces. TAP output.
#
#   test_quic_backend.sh QUIC_H3_NGTCP2
set -u
backend=$1
root=${DS_SOURCE_ROOT:?}

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

command -v gtlsclient >/dev/null || { echo "1..0 # SKIP gtlsclient not installed (package ngtcp2-client)"; exit 0; }
work=$(mktemp -d)
pids=
cleanup() {
	kill $pids 2>/dev/null
	wait $pids 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
install -m 600 "$root/config/examples/demo.secret" "$work/secret"

# A UDP port nobody listens on (the server binds with SO_REUSEPORT: a taken port would share traffic).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Hlun "sport = :$p")" ] && { echo $p; return 0; }
	done
	bail "no free UDP port"
}

# start NAME LISTEN [OPTION...]: one server, ready; its log is $work/NAME.log. Sets server_pid.
start() {
	local name=$1 listen=$2
	shift 2
	"$backend" --listen "$listen" --secret "$work/secret" "$@" >"$work/$name.log" 2>&1 &
	server_pid=$!
	pids="$pids $server_pid"
	wait_log "$work/$name.log" "listening on" 10 "quic-h3-ngtcp2 ($name)"
}

# stop: SIGTERM to the last server; 0 when it closed cleanly ("stopped") and is gone.
stop() {
	kill -TERM "$server_pid"
	timeout 10 tail --pid="$server_pid" -f /dev/null
	! kill -0 "$server_pid" 2>/dev/null && grep -q "quic-h3-ngtcp2: stopped" "$work/$1.log"
}

# fetch NAME ADDR PORT URLHOST: GET / with gtlsclient (bounded by its own idle timeout and ours); its
# output in $work/NAME.client, the body in $work/NAME/index.html. Sets client_rc.
fetch() {
	mkdir -p "$work/$1"
	timeout 20 gtlsclient --exit-on-all-streams-close --no-quic-dump --timeout=10s --download "$work/$1" \
		"$2" "$3" "https://$4:$3/" >"$work/$1.client" 2>&1
	client_rc=$?
}

# served NAME WHAT: gtlsclient exited 0 with the server's answer.
served() {
	[ $client_rc -eq 0 ] && grep -qx "hello from quic-h3-ngtcp2" "$work/$1/index.html" 2>/dev/null
	check $? "$2: gtlsclient completes the handshake and gets the HTTP/3 answer (exit $client_rc)"
}

show_log() { sed 's/^/# /' "$work/$1.log"; }

# through_retry NAME LISTEN ADDR URLHOST SEEN_AS: a server with --retry, and one client.
through_retry() {
	local name=$1 port
	port=$(free_port)
	start "$name" "${2/PORT/$port}" --retry
	fetch "$name" "$3" "$port" "$4"
	served "$name" "$name, --retry"
	grep -q "type=Retry" "$work/$name.client" && grep -q "retry_source_connection_id=" "$work/$name.client"
	check $? "$name, --retry: the client took the server's Retry and its retry_source_connection_id"
	grep -q "^sent Retry to $5 port " "$work/$name.log" && grep -q "^token accepted from $5 port " "$work/$name.log" &&
		grep -q "^handshake with $5 port .* completed (after a Retry)" "$work/$name.log"
	check $? "$name, --retry: the server sent a Retry, accepted its shared-format token, completed the handshake"
	stop "$name"
	check $? "$name, --retry: the server stops cleanly on SIGTERM"
	show_log "$name"
}

# direct NAME LISTEN ADDR URLHOST SEEN_AS: a server without --retry, and one client.
direct() {
	local name=$1 port
	port=$(free_port)
	start "$name" "${2/PORT/$port}"
	fetch "$name" "$3" "$port" "$4"
	served "$name" "$name, no --retry"
	! grep -q "type=Retry" "$work/$name.client" && ! grep -q "sent Retry" "$work/$name.log" &&
		grep -q "^handshake with $5 port .* completed (no Retry)" "$work/$name.log"
	check $? "$name, no --retry: served at once, no Retry on either side"
	stop "$name"
	check $? "$name, no --retry: the server stops cleanly on SIGTERM"
	show_log "$name"
}

through_retry ipv4-retry "127.0.0.1:PORT" 127.0.0.1 127.0.0.1 127.0.0.1
through_retry ipv6-retry "[::1]:PORT" ::1 "[::1]" ::1
through_retry dual-stack-retry "[::]:PORT" 127.0.0.1 127.0.0.1 ::ffff:127.0.0.1
direct ipv4-direct "127.0.0.1:PORT" 127.0.0.1 127.0.0.1 127.0.0.1
direct ipv6-direct "[::1]:PORT" ::1 "[::1]" ::1
leftover=0
for pid in $pids; do
	kill -0 "$pid" 2>/dev/null && leftover=$((leftover + 1))
done
check $leftover "no server process left running"
finish
