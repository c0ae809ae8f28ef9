/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gnutls-compatible format against the real library: GnuTLS's gnutls_dtls_cookie_verify() must
 * accept the cookies the engine makes (placed into a real ClientHello from the captures), and the
 * engine must accept the cookies GnuTLS's gnutls_dtls_cookie_send() makes, both with the 16-byte key
 * K_epoch[:16] and the client's sockaddr as client data, over IPv4 and IPv6; tampered cookies and
 * other clients are refused by both.
 */
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "cookie_fixtures.h"
#include "ds_build.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "hellos.h"
#include "reference_mac.h"
#include "tap.h"

enum { PERIOD = 60, EPOCH = 29475925 };

static uint8_t sent[512];
static size_t sent_len;

static ssize_t
capture_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	(void)ptr;
	if (len > sizeof(sent))
		return -1;
	memcpy(sent, data, len);
	sent_len = len;
	return (ssize_t)len;
}

/* A ClientHello's UDP payload with the cookie replaced by @p cookie (lengths fixed). */
static size_t
hello_with_cookie(const struct hello *h, const uint8_t *cookie, unsigned len, uint8_t *out)
{
	const uint8_t *payload = h->fb.data + h->info.dtls_offset;
	struct ds_frame_info info;
	size_t n;

	ds_classify_dtls(payload, h->info.dtls_len, &info);
	n = ds_hello_with_cookie(payload, &info, cookie, len, 0, out, 2048);
	if (n == 0)
		tap_bail("%s: cannot put a cookie in it", h->label);
	return n;
}

static int
gnutls_verify(const uint8_t key[16], const struct ds_cookie_request *req, uint8_t *msg, size_t msg_len)
{
	gnutls_datum_t k = { (unsigned char *)key, 16 };
	gnutls_dtls_prestate_st prestate;
	uint8_t client_data[28];
	size_t n = reference_sockaddr(req, client_data);

	memset(&prestate, 0, sizeof(prestate));
	return gnutls_dtls_cookie_verify(&k, client_data, n, msg, msg_len, &prestate);
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX];
	struct ds_secret master;
	struct ds_keyring *kr, *later;
	struct ds_cookie_engine *e;
	const struct ds_cookie_keyset *ks, *ks_later;
	uint8_t key[32];
	char err[256];
	size_t n = hellos_load(hellos, HELLOS_MAX, false), i;
	unsigned v;

	fixture_secret(&master, 32);
	e = ds_cookie_engine_create(err, sizeof(err));
	if (e == NULL)
		tap_bail("engine: %s", err);
	if (gnutls_global_init() != 0)
		tap_bail("gnutls_global_init failed");
	ds_cookie_epoch_key(&master, EPOCH, key);
	kr = fixture_keyring(DS_COOKIE_GNUTLS, 16, PERIOD, 2000, &master, fixture_time(EPOCH, PERIOD, 500));
	later = fixture_keyring(DS_COOKIE_GNUTLS, 16, PERIOD, 2000, &master, fixture_time(EPOCH + 2, PERIOD, 0));
	ks = ds_keyring_current(kr);
	ks_later = ds_keyring_current(later);

	for (i = 0; i < n; i++) {
		for (v = 4; v <= 6; v += 2) {
			const struct hello *h = &hellos[i];
			struct stored_request s, other;
			uint8_t cookies[1][DS_COOKIE_MAX_LEN], msg[2048], tampered[16];
			gnutls_datum_t k = { key, 16 };
			gnutls_dtls_prestate_st prestate;
			uint8_t client_data[28];
			enum ds_cookie_verdict verdict;
			size_t msg_len;
			int rc;

			fixture_request(&s, v);
			other = s;
			other.client_addr[v == 4 ? 3 : 15] ^= 1;
			other.req.client_addr = other.client_addr;

			/* Ours, checked by GnuTLS. */
			ds_cookie_engine_run(e, ks, &s.req, 1, cookies, &verdict);
			msg_len = hello_with_cookie(h, cookies[0], 16, msg);
			rc = gnutls_verify(key, &s.req, msg, msg_len);
			tap_check(rc == 0, "%s, IPv%u: gnutls_dtls_cookie_verify accepts the engine's cookie in a "
				  "real ClientHello (%s)", h->label, v, gnutls_strerror(rc));
			rc = gnutls_verify(key, &other.req, msg, msg_len);
			memcpy(tampered, cookies[0], 16);
			tampered[5] ^= 0x10;
			msg_len = hello_with_cookie(h, tampered, 16, msg);
			tap_check(rc < 0 && gnutls_verify(key, &s.req, msg, msg_len) < 0,
				  "%s, IPv%u: GnuTLS refuses it for another client address, and tampered",
				  h->label, v);

			/* GnuTLS's, checked by us. */
			memset(&prestate, 0, sizeof(prestate));
			rc = gnutls_dtls_cookie_send(&k, client_data, reference_sockaddr(&s.req, client_data),
						     &prestate, NULL, capture_push);
			if (rc < 0 || sent_len < 16)
				tap_bail("gnutls_dtls_cookie_send: %s", gnutls_strerror(rc));
			fixture_present(&s, sent + sent_len - 16, 16);
			ds_cookie_engine_run(e, ks, &s.req, 1, cookies, &verdict);
			tap_check(verdict == DS_COOKIE_VALID && memcmp(cookies[0], s.cookie, 16) == 0,
				  "%s, IPv%u: the engine accepts gnutls_dtls_cookie_send's cookie, and makes the "
				  "same one (%s)", h->label, v, ds_cookie_verdict_name(verdict));
			fixture_present(&other, s.cookie, 16);
			ds_cookie_engine_run(e, ks, &other.req, 1, cookies, &verdict);
			tap_check(verdict == DS_COOKIE_BAD_MAC, "%s, IPv%u: ... but not from another address (%s)",
				  h->label, v, ds_cookie_verdict_name(verdict));
			ds_cookie_engine_run(e, ks_later, &s.req, 1, cookies, &verdict);
			tap_check(verdict == DS_COOKIE_BAD_MAC, "%s, IPv%u: ... nor two epochs later (%s)", h->label,
				  v, ds_cookie_verdict_name(verdict));
		}
	}
	ds_keyring_destroy(kr);
	ds_keyring_destroy(later);
	ds_cookie_engine_destroy(e);
	gnutls_global_deinit();
	return tap_done();
}
