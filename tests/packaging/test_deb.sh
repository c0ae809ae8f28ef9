#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package (debian/), built and used as an operator would: a copy of the source tree (git
# ls-files) built with `dpkg-buildpackage -b -uc -us`; lintian finds no error; the four packages
# installed with apt-get; their files, conffile, library (a program compiled against every installed
# header with pkg-config) and binaries checked; `systemd-analyze verify` on the installed unit; the
# unit neither enabled nor started by the installation; `--check-config` on the installed reference
# configuration with a fresh secret.
#
# First the unit's ExecStart line, read from the installed unit and run as written, gets what systemd
# would give it (so that each protection is checked on its own):
# the environment (PATH, STATE_DIRECTORY, INVOCATION_ID; no JOURNAL_STREAM), stdin /dev/null, the
# StateDirectory, WorkingDirectory, UMask, LimitMEMLOCK and LimitNOFILE, the CapabilityBoundingSet
# and NoNewPrivileges (setpriv), ProtectSystem=full, ProtectHome=yes and PrivateTmp=yes (read-only
# and empty mounts in a private mount namespace). The other hardening options of the unit are not
# applied. It runs in the box of the namespace testbed (the demo's, inline) on the installed
# configuration path, rewritten for the testbed with the state file and drop capture in the state
# directory: unmodified openssl s_client and gnutls-cli clients complete their handshakes with the
# installed dtls-echo-openssl through it during a flood of spoofed ClientHellos made by the installed
# dtls-pcapgen, events are plain JSON lines, SIGTERM (the unit's KillSignal) stops it cleanly within
# TimeoutStopSec and it leaves its flows and capture in /var/lib/dtls-scrubber. Then the unit itself
# under a real systemd as PID 1 (systemd-nspawn booting this machine's /usr on a tmpfs root, in the
# box's network namespace): systemctl start makes it active (running), the clients' handshakes pass
# during the flood, systemctl reload applies the file, systemctl stop ends it with Result=success, and
# the journal holds the JSON events with their priorities and the summary. Then `apt-get purge`:
# nothing of the packages is left, nor any package their installation pulled in. TAP output.
#
#   test_deb.sh          (root; DS_SOURCE_ROOT set by meson test)
set -u
root=${DS_SOURCE_ROOT:?}
PACKAGES=(dtls-scrubber dtls-scrubber-examples libdtlscookie-dev libdtlscookie0)
UNIT=/lib/systemd/system/dtls-scrubber.service
ETC=/etc/dtls-scrubber STATE=/var/lib/dtls-scrubber
FLOOD=2000

. "$root/scripts/lib/testbed.sh"
. "$root/tests/e2e/lib.sh"

installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
package_set() { dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 != "not-installed" {print $2}' | sort; }

[ "$(id -u)" -eq 0 ] || bail "needs root (apt-get, network namespaces, af_packet)"
for tool in apt-get dpkg-buildpackage dh lintian systemd-analyze setpriv unshare git; do
	command -v $tool >/dev/null || bail "$tool is missing (scripts/install-deps)"
done
for p in "${PACKAGES[@]}"; do
	installed "$p" && bail "$p is already installed: this test installs and purges it, remove it first"
done
[ -e "$ETC" ] || [ -e "$STATE" ] && bail "$ETC or $STATE exists: this test would remove it"

TB_PREFIX=dspkg
work=$(mktemp -d)
before=$work/packages.before
package_set >"$before"
cleanup() {
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	tb_teardown
	# A failed run must not leave the packages (or what they pulled in) behind either.
	local left
	left=$(comm -13 "$before" <(package_set))
	[ -n "$left" ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $left >/dev/null 2>&1
	rm -rf "$ETC" "$STATE" /var/run/dpdk/$TB_PREFIX "$work"
}
trap cleanup EXIT

# ---- build -----------------------------------------------------------------------------------------
mkdir "$work/src"
git -C "$root" ls-files -co --exclude-standard -z | (cd "$root" && tar --null --ignore-failed-read -T - -cf -) |
	tar -xf - -C "$work/src" || bail "cannot copy the source tree"
begin=$SECONDS
(cd "$work/src" && dpkg-buildpackage -b -uc -us) >"$work/build.log" 2>&1
status=$?
[ $status -eq 0 ] || tail -40 "$work/build.log" | sed 's/^/# /'
check $status "dpkg-buildpackage -b -uc -us builds the package ($((SECONDS - begin)) s)"
[ $status -eq 0 ] || bail "no package"
debs=()
for p in "${PACKAGES[@]}"; do debs+=("$(ls "$work"/${p}_*.deb)"); done
[ ${#debs[@]} -eq ${#PACKAGES[@]} ]
check $? "one .deb for each of ${PACKAGES[*]}"

lintian --pedantic --display-info "$work"/dtls-scrubber_*.changes >"$work/lintian.log" 2>&1
sed 's/^/# lintian: /' "$work/lintian.log"
! grep -q '^E:' "$work/lintian.log"
check $? "lintian reports no error ($(grep -c '^W:' "$work/lintian.log") warnings)"

# ---- install ---------------------------------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$work/apt.log" 2>&1
status=$?
[ $status -eq 0 ] || sed 's/^/# /' "$work/apt.log"
check $status "apt-get install ./*.deb installs the four packages"
[ $status -eq 0 ] || bail "not installed"

missing=
for f in /usr/bin/dtls-scrubber /usr/bin/dtls-pcapgen $UNIT $ETC/dtls-scrubber.yaml \
	/usr/share/doc/dtls-scrubber/examples/dtls-scrubber.yaml /usr/bin/dtls-echo-openssl \
	/usr/bin/dtls-echo-gnutls /usr/bin/quic-h3-ngtcp2 /usr/include/dtlscookie.h; do
	[ -e "$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
check $? "the packages' files are there${missing:+ (missing:$missing)}"
dpkg-query -W -f='${Conffiles}\n' dtls-scrubber | grep -q "^ $ETC/dtls-scrubber.yaml "
check $? "$ETC/dtls-scrubber.yaml is a conffile"
/usr/bin/dtls-scrubber --help 2>&1 | grep -q -- '--check-config'
check $? "dtls-scrubber --help prints its usage"
/usr/bin/dtls-pcapgen 2>&1 | grep -q -- '--template'
check $? "dtls-pcapgen prints its usage"
for b in dtls-echo-openssl dtls-echo-gnutls dtls-echo-mbedtls dtls-echo-wolfssl quic-h3-ngtcp2; do
	ldd /usr/bin/$b | grep -q 'not found' && echo "# $b: $(ldd /usr/bin/$b | grep 'not found')"
done
! ldd /usr/bin/dtls-scrubber /usr/bin/dtls-pcapgen /usr/bin/dtls-echo-* /usr/bin/quic-h3-ngtcp2 | grep -q 'not found'
check $? "every installed program finds its libraries"

# A server's program against the installed library, with pkg-config; each stack's header in a unit of
# its own (OpenSSL's and wolfSSL's compatibility layer cannot share one).
cat >"$work/dc.c" <<'C'
#include <stdio.h>
#include <dtlscookie.h>
int main(int argc, char **argv)
{
	struct dtlscookie_options o = { .mode = DTLSCOOKIE_VERIFY, .secret_file = argc > 1 ? argv[1] : NULL };
	char err[256];
	struct dtlscookie *dc = dtlscookie_new(&o, err, sizeof(err));
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dtlscookie_free(dc);
	puts("dtlscookie ok");
	return 0;
}
C
(umask 077 && openssl rand -hex 32 >"$work/dc.secret")
status=0
for h in gnutls mbedtls openssl quic wolfssl; do
	printf '#include <dtlscookie-%s.h>\n' $h >"$work/dc-$h.c"
	cc -Wall -Werror -c -o "$work/dc-$h.o" "$work/dc-$h.c" $(pkg-config --cflags dtlscookie) >>"$work/cc.log" 2>&1 ||
		{ status=1; echo "# dtlscookie-$h.h does not compile"; }
done
cc -Wall -Werror -o "$work/dc" "$work/dc.c" $(pkg-config --cflags --libs dtlscookie) >>"$work/cc.log" 2>&1 &&
	"$work/dc" "$work/dc.secret" | grep -q '^dtlscookie ok$' || status=1
head -20 "$work/cc.log" | sed 's/^/# /'
check $status "every installed header compiles and a program links with pkg-config dtlscookie $(pkg-config --modversion dtlscookie 2>/dev/null) and runs"

# ---- the unit --------------------------------------------------------------------------------------
systemd-analyze verify "$UNIT" >"$work/verify.log" 2>&1
status=$?
sed 's/^/# /' "$work/verify.log"
[ $status -eq 0 ] && [ ! -s "$work/verify.log" ]
check $? "systemd-analyze verify $UNIT: nothing to say"
# (Other tests may be running a dtls-scrubber of their own build: only the installed one counts.)
[ ! -e /etc/systemd/system/multi-user.target.wants/dtls-scrubber.service ] &&
	[ ! -e /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/dtls-scrubber.service ] &&
	! pgrep -f '^/usr/bin/dtls-scrubber( |$)' >/dev/null
check $? "the installation neither enabled nor started the unit"

# unit KEY: the value of KEY= in the installed unit (the last one, as systemd reads it).
unit() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
[ "$(unit Type)" = simple ] && [ "$(unit Restart)" = on-failure ] &&
	[ "$(unit ExecStart)" = "/usr/bin/dtls-scrubber -c $ETC/dtls-scrubber.yaml" ]
check $? "the unit: Type=simple, Restart=on-failure, ExecStart=$(unit ExecStart)"

(umask 077 && openssl rand -hex 32 >$ETC/cookie.secret)
# The reference configuration names workers 2-5: checked as shipped where the CPUs exist, and with
# the workers this machine has in any case.
sed -E 's/^(  workers: ).*/\1[1]/' $ETC/dtls-scrubber.yaml >"$work/reference.yaml"
sed -i "s#^  secret_file: .*#  secret_file: $ETC/cookie.secret#" "$work/reference.yaml"
/usr/bin/dtls-scrubber -c "$work/reference.yaml" --check-config >"$work/check.log" 2>&1
status=$?
/usr/bin/dtls-scrubber -c $ETC/dtls-scrubber.yaml --check-config >>"$work/check.log" 2>&1
shipped=$?
sed 's/^/# /' "$work/check.log"
[ $status -eq 0 ] && { [ $shipped -eq 0 ] || { [ "$(nproc)" -lt 6 ] && grep -q 'lcores.workers: CPU' "$work/check.log"; }; }
check $? "--check-config accepts the installed reference configuration with a new secret (as shipped: exit $shipped on $(nproc) CPUs)"

# The unit's ExecStart in the testbed's box, on the installed configuration path.
tb_setup inline || bail "cannot build the testbed"
tb_config $ETC/dtls-scrubber.yaml $ETC/cookie.secret
sed -i "s#^  idle_timeout: 60\$#&\n  state_file: $STATE/flows.state#" $ETC/dtls-scrubber.yaml
printf 'capture:\n  file: %s\n' "$STATE/drops.pcapng" >>$ETC/dtls-scrubber.yaml
grep -q "^  state_file: $STATE/flows.state" $ETC/dtls-scrubber.yaml || bail "cannot write the configuration"
backend=/usr/bin/dtls-echo-openssl
start_backends "$backend" $ETC/cookie.secret

[ "$(unit ProtectSystem)" = full ] && [ "$(unit ProtectHome)" = yes ] && [ "$(unit PrivateTmp)" = yes ] &&
	[ "$(unit NoNewPrivileges)" = yes ] && [ "$(unit LimitMEMLOCK)" = infinity ] && [ -n "$(unit UMask)" ] &&
	[ "$(unit KillSignal)" = SIGTERM ] && [ "$(unit StateDirectory)" = dtls-scrubber ]
check $? "the unit's protections are the ones this test reproduces"
# The bounding set can only shrink: a capability this machine's own bounding set lacks is left out.
have=$(setpriv --dump | sed -n 's/^Capability bounding set: //p' | tr ',' ' ')
caps= absent=
for c in $(unit CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_//g'); do
	if echo " $have " | grep -q " $c "; then caps="$caps,+$c"; else absent="$absent $c"; fi
done
[ -n "$absent" ] && echo "# not in this machine's bounding set, so not in the appliance's either:$absent"
memlock=$(unit LimitMEMLOCK | sed 's/^infinity$/unlimited/')
if ! (ulimit -l "$memlock") 2>/dev/null; then
	echo "# LimitMEMLOCK=$(unit LimitMEMLOCK) cannot be given here (no CAP_SYS_RESOURCE): the hard limit $(ulimit -Hl) kB instead"
	memlock=$(ulimit -Hl)
fi
nofile=$(unit LimitNOFILE)
if ! (ulimit -n "$nofile") 2>/dev/null; then
	echo "# LimitNOFILE=$nofile cannot be given here (no CAP_SYS_RESOURCE): the hard limit $(ulimit -Hn) instead"
	nofile=$(ulimit -Hn)
fi
# What systemd does before exec: StateDirectory, then in a private mount namespace ProtectSystem=full
# (/usr, /boot, /efi, /etc read-only), ProtectHome=yes (/home, /root, /run/user empty and read-only),
# PrivateTmp=yes; limits, umask, working directory, a clean environment, the bounding set, no new
# privileges; then the ExecStart line as written.
install -d -m "$(unit StateDirectoryMode)" "$STATE"
cat >"$work/as-systemd.sh" <<EOF
set -e
for d in /usr /boot /efi /etc; do
	[ -d \$d ] && mount --bind \$d \$d && mount -o remount,bind,ro \$d
done
for d in /home /root /run/user; do
	[ -d \$d ] && mount -t tmpfs -o ro,mode=000 tmpfs \$d
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
ulimit -l $memlock
ulimit -n $nofile
umask $(unit UMask)
cd $(unit WorkingDirectory)
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	INVOCATION_ID=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') STATE_DIRECTORY=$STATE \
	setpriv --bounding-set -all$caps --no-new-privs -- $(unit ExecStart)
EOF
ip netns exec "$(tb_ns box)" unshare --mount --propagation private bash -c "$(cat "$work/as-systemd.sh")" \
	</dev/null >"$work/unit.log" 2>&1 &
unit_pid=$!
wait_log "$work/unit.log" "^dtls-scrubber:" 30 "the unit's ExecStart"
check 0 "the unit's ExecStart, run as systemd would, starts the appliance on $ETC/dtls-scrubber.yaml"

start_clients "$work"
"/usr/bin/dtls-pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch1 --count $FLOOD \
	--sources 500 --src 198.18.0.1 --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" \
	--dst-mac "$TB_FLOOD_DST_MAC" --out "$work/flood.pcap" >/dev/null || bail "dtls-pcapgen failed"
ip netns exec "$(tb_ns cli)" tcpreplay -q --pps=2000 -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1
wait $CLIENT_PIDS
check_clients "$work" "through the unit's appliance, during $FLOOD spoofed ClientHellos"
sleep 1
hvr=$(counter hvr_sent)
echo "# hvr_sent $hvr"
[ "${hvr:-0}" -ge $FLOOD ]
check $? "one HVR per spoofed ClientHello at least (hvr_sent ${hvr:-none}, telemetry in /var/run/dpdk/$TB_PREFIX)"

# Without JOURNAL_STREAM the events are bare JSON lines (with it, each would start with "<N>").
grep -q '^{.*"event":"start"' "$work/unit.log" && ! grep -q '^<[0-7]>' "$work/unit.log"
check $? "events on stdout are plain JSON lines without JOURNAL_STREAM"

kill -TERM $unit_pid
stop_s=$(unit TimeoutStopSec)
for i in $(seq $((stop_s * 10))); do kill -0 $unit_pid 2>/dev/null || break; sleep 0.1; done
wait $unit_pid
status=$?
tail -6 "$work/unit.log" | sed 's/^/# /'
[ $status -eq 0 ] && grep -q '"event":"stop".*"reason":"signal"' "$work/unit.log"
check $? "SIGTERM stops it cleanly within TimeoutStopSec=$stop_s (exit $status)"
[ -s $STATE/flows.state ] && [ -e $STATE/drops.pcapng ] &&
	[ "$(stat -c %a $STATE/drops.pcapng)" = 640 ] && [ "$(stat -c %a $STATE)" = "$(unit StateDirectoryMode | sed 's/^0//')" ]
check $? "flows.state and drops.pcapng written in $STATE, the capture mode 640 under UMask=$(unit UMask) ($(ls -l $STATE | tail -n +2 | awk '{print $1, $NF}' | tr '\n' ' '))"

# ---- the unit under a real systemd -----------------------------------------------------------------
# systemd-nspawn boots this machine's own /usr (volatile: a tmpfs root, so nothing of the host changes)
# with systemd as PID 1, in the box's network namespace; /etc/dtls-scrubber is bound into it. A unit of
# the test's drives it from inside: systemctl start, wait for the appliance's line in the journal,
# (the clients and the flood run from the host), systemctl reload, systemctl stop; what systemctl and
# the journal said comes out through a bound folder.
if command -v systemd-nspawn >/dev/null; then
	ns=$work/nspawn
	mkdir -p "$ns/system/multi-user.target.wants" "$ns/out"
	cat >"$ns/check.sh" <<'EOF'
#!/bin/sh
# Inside the container: drive the unit, report to /out, power off.
wait_for() { i=0; while [ $i -lt 300 ] && ! eval "$1"; do sleep 0.1; i=$((i + 1)); done; }
systemctl start dtls-scrubber.service
wait_for "journalctl -u dtls-scrubber -o cat --no-pager | grep -q '^dtls-scrubber:'"
systemctl show -p Type -p ActiveState -p SubState dtls-scrubber >/out/started
touch /out/ready
wait_for "[ -e /out/go ]"
systemctl reload dtls-scrubber
wait_for "journalctl -u dtls-scrubber -o cat --no-pager | grep -q 'config_reloaded'"
systemctl stop dtls-scrubber
systemctl show -p ActiveState -p Result -p ExecMainStatus dtls-scrubber >/out/stopped
journalctl -u dtls-scrubber -o json --no-pager >/out/journal.json
journalctl -u dtls-scrubber -o cat --no-pager >/out/journal.txt
systemctl poweroff
EOF
	chmod +x "$ns/check.sh"
	printf '[Unit]\nDescription=test_deb: drive dtls-scrubber.service\n[Service]\nType=oneshot\nExecStart=/check.sh\n' \
		>"$ns/system/ds-check.service"
	ln -s ../ds-check.service "$ns/system/multi-user.target.wants/ds-check.service"
	# --network-namespace-path, not ip netns exec: that one mounts a /sys without the cgroup hierarchy;
	# every capability, as the host has them: DPDK needs CAP_NET_ADMIN and CAP_IPC_LOCK, which nspawn drops.
	timeout 180 systemd-nspawn --quiet --keep-unit --register=no --volatile=yes -D / \
		--network-namespace-path="/run/netns/$(tb_ns box)" --capability=all --machine=dspkg \
		--bind-ro="$ETC" --bind-ro="$ns/system:/etc/systemd/system" \
		--bind-ro="$ns/check.sh:/check.sh" --bind="$ns/out:/out" -b --console=pipe >"$work/nspawn.log" 2>&1 &
	nspawn_pid=$!
	for i in $(seq 600); do [ -e "$ns/out/ready" ] && break; sleep 0.1; done
	sed 's/^/# systemctl show: /' "$ns/out/started" 2>/dev/null
	grep -qx ActiveState=active "$ns/out/started" 2>/dev/null && grep -qx SubState=running "$ns/out/started"
	status=$?
	[ $status -eq 0 ] || { sed 's/^/# nspawn: /' "$work/nspawn.log" | tail -20; ls "$ns/out" | sed 's/^/# out: /'; }
	check $status "systemctl start dtls-scrubber: the unit is active (running) under systemd as PID 1 (systemd-nspawn)"
	start_clients "$work"
	ip netns exec "$(tb_ns cli)" tcpreplay -q --pps=2000 -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1
	wait $CLIENT_PIDS
	check_clients "$work" "through the systemd unit's appliance, during $FLOOD spoofed ClientHellos"
	touch "$ns/out/go"
	wait $nspawn_pid
	sed 's/^/# systemctl show: /' "$ns/out/stopped" 2>/dev/null
	grep -qx ActiveState=inactive "$ns/out/stopped" 2>/dev/null && grep -qx Result=success "$ns/out/stopped" &&
		grep -q '"event":"config_reloaded"' "$ns/out/journal.txt"
	status=$?
	[ $status -eq 0 ] || sed 's/^/# journal: /' "$ns/out/journal.txt" 2>/dev/null | tail -20
	check $status "systemctl reload applies the file (config_reloaded), systemctl stop ends it with Result=success"
	/usr/bin/python3 - "$ns/out/journal.json" $FLOOD <<'EOF'
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events = {}
hvr = []
for e in entries:
    m = e.get("MESSAGE")
    if not isinstance(m, str):
        continue
    if m.startswith("{"):
        events[json.loads(m)["event"]] = e.get("PRIORITY")
    elif m.split()[:1] == ["hvr_sent"]:
        hvr.append(int(m.split()[-1]))
print(f"# journal: {len(entries)} entries; events and priorities: {events}; hvr_sent in the summary: {hvr}")
ok = events.get("start") == "5" and events.get("config_reloaded") == "5" and events.get("stop") == "5"
sys.exit(0 if ok and hvr and hvr[-1] >= int(sys.argv[2]) else 1)
EOF
	check $? "the journal holds the events as JSON with their priorities (start, config_reloaded, stop: notice) and the summary's hvr_sent"
else
	echo "# systemd-nspawn is not installed: the unit under a real systemd is not tested"
fi

kill -TERM $backend_pids 2>/dev/null
wait $backend_pids 2>/dev/null
tb_teardown

# ---- purge -----------------------------------------------------------------------------------------
rm -f $ETC/cookie.secret # ours, not the package's: dpkg leaves an operator's secret where it is
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${PACKAGES[@]}" >"$work/purge.log" 2>&1
status=$?
[ $status -eq 0 ] || sed 's/^/# /' "$work/purge.log"
check $status "apt-get purge removes the four packages"
left=
for p in "${PACKAGES[@]}"; do
	[ -n "$(dpkg -L "$p" 2>/dev/null)" ] && left="$left $p"
done
for f in $ETC $STATE $UNIT /usr/bin/dtls-scrubber /usr/include/dtlscookie.h \
	/var/lib/systemd/deb-systemd-helper-enabled/dtls-scrubber.service.dsh-also; do
	[ -e "$f" ] && left="$left $f"
done
[ -z "$left" ]
check $? "nothing left: dpkg -L empty, no $ETC, no $STATE, no unit${left:+ (left:$left)}"
pulled=$(comm -13 "$before" <(package_set))
[ -n "$pulled" ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $pulled >/dev/null 2>&1
diff -q "$before" <(package_set) >/dev/null
check $? "the machine has the packages it had before${pulled:+ (purged what the installation pulled in: $(echo $pulled))}"
finish
