#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-dumpcap captures a port of the running appliance (DPDK's pdump framework, docs/operations.md),
# in the inline testbed (scripts/lib/testbed.sh): the appliance runs on hugepages this test reserves
# and gives back (a secondary process shares the primary's memory: no --no-huge), a flood of
# ClientHellos comes in, dpdk-dumpcap attaches to the outside port and stops after 200 frames; tshark
# reads the pcapng file and finds the flood's ClientHellos and the appliance's HVRs in it, and the appliance goes on unharmed
# (its counters conserve). TAP output.
#
#   test_pdump.sh SCRUBBER PCAPGEN
set -u
scrubber=$1 pcapgen=$2
root=${DS_SOURCE_ROOT:?}
PAGES=256 FLOOD=6000 RATE=2000 VICTIM=198.18.6

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
[ -w "$nr" ] || { echo "1..0 # SKIP no 2 MB hugepages on this kernel"; exit 0; }
# A secondary process maps the primary's memory at the primary's addresses: AddressSanitizer's shadow
# memory in a sanitizer build takes them (dpdk-dumpcap: "Cannot get a virtual area at requested address").
if ldd "$scrubber" 2>/dev/null | grep -q libasan; then
	echo "1..0 # SKIP a sanitizer build's address space cannot be shared with a secondary process"
	exit 0
fi
pages_before=$(cat "$nr")
e2e_testbed inline dspdump
restore_pages() {
	[ -n "${huge_dir:-}" ] && umount "$huge_dir" 2>/dev/null
	echo "$pages_before" >"$nr"
	e2e_cleanup
}
trap restore_pages EXIT
huge_dir=$work/huge
mkdir -p "$huge_dir"
echo $((pages_before + PAGES)) >"$nr"
mount -t hugetlbfs -o pagesize=2M nodev "$huge_dir" || bail "cannot mount hugetlbfs"
[ "$(cat "$nr")" -ge $((pages_before + PAGES)) ] || bail "could not reserve $PAGES hugepages"

tb_config "$work/box.yaml" "$work/secret"
sed -i "s|  args: \[--no-huge, -m, \"512\",|  args: [--huge-dir, $huge_dir, -m, \"256\",|" "$work/box.yaml"
grep -q -- "--huge-dir" "$work/box.yaml" || bail "cannot write the configuration"
printf 'hvr_rate_limit:\n  per_prefix: 0\n' >>"$work/box.yaml"
victim_flood $FLOOD "$work/flood.pcap"
start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"

ip netns exec "$(tb_ns cli)" tcpreplay -q --pps=$RATE -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 &
flood_pid=$!
timeout 60 dpdk-dumpcap --file-prefix="$TB_PREFIX" -i net_af_packet0 -c 200 -q -w "$work/outside.pcapng" \
	>"$work/dumpcap.log" 2>&1
status=$?
sed 's/^/# dpdk-dumpcap: /' "$work/dumpcap.log" | head -5
frames=$(capinfos -M -c "$work/outside.pcapng" 2>/dev/null | awk '/Number of packets/ {print $NF}')
[ $status -eq 0 ] && [ "${frames:-0}" -ge 200 ]
check $? "dpdk-dumpcap attaches to the running appliance's outside port and captures 200 frames (status $status, ${frames:-0} frames)"
hellos=$(tshark -r "$work/outside.pcapng" -d udp.port==4433,dtls -Y "dtls.handshake.type == 1" 2>/dev/null | wc -l)
hvrs=$(tshark -r "$work/outside.pcapng" -d udp.port==4433,dtls -Y "dtls.handshake.type == 3" 2>/dev/null | wc -l)
[ "$hellos" -ge 50 ] && [ "$hvrs" -ge 50 ] && [ $((hellos + hvrs)) -ge 190 ]
check $? "tshark reads the capture, both directions of the port: $hellos ClientHellos received, $hvrs HelloVerifyRequests sent"
wait $flood_pid
for i in $(seq 100); do
	[ "$(counter rx_outside)" -ge $((FLOOD * 95 / 100)) ] && break
	sleep 0.1
done
kill -INT "$scrubber_pid"
wait "$scrubber_pid"
conserved=$(/usr/bin/python3 -c "import json; d=json.load(open('$work/stats.json')); print(d['conserved'], d['totals']['hvr_sent'])")
echo "# after the capture: conserved, HVRs: $conserved"
case $conserved in "True "*) [ "${conserved#True }" -ge $((FLOOD * 9 / 10)) ]; s=$? ;; *) s=1 ;; esac
check $s "the appliance went on answering through the capture ($conserved) and stops cleanly"
finish
