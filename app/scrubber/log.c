/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

/* "dtls_scrubber", NOTICE and above by default: events, not chatter. */
RTE_LOG_REGISTER_DEFAULT(ds_logtype, NOTICE);
