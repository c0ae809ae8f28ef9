/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration loader: a valid file gives the values it says (and the defaults it does not
 * say), and every broken file is refused with "PATH:LINE:COL: key.path: what is wrong" pointing at
 * the offending node, leaving nothing behind (not even the secret).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds_config.h"
#include "tap.h"

static char dir[] = "/tmp/ds-config-XXXXXX";

/* A valid file; cases replace one line (by its first characters) or append lines. */
static const char *const base[] = {
	"eal:",
	"  args: [--no-huge, -m, \"256\"]",
	"lcores:",
	"  main: 0",
	"  workers: [1]",
	"mode: inline",
	"ports:",
	"  outside:",
	"    device: net_af_packet0,iface=out0",
	"  inside:",
	"    device: net_af_packet1,iface=in0",
	"services:",
	"  - \"192.0.2.10:4433\"",
	"  - \"[2001:db8::10]:4433\"",
	"cookie:",
	"  secret_file: secret",
	NULL,
};

struct edit {
	const char *replace;   /**< line of the base file to replace (prefix match), NULL to append */
	const char *with;      /**< replacement or appended text (may hold several lines) */
};

struct config_case {
	const char *what;
	const char *where;     /**< expected "LINE:COL: key" after the path; NULL when accepted */
	const char *message;   /**< expected part of the message */
	struct edit edits[3];
};

#define ROUTED_OUT "    device: net_af_packet0,iface=out0\n    next_hop_mac: \"02:00:00:00:00:01\"\n"
#define NET_OUT "    device: net_af_packet0,iface=out0\n    control_address: [\"198.51.100.2/24\", \"2001:db8::2/64\"]\n" \
	"    kernel_interface: dsout\n"
#define ROUTED_IN "    device: net_af_packet1,iface=in0\n    next_hop_mac: \"02:00:00:00:00:02\"\n"

static const struct config_case cases[] = {
	{ "the base file", NULL, NULL, { { NULL, "" } } },
	{ "routed mode with next hops", NULL, NULL,
	  { { "mode:", "mode: routed\n" }, { "    device: net_af_packet0", ROUTED_OUT },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "YAML syntax error", "7:6: ", "YAML syntax", { { "mode:", "mode: [inline\n" } } },
	{ "empty file", "1:1: ", "the file is empty", { { NULL, NULL } } },
	{ "unknown top-level key", "17:1: (top level)", "unknown key 'colour' (expected one of: eal, lcores",
	  { { NULL, "colour: blue\n" } } },
	{ "duplicate key", "17:1: (top level)", "duplicate key 'mode' (first at line 6)", { { NULL, "mode: routed\n" } } },
	{ "misspelt section", "3:1: (top level)", "unknown key 'lcorez'", { { "lcores:", "lcorez:\n" } } },
	{ "missing section", "1:1: (top level)", "missing key 'services'",
	  { { "services:", "" }, { "  - \"192", "" }, { "  - \"[2001", "" } } },
	{ "unknown mode", "6:7: mode", "'bridged' is not one of: inline, routed", { { "mode:", "mode: bridged\n" } } },
	{ "worker on the main lcore", "5:13: lcores.workers", "CPU 0 is the main lcore",
	  { { "  workers:", "  workers: [0]\n" } } },
	{ "worker listed twice", "5:16: lcores.workers", "CPU 1 is listed twice", { { "  workers:", "  workers: [1, 1]\n" } } },
	{ "worker on a CPU this process cannot use", "5:13: lcores.workers", "CPU 99 is not available to this process",
	  { { "  workers:", "  workers: [99]\n" } } },
	{ "worker above the lcore limit", "5:13: lcores.workers", "500 is out of range (expected 0..127)",
	  { { "  workers:", "  workers: [500]\n" } } },
	{ "no workers", "5:12: lcores.workers", "expected a non-empty list", { { "  workers:", "  workers: []\n" } } },
	{ "main lcore not a number", "4:9: lcores.main", "'first' is not an integer", { { "  main:", "  main: first\n" } } },
	{ "negative lcore", "4:9: lcores.main", "'-1' is not an integer", { { "  main:", "  main: -1\n" } } },
	{ "EAL argument owned by lcores:", "2:10: eal.args", "-l is set from lcores: and ports:",
	  { { "  args:", "  args: [-l, \"0-1\"]\n" } } },
	{ "EAL --vdev=", "2:10: eal.args", "--vdev is set from lcores: and ports:",
	  { { "  args:", "  args: [\"--vdev=net_null0\"]\n" } } },
	{ "EAL args not a list", "2:9: eal.args", "expected a list of strings", { { "  args:", "  args: --no-huge\n" } } },
	{ "device with a space", "9:13: ports.outside.device", "no spaces in a device string",
	  { { "    device: net_af_packet0", "    device: \"eth 0\"\n" } } },
	{ "device that is neither PCI nor a vdev", "9:13: ports.outside.device", "neither a PCI address",
	  { { "    device: net_af_packet0", "    device: Net_pcap0\n" } } },
	{ "the same device twice", "11:13: ports.inside.device", "'net_af_packet0' is also the outside port",
	  { { "    device: net_af_packet1", "    device: net_af_packet0,iface=in0\n" } } },
	{ "misspelt port", "10:3: ports", "unknown key 'insid' (expected one of: outside, inside)",
	  { { "  inside:", "  insid:\n" } } },
	{ "next hop in inline mode", "10:19: ports.outside", "next_hop_mac and next_hop are only used in routed mode",
	  { { "    device: net_af_packet0", ROUTED_OUT } } },
	{ "routed mode without next hops", "9:5: ports.outside", "routed mode needs next_hop_mac",
	  { { "mode:", "mode: routed\n" } } },
	{ "multicast next hop", "10:19: ports.outside.next_hop_mac", "03:00:00:00:00:01 is a multicast address",
	  { { "mode:", "mode: routed\n" },
	    { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    next_hop_mac: \"03:00:00:00:00:01\"\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "the appliance on its networks: control addresses, kernel interface, VLAN, MTU", NULL, NULL,
	  { { "    device: net_af_packet0", NET_OUT "    vlan: 100\n    mtu: 9000\n    kernel_rate: 500\n" } } },
	{ "control address without a kernel interface", "10:22: ports.outside.control_address", "needs kernel_interface",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    control_address: 198.51.100.2/24\n" } } },
	{ "control address that is not one", "10:22: ports.outside.control_address", "'198.51.100.300/24' is not an address",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    control_address: 198.51.100.300/24\n"
	      "    kernel_interface: dsout\n" } } },
	{ "control address prefix too long", "10:22: ports.outside.control_address", "an IPv4 prefix length is 1..32",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    control_address: 198.51.100.2/33\n"
	      "    kernel_interface: dsout\n" } } },
	{ "multicast control address", "10:23: ports.outside.control_address", "'ff02::1' is not a unicast address",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    control_address: [ff02::1]\n"
	      "    kernel_interface: dsout\n" } } },
	{ "kernel interface name too long", "10:23: ports.outside.kernel_interface", "1 to 15 characters",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    kernel_interface: a-name-too-long-for-linux\n" } } },
	{ "kernel interface name with a slash", "10:23: ports.outside.kernel_interface", "letters, digits",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    kernel_interface: ds/out\n" } } },
	{ "VLAN out of range", "10:11: ports.outside.vlan", "4095 is out of range (expected 1..4094)",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    vlan: 4095\n" } } },
	{ "MTU below IPv6's minimum", "10:10: ports.outside.mtu", "(expected 1280..9600)",
	  { { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    mtu: 576\n" } } },
	{ "routed next hop by address, resolved through the kernel interface", NULL, NULL,
	  { { "mode:", "mode: routed\n" }, { "    device: net_af_packet0", NET_OUT "    next_hop: 198.51.100.1\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "next hop by address without a kernel interface", "10:15: ports.outside.next_hop", "needs kernel_interface",
	  { { "mode:", "mode: routed\n" }, { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    next_hop: 198.51.100.1\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "next hop by address and by MAC", "11:15: ports.outside", "next_hop and next_hop_mac: one or the other",
	  { { "mode:", "mode: routed\n" }, { "    device: net_af_packet0", ROUTED_OUT "    next_hop: 198.51.100.1\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "multicast next hop address", "12:15: ports.outside.next_hop", "'224.0.0.5' is not a unicast address",
	  { { "mode:", "mode: routed\n" }, { "    device: net_af_packet0", NET_OUT "    next_hop: 224.0.0.5\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "a service's GRE tunnel", NULL, NULL,
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    tunnel: { type: gre, local: 203.0.113.1, remote: 203.0.113.2 }\n" } } },
	{ "tunnel ends of two families", "14:43: services.tunnel.remote", "local and remote must be of one family",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    tunnel: { local: 203.0.113.1, remote: \"2001:db8::2\" }\n" } } },
	{ "tunnel of an unknown type", "14:21: services.tunnel.type", "'ipip' is not one of: gre",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    tunnel: { type: ipip, local: 203.0.113.1, remote: 203.0.113.2 }\n" } } },
	{ "tunnel without its remote end", "14:13: services.tunnel", "missing key 'remote'",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    tunnel: { local: 203.0.113.1 }\n" } } },
	{ "announced routes", NULL, NULL,
	  { { "    device: net_af_packet0", NET_OUT }, { NULL, "announce:\n  table: 100\n  prefixes: [192.0.2.0/24, 2001:db8::/48]\n" } } },
	{ "announce without a kernel interface", "18:3: announce", "needs ports.outside.kernel_interface",
	  { { NULL, "announce:\n  table: 100\n  prefixes: [192.0.2.0/24]\n" } } },
	{ "announce into the kernel's main table", "20:10: announce.table", "254 is one of the kernel's own tables",
	  { { "    device: net_af_packet0", NET_OUT }, { NULL, "announce:\n  table: 254\n  prefixes: [192.0.2.0/24]\n" } } },
	{ "announce a prefix that is not one", "21:14: announce.prefixes", "192.0.2.0/33",
	  { { "    device: net_af_packet0", NET_OUT }, { NULL, "announce:\n  table: 100\n  prefixes: [192.0.2.0/33]\n" } } },
	{ "MAC with a missing byte", "10:19: ports.outside.next_hop_mac", "expected a MAC address",
	  { { "mode:", "mode: routed\n" },
	    { "    device: net_af_packet0", "    device: net_af_packet0,iface=out0\n    next_hop_mac: \"02:00:00:00:01\"\n" },
	    { "    device: net_af_packet1", ROUTED_IN } } },
	{ "descriptors out of range", "12:21: ports.inside.rx_descriptors", "8 is out of range (expected 32..16384)",
	  { { "    device: net_af_packet1", "    device: net_af_packet1,iface=in0\n    rx_descriptors: 8\n" } } },
	{ "service without a port", "13:5: services", "'192.0.2.10' is not a service",
	  { { "  - \"192.0.2.10:4433\"", "  - \"192.0.2.10\"\n" } } },
	{ "service with a bad address", "13:5: services", "'192.0.2.300:4433' is not a service",
	  { { "  - \"192.0.2.10:4433\"", "  - \"192.0.2.300:4433\"\n" } } },
	{ "service listed twice", "14:5: services", "'192.0.2.10:4433' is listed twice",
	  { { "  - \"[2001:db8::10]:4433\"", "  - \"192.0.2.10:4433\"\n" } } },
	{ "service entry without its address", "13:5: services", "missing key 'address'",
	  { { "  - \"192.0.2.10:4433\"", "  - dtls13: drop\n" } } },
	{ "unknown DTLS 1.3 policy", "14:13: services.dtls13",
	  "'hrr' is not one of: hvr-downgrade, pass-limited, drop",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    dtls13: hrr\n" } } },
	{ "unknown service protocol", "14:15: services.protocol", "'tcp' is not one of: dtls, quic",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    protocol: tcp\n" } } },
	{ "DTLS 1.3 policy of a QUIC service", "15:13: services.dtls13", "only for a service whose protocol is dtls",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    protocol: quic\n    dtls13: drop\n" } } },
	{ "QUIC version policy of a DTLS service", "14:26: services.quic_other_versions",
	  "only for a service whose protocol is quic",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    quic_other_versions: drop\n" } } },
	{ "unknown QUIC version policy", "15:26: services.quic_other_versions",
	  "'forward' is not one of: version-negotiation, drop",
	  { { "  - \"192.0.2.10:4433\"",
	      "  - address: \"192.0.2.10:4433\"\n    protocol: quic\n    quic_other_versions: forward\n" } } },
	{ "events rate 0", "18:9: events.rate", "0 is out of range (expected 1..10000)",
	  { { NULL, "events:\n  rate: 0\n" } } },
	{ "capture without its file", "18:3: capture", "missing key 'file'",
	  { { NULL, "capture:\n  max_mb: 5\n" } } },
	{ "capture too large", "19:11: capture.max_mb", "100001 is out of range (expected 1..100000)",
	  { { NULL, "capture:\n  file: d.pcapng\n  max_mb: 100001\n" } } },
	{ "unknown key in a service entry", "14:5: services", "unknown key 'port'",
	  { { "  - \"192.0.2.10:4433\"", "  - address: \"192.0.2.10:4433\"\n    port: 1\n" } } },
	{ "services not a list", "12:11: services", "expected a non-empty list of ADDRESS:PORT",
	  { { "services:", "services: 4433\n" }, { "  - \"192", "" }, { "  - \"[2001", "" } } },
	{ "no services", "12:11: services", "expected a non-empty list of ADDRESS:PORT",
	  { { "services:", "services: []\n" }, { "  - \"192", "" }, { "  - \"[2001", "" } } },
	{ "a second, accepted master (a rotation)", NULL, NULL,
	  { { "  secret_file:", "  secret_file: secret\n  accept_secret_file: other-secret\n" } } },
	{ "the accepted master is the master", "17:23: cookie.accept_secret_file", "the same secret as cookie.secret_file",
	  { { "  secret_file:", "  secret_file: secret\n  accept_secret_file: secret\n" } } },
	{ "an accepted master others can read", "17:23: cookie.accept_secret_file",
	  "mode 0644 lets group or others at the secret",
	  { { "  secret_file:", "  secret_file: secret\n  accept_secret_file: open-secret\n" } } },
	{ "an accepted master with the wolfssl format", "18:23: cookie.accept_secret_file",
	  "the wolfssl format cannot accept two",
	  { { "  secret_file:", "  secret_file: secret\n  format: wolfssl\n  accept_secret_file: other-secret\n" } } },
	{ "secret file missing", "16:16: cookie.secret_file", "nothere: No such file or directory",
	  { { "  secret_file:", "  secret_file: nothere\n" } } },
	{ "secret file others can read", "16:16: cookie.secret_file", "mode 0644 lets group or others at the secret",
	  { { "  secret_file:", "  secret_file: open-secret\n" } } },
	{ "secret too short", "16:16: cookie.secret_file", "secret is 5 bytes, at least 32 needed",
	  { { "  secret_file:", "  secret_file: short-secret\n" } } },
	{ "cookie longer than clients accept", "17:11: cookie.length", "33 is out of range (expected 8..32)",
	  { { NULL, "  length: 33\n" } } },
	{ "cookie longer than HMAC-SHA1 makes", "18:11: cookie.length", "22 is out of range (expected 8..21)",
	  { { NULL, "  format: hmac-sha1\n  length: 22\n" } } },
	{ "unknown cookie format", "17:11: cookie.format", "'md5' is not one of: hmac-sha256, hmac-sha1, aes-cmac, gnutls, wolfssl",
	  { { NULL, "  format: md5\n" } } },
	{ "clock skew over half a period", "18:18: cookie", "clock skew 1500 ms too large for a 2 s period",
	  { { NULL, "  key_period: 2\n  clock_skew_ms: 1500\n" } } },
	{ "flow capacity too small", "18:13: flows.capacity", "10 is out of range (expected 1024..",
	  { { NULL, "flows:\n  capacity: 10\n" } } },
	{ "empty flow state file path", "18:15: flows.state_file", "must not be empty",
	  { { NULL, "flows:\n  state_file: \"\"\n" } } },
	{ "HVR rate limit table not a power of two", "18:12: hvr_rate_limit.entries", "3000 is not a power of two",
	  { { NULL, "hvr_rate_limit:\n  entries: 3000\n" } } },
	{ "IPv4 prefix of the HVR rate limit too long", "18:16: hvr_rate_limit.ipv4_prefix",
	  "33 is out of range (expected 8..32)", { { NULL, "hvr_rate_limit:\n  ipv4_prefix: 33\n" } } },
	{ "HVR rate limit turned off", NULL, NULL, { { NULL, "hvr_rate_limit:\n  per_prefix: 0\n" } } },
	{ "a blocklist", NULL, NULL, { { NULL, "blocklist:\n  - 198.51.100.0/24\n  - \"2001:db8:bad::/48\"\n" } } },
	{ "blocklist prefix with host bits", "18:5: blocklist", "bits set past its /24",
	  { { NULL, "blocklist:\n  - 198.51.100.7/24\n" } } },
	{ "blocklist prefix listed twice", "19:5: blocklist", "'203.0.113.0/24' is listed twice",
	  { { NULL, "blocklist:\n  - 203.0.113.0/24\n  - 203.0.113.0/24\n" } } },
	{ "blocklist not a list", "17:12: blocklist", "expected a list of prefixes",
	  { { NULL, "blocklist: 203.0.113.0/24\n" } } },
	{ "challenge under attack with its thresholds", NULL, NULL,
	  { { NULL, "challenge:\n  mode: under-attack\n  on_rate: 2000\n  off_rate: 500\n  off_after: 5\n" } } },
	{ "unknown challenge mode", "18:9: challenge.mode", "'sometimes' is not one of: always, under-attack",
	  { { NULL, "challenge:\n  mode: sometimes\n" } } },
	{ "challenge off_rate above on_rate", "20:13: challenge.off_rate", "3000 is above on_rate 2000",
	  { { NULL, "challenge:\n  mode: under-attack\n  on_rate: 2000\n  off_rate: 3000\n" } } },
	{ "challenge on_rate of 0", "18:12: challenge.on_rate", "0 is out of range (expected 1..100000000)",
	  { { NULL, "challenge:\n  on_rate: 0\n" } } },
	{ "unknown challenge key", "18:3: challenge", "unknown key 'threshold'",
	  { { NULL, "challenge:\n  threshold: 5\n" } } },
	{ "automatic blocklist", NULL, NULL,
	  { { NULL, "auto_blocklist:\n  bad_cookies: 5\n  forgive_per_s: 1\n  duration: 60\n  ipv6_prefix: 64\n" } } },
	{ "automatic blocklist table not a power of two", "18:12: auto_blocklist.entries", "5000 is not a power of two",
	  { { NULL, "auto_blocklist:\n  entries: 5000\n" } } },
	{ "automatic blocklist forgiving nothing", "18:18: auto_blocklist.forgive_per_s",
	  "0 is out of range (expected 1..1000000)", { { NULL, "auto_blocklist:\n  forgive_per_s: 0\n" } } },
	{ "automatic blocklist entries forever", "18:13: auto_blocklist.duration", "out of range",
	  { { NULL, "auto_blocklist:\n  duration: 99999999\n" } } },
	{ "unknown policy word", "18:11: policy.non_ip", "'allow' is not one of: pass, drop",
	  { { NULL, "policy:\n  non_ip: allow\n" } } },
	{ "stats interval not a number", "18:13: stats.interval", "'often' is not an integer",
	  { { NULL, "stats:\n  interval: often\n" } } },
	{ "a Prometheus endpoint on IPv4 loopback", NULL, NULL, { { NULL, "metrics:\n  listen: \"127.0.0.1:9469\"\n" } } },
	{ "a Prometheus endpoint on IPv6 loopback", NULL, NULL, { { NULL, "metrics:\n  listen: \"[::1]:9469\"\n" } } },
	{ "metrics listen on both families at once", "18:11: metrics.listen",
	  "'*:9469' is not an address to listen on (expected ADDRESS:PORT", { { NULL, "metrics:\n  listen: \"*:9469\"\n" } } },
	{ "metrics listen on a host name", "18:11: metrics.listen", "'localhost:9469' is not an address to listen on",
	  { { NULL, "metrics:\n  listen: localhost:9469\n" } } },
	{ "metrics listen without a port", "18:11: metrics.listen", "'127.0.0.1' is not an address to listen on",
	  { { NULL, "metrics:\n  listen: 127.0.0.1\n" } } },
	{ "metrics listen on port 0", "18:11: metrics.listen", "'127.0.0.1:0' is not an address to listen on",
	  { { NULL, "metrics:\n  listen: \"127.0.0.1:0\"\n" } } },
	{ "metrics listen on IPv6 without brackets", "18:11: metrics.listen", "'::1:9469' is not an address to listen on",
	  { { NULL, "metrics:\n  listen: \"::1:9469\"\n" } } },
	{ "metrics listen not a string", "18:11: metrics.listen", "'(not a string)' is not an address to listen on",
	  { { NULL, "metrics:\n  listen: [127.0.0.1, 9469]\n" } } },
	{ "unknown metrics key", "19:3: metrics", "unknown key 'path' (expected one of: listen)",
	  { { NULL, "metrics:\n  listen: \"127.0.0.1:9469\"\n  path: /metrics\n" } } },
	{ "metrics without listen", "17:10: metrics", "missing key 'listen'", { { NULL, "metrics: {}\n" } } },
	{ "metrics not a mapping", "17:10: metrics", "expected a mapping of keys", { { NULL, "metrics: 9469\n" } } },
	{ "a YAML alias", "19:9: ", "aliases are not supported", { { NULL, "flows: &f\n  capacity: 2048\npolicy: *f\n" } } },
	{ "two documents", "17:1: ", "only one YAML document", { { NULL, "---\nmode: inline\n" } } },
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		tap_bail("cannot write %s", path);
	chmod(path, mode);
}

/* The base file with a case's edits applied. */
static void
make_config(const struct config_case *c, char *out, size_t len)
{
	size_t i, e;

	out[0] = '\0';
	for (i = 0; base[i] != NULL; i++) {
		const char *line = base[i];

		for (e = 0; e < 3 && c->edits[e].with != NULL; e++)
			if (c->edits[e].replace != NULL &&
			    strncmp(base[i], c->edits[e].replace, strlen(c->edits[e].replace)) == 0)
				line = c->edits[e].with;
		strncat(out, line, len - strlen(out) - 1);
		if (line == base[i])
			strncat(out, "\n", len - strlen(out) - 1);
	}
	for (e = 0; e < 3 && c->edits[e].with != NULL; e++)
		if (c->edits[e].replace == NULL)
			strncat(out, c->edits[e].with, len - strlen(out) - 1);
}

/*
 * The appliance itself on a refused file: a non-zero exit, the loader's message on its output, and
 * nothing started (no EAL, no banner).
 */
static void
check_appliance_refuses(const char *scrubber, const char *path, const char *expect, size_t step)
{
	char cmd[512], out[4096];
	size_t len = 0;
	int status;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "timeout 20 %s -c %s 2>&1", scrubber, path);
	p = popen(cmd, "r");
	if (p == NULL)
		tap_bail("cannot run %s", scrubber);
	while (len < sizeof(out) - 1 && fgets(out + len, (int)(sizeof(out) - len), p) != NULL)
		len += strlen(out + len);
	status = pclose(p);
	tap_check(status != 0 && WIFEXITED(status) && WEXITSTATUS(status) != 124 && strstr(out, expect) != NULL &&
			  strstr(out, "EAL") == NULL && strstr(out, "dtls-scrubber:") == NULL,
		  "step %zu: dtls-scrubber -c exits with status %d, prints the message, starts nothing", step,
		  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* What a reload may not change: each variant of the base file against it, by ds_config_frozen_diff(). */
static void
check_frozen(const char *path)
{
	static const struct {
		struct config_case variant;
		const char *names; /* what the diff must say; "" = a reload may apply it */
	} variants[] = {
		{ { "limits, blocklist, challenge, policy, services, secrets", NULL, NULL,
		    { { "  - \"[2001:db8::10]:4433\"",
			"  - address: \"[2001:db8::10]:4433\"\n    dtls13: drop\n  - \"192.0.2.11:4433\"\n" },
		      { "  secret_file:", "  secret_file: other-secret\n  accept_secret_file: secret\n" },
		      { NULL, "hvr_rate_limit:\n  per_prefix: 5\n  burst: 2\nblocklist:\n  - 198.18.0.0/15\n"
			      "challenge:\n  mode: under-attack\npolicy:\n  non_service: drop\nflows:\n  idle_timeout: 5\n" } } },
		  "" },
		{ { "the flow tables' size", NULL, NULL, { { NULL, "flows:\n  capacity: 131072\n" } } }, "flows.capacity" },
		{ { "the cookie format and the EAL", NULL, NULL,
		    { { "  secret_file:", "  secret_file: secret\n  format: aes-cmac\n" },
		      { "  args:", "  args: [--no-huge, -m, \"512\"]\n" } } },
		  "eal, cookie (format, length, key_period, clock_skew_ms)" },
		{ { "the HVR limit switched off, and metrics", NULL, NULL,
		    { { NULL, "hvr_rate_limit:\n  per_prefix: 0\nmetrics:\n  listen: \"127.0.0.1:9469\"\n" } } },
		  "hvr_rate_limit (on/off, prefixes, entries), metrics" },
		{ { "a service's tunnel", NULL, NULL,
		    { { "  - \"192.0.2.10:4433\"",
			"  - address: \"192.0.2.10:4433\"\n    tunnel: { local: 203.0.113.1, remote: 203.0.113.2 }\n" } } },
		  "" },
		{ { "a port's kernel interface, and announced routes", NULL, NULL,
		    { { "    device: net_af_packet0", NET_OUT },
		      { NULL, "announce:\n  table: 100\n  prefixes: [192.0.2.0/24]\n" } } },
		  "ports, announce" },
	};
	static struct ds_config running, next;
	char text[4096], err[1024], names[512];
	size_t i;

	make_config(&cases[0], text, sizeof(text));
	write_file(path, text, 0644);
	if (ds_config_load(path, &running, err, sizeof(err)) != 0)
		tap_bail("the base file: %s", err);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t n;

		make_config(&variants[i].variant, text, sizeof(text));
		write_file(path, text, 0644);
		if (ds_config_load(path, &next, err, sizeof(err)) != 0) {
			tap_check(false, "reload: %s loads (%s)", variants[i].variant.what, err);
			continue;
		}
		n = ds_config_frozen_diff(&running, &next, names, sizeof(names));
		tap_check((n == 0) == (variants[i].names[0] == '\0') && strcmp(names, variants[i].names) == 0,
			  "reload: a change of %s %s (\"%s\")", variants[i].variant.what,
			  variants[i].names[0] ? "needs a restart, named" : "applies live", names);
		ds_config_clear(&next);
	}
	ds_config_clear(&running);
}

int
main(int argc, char **argv)
{
	const char *scrubber = argc > 1 ? argv[1] : NULL;
	char path[256], text[4096], err[1024], expect[512];
	struct ds_config cfg;
	size_t i;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/secret", dir);
	write_file(path, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600);
	snprintf(path, sizeof(path), "%s/open-secret", dir);
	write_file(path, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0644);
	snprintf(path, sizeof(path), "%s/other-secret", dir);
	write_file(path, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\n", 0600);
	snprintf(path, sizeof(path), "%s/short-secret", dir);
	write_file(path, "0001020304\n", 0600);
	snprintf(path, sizeof(path), "%s/app.yaml", dir);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct config_case *c = &cases[i];
		int rc;

		make_config(c, text, sizeof(text));
		if (strcmp(c->what, "empty file") == 0)
			text[0] = '\0';
		write_file(path, text, 0644);
		rc = ds_config_load(path, &cfg, err, sizeof(err));
		if (c->where == NULL) {
			tap_check(rc == 0, "step %zu: %s is accepted (%s)", i, c->what, rc == 0 ? "ok" : err);
			if (rc == 0)
				ds_config_clear(&cfg);
			continue;
		}
		snprintf(expect, sizeof(expect), "%s:%s", path, c->where);
		tap_check(rc != 0 && strncmp(err, expect, strlen(expect)) == 0 && strstr(err, c->message) != NULL &&
				  cfg.secret.len == 0,
			  "step %zu: %s is refused with \"%s: ...%s\" (got \"%s\")", i, c->what, c->where, c->message,
			  err + strlen(path) + 1);
		if (scrubber != NULL)
			check_appliance_refuses(scrubber, path, err, i);
	}

	check_frozen(path);

	/* The values and defaults of the base file. */
	make_config(&cases[0], text, sizeof(text));
	write_file(path, text, 0644);
	tap_check(ds_config_load(path, &cfg, err, sizeof(err)) == 0 && cfg.mode == DS_MODE_INLINE &&
			  cfg.n_workers == 1 && cfg.workers[0] == 1 && cfg.main_lcore == 0 && cfg.n_eal_args == 3 &&
			  cfg.services.count == 2 && cfg.secret.len == 32 && cfg.cookie.mode == DS_COOKIE_HMAC_SHA256 &&
			  cfg.cookie.cookie_len == 16 && cfg.cookie.period_s == 60 && cfg.cookie.skew_ms == 2000 &&
			  cfg.hvr_limit.per_prefix == 1000 && cfg.hvr_limit.burst == 1000 &&
			  cfg.hvr_limit.ipv4_prefix == 24 && cfg.hvr_limit.ipv6_prefix == 56 &&
			  cfg.hvr_limit.entries == 65536 && cfg.challenge.mode == DS_CHALLENGE_ALWAYS &&
			  cfg.auto_blocklist.bad_cookies == 0 && cfg.auto_blocklist.duration_s == 600 &&
			  cfg.flow_capacity == 65536 && cfg.flow_idle_timeout_s == 60 && cfg.flow_state_file[0] == '\0' &&
			  cfg.dtls13[0] == DS_DTLS13_HVR_DOWNGRADE && cfg.dtls13[1] == DS_DTLS13_HVR_DOWNGRADE &&
			  cfg.non_ip == DS_POLICY_PASS && !cfg.metrics.enabled &&
			  cfg.non_service == DS_POLICY_PASS && cfg.ip_fragments == DS_POLICY_DROP &&
			  cfg.ports[DS_PORT_OUTSIDE].rx_desc == 1024 && !cfg.ports[0].is_pci &&
			  strcmp(cfg.ports[0].name, "net_af_packet0") == 0,
		  "the base file's values and defaults are what docs/configuration.md says");
	ds_config_clear(&cfg);
	tap_check(cfg.secret.len == 0 && cfg.secret.bytes[0] == 0 && cfg.secret.bytes[31] == 0,
		  "ds_config_clear wipes the secret");
	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
