#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The blocklist changed while the appliance runs, in the inline testbed (scripts/lib/testbed.sh): a
# flood spoofing one /24 is answered until `scripts/blocklist PREFIX add` lists the /24 through DPDK
# telemetry; from then on its frames are dropped before any work, while unmodified clients from other
# prefixes complete their handshakes and nothing else is dropped; `del` makes it answered again.
# Then auto_blocklist: one source sending forged cookies is listed by itself, and released after its
# duration, while real clients still complete.
# TAP output.
#
#   test_e2e_blocklist.sh SCRUBBER BACKEND PCAPGEN
set -u
scrubber=$1 backend=$2 pcapgen=$3
root=${DS_SOURCE_ROOT:?}
FLOOD=48000 AFTER=2000 RATE=6000 VICTIM=198.18.7 FORGER=198.18.8.5 FORGED=600 AUTO_S=8

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"
e2e_testbed inline dsblocklist
tb_config "$work/box.yaml" "$work/secret"
# No HVR rate limit here: every frame of the flood is either answered or blocklisted.
printf 'hvr_rate_limit:\n  per_prefix: 0\nauto_blocklist:\n  bad_cookies: 20\n  duration: %d\n' $AUTO_S >>"$work/box.yaml"
cli=$(tb_ns cli)

victim_flood $FLOOD "$work/flood-$FLOOD.pcap"
victim_flood $AFTER "$work/flood-$AFTER.pcap"
capture_victim
start_box "$backend" "$work/secret"

ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood-$FLOOD.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
sleep 1.5
"$root/scripts/blocklist" "$TB_PREFIX" add $VICTIM.0/24 >"$work/add.txt" 2>&1
added=$?
"$root/scripts/blocklist" "$TB_PREFIX" list >"$work/list.txt" 2>&1
sed 's/^/# /' "$work/add.txt" "$work/list.txt"
[ $added -eq 0 ] && grep -q '"result": "added"' "$work/add.txt" && grep -q "\"$VICTIM.0/24\"" "$work/list.txt"
check $? "scripts/blocklist adds $VICTIM.0/24 to the running appliance, and lists it"
start_clients "$work"
wait $CLIENT_PIDS
kill -0 $flood_pid 2>/dev/null
flooding=$?
check_clients "$work" "other prefixes while the blocklist changes"
[ $flooding -eq 0 ]
check $? "the handshakes completed while the listed /24 was still flooding"
wait $flood_pid
sleep 0.5
blocked=$(counter dropped_blocklist) hvr=$(counter hvr_sent)
"$root/scripts/blocklist" "$TB_PREFIX" del $VICTIM.0/24 >"$work/del.txt" 2>&1
removed=$?
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood-$AFTER.pcap" >>"$work/tcpreplay.log" 2>&1
sleep 0.5
blocked_after=$(counter dropped_blocklist) hvr_after=$(counter hvr_sent)
[ $removed -eq 0 ] && grep -q '"result": "removed"' "$work/del.txt" && [ "$blocked_after" -eq "$blocked" ] &&
	[ $((hvr_after - hvr)) -ge $((AFTER - AFTER / 1000)) ]
check $? "after del, the /24 is answered again: $((hvr_after - hvr)) HVRs for $AFTER ClientHellos, no more dropped"

# auto_blocklist: $FORGED second ClientHellos from $FORGER with cookies of another secret.
openssl rand -hex 32 >"$work/forged.secret" && chmod 600 "$work/forged.secret"
"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch2 --secret "$work/forged.secret" \
	--count $FORGED --src $FORGER --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--out "$work/forged.pcap" >/dev/null || bail "dtls-pcapgen failed"
listed_before=$(counter dropped_blocklist) bad=$(counter ch2_bad_cookie) forged_at=$SECONDS
ip netns exec "$cli" tcpreplay -q --pps=1000 -i cli0 "$work/forged.pcap" >>"$work/tcpreplay.log" 2>&1
sleep 0.3
listed=$(telemetry /dtls_scrubber/auto_blocklist "' '.join(r['prefixes'])")
bad=$(($(counter ch2_bad_cookie) - bad)) auto_dropped=$(($(counter dropped_blocklist) - listed_before))
echo "# $FORGED forged cookies from $FORGER: $bad checked, $auto_dropped dropped as listed; automatic entries: $listed"
[ "$listed" = "$FORGER/32" ] && [ $bad -ge 20 ] && [ $bad -lt $((FORGED / 2)) ] && [ $((bad + auto_dropped)) -eq $FORGED ]
check $? "auto_blocklist: $FORGER listed after its allowance of bad cookies (20), the rest of its $FORGED dropped before any work"
"$root/scripts/blocklist" "$TB_PREFIX" list >"$work/list-auto.txt" 2>&1
sed 's/^/# /' "$work/list-auto.txt"
grep -q "\"$FORGER/32\"" "$work/list-auto.txt"
check $? "the automatic entry is in the blocklist scripts/blocklist lists"
start_clients "$work"
wait $CLIENT_PIDS
check_clients "$work" "with an automatic entry listed"
sleep $((forged_at + AUTO_S + 2 - SECONDS))
left=$(telemetry /dtls_scrubber/auto_blocklist "len(r['prefixes']), r['expired']")
echo "# automatic entries, expired: $left"
[ "$left" = "0 1" ]
check $? "the automatic entry is gone after its duration ($AUTO_S s)"

sleep 0.5
stop_box

json() { /usr/bin/python3 -c "import json; d=json.load(open('$work/stats.json')); t=d['totals']; print($1)"; }
back=$(capinfos -M -c "$work/victim.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
answered=$((back - AFTER))
echo "# flood of $FLOOD from $VICTIM.0/24: $answered answered before the add, $blocked dropped after it"
[ "$blocked" -gt 0 ] && [ "$answered" -gt 0 ] && [ $((answered + blocked)) -ge $((FLOOD - FLOOD / 1000)) ] &&
	[ $((answered + blocked)) -le $FLOOD ]
check $? "every ClientHello of the listed /24 was answered before the add ($answered) or dropped after it ($blocked): $((answered + blocked)) of $FLOOD"
# (dropped_policy is left out: the hosts' own IPv6 multicast listener reports carry a hop-by-hop
# header, which the default policy drops.)
[ "$(json "d['conserved'] and t['dropped_unverified'] + t['dropped_malformed'] + t['dropped_hvr_refused'] + t['dropped_hvr_rate_limited'] == 0 and d['auto_blocklist']['listed'] == 1")" = True ]
check $? "nothing else was dropped: no other drop reason counted anything, one automatic entry, counters conserve"
finish
