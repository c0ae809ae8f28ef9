/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TRAFFIC_H
#define DS_TRAFFIC_H

/**
 * @file
 * DTLS traffic made from a real client's ClientHello: floods of first ClientHellos from spoofed
 * sources, valid second ClientHellos, records of verified flows, garbage, and mixes of them. For the
 * traffic generator, the benchmark and the tests; never on the data path.
 *
 * A source is a number 0..sources-1: its address is the base address plus the number (in the last
 * four bytes), its port derived from the number unless one port is fixed. The same number always
 * gives the same client, so a CH2 and the records that follow it belong to one flow.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_build.h"
#include "ds_classify.h"

struct ds_cookie_engine;
struct ds_cookie_keyset;

/** What a frame is. */
enum ds_traffic_kind {
	DS_TRAFFIC_CH1,     /**< the template ClientHello, no cookie, a fresh client random */
	DS_TRAFFIC_CH2,     /**< the same with the valid cookie for its source, as a second flight */
	DS_TRAFFIC_DATA,    /**< an epoch-1 application_data record of the source's flow */
	DS_TRAFFIC_GARBAGE, /**< UDP to the service whose payload is not DTLS */
	DS_TRAFFIC_RAW,     /**< the raw payload as it is */
	DS_TRAFFIC_REPLY,   /**< an epoch-1 application_data record from the service back to the source */
	DS_TRAFFIC_KIND_COUNT
};

/** The largest frame made. */
enum { DS_TRAFFIC_FRAME_MAX = 9216 };

/** Who sends what to whom. */
struct ds_traffic_spec {
	const uint8_t *hello;     /**< a ClientHello's UDP payload: the template (NULL: raw frames only) */
	size_t hello_len;
	const uint8_t *raw;       /**< payload of DS_TRAFFIC_RAW frames (optional) */
	size_t raw_len;
	unsigned data_len;        /**< bytes after the record header of DATA frames; 0 = 64 */
	uint8_t ip_version;       /**< 4 or 6, for sources and destination alike */
	uint8_t src_base[16];     /**< source 0's address */
	uint64_t sources;         /**< how many sources (>= 1) */
	bool random_sources;      /**< ds_traffic_next_source(): random instead of in turn */
	uint16_t src_port;        /**< 0 = a port per source */
	uint8_t dst_ip[16];
	uint16_t dst_port;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint64_t seed;            /**< client randoms, random sources, data and garbage bytes */
	/* DS_TRAFFIC_CH2 only: the cookie is made with this engine and key set. */
	struct ds_cookie_engine *engine;
	const struct ds_cookie_keyset *keyset;
};

/** A generator. */
struct ds_traffic {
	struct ds_traffic_spec spec;
	struct ds_frame_info hello_info;
	uint64_t rng;
	uint64_t next_in_turn;
	uint64_t data_seq;
};

/**
 * Start a generator. The spec's buffers must outlive it.
 *
 * @return
 *   0, or -1 with a reason in @p err (template not a ClientHello, bad counts, CH2 without keys).
 */
int ds_traffic_init(struct ds_traffic *t, const struct ds_traffic_spec *spec, char *err, size_t err_len);

/** The next source: in turn, or at random when the spec says so. */
uint64_t ds_traffic_next_source(struct ds_traffic *t);

/** The addresses of source @p source's frames. */
void ds_traffic_addrs(const struct ds_traffic *t, uint64_t source, struct ds_frame_addrs *a);

/**
 * One frame of @p kind from @p source.
 *
 * @return
 *   Frame length, or 0 when @p cap is too small or the kind needs what the spec lacks.
 */
size_t ds_traffic_frame(struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t source, uint8_t *out,
			size_t cap);

/**
 * A mix of attack and legitimate traffic, frame by frame: with probability @p attack_ratio a CH1 from
 * a spoofed @p attack source, otherwise the next frame of a @p legit client (clients in turn, each
 * first sends its CH2, then data records of its flow).
 */
struct ds_traffic_mix {
	struct ds_traffic *attack;
	struct ds_traffic *legit;
	double attack_ratio;
	uint64_t legit_frames;
	uint64_t rng;
};

/** The next frame of a mix; @p kind (optional) says what it is. Returns 0 as ds_traffic_frame(). */
size_t ds_traffic_mix_frame(struct ds_traffic_mix *m, uint8_t *out, size_t cap, enum ds_traffic_kind *kind);

/** Parse "ch1", "ch2", "data", "garbage", "raw"; -1 when unknown. */
int ds_traffic_kind_parse(const char *name);

/** Name of a kind. */
const char *ds_traffic_kind_name(enum ds_traffic_kind kind);

#endif /* DS_TRAFFIC_H */
