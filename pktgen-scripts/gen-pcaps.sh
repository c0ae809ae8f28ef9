#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-pcaps.sh OUTDIR: the captures the Pktgen-DPDK scripts replay, made by the project's dtls-pcapgen
# from a real ClientHello:
#   OUTDIR/ch1.pcap  spoofed ClientHellos without cookie (CH1) from SOURCES sources (ch1-flood.lua)
#   OUTDIR/mix.pcap  CH1s with probability ATTACK_RATIO, otherwise the frames of LEGIT_SOURCES
#                    legitimate clients: a ClientHello with a valid cookie (CH2), then DTLS records
#                    of the verified flow (mix.lua)
# CH2 cookies are made with SECRET for the current key epoch of KEY_PERIOD seconds: they are valid
# one to two periods, so make mix.pcap right before a run, with the appliance's secret and
# cookie.key_period (memif.yaml: 3600 s).
#
# Environment (defaults in brackets):
#   SECRET [pktgen-scripts/memif.secret, made when missing]   KEY_PERIOD [3600]
#   DST [10.0.0.2:4433: a service of the appliance]           COUNT [65536 frames per capture]
#   SRC [198.18.0.1] SOURCES [65536]                          LEGIT_SRC [172.16.0.1] LEGIT_SOURCES [256]
#   ATTACK_RATIO [0.9]                                        SRC_MAC, DST_MAC [dtls-pcapgen's]
#   TEMPLATE [tests/captures/gnutls_cli_ossl_server_dtls12.pcap]
#   PCAPGEN [build-release/app/pcapgen/dtls-pcapgen]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${1:?usage: pktgen-scripts/gen-pcaps.sh OUTDIR}
mkdir -p "$out"
PCAPGEN=${PCAPGEN:-build-release/app/pcapgen/dtls-pcapgen}
TEMPLATE=${TEMPLATE:-tests/captures/gnutls_cli_ossl_server_dtls12.pcap}
SECRET=${SECRET:-pktgen-scripts/memif.secret}
KEY_PERIOD=${KEY_PERIOD:-3600}
DST=${DST:-10.0.0.2:4433}
COUNT=${COUNT:-65536}
SRC=${SRC:-198.18.0.1}
SOURCES=${SOURCES:-65536}
LEGIT_SRC=${LEGIT_SRC:-172.16.0.1}
LEGIT_SOURCES=${LEGIT_SOURCES:-256}
ATTACK_RATIO=${ATTACK_RATIO:-0.9}

[ -x "$PCAPGEN" ] || { echo "gen-pcaps: $PCAPGEN not built (scripts/build release)" >&2; exit 1; }
if [ ! -s "$SECRET" ]; then
	(umask 077 && openssl rand -hex 32 >"$SECRET")
	echo "gen-pcaps: made a new cookie secret $SECRET"
fi

macs=()
[ -n "${SRC_MAC:-}" ] && macs+=(--src-mac "$SRC_MAC")
[ -n "${DST_MAC:-}" ] && macs+=(--dst-mac "$DST_MAC")
common=(--template "$TEMPLATE" --count "$COUNT" --dst "$DST" "${macs[@]}")

"$PCAPGEN" "${common[@]}" --kind ch1 --src "$SRC" --sources "$SOURCES" --out "$out/ch1.pcap"

usage=$("$PCAPGEN" 2>&1 || true)
if [[ $usage == *"| mix"* ]]; then
	"$PCAPGEN" "${common[@]}" --kind mix --src "$SRC" --sources "$SOURCES" --attack-ratio "$ATTACK_RATIO" \
		--legit-src "$LEGIT_SRC" --legit-sources "$LEGIT_SOURCES" --secret "$SECRET" \
		--key-period "$KEY_PERIOD" --out "$out/mix.pcap"
else
	# An older dtls-pcapgen without --kind mix: CH2s of LEGIT_SOURCES clients, spread evenly
	# among the CH1s (no data records then).
	legit=$(python3 -c "print(max(1, round($COUNT * (1 - $ATTACK_RATIO))))")
	"$PCAPGEN" --template "$TEMPLATE" --count "$legit" --dst "$DST" "${macs[@]}" --kind ch2 \
		--src "$LEGIT_SRC" --sources "$LEGIT_SOURCES" --secret "$SECRET" --key-period "$KEY_PERIOD" \
		--out "$out/ch2.pcap"
	python3 - "$out/ch1.pcap" "$out/ch2.pcap" "$out/mix.pcap" <<'EOF'
import struct, sys
def frames(path):
    recs = []
    with open(path, "rb") as f:
        head = f.read(24)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return head, recs
            n = struct.unpack("<I", rec[8:12])[0]
            recs.append(rec + f.read(n))
head, attack = frames(sys.argv[1])
_, legit = frames(sys.argv[2])
step = max(1, len(attack) // max(1, len(legit)))
mixed, j = [], 0
for i, fr in enumerate(attack):
    if i % step == 0 and j < len(legit):
        mixed.append(legit[j]); j += 1
    mixed.append(fr)
with open(sys.argv[3], "wb") as f:
    f.write(head); f.writelines(mixed)
print(f"{sys.argv[3]}: {len(mixed)} frames ({len(attack)} ch1, {j} ch2)")
EOF
fi
