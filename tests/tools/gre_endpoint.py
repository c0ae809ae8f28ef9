#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A GRE tunnel end (RFC 2784, IPv4 outer) in user space, for kernels built without ip_gre (the
test machines' kernel has no CONFIG_NET_IPGRE): GRE packets from REMOTE to LOCAL are read from a raw
socket, checked (version 0, no routing, IPv4 or IPv6 inside, optional checksum, key and sequence
fields skipped), and their inner packets written to a TUN interface, where the kernel receives them
as a GRE interface would. Malformed packets are counted, never passed. Runs until SIGTERM; prints a
line per second with its counters on stderr.

  gre_endpoint.py LOCAL REMOTE TUN_NAME
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def inner_of(packet, local, remote):
    """The inner packet of an IPv4 GRE packet from remote to local, or None with a reason."""
    if len(packet) < 24 or packet[0] >> 4 != 4:
        return None, "short"
    ihl = (packet[0] & 0x0F) * 4
    if packet[9] != 47 or packet[12:16] != remote or packet[16:20] != local:
        return None, "not ours"
    total = struct.unpack("!H", packet[2:4])[0]
    gre = packet[ihl:total]
    if len(gre) < 4:
        return None, "short"
    flags, proto = struct.unpack("!HH", gre[:4])
    if flags & 0x4007 or proto not in (0x0800, 0x86DD):
        return None, "unsupported"
    hdr = 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + 4 * bool(flags & 0x1000)
    inner = gre[hdr:]
    if not inner or inner[0] >> 4 != (4 if proto == 0x0800 else 6):
        return None, "bad inner"
    return inner, None


def main():
    local, remote, tun = socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2]), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    fd = open_tun(tun)
    counts = {"passed": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("gre endpoint ready", file=sys.stderr, flush=True)
    last = time.monotonic()
    while not stop:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if ready:
            inner, why = inner_of(sock.recv(65535), local, remote)
            if inner is None:
                counts[why] = counts.get(why, 0) + 1
            else:
                os.write(fd, inner)
                counts["passed"] += 1
        if time.monotonic() - last >= 1:
            print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr, flush=True)
            last = time.monotonic()
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
