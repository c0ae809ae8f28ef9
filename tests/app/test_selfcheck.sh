#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dtls-scrubber-selfcheck over every capture, through DPDK's net_pcap device: the ClientHellos in the
# captures carry no cookie or the recording server's own (which the scrubber's keys cannot have made),
# so the output capture must hold exactly one HelloVerifyRequest per ClientHello of the input (as
# Wireshark counts them), each with good checksums, and the tool's own totals must agree. TAP output.
# Usage: test_selfcheck.sh SELFCHECK_BINARY
set -u
selfcheck=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

check() { # check CONDITION_STATUS MESSAGE
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

count() { # count PCAP DISPLAY_FILTER
	tshark -r "$1" -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y "$2" 2>/dev/null | wc -l
}

IFS=: read -ra dirs <<<"$DS_CAPTURES_DIR"
for dir in "${dirs[@]}"; do
	for pcap in "$dir"/*.pcap; do
		[ -e "$pcap" ] || continue
		name=$(basename "$pcap")
		out=$work/out-$n.pcap
		hellos=$(count "$pcap" 'dtls.handshake.type == 1 && dtls.record.epoch == 0')
		first=$(count "$pcap" 'dtls.handshake.type == 1 && dtls.handshake.cookie_length == 0')
		"$selfcheck" --quiet "$pcap" "$out" >"$work/log" 2>&1
		status=$?
		written=$(sed -n 's/^ *hvr_written *//p' "$work/log")
		absent=$(sed -n 's/^ *cookie_absent *//p' "$work/log")
		valid=$(sed -n 's/^ *cookie_valid *//p' "$work/log")
		frames=$(tshark -r "$out" 2>/dev/null | wc -l)
		good=$(count "$out" 'dtls.handshake.type == 3 && udp.checksum.status == 1 && (ipv6 || ip.checksum.status == 1)')
		[ "$status" -eq 0 ] && [ "$hellos" -gt 0 ] && [ "$frames" -eq "$hellos" ] &&
			[ "$good" -eq "$hellos" ] && [ "${written:-0}" -eq "$hellos" ] &&
			[ "${absent:-0}" -eq "$first" ] && [ -z "$valid" ]
		check $? "$name: $hellos ClientHellos in ($first without a cookie), $good good HVRs out of $frames frames; tool: ${written:-0} written, ${absent:-0} cookie_absent, ${valid:-0} cookie_valid (exit $status)"
	done
done
echo "1..$n"
[ "$failed" -eq 0 ] && [ "$n" -gt 0 ]
