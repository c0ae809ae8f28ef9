/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gather every MAC of a burst, run them in one ipsec-mb call, map the results back by slot (the way
 * VPP's ipsecmb engine does): job i makes request i's new cookie with the current key; verification
 * jobs with an older or newer key follow after the first n.
 */
#include "ds_cookie_engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "keyset.h"

enum {
	JOBS_MAX = 2 * KEYSET_MAX_KEYS * DS_COOKIE_BURST_MAX, /* every key of both masters of a rotation */
	TAG_MAX = 32,
	NO_JOB = 0xFF,
};

struct ds_cookie_engine {
	IMB_MGR *mgr;
	uint64_t errors;
	int prepared_mode;                 /* mode the static job fields are set for, -1 = none */
	alignas(64) IMB_JOB jobs[JOBS_MAX];
	alignas(64) uint8_t tags[JOBS_MAX][TAG_MAX];
	/* Inputs packed tight for the scrubber's and GnuTLS's formats (a burst's worth in a few pages);
	 * the wolfssl format's, which cover ClientHello fields, have rows of their own. */
	alignas(64) uint8_t inputs[DS_COOKIE_BURST_MAX][DS_COOKIE_INPUT_MAX];
	alignas(64) uint8_t long_inputs[DS_COOKIE_BURST_MAX][DS_COOKIE_WOLFSSL_INPUT_MAX];
	const uint8_t *src[DS_COOKIE_BURST_MAX];
	uint16_t input_len[DS_COOKIE_BURST_MAX];
	/* AES-CMAC: each job's padded message, encrypted in place (an IPv6 input is 5 blocks). The first
	 * DS_COOKIE_BURST_MAX rows are also where the requests' inputs are staged in that format. */
	alignas(64) uint8_t cbc[JOBS_MAX][80];
	int staged_mode;                   /* format the staged inputs were written for, -1 = none */
	uint8_t check_current[DS_COOKIE_BURST_MAX]; /* compare against job i itself */
	uint16_t extra_first[DS_COOKIE_BURST_MAX];  /* first verification job with another key */
	uint8_t extra_count[DS_COOKIE_BURST_MAX];
	alignas(64) struct gcm_key_data retry_keys[2]; /* Retry Integrity Tag keys: QUIC v1, v2 */
};

IMB_MGR *
engine_mgr(struct ds_cookie_engine *e)
{
	return e->mgr;
}

const struct gcm_key_data *
engine_retry_key(const struct ds_cookie_engine *e, unsigned v2)
{
	return &e->retry_keys[v2 != 0];
}

static IMB_HASH_ALG
hash_alg(enum ds_cookie_mode mode)
{
	switch (mode) {
	case DS_COOKIE_HMAC_SHA256:
	case DS_COOKIE_WOLFSSL:
		return IMB_AUTH_HMAC_SHA_256;
	case DS_COOKIE_AES_CMAC:
		return IMB_AUTH_AES_CMAC;
	default:
		return IMB_AUTH_HMAC_SHA_1;
	}
}

static unsigned
tag_len(enum ds_cookie_mode mode)
{
	switch (mode) {
	case DS_COOKIE_HMAC_SHA256:
	case DS_COOKIE_WOLFSSL:
		return 32;
	case DS_COOKIE_AES_CMAC:
		return 16;
	default:
		return 20;
	}
}

static const uint8_t cmac_zero_iv[16] __attribute__((aligned(16)));

/* Fields that stay the same from burst to burst, set when the mode changes. */
static void
prepare_jobs(struct ds_cookie_engine *e, enum ds_cookie_mode mode)
{
	unsigned j;

	if (e->prepared_mode == (int)mode)
		return;
	for (j = 0; j < JOBS_MAX; j++) {
		IMB_JOB *job = &e->jobs[j];

		memset(job, 0, sizeof(*job));
		job->cipher_direction = IMB_DIR_ENCRYPT;
		if (mode == DS_COOKIE_AES_CMAC) {
			/* CBC-MAC in place (run_cmac_burst()): the job's own row in, the same row out. */
			job->cipher_mode = IMB_CIPHER_CBC;
			job->chain_order = IMB_ORDER_CIPHER_HASH;
			job->hash_alg = IMB_AUTH_NULL;
			job->key_len_in_bytes = IMB_KEY_128_BYTES;
			job->iv = cmac_zero_iv;
			job->iv_len_in_bytes = 16;
			job->dst = e->cbc[j];
			continue;
		}
		job->cipher_mode = IMB_CIPHER_NULL;
		job->chain_order = IMB_ORDER_HASH_CIPHER;
		job->hash_alg = hash_alg(mode);
		job->auth_tag_output = e->tags[j];
		job->auth_tag_output_len_in_bytes = tag_len(mode);
	}
	e->prepared_mode = (int)mode;
}

static void
set_job(struct ds_cookie_engine *e, unsigned j, unsigned request, const struct epoch_key *key)
{
	IMB_JOB *job = &e->jobs[j];

	job->src = e->src[request];
	job->msg_len_to_hash_in_bytes = e->input_len[request];
	job->u.HMAC._hashed_auth_key_xor_ipad = key->ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = key->opad;
	job->user_data = (void *)key; /* the CMAC path reads its key from here */
	job->status = IMB_STATUS_BEING_PROCESSED;
}

/* HMAC jobs through the synchronous hash-burst API, at most IMB_MAX_BURST_SIZE at a time. */
static void
run_hash_burst(struct ds_cookie_engine *e, IMB_HASH_ALG alg, unsigned n)
{
	unsigned done, chunk;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < IMB_MAX_BURST_SIZE ? n - done : IMB_MAX_BURST_SIZE;
		IMB_SUBMIT_HASH_BURST(e->mgr, e->jobs + done, chunk, alg);
	}
}

/*
 * AES-CMAC (RFC 4493) through the cipher burst: CMAC is the CBC-MAC, with a zero IV, of the message
 * whose last block is XORed with subkey K1 (a complete block) or padded with 10* and XORed with K2.
 * Each job's message is laid out so in its own block-aligned buffer and encrypted in place with
 * AES-128-CBC, all of a burst in one IMB_SUBMIT_CIPHER_BURST; the last ciphertext block is the tag.
 * ipsec-mb's CMAC job API costs as much as HMAC; its cipher burst several times less.
 */
static void
run_cmac_burst(struct ds_cookie_engine *e, unsigned n)
{
	unsigned j, done, chunk;

	/* Last job first: verification jobs copy their message from a request's row before that row's own
	 * job pads and XORs it in place. */
	for (j = n; j-- > 0;) {
		IMB_JOB *job = &e->jobs[j];
		const struct epoch_key *key = job->user_data;
		const unsigned len = (unsigned)job->msg_len_to_hash_in_bytes;
		const unsigned blocks = len == 0 ? 1 : (len + 15) / 16;
		const uint8_t *sub = len != 0 && len % 16 == 0 ? key->cmac_k1 : key->cmac_k2;
		uint8_t *m = e->cbc[j], *last = m + 16 * (blocks - 1);
		uint64_t w[2], k[2];

		if (blocks * 16 > sizeof(e->cbc[j])) {
			job->status = IMB_STATUS_INVALID_ARGS;
			continue;
		}
		/* A request's own job finds its input staged where it is encrypted. */
		if (job->src != m)
			memcpy(m, job->src, len);
		if (len % 16 != 0 || len == 0) {
			m[len] = 0x80;
			memset(m + len + 1, 0, blocks * 16 - len - 1);
		}
		memcpy(w, last, 16);
		memcpy(k, sub, 16);
		w[0] ^= k[0];
		w[1] ^= k[1];
		memcpy(last, w, 16);
		job->enc_keys = key->cmac_expanded;
		job->src = m;
		job->cipher_start_src_offset_in_bytes = 0;
		job->msg_len_to_cipher_in_bytes = 16 * blocks;
	}
	for (done = 0; done < n; done += chunk) {
		chunk = n - done < IMB_MAX_BURST_SIZE ? n - done : IMB_MAX_BURST_SIZE;
		IMB_SUBMIT_CIPHER_BURST(e->mgr, e->jobs + done, chunk, IMB_CIPHER_CBC, IMB_DIR_ENCRYPT, IMB_KEY_128_BYTES);
	}
	for (j = 0; j < n; j++)
		if (e->jobs[j].status == IMB_STATUS_COMPLETED)
			memcpy(e->tags[j], e->cbc[j] + e->jobs[j].msg_len_to_cipher_in_bytes - 16, 16);
}

static void
run_jobs(struct ds_cookie_engine *e, enum ds_cookie_mode mode, unsigned n)
{
	unsigned j;

	if (mode == DS_COOKIE_AES_CMAC)
		run_cmac_burst(e, n);
	else
		run_hash_burst(e, hash_alg(mode), n);
	for (j = 0; j < n; j++)
		e->errors += e->jobs[j].status != IMB_STATUS_COMPLETED;
}

static bool
job_ok(const struct ds_cookie_engine *e, unsigned j)
{
	return e->jobs[j].status == IMB_STATUS_COMPLETED;
}

/* Index of the accepted key a scrubber-format cookie names, or -1. */
static int
find_key(const struct ds_cookie_keyset *ks, uint8_t key_id)
{
	unsigned k;

	for (k = 0; k < ks->n_keys; k++)
		if (ks->keys[k].key_id == key_id)
			return (int)k;
	return -1;
}

/* Decide what verification a presented cookie needs; returns the next free job slot. */
static unsigned
plan_check(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
	   const struct ds_cookie_request *r, unsigned i, unsigned n_jobs,
	   enum ds_cookie_verdict *verdict)
{
	const struct ds_cookie_params *p = &ks->params;
	unsigned k;
	int key;

	e->check_current[i] = 0;
	e->extra_count[i] = 0;
	if (r->cookie == NULL || r->cookie_len == 0) {
		*verdict = DS_COOKIE_ABSENT;
		return n_jobs;
	}
	if (r->cookie_len != p->cookie_len) {
		*verdict = DS_COOKIE_BAD_LENGTH;
		return n_jobs;
	}
	*verdict = DS_COOKIE_BAD_MAC; /* until a MAC matches */
	e->extra_first[i] = (uint16_t)n_jobs;
	if (!ds_cookie_has_key_id(p->mode)) {
		/* No key_id in GnuTLS's or wolfSSL's layout: every accepted key gets a try. */
		e->check_current[i] = 1;
		for (k = 1; k < ks->n_keys; k++)
			set_job(e, n_jobs++, i, &ks->keys[k]);
		for (k = 0; ks->has_also && k < ks->n_keys; k++)
			set_job(e, n_jobs++, i, &ks->also[k]);
		e->extra_count[i] = (uint8_t)(n_jobs - e->extra_first[i]);
		return n_jobs;
	}
	key = find_key(ks, r->cookie[0]);
	if (key < 0) {
		*verdict = DS_COOKIE_UNKNOWN_KEY;
		return n_jobs;
	}
	if (key == 0)
		e->check_current[i] = 1;
	else
		set_job(e, n_jobs++, i, &ks->keys[key]);
	/* During a master rotation the same epoch's key of the other master is tried too. */
	if (ks->has_also)
		set_job(e, n_jobs++, i, &ks->also[key]);
	e->extra_count[i] = (uint8_t)(n_jobs - e->extra_first[i]);
	return n_jobs;
}

static bool
tag_matches(const struct ds_cookie_engine *e, unsigned j, const uint8_t *mac, unsigned len)
{
	return job_ok(e, j) && ds_ct_memneq(e->tags[j], mac, len) == 0;
}

/* The bytes a format's MAC covers. A wolfssl request without its ClientHello fields gets an empty
 * input: no cookie made over it is accepted anywhere (callers that can refuse such requests do). */
static unsigned
input_of(enum ds_cookie_mode mode, const struct ds_cookie_request *req, uint8_t *out)
{
	switch (mode) {
	case DS_COOKIE_GNUTLS:
		return ds_cookie_gnutls_client_data(req, out);
	case DS_COOKIE_WOLFSSL:
		return ds_cookie_wolfssl_input(req, out);
	default:
		return ds_cookie_input(req, out);
	}
}

/* Where request i's input goes in @p mode: AES-CMAC encrypts it where it lies, the others read it. */
static uint8_t *
row_of(struct ds_cookie_engine *e, enum ds_cookie_mode mode, unsigned i)
{
	switch (mode) {
	case DS_COOKIE_AES_CMAC:
		return e->cbc[i];
	case DS_COOKIE_WOLFSSL:
		return e->long_inputs[i];
	default:
		return e->inputs[i];
	}
}

static void
stage(struct ds_cookie_engine *e, enum ds_cookie_mode mode, unsigned i, const struct ds_cookie_request *req)
{
	uint8_t *row = row_of(e, mode, i);

	e->src[i] = row;
	e->input_len[i] = (uint16_t)input_of(mode, req, row);
}

void
ds_cookie_engine_stage(struct ds_cookie_engine *e, enum ds_cookie_mode mode, unsigned i,
		       const struct ds_cookie_request *req)
{
	if (i >= DS_COOKIE_BURST_MAX || (unsigned)mode >= DS_COOKIE_MODE_COUNT)
		return;
	stage(e, mode, i, req);
	e->staged_mode = (int)mode;
}

/* One MAC burst: @p n <= DS_COOKIE_BURST_MAX requests, so that every job fits the engine's arrays.
 * With @p staged, their inputs are already in their rows (ds_cookie_engine_stage()). */
static void
run_chunk(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, const struct ds_cookie_request *req,
	  unsigned n, uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts, bool staged)
{
	const struct ds_cookie_params *p = &ks->params;
	const bool foreign = !ds_cookie_has_key_id(p->mode);
	/* The scrubber's formats spend the first byte on the key_id; GnuTLS's and wolfSSL's have none. */
	const unsigned skip = foreign ? 0 : 1, mac_len = p->cookie_len - skip;
	unsigned i, j, n_jobs = n;

	prepare_jobs(e, p->mode);
	/* Inputs staged for another format (a test's engine shared between key sets) are made again. */
	staged &= e->staged_mode == (int)p->mode;
	e->staged_mode = -1;
	for (i = 0; i < n; i++) {
		if (!staged)
			stage(e, p->mode, i, &req[i]);
		set_job(e, i, i, &ks->keys[0]);
	}
	for (i = 0; i < n; i++)
		n_jobs = plan_check(e, ks, &req[i], i, n_jobs, &verdicts[i]);
	run_jobs(e, p->mode, n_jobs);

	for (i = 0; i < n; i++) {
		bool valid = false;

		/* A failed job must not leave an old cookie behind: the HVR then carries zeros. */
		if (!job_ok(e, i))
			memset(e->tags[i], 0, TAG_MAX);
		/* Whole-buffer copies (fixed size, no call); only cookie_len bytes of it are the cookie. */
		if (foreign) {
			memcpy(cookies[i], e->tags[i], DS_COOKIE_MAX_LEN);
		} else {
			cookies[i][0] = ks->keys[0].key_id;
			memcpy(cookies[i] + 1, e->tags[i], DS_COOKIE_MAX_LEN - 1);
		}
		if (verdicts[i] != DS_COOKIE_BAD_MAC)
			continue;
		if (e->check_current[i])
			valid |= tag_matches(e, i, req[i].cookie + skip, mac_len);
		for (j = e->extra_first[i]; j < e->extra_first[i] + e->extra_count[i]; j++)
			valid |= tag_matches(e, j, req[i].cookie + skip, mac_len);
		if (valid)
			verdicts[i] = DS_COOKIE_VALID;
	}
}

void
ds_cookie_engine_run(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
		     const struct ds_cookie_request *req, unsigned n,
		     uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts)
{
	unsigned done, chunk;

	/* Job slots, inputs and tags are sized for one burst: a longer call is several bursts. */
	for (done = 0; done < n; done += chunk) {
		chunk = n - done < DS_COOKIE_BURST_MAX ? n - done : DS_COOKIE_BURST_MAX;
		run_chunk(e, ks, req + done, chunk, cookies + done, verdicts + done, false);
	}
}

void
ds_cookie_engine_run_staged(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
			    const struct ds_cookie_request *req, unsigned n,
			    uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts)
{
	if (n <= DS_COOKIE_BURST_MAX)
		run_chunk(e, ks, req, n, cookies, verdicts, true);
	else
		ds_cookie_engine_run(e, ks, req, n, cookies, verdicts);
}

uint64_t
ds_cookie_engine_errors(const struct ds_cookie_engine *e)
{
	return e->errors;
}

const char *
ds_cookie_engine_arch(const struct ds_cookie_engine *e)
{
	switch (e->mgr->used_arch) {
	case IMB_ARCH_AVX512:
		return "avx512";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX:
		return "avx";
	default:
		return "sse";
	}
}

/* ---- known answers, through the same burst path ---- */

struct kat {
	const char *name;
	enum ds_cookie_mode mode;
	const char *key;
	size_t key_len;
	const char *msg;
	size_t msg_len;
	const uint8_t expect[32];
	size_t expect_len;
};

#define RFC4493_KEY "\x2b\x7e\x15\x16\x28\xae\xd2\xa6\xab\xf7\x15\x88\x09\xcf\x4f\x3c"
#define RFC4493_MSG \
	"\x6b\xc1\xbe\xe2\x2e\x40\x9f\x96\xe9\x3d\x7e\x11\x73\x93\x17\x2a" \
	"\xae\x2d\x8a\x57\x1e\x03\xac\x9c\x9e\xb7\x6f\xac\x45\xaf\x8e\x51" \
	"\x30\xc8\x1c\x46\xa3\x5c\xe4\x11\xe5\xfb\xc1\x19\x1a\x0a\x52\xef" \
	"\xf6\x9f\x24\x45\xdf\x4f\x9b\x17\xad\x2b\x41\x7b\xe6\x6c\x37\x10"

static const struct kat kats[] = {
	/* RFC 4231 test case 2 */
	{ "RFC 4231 HMAC-SHA256 #2", DS_COOKIE_HMAC_SHA256, "Jefe", 4, "what do ya want for nothing?", 28,
	  { 0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
	    0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43 },
	  32 },
	/* RFC 2202 test case 2 */
	{ "RFC 2202 HMAC-SHA1 #2", DS_COOKIE_HMAC_SHA1, "Jefe", 4, "what do ya want for nothing?", 28,
	  { 0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c,
	    0x25, 0x9a, 0x7c, 0x79 },
	  20 },
	/* RFC 4493 examples 1 to 4: empty, one whole block, a partial last block, four whole blocks */
	{ "RFC 4493 AES-CMAC #1", DS_COOKIE_AES_CMAC, RFC4493_KEY, 16, "", 0,
	  { 0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28, 0x7f, 0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46 },
	  16 },
	{ "RFC 4493 AES-CMAC #2", DS_COOKIE_AES_CMAC, RFC4493_KEY, 16, RFC4493_MSG, 16,
	  { 0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c },
	  16 },
	{ "RFC 4493 AES-CMAC #3", DS_COOKIE_AES_CMAC, RFC4493_KEY, 16, RFC4493_MSG, 40,
	  { 0xdf, 0xa6, 0x67, 0x47, 0xde, 0x9a, 0xe6, 0x30, 0x30, 0xca, 0x32, 0x61, 0x14, 0x97, 0xc8, 0x27 },
	  16 },
	{ "RFC 4493 AES-CMAC #4", DS_COOKIE_AES_CMAC, RFC4493_KEY, 16, RFC4493_MSG, 64,
	  { 0x51, 0xf0, 0xbe, 0xbf, 0x7e, 0x3b, 0x9d, 0x92, 0xfc, 0x49, 0x74, 0x17, 0x79, 0x36, 0x3c, 0xfe },
	  16 },
};

static bool
known_answer(struct ds_cookie_engine *e, const struct kat *t)
{
	struct epoch_key key;
	uint8_t unused_dec[16 * 11] __attribute__((aligned(16)));
	unsigned j;
	bool ok = true;

	memset(&key, 0, sizeof(key));
	if (t->mode == DS_COOKIE_AES_CMAC) {
		IMB_AES_KEYEXP_128(e->mgr, t->key, key.cmac_expanded, unused_dec);
		IMB_AES_CMAC_SUBKEY_GEN_128(e->mgr, key.cmac_expanded, key.cmac_k1, key.cmac_k2);
	} else {
		imb_hmac_states(e->mgr, t->mode == DS_COOKIE_HMAC_SHA1, (const uint8_t *)t->key, t->key_len,
				key.ipad, key.opad);
	}
	/* A full burst, so that every lane of the multi-buffer code is exercised. */
	prepare_jobs(e, t->mode);
	for (j = 0; j < DS_COOKIE_BURST_MAX; j++) {
		memcpy(e->inputs[j], t->msg, t->msg_len);
		e->src[j] = e->inputs[j];
		e->input_len[j] = (uint16_t)t->msg_len;
		set_job(e, j, j, &key);
	}
	run_jobs(e, t->mode, DS_COOKIE_BURST_MAX);
	for (j = 0; j < DS_COOKIE_BURST_MAX; j++)
		ok &= job_ok(e, j) && memcmp(e->tags[j], t->expect, t->expect_len) == 0;
	e->prepared_mode = -1;
	return ok;
}

/* The engine, then its ipsec-mb manager, in one block. */
static size_t
engine_head(void)
{
	return (sizeof(struct ds_cookie_engine) + 63) & ~(size_t)63;
}

size_t
ds_cookie_engine_size(void)
{
	return engine_head() + imb_get_mb_mgr_size();
}

struct ds_cookie_engine *
ds_cookie_engine_init(void *mem, char *err, size_t err_len)
{
	struct ds_cookie_engine *e = mem;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->prepared_mode = -1;
	e->staged_mode = -1;
	e->mgr = imb_mgr_init_in((char *)mem + engine_head(), err, err_len);
	if (e->mgr == NULL)
		return NULL;
	engine_prepare_retry_keys(e->mgr, e->retry_keys);
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		if (!known_answer(e, &kats[i])) {
			snprintf(err, err_len, "ipsec-mb %s gives a wrong answer for %s",
				 ds_cookie_engine_arch(e), kats[i].name);
			ds_cookie_engine_fini(e);
			return NULL;
		}
	}
	e->errors = 0;
	return e;
}

void
ds_cookie_engine_fini(struct ds_cookie_engine *e)
{
	if (e == NULL)
		return;
	/* Tags are cookies and inputs are client data: nothing secret, but nothing to leave either. */
	ds_secret_wipe(e, ds_cookie_engine_size());
}

struct ds_cookie_engine *
ds_cookie_engine_create(char *err, size_t err_len)
{
	void *mem = aligned_alloc(64, (ds_cookie_engine_size() + 63) & ~(size_t)63);
	struct ds_cookie_engine *e;

	if (mem == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	e = ds_cookie_engine_init(mem, err, err_len);
	if (e == NULL)
		free(mem);
	return e;
}

void
ds_cookie_engine_destroy(struct ds_cookie_engine *e)
{
	if (e == NULL)
		return;
	ds_cookie_engine_fini(e);
	free(e);
}
