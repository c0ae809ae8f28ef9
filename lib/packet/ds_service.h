/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_SERVICE_H
#define DS_SERVICE_H

/**
 * @file
 * The set of protected services (destination address and UDP port) that the classifier looks for.
 *
 * Built once at start, read-only afterwards. A port bitmap rejects the common case (a port nobody
 * protects) with one load; the few services on a matching port are then compared one by one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_wire.h"

/** Limits of the service set. */
enum ds_service_limits {
	DS_SERVICE_MAX = 64, /**< services per appliance */
	DS_SERVICE_TEXT_MAX = 64, /**< longest "[addr]:port" text */
};

/** The protocol a service speaks, which decides how its datagrams are read. */
enum ds_service_protocol {
	DS_PROTO_DTLS = 0, /**< DTLS 1.0-1.3: ClientHello cookie exchange */
	DS_PROTO_QUIC = 1, /**< QUIC v1/v2: Retry with a token */
};

/** One protected service. */
struct ds_service {
	uint8_t ip_version;   /**< 4 or 6; 0 matches both families (any address only) */
	bool any_address;     /**< every destination address of the family */
	uint16_t port;        /**< UDP port in host order, never 0 */
	uint8_t protocol;     /**< enum ds_service_protocol */
	uint8_t addr[DS_IPV6_ADDR_LEN]; /**< IPv4 uses the first 4 bytes */
};

/** Every protected service of the appliance. */
struct ds_service_set {
	uint64_t port_bits[65536 / 64]; /**< bit set for each port some service uses */
	uint32_t count;                 /**< entries in use */
	struct ds_service entries[DS_SERVICE_MAX];
};

/** Empty a set. */
void ds_service_set_init(struct ds_service_set *set);

/**
 * Add a service.
 *
 * @return
 *   0 on success; -EINVAL for port 0, an unknown family or a family-less specific address;
 *   -EEXIST if the same service is already there; -ENOSPC when the set is full.
 */
int ds_service_set_add(struct ds_service_set *set, const struct ds_service *svc);

/**
 * Which protected service a destination belongs to.
 *
 * @param ip_version
 *   4 or 6.
 * @param dst_addr
 *   4 or 16 bytes in network order.
 * @param port
 *   Destination UDP port in host order.
 * @return
 *   The service's index in set->entries (the first that matches), or -1 for none.
 */
int ds_service_set_find(const struct ds_service_set *set, unsigned ip_version, const uint8_t *dst_addr,
			uint16_t port);

/** Whether a destination belongs to a protected service (ds_service_set_find() >= 0). */
static inline bool
ds_service_set_match(const struct ds_service_set *set, unsigned ip_version, const uint8_t *dst_addr,
		     uint16_t port)
{
	return ds_service_set_find(set, ip_version, dst_addr, port) >= 0;
}

/**
 * Parse "ADDR:PORT", "[IPV6]:PORT" or "*:PORT" (any address of either family); 0.0.0.0 and [::]
 * stand for any address of their family.
 *
 * @return
 *   0 on success, -EINVAL when the text is not such a service.
 */
int ds_service_parse(const char *text, struct ds_service *svc);

/**
 * Write a service the way ds_service_parse() reads it.
 *
 * @param buf
 *   At least DS_SERVICE_TEXT_MAX bytes.
 * @return
 *   @p buf.
 */
char *ds_service_format(const struct ds_service *svc, char *buf, size_t len);

#endif /* DS_SERVICE_H */
