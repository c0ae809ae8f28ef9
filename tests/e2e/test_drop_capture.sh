#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The sampled capture of dropped and answered frames (capture:, docs/operations.md), from the real binary
# in the namespace testbed: off at start, switched on at run time through telemetry (1 in 10) while
# replayed handshake flights (no flow: dropped_unverified) and garbage (dropped_malformed) come in,
# switched off; 1 in 5 while ClientHellos are answered (the HVRs as sent, fate hvr_sent); then on again
# (1 in 1) with a 1 MB file until it is full. tshark must read the pcapng file, every
# frame carrying its fate and outcome as its comment; the file stops at its size. TAP output.
#
#   test_drop_capture.sh SCRUBBER PCAPGEN
set -u
scrubber=$1 pcapgen=$2
root=${DS_SOURCE_ROOT:?}
REPLAYED=3000 GARBAGE=2000 HELLOS=1000 BIG=20000 RATE=5000

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

e2e_testbed inline dscapture
tb_config "$work/box.yaml" "$work/secret"
printf 'capture:\n  file: drops.pcapng\n  sample_every: 0\n  max_mb: 1\n' >>"$work/box.yaml"
cli=$(tb_ns cli)
template=$root/tests/captures/ossl_dtls10.pcap
gen() { "$pcapgen" --template "$template" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--dst "$TB_SRV4:4433" "$@" >/dev/null || bail "dtls-pcapgen $*"; }
gen --frame 5 --kind raw --count $REPLAYED --sources $REPLAYED --src 198.19.0.1 --out "$work/replayed.pcap"
gen --kind garbage --count $GARBAGE --sources 500 --src 198.20.0.1 --out "$work/garbage.pcap"
gen --kind ch1 --count $HELLOS --sources 250 --src 198.22.0.1 --out "$work/hellos.pcap"
gen --frame 5 --kind raw --count $BIG --sources 1000 --src 198.21.0.1 --out "$work/big.pcap"
replay() { ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$@" >>"$work/tcpreplay.log" 2>&1; }
set_capture() { echo "/dtls_scrubber/capture_set,$1" | dpdk-telemetry.py -f "$TB_PREFIX" 2>&1 | grep -q '"result": "ok"'; }
fields() { tshark -r "$work/drops.pcapng" -T fields -e frame.comment "$@" 2>/dev/null; }

start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"
replay "$work/replayed.pcap"
sleep 0.5
[ "$(capinfos -M -c "$work/drops.pcapng" 2>/dev/null | awk '/Number of packets/ {print $NF}')" = 0 ]
check $? "capture off at start (sample_every 0): the file holds no frame"

set_capture 10
check $? "telemetry /dtls_scrubber/capture_set,10 switches it on"
replay "$work/replayed.pcap" "$work/garbage.pcap"
sleep 0.5
set_capture 0
check $? "and /dtls_scrubber/capture_set,0 off again"
grep -q '"event":"capture_on","sample_every":10' "$work/scrubber.log" && grep -q '"event":"capture_off"' "$work/scrubber.log"
check $? "capture_on and capture_off events"
unverified=$(fields | grep -c "^fate=dropped_unverified outcome=dtls_record$")
malformed=$(fields | grep -c "^fate=dropped_malformed outcome=")
total=$(fields | grep -c .)
echo "# 1 in 10 of $REPLAYED replayed flights and $GARBAGE garbage frames: $unverified + $malformed frames, $total in all"
[ "$unverified" -ge $((REPLAYED / 10 - 10)) ] && [ "$unverified" -le $((REPLAYED / 10 + 10)) ] &&
	[ "$malformed" -ge $((GARBAGE / 10 - 10)) ] && [ "$malformed" -le $((GARBAGE / 10 + 10)) ] &&
	[ "$total" -eq $((unverified + malformed)) ]
check $? "tshark reads the pcapng: 1 in 10 of each kind, each with its fate and outcome as its comment"
set_capture 5
replay "$work/hellos.pcap"
sleep 0.5
set_capture 0
answered=$(fields | grep -c "^fate=hvr_sent ")
hvr_frames=$(tshark -r "$work/drops.pcapng" -d udp.port==4433,dtls -Y 'frame.comment contains "fate=hvr_sent" && dtls.handshake.type == 3' 2>/dev/null | wc -l)
echo "# 1 in 5 of $HELLOS answered ClientHellos: $answered frames marked hvr_sent, $hvr_frames of them HelloVerifyRequests"
[ "$answered" -ge $((HELLOS / 5 - 10)) ] && [ "$answered" -le $((HELLOS / 5 + 10)) ] && [ "$hvr_frames" -eq "$answered" ]
check $? "answered frames are sampled too: the HVRs as sent, each with fate=hvr_sent"
len_ok=$(tshark -r "$work/drops.pcapng" -T fields -e frame.len -e frame.cap_len 2>/dev/null | awk '$1 != $2' | wc -l)
check "$len_ok" "whole frames captured (frame length = captured length)"

set_capture 1
replay "$work/big.pcap"
sleep 0.5
size=$(stat -c %s "$work/drops.pcapng")
grep -q '"event":"capture_full"' "$work/scrubber.log" && [ "$size" -le $((1048576 + 4096)) ] && [ "$size" -ge 1048576 ]
check $? "with 1 in 1 the file stops at max_mb 1 ($size bytes) and capture_full is said"
kill -INT $scrubber_pid
wait $scrubber_pid
sampled=$(/usr/bin/python3 -c "import json; t=json.load(open('$work/stats.json'))['totals']; print(t['capture_sampled'], t['capture_lost'], json.load(open('$work/stats.json'))['conserved'])")
echo "# capture_sampled, capture_lost, conserved: $sampled"
[ "${sampled##* }" = True ]
check $? "the counters still conserve with the capture on"
finish
