/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dtlscookie-mbedtls.h"
#include "ds_wire.h"
#include "internal.h"

/*
 * The request a transport id stands for: the id is the MAC input itself (ds_cookie_input()), so the
 * request points into it. 0, or -1 for an id of another length.
 */
static int
request_from_id(const unsigned char *id, size_t len, struct ds_cookie_request *req)
{
	const unsigned alen = len == DS_COOKIE_INPUT_V4_LEN ? 4 : 16;

	if (id == NULL || (len != DS_COOKIE_INPUT_V4_LEN && len != DS_COOKIE_INPUT_V6_LEN))
		return -1;
	memset(req, 0, sizeof(*req));
	req->ip_version = alen == 4 ? 4 : 6;
	req->client_addr = id;
	req->client_port = ds_load_be16(id + alen);
	req->server_addr = id + alen + 2;
	req->server_port = ds_load_be16(id + 2 * alen + 2);
	req->client_random = id + 2 * alen + 4;
	return 0;
}

static int
cookie_write(void *ctx, unsigned char **p, unsigned char *end, const unsigned char *id, size_t id_len)
{
	struct dtlscookie *dc = ctx;
	struct ds_cookie_request req;
	unsigned len = 0;

	if (request_from_id(id, id_len, &req) != 0)
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	if (end - *p < (ptrdiff_t)dc->params.cookie_len)
		return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
	if (dck_make_request(dc, &req, *p, &len) != 0)
		return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
	*p += len;
	return 0;
}

static int
cookie_check(void *ctx, const unsigned char *cookie, size_t cookie_len, const unsigned char *id, size_t id_len)
{
	struct ds_cookie_request req;

	if (request_from_id(id, id_len, &req) != 0 || cookie_len == 0 || cookie_len > DS_COOKIE_MAX_LEN)
		return -1;
	req.cookie = cookie;
	req.cookie_len = (uint8_t)cookie_len;
	return dck_verify_request(ctx, &req) == 1 ? 0 : -1;
}

int
dtlscookie_mbedtls_setup(struct dtlscookie *dc, mbedtls_ssl_config *conf)
{
	if (dc == NULL || conf == NULL || dc->mode == DTLSCOOKIE_GNUTLS)
		return -1;
	mbedtls_ssl_conf_dtls_cookies(conf, cookie_write, cookie_check, dc);
	return 0;
}

int
dtlscookie_mbedtls_set_client(struct dtlscookie *dc, mbedtls_ssl_context *ssl, const struct sockaddr *client,
			      const struct sockaddr *server, const void *datagram, size_t len)
{
	struct sockaddr_storage addrs[2];
	struct ds_cookie_request req;
	uint8_t id[DS_COOKIE_INPUT_MAX];

	if (dc == NULL || ssl == NULL || dck_request_of(client, server, datagram, len, addrs, &req) != 0)
		return -1;
	return mbedtls_ssl_set_client_transport_id(ssl, id, ds_cookie_input(&req, id)) == 0 ? 0 : -1;
}
