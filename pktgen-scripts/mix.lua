-- SPDX-License-Identifier: BSD-3-Clause
-- mix.lua: attack and legitimate DTLS traffic at the appliance at a given rate.
--
-- Pktgen replays the capture given with -s 0:mix.pcap on port 0 (cabled to the appliance's outside
-- port): spoofed ClientHellos without cookie (CH1) interleaved with the ClientHellos with a valid
-- cookie (CH2) of legitimate clients and the later DTLS records of those verified flows. Make it
-- with dtls-pcapgen --kind mix and the appliance's secret just before the run (README.md; a CH2's
-- cookie lives one to two cookie.key_period). After DURATION seconds at RATE it prints Pktgen's
-- counters (port 0 opackets sent, port 0 ipackets = HelloVerifyRequests back, port 1 ipackets =
-- what reached the inside: the CH2s and the verified records) and, with DS_PG_PREFIX set, the
-- appliance's counters for the run next to what the capture's mix predicts.
--
--   pktgen ... -- -m "1.[0-1]" -s 0:mix.pcap -f pktgen-scripts/mix.lua
--
-- Settings: edit the defaults here or set the environment variables (README.md, common.lua).
local RATE     = os.getenv("DS_PG_RATE") or "10%"     -- "10%" of the link, or "250000pps"
local DURATION = tonumber(os.getenv("DS_PG_DURATION") or "10") -- seconds

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ds = dofile(dir .. "common.lua")
local NAME = "mix"

ds.run(NAME, function()
	local cfg = ds.setup(NAME)
	local ps, sent, app, err = ds.send_at(NAME, cfg, ds.parse_rate(RATE), DURATION)
	ds.report(NAME, ps, sent, app, err)
	-- What the capture's proportions predict for the frames sent (the capture loops).
	local n = ps[cfg.port].opackets
	local k = cfg.kinds
	local function share(x) return n * x / cfg.frames end
	ds.out("%s: the capture's mix predicts: hvr_sent ~%.0f (ch1), forwarded_ch2 ~%.0f, forwarded_verified ~%.0f " ..
		"(data records of verified flows), other ~%.0f", NAME, share(k.ch1), share(k.ch2), share(k.data),
		share(k.other))
	if app then
		ds.out("%s: legitimate traffic through: %d of %d frames sent on port %d; inside port of pktgen received %d",
			NAME, (app.forwarded_ch2 or 0) + (app.forwarded_verified or 0), n, cfg.port,
			ps[1] and ps[1].ipackets or 0)
	end
	ds.out("%s: done", NAME)
end)
