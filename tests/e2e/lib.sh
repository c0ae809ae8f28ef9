# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# TAP output and the real clients, shared by the end-to-end tests (with scripts/lib/testbed.sh).

E2E_N=0
E2E_FAILED=0

check() { # check STATUS MESSAGE
	E2E_N=$((E2E_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $E2E_N - $2"
	else
		echo "not ok $E2E_N - $2"
		E2E_FAILED=$((E2E_FAILED + 1))
	fi
}

bail() { echo "Bail out! $*"; exit 1; }

finish() {
	echo "1..$E2E_N"
	[ "$E2E_FAILED" -eq 0 ]
}

# say_until_echoed LINE OUTFILE SECONDS: the client's stdin. Sends LINE, then holds stdin open until
# LINE comes back in OUTFILE (at most SECONDS): a client closes its session when stdin ends, so a fixed
# sleep would fail the test whenever a slow handshake (sanitizer build, loaded machine) outlasts it.
say_until_echoed() {
	local deadline=$((SECONDS + $3))
	echo "$1"
	while [ $SECONDS -lt $deadline ] && ! grep -qx -- "$1" "$2" 2>/dev/null; do
		sleep 0.1
	done
	sleep 0.2
}

# The four unmodified clients: name|command, against the testbed's server addresses on port 4433.
e2e_clients() {
	CLIENTS=(
		"openssl-ipv4|openssl s_client -dtls1_2 -connect $TB_SRV4:4433"
		"gnutls-ipv6|gnutls-cli --udp --insecure -p 4433 $TB_SRV6"
		"gnutls-ipv4|gnutls-cli --udp --insecure -p 4433 $TB_SRV4"
		"openssl-ipv6|openssl s_client -dtls1_2 -connect [$TB_SRV6]:4433"
	)
}

# start_clients DIR: all four at once in the client namespace, each sending one line and waiting for
# its echo; their output goes to DIR/NAME.out. Sets CLIENT_PIDS.
start_clients() {
	local c name cmd
	e2e_clients
	CLIENT_PIDS=
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*} cmd=${c#*|}
		# A previous round's output would end this client's stdin before its own echo came back.
		rm -f "$1/$name.out"
		say_until_echoed "echo-through-the-scrubber-$name" "$1/$name.out" 18 |
			timeout 20 ip netns exec "$(tb_ns cli)" $cmd >"$1/$name.out" 2>&1 &
		CLIENT_PIDS="$CLIENT_PIDS $!"
	done
}

# check_clients DIR LABEL: one TAP point per client whose line came back. Sets CLIENTS_OK.
check_clients() {
	local c name status
	CLIENTS_OK=0
	for c in "${CLIENTS[@]}"; do
		name=${c%%|*}
		grep -q "^echo-through-the-scrubber-$name\$" "$1/$name.out"
		status=$?
		[ $status -eq 0 ] && CLIENTS_OK=$((CLIENTS_OK + 1))
		check $status "$2: unmodified $name completes the handshake and its data is echoed"
	done
}

# session_feed NAME: a client's stdin for a long session: a numbered line "NAME-i" every 0.2 s until
# $work/stop exists; the last number sent is in $work/NAME.sent.
session_feed() {
	local i=0
	while [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		echo "$1-$i"
		echo $i >"$work/$1.sent"
		sleep 0.2
	done
}

# session_echoed NAME: how many of NAME's lines came back (in $work/NAME.out).
session_echoed() { grep -c "^$1-[0-9]*\$" "$work/$1.out" 2>/dev/null; }

# session_lost NAME FROM TO: how many of NAME's lines FROM+1..TO never came back.
session_lost() {
	/usr/bin/python3 - "$work/$1.out" "$1" "$2" "$3" <<'PY'
import re, sys
path, name, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
got = {int(m.group(1)) for m in re.finditer(r'^' + re.escape(name) + r'-(\d+)$', open(path).read(), re.M)}
print(sum(1 for i in range(lo + 1, hi + 1) if i not in got))
PY
}

# wait_log FILE PATTERN SECONDS WHAT: bail out unless the line shows up.
wait_log() {
	tb_wait_for "$1" "$2" "$3" || { sed 's/^/# /' "$1"; bail "$4 did not start"; }
}

# start_backends BACKEND SECRET [OPTION...]: the echo backend on both server addresses, verifying
# cookies with SECRET, ready. Sets backend_pids; logs in $work/backend4.log and $work/backend6.log.
start_backends() {
	local backend=$1 secret=$2
	shift 2
	ip netns exec "$(tb_ns srv)" "$backend" --listen "$TB_SRV4:4433" --secret "$secret" "$@" \
		>"$work/backend4.log" 2>&1 &
	backend_pids=$!
	ip netns exec "$(tb_ns srv)" "$backend" --listen "[$TB_SRV6]:4433" --secret "$secret" "$@" \
		>"$work/backend6.log" 2>&1 &
	backend_pids="$backend_pids $!"
	wait_log "$work/backend4.log" listening 10 "the IPv4 backend"
	wait_log "$work/backend6.log" listening 10 "the IPv6 backend"
}

# start_scrubber CONFIG LOG STATS_JSON: the appliance in the box, ready. Sets scrubber_pid.
start_scrubber() {
	ip netns exec "$(tb_ns box)" "$scrubber" -c "$1" --duration 120 --stats-json "$3" >"$2" 2>&1 &
	scrubber_pid=$!
	wait_log "$2" "^dtls-scrubber:" 30 "the appliance"
}

# start_box BACKEND SECRET: the OpenSSL echo backend on both server addresses (verifying cookies with
# SECRET) and the appliance on $work/box.yaml in the box, all ready. Sets backend_pids, scrubber_pid;
# the appliance writes $work/scrubber.log and $work/stats.json.
start_box() {
	start_backends "$1" "$2"
	start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"
}

# telemetry COMMAND EXPR: EXPR (Python, over the answer `r`) of one DPDK telemetry command of the
# running appliance (its EAL file prefix is $TB_PREFIX).
telemetry() {
	echo "$1" | dpdk-telemetry.py -f "$TB_PREFIX" 2>/dev/null | grep '^{' | tail -1 |
		/usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin)['$1']; print($2)"
}

# counter NAME: one counter of the running appliance.
counter() { telemetry /dtls_scrubber/stats "r['$1']"; }

# e2e_testbed MODE PREFIX: root or bail, a scratch folder $work (removed at exit with the testbed and
# every background job), the MODE testbed named PREFIX, and the demo secret in $work/secret.
e2e_testbed() {
	TB_PREFIX=$2
	work=$(mktemp -d)
	trap e2e_cleanup EXIT
	[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, af_packet)"
	tb_setup "$1" || bail "cannot build the testbed"
	install -m 600 "$DS_SOURCE_ROOT/config/examples/demo.secret" "$work/secret"
}

e2e_cleanup() {
	kill $(jobs -p) 2>/dev/null
	tb_teardown
	rm -rf "$work"
}

# victim_flood COUNT FILE: COUNT ClientHellos spoofing every address of $VICTIM.0/24 in turn.
victim_flood() {
	"$pcapgen" --template "$DS_SOURCE_ROOT/tests/captures/ossl_dtls10.pcap" --kind ch1 --count "$1" \
		--sources 254 --src "$VICTIM.1" --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" \
		--dst-mac "$TB_FLOOD_DST_MAC" --out "$2" >/dev/null || bail "dtls-pcapgen failed"
}

# capture_victim: what comes back to $VICTIM.0/24, as the victim's network would see it, into
# $work/victim.pcap. Sets dumpcap_pid.
capture_victim() {
	ip netns exec "$(tb_ns cli)" dumpcap -q -P -i cli0 -B 64 -w "$work/victim.pcap" \
		-f "udp src port 4433 and dst net $VICTIM.0/24" 2>"$work/dumpcap.log" &
	dumpcap_pid=$!
	wait_log "$work/dumpcap.log" Capturing 10 dumpcap
}

# stop_box: stop the appliance (SIGINT: final counters, $work/stats.json), the capture started by
# capture_victim (if any) and the backends; show the appliance's last lines.
stop_box() {
	kill -INT "$scrubber_pid"
	wait "$scrubber_pid"
	[ -n "${dumpcap_pid:-}" ] && kill -INT "$dumpcap_pid"
	kill -TERM $backend_pids 2>/dev/null
	wait ${dumpcap_pid:-} $backend_pids 2>/dev/null
	sed 's/^/# /' "$work/scrubber.log" | tail -32
}
