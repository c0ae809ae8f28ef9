#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# build-pktgen.sh SRC BUILD: build Pktgen-DPDK with Lua against Debian 12's DPDK 22.11 (libdpdk-dev).
#
#   SRC    a git clone of Pktgen-DPDK (github.com/pktgen/Pktgen-DPDK), outside this repository
#   BUILD  its build folder; the binary is BUILD/app/pktgen (give it to run-memif.sh as PKTGEN)
#
# Environment: PKTGEN_TAG [pktgen-23.06.1] is checked out first (the last release before Pktgen
# needed DPDK 23.07's rte_thread_set_name; none of its meson files asks for a DPDK version);
# PKTGEN_TAG= keeps SRC as it is. JOBS [2] for ninja.
#
# Two changes from a plain `meson setup -Denable_lua=true`:
#  - c_args gets libdpdk's include folders: Pktgen's lib/lua includes rte_version.h without a
#    dependency on libdpdk, which only works when DPDK is installed in a default include path;
#  - one line of app/pktgen-port-cfg.c is patched in SRC: Pktgen 23.06 panics when
#    rte_eth_dev_set_mtu() fails, and net_memif (like some other virtual devices) answers -ENOTSUP.
#    The patch accepts -ENOTSUP (the MTU stays the device's default, 1500 for memif). Later Pktgen
#    releases dropped that call.
set -euo pipefail
src=${1:?usage: build-pktgen.sh PKTGEN_SRC BUILD_DIR}
build=${2:?usage: build-pktgen.sh PKTGEN_SRC BUILD_DIR}
tag=${PKTGEN_TAG-pktgen-23.06.1}

need=()
for pkg in liblua5.3-dev libnuma-dev libpcap-dev pkg-config meson ninja-build libdpdk-dev; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "build-pktgen: installing ${need[*]}"
	apt-get install -y "${need[@]}"
fi

if [ -n "$tag" ]; then
	git -C "$src" checkout -q "$tag"
fi
echo "build-pktgen: Pktgen $(cat "$src/VERSION") ($(git -C "$src" describe --tags --always 2>/dev/null || echo '?'))"

cfg=$src/app/pktgen-port-cfg.c
if ! grep -q 'ENOTSUP' "$cfg"; then
	sed -i '/rte_eth_dev_set_mtu(/s/) < 0)/) < 0 \&\& ret != -ENOTSUP)/' "$cfg"
	grep -q 'ret != -ENOTSUP' "$cfg" || { echo "build-pktgen: could not patch $cfg" >&2; exit 1; }
	echo "build-pktgen: patched $cfg (set_mtu: accept -ENOTSUP)"
fi

incs=$(pkg-config --cflags-only-I libdpdk)
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Denable_lua=true -Dc_args="$incs" >/dev/null
else
	meson setup "$build" "$src" -Dbuildtype=release -Denable_lua=true -Dc_args="$incs"
fi
ninja -C "$build" -j "${JOBS:-2}"
echo "build-pktgen: $build/app/pktgen"
