#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Backends behind the appliance (inline testbed, scripts/lib/testbed.sh), beyond the client x server
# matrix of test_e2e_matrix.sh. Key rotation: with 1-second key epochs and a relay that lets each first
# ClientHello through just before an epoch ends and holds every other client datagram 200 ms, every
# second ClientHello reaches the appliance and the backend one epoch after its cookie was made; the
# handshakes must still complete. Then the minimal OpenSSL, Mbed TLS and wolfSSL servers printed in
# docs/deploying.md are compiled from the document, as a new user would, and must work behind the
# appliance. TAP output.
#
#   test_backends.sh SCRUBBER ECHO_OPENSSL UDP_DELAY PCAPGEN
set -u
scrubber=$1 echo_openssl=$2 udp_delay=$3 pcapgen=$4
root=${DS_SOURCE_ROOT:?}

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json; t=json.load(open('$1'))['totals']; print($2)"; }

e2e_testbed inline dsbackends
cli=$(tb_ns cli) box=$(tb_ns box) srv=$(tb_ns srv)

# start_appliance NAME FORMAT [PERIOD SKEW]
start_appliance() {
	tb_config "$work/$1.yaml" "$work/secret" "$2" "${3:-60}" "${4:-2000}"
	ip netns exec "$box" "$scrubber" -c "$work/$1.yaml" --duration 120 --stats-json "$work/$1.json" \
		>"$work/$1-scrubber.log" 2>&1 &
	scrubber_pid=$!
	wait_log "$work/$1-scrubber.log" "^dtls-scrubber:" 30 "the appliance ($1)"
}

stop_appliance() {
	kill -INT $scrubber_pid
	wait $scrubber_pid
}

# start_backends NAME COMMAND...: one instance per address family ("{}" is the listen address).
start_backends() {
	local name=$1 family addr
	shift
	backend_pids=
	for family in 4 6; do
		addr=$TB_SRV4:4433
		[ $family = 6 ] && addr="[$TB_SRV6]:4433"
		ip netns exec "$srv" "${@//\{\}/$addr}" >"$work/$name-backend$family.log" 2>&1 &
		backend_pids="$backend_pids $!"
		wait_log "$work/$name-backend$family.log" listening 10 "the $name backend (IPv$family)"
	done
}

stop_backends() {
	kill $backend_pids 2>/dev/null
	wait $backend_pids 2>/dev/null
}

# Key rotation: 1 s epochs, no skew allowance, cookies made in the last 200 ms of an epoch and checked
# in the next (tests/tools/udp_delay.c), while spoofed ClientHellos flood in: keys rotate under load.
"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch1 --count 40000 --sources 20000 \
	--src 198.18.0.1 --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--out "$work/flood.pcap" >/dev/null || bail "dtls-pcapgen failed"
start_appliance rotation hmac-sha256 1 0
ip netns exec "$cli" tcpreplay -q --pps=8000 -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
start_backends rotation "$echo_openssl" --listen {} --secret "$work/secret" --key-period 1 --clock-skew-ms 0
ip netns exec "$cli" "$udp_delay" 127.0.0.1:5001 "$TB_SRV4:4433" 200 1000 >"$work/delay1.log" 2>&1 &
ip netns exec "$cli" "$udp_delay" "[::1]:5002" "[$TB_SRV6]:4433" 200 1000 >"$work/delay2.log" 2>&1 &
wait_log "$work/delay1.log" udp_delay 10 "the delaying relay"
wait_log "$work/delay2.log" udp_delay 10 "the delaying relay"
say_until_echoed echo-across-a-key-rotation-openssl "$work/rot-openssl.out" 38 |
	timeout 40 ip netns exec "$cli" openssl s_client -dtls1_2 -connect 127.0.0.1:5001 >"$work/rot-openssl.out" 2>&1 &
rot1=$!
say_until_echoed echo-across-a-key-rotation-gnutls "$work/rot-gnutls.out" 38 |
	timeout 40 ip netns exec "$cli" gnutls-cli --udp --insecure -p 5002 ::1 >"$work/rot-gnutls.out" 2>&1 &
rot2=$!
wait $rot1 $rot2
kill -0 $flood_pid 2>/dev/null
flooding=$?
wait $flood_pid
grep -q "^echo-across-a-key-rotation-openssl$" "$work/rot-openssl.out"
check $? "key rotation: openssl s_client (IPv4) completes while its cookie's epoch ends before it comes back"
grep -q "^echo-across-a-key-rotation-gnutls$" "$work/rot-gnutls.out"
check $? "key rotation: gnutls-cli (IPv6) completes while its cookie's epoch ends before it comes back"
stop_backends
stop_appliance
echo "# rotation: $(json "$work/rotation.json" "'ch2_valid %d, ch2_expired_key %d' % (t['ch2_valid'], t['ch2_expired_key'])")"
[ "$(json "$work/rotation.json" "t['ch2_valid'] >= 2")" = True ]
check $? "key rotation: the appliance accepted cookies of the epoch before (one per client at least)"
[ $flooding -eq 0 ] && [ "$(json "$work/rotation.json" "t['hvr_sent'] >= 39900 and t['forwarded_ch2'] >= 2")" = True ]
check $? "key rotation: both handshakes completed while 40 000 spoofed ClientHellos flooded in and keys rotated every second ($(json "$work/rotation.json" "t['hvr_sent']") HVRs)"

# The servers of docs/deploying.md, taken from the document and built the way it says, against the
# library as `meson install` installs it (here into a scratch DESTDIR, hence the prefix override).
DESTDIR="$work/inst" meson install -C "${DS_BUILD_ROOT:?}" --no-rebuild --quiet >"$work/install.log" 2>&1
pc=$(dirname "$(find "$work/inst" -name dtlscookie.pc | head -1)")
prefix=$(pkg-config --variable=prefix "$pc/dtlscookie.pc")
libdir=$(PKG_CONFIG_PATH=$pc pkg-config --define-variable=prefix="$work/inst$prefix" --variable=libdir dtlscookie)
# A library from the sanitizer build needs its runtime in the programs too.
sanitize=
ldd "$libdir/libdtlscookie.so" | grep -q libasan && sanitize="-fsanitize=address,undefined"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=docs -days 1 \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# docs_server FILE FORMAT LIBS: the block of docs/deploying.md that begins "/* FILE:", compiled with
# the document's pkg-config line plus LIBS, run behind an appliance of cookie FORMAT, and two clients.
docs_server() {
	local file=$1 format=$2 libs=$3 docs_pid client
	awk -v start="/* $file:" 'index($0, start) == 1 {on = 1} on && /^```$/ {exit} on {print}' \
		"$root/docs/deploying.md" >"$work/$file"
	# shellcheck disable=SC2046,SC2086
	cc $sanitize "$work/$file" -o "$work/${file%.c}" \
		$(PKG_CONFIG_PATH=$pc pkg-config --define-variable=prefix="$work/inst$prefix" --cflags --libs dtlscookie) \
		$libs -Wl,-rpath,"$libdir" >"$work/$file.cc.log" 2>&1
	status=$?
	sed 's/^/# cc: /' "$work/$file.cc.log"
	check $status "$file of docs/deploying.md compiles against the installed libdtlscookie ($(wc -l <"$work/$file") lines)"
	start_appliance "docs-${file%.c}" "$format"
	ip netns exec "$srv" "$work/${file%.c}" "$TB_SRV4" 4433 "$work/secret" "$work/cert.pem" "$work/key.pem" \
		>"$work/$file.log" 2>&1 &
	docs_pid=$!
	# The document's servers print nothing: wait for their socket instead.
	for _ in $(seq 100); do
		[ -n "$(ip netns exec "$srv" ss -Hlun "sport = :4433")" ] && break
		sleep 0.1
	done
	for client in "openssl s_client -dtls1_2 -connect $TB_SRV4:4433" "gnutls-cli --udp --insecure -p 4433 $TB_SRV4"; do
		say_until_echoed "echo-from-$file" "$work/docs.out" 18 | timeout 20 ip netns exec "$cli" $client >"$work/docs.out" 2>&1
		grep -q "^echo-from-$file\$" "$work/docs.out"
		check $? "$file of docs/deploying.md behind the appliance ($format cookies): ${client%% *} completes and is echoed"
	done
	kill $docs_pid 2>/dev/null
	wait $docs_pid 2>/dev/null
	stop_appliance
}

docs_server server.c hmac-sha256 "$(pkg-config --cflags --libs openssl)"
if find "$work/inst" -name dtlscookie-mbedtls.h | grep -q .; then
	docs_server server-mbedtls.c hmac-sha256 "-lmbedtls -lmbedx509 -lmbedcrypto"
else
	check 1 "server-mbedtls.c: libdtlscookie was built without Mbed TLS (install libmbedtls-dev)"
fi
if find "$work/inst" -name dtlscookie-wolfssl.h | grep -q .; then
	docs_server server-wolfssl.c wolfssl "$(pkg-config --cflags --libs wolfssl)"
else
	check 1 "server-wolfssl.c: libdtlscookie was built without wolfSSL (install libwolfssl-dev)"
fi
finish
