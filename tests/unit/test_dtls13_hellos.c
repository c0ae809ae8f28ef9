/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier on DTLS 1.3 ClientHellos built from RFC 9147 / RFC 8446 structures
 * (tests/common/dtls13_hello.c): which versions supported_versions offers (DTLS 1.3 alone, with
 * DTLS 1.2, DTLS 1.2 alone, no extension), whole and as the first fragment of a ClientHello whose
 * post-quantum key share does not fit one datagram, with supported_versions inside the fragment or
 * beyond it; a malformed extension offers nothing; every cut of the datagram is classified without a
 * read past it. TAP output.
 */
#include <stdlib.h>
#include <string.h>

#include "ds_classify.h"
#include "ds_wire.h"
#include "dtls13_hello.h"
#include "tap.h"

static const char *const offer_names[] = {
	[DS_DTLS13_NOT_OFFERED] = "not offered", [DS_DTLS13_WITH_DTLS12] = "with DTLS 1.2",
	[DS_DTLS13_ONLY] = "DTLS 1.3 alone", [DS_DTLS13_UNKNOWN] = "unknown (fragment)",
};

/* Classified from an exact-size heap copy: a read past the datagram is an ASan report. */
static enum ds_outcome
classify(const uint8_t *p, size_t len, struct ds_frame_info *info)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum ds_outcome got;

	memcpy(copy, p, len);
	got = ds_classify_dtls(copy, len, info);
	free(copy);
	return got;
}

static void
check(const char *what, const struct dtls13_hello_spec *spec, enum ds_outcome want_outcome, enum ds_dtls13_offer want)
{
	uint8_t p[DTLS13_HELLO_MAX];
	struct ds_frame_info info;
	const size_t len = dtls13_hello(p, spec);
	const enum ds_outcome got = classify(p, len, &info);

	tap_check(got == want_outcome && info.dtls13 == want, "%s: %s, DTLS 1.3 %s (got %s, %s)", what,
		  ds_outcome_name(want_outcome), offer_names[want], ds_outcome_name(got), offer_names[info.dtls13]);
}

int
main(void)
{
	struct dtls13_hello_spec s = { .versions = VERSIONS_13, .key_share_len = 32 };
	uint8_t p[DTLS13_HELLO_MAX];
	struct ds_frame_info info;
	size_t len, cut;
	unsigned wrong = 0;

	check("DTLS 1.3 only, x25519", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_ONLY);
	s.versions = VERSIONS_13_12;
	check("DTLS 1.3 and 1.2", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_WITH_DTLS12);
	s.versions = VERSIONS_12;
	check("supported_versions with DTLS 1.2 alone", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_NOT_OFFERED);
	s.versions = VERSIONS_NONE;
	check("no supported_versions", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_NOT_OFFERED);
	s = (struct dtls13_hello_spec){ .versions = VERSIONS_13, .key_share_len = 32, .cookie_len = 16 };
	check("DTLS 1.3 only with a legacy cookie", &s, DS_OUT_DTLS_CLIENT_HELLO_COOKIE, DS_DTLS13_ONLY);

	/* X25519MLKEM768: 1216 bytes of key share, the ClientHello in two fragments. */
	s = (struct dtls13_hello_spec){ .versions = VERSIONS_13, .key_share_len = 1216, .fragment_at = 400 };
	check("post-quantum, supported_versions in the first fragment", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_ONLY);
	s.versions = VERSIONS_13_12;
	check("post-quantum, DTLS 1.3 and 1.2 in the first fragment", &s, DS_OUT_DTLS_CLIENT_HELLO,
	      DS_DTLS13_WITH_DTLS12);
	s.key_share_first = true;
	check("post-quantum, supported_versions beyond the first fragment", &s, DS_OUT_DTLS_CLIENT_HELLO,
	      DS_DTLS13_UNKNOWN);
	s.fragment_at = 0;
	check("post-quantum, whole (one large datagram)", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_WITH_DTLS12);
	s.versions = VERSIONS_NONE;
	check("post-quantum, no supported_versions, whole", &s, DS_OUT_DTLS_CLIENT_HELLO, DS_DTLS13_NOT_OFFERED);

	/* supported_versions whose length byte says one version more than the extension holds. */
	s = (struct dtls13_hello_spec){ .versions = VERSIONS_13, .key_share_len = 32 };
	len = dtls13_hello(p, &s);
	{
		uint8_t *sv = memmem(p, len, "\x00\x2b\x00\x03\x02\xfe\xfc", 7);

		if (sv == NULL)
			tap_bail("no supported_versions in the built ClientHello");
		sv[4] = 4;
		classify(p, len, &info);
		tap_check(info.dtls13 == DS_DTLS13_NOT_OFFERED, "a supported_versions longer than its extension offers nothing");
	}
	/* Every cut: a ClientHello outcome only for the whole datagram, no read past it. */
	len = dtls13_hello(p, &s);
	for (cut = 0; cut < len; cut++)
		wrong += ds_outcome_is_client_hello(classify(p, cut, &info));
	tap_check(wrong == 0, "none of the %zu cuts of the datagram is taken for a ClientHello", len);
	return tap_done();
}
