#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every DTLS client against every example backend, through the appliance (inline testbed,
# scripts/lib/testbed.sh), over IPv4 and IPv6, while spoofed ClientHellos flood in:
#   clients  openssl s_client, gnutls-cli, and clients on Mbed TLS and wolfSSL (tests/tools/)
#   servers  OpenSSL (verify, trust), GnuTLS (gnutls format), Mbed TLS (verify, trust), wolfSSL
#            (wolfssl format), each on its service address, and each library again on a dual-stack
#            [::] socket
# Each cell must complete its handshake and get its line echoed; the matrix is printed. TAP output.
#
#   test_e2e_matrix.sh SCRUBBER PCAPGEN ECHO_OPENSSL ECHO_GNUTLS ECHO_MBEDTLS ECHO_WOLFSSL
#                      CLIENT_MBEDTLS CLIENT_WOLFSSL
# (The Mbed TLS and wolfSSL programs are "none" in a build without those libraries: their cells fail.)
set -u
scrubber=$1 pcapgen=$2 echo_openssl=$3 echo_gnutls=$4 echo_mbedtls=$5 echo_wolfssl=$6
client_mbedtls=$7 client_wolfssl=$8
root=${DS_SOURCE_ROOT:?}
FLOOD=60000 RATE=3000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json; t=json.load(open('$1'))['totals']; print($2)"; }

e2e_testbed inline dsmatrix
cli=$(tb_ns cli) box=$(tb_ns box) srv=$(tb_ns srv)
# wolfSSL as Debian builds it cannot make a certificate: one from the openssl command.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=matrix -days 1 \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null || bail "openssl could not make a certificate"
wolf_files="--cert $work/cert.pem --key $work/key.pem"

# Backends: name|cookie format of the appliance|command ("{}" is the listen address, "{wild}" a row
# that listens once on [::] for both families).
servers=(
	"openssl-verify|hmac-sha256|$echo_openssl --listen {} --secret $work/secret"
	"openssl-trust|hmac-sha256|$echo_openssl --listen {} --mode trust"
	"gnutls|gnutls|$echo_gnutls --listen {} --secret $work/secret"
	"mbedtls-verify|hmac-sha256|$echo_mbedtls --listen {} --secret $work/secret"
	"mbedtls-trust|hmac-sha256|$echo_mbedtls --listen {} --mode trust"
	"wolfssl|wolfssl|$echo_wolfssl --listen {} --secret $work/secret $wolf_files"
	"openssl-dual-stack|hmac-sha256|$echo_openssl --listen {wild} --secret $work/secret"
	"gnutls-dual-stack|gnutls|$echo_gnutls --listen {wild} --secret $work/secret"
	"mbedtls-dual-stack|hmac-sha256|$echo_mbedtls --listen {wild} --secret $work/secret"
	"wolfssl-dual-stack|wolfssl|$echo_wolfssl --listen {wild} --secret $work/secret $wolf_files"
)
# Clients: name|command ("{4}" / "{6}" is the server address of the family).
clients=(
	"openssl|openssl s_client -dtls1_2 -connect {addr}:4433"
	"gnutls|gnutls-cli --udp --insecure -p 4433 {host}"
	"mbedtls|$client_mbedtls {host} 4433"
	"wolfssl|$client_wolfssl {host} 4433"
)

start_appliance() {
	tb_config "$work/$1.yaml" "$work/secret" "$2"
	ip netns exec "$box" "$scrubber" -c "$work/$1.yaml" --duration 120 --stats-json "$work/$1.json" \
		>"$work/$1-scrubber.log" 2>&1 &
	scrubber_pid=$!
	wait_log "$work/$1-scrubber.log" "^dtls-scrubber:" 30 "the appliance ($1)"
}

# run_backends NAME COMMAND: on each service address, or once on [::] for a "{wild}" row.
run_backends() {
	local name=$1 cmd=$2 family addr
	backend_pids=
	if [[ $cmd == *"{wild}"* ]]; then
		ip netns exec "$srv" ${cmd//\{wild\}/[::]:4433} >"$work/$name-backend.log" 2>&1 &
		backend_pids=$!
		wait_log "$work/$name-backend.log" listening 10 "the $name backend"
		return
	fi
	for family in 4 6; do
		addr=$TB_SRV4:4433
		[ $family = 6 ] && addr="[$TB_SRV6]:4433"
		ip netns exec "$srv" ${cmd//\{\}/$addr} >"$work/$name-backend$family.log" 2>&1 &
		backend_pids="$backend_pids $!"
		wait_log "$work/$name-backend$family.log" listening 10 "the $name backend (IPv$family)"
	done
}

# Every client of both families at once against the running backends; one cell each in $work/cells.
run_clients() {
	local server=$1 c name cmd family host addr line pids=
	for c in "${clients[@]}"; do
		name=${c%%|*} cmd=${c#*|}
		for family in 4 6; do
			host=$TB_SRV4 addr=$TB_SRV4
			[ $family = 6 ] && host=$TB_SRV6 addr="[$TB_SRV6]"
			line="matrix-$server-$name-ipv$family"
			cmd_here=${cmd//\{addr\}/$addr}
			cmd_here=${cmd_here//\{host\}/$host}
			say_until_echoed "$line" "$work/$line.out" 18 |
				timeout 20 ip netns exec "$cli" $cmd_here >"$work/$line.out" 2>&1 &
			pids="$pids $!"
		done
	done
	wait $pids
	for c in "${clients[@]}"; do
		name=${c%%|*}
		for family in 4 6; do
			line="matrix-$server-$name-ipv$family"
			grep -qx -- "$line" "$work/$line.out"
			echo "$server $name $family $?" >>"$work/cells"
		done
	done
}

"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch1 --count $FLOOD --sources 20000 \
	--src 198.18.0.1 --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--out "$work/flood.pcap" >/dev/null || bail "dtls-pcapgen failed"
: >"$work/cells"
for row in "${servers[@]}"; do
	IFS='|' read -r server format cmd <<<"$row"
	start_appliance "$server" "$format"
	run_backends "$server" "$cmd"
	ip netns exec "$cli" tcpreplay -q --pps=$RATE --loop=0 -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
	flood_pid=$!
	run_clients "$server"
	kill $flood_pid 2>/dev/null
	wait $flood_pid 2>/dev/null
	kill $backend_pids 2>/dev/null
	wait $backend_pids 2>/dev/null
	kill -INT $scrubber_pid
	wait $scrubber_pid
	flooded=$(json "$work/$server.json" "t['hvr_sent'] - t['ch2_valid']")
	[ "$(json "$work/$server.json" "t['hvr_sent'] > 1000 and t['ch2_bad_cookie'] + t['ch2_expired_key'] == 0")" = True ] &&
		[ "$(/usr/bin/python3 -c "import json; print(json.load(open('$work/$server.json'))['conserved'])")" = True ]
	check $? "$server: the appliance answered the flood ($flooded HVRs), refused no client's cookie, counters conserve"
done

# One TAP point per cell, then the matrix as the closing note prints it.
while read -r server client family status; do
	check "$status" "$client client -> $server backend over IPv$family: handshake through the appliance, line echoed"
done <"$work/cells"
/usr/bin/python3 - "$work/cells" <<'EOF'
import sys
cells = [l.split() for l in open(sys.argv[1])]
servers = list(dict.fromkeys(c[0] for c in cells))
clients = list(dict.fromkeys(c[1] for c in cells))
print("# %-20s %s" % ("server \\ client", " ".join("%-13s" % c for c in clients)))
for s in servers:
    row = []
    for c in clients:
        ok = ["v%s" % f for (s2, c2, f, st) in cells if s2 == s and c2 == c and st == "0"]
        row.append("%-13s" % (" ".join(ok) if ok else "FAIL"))
    print("# %-20s %s" % (s, " ".join(row)))
EOF
finish
