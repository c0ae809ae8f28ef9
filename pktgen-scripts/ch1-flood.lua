-- SPDX-License-Identifier: BSD-3-Clause
-- ch1-flood.lua: a flood of spoofed DTLS ClientHellos without cookie (CH1) at the appliance.
--
-- Pktgen replays the capture given with -s 0:ch1.pcap (made by dtls-pcapgen --kind ch1, see
-- README.md) on port 0, which is cabled to the appliance's outside port, at RATE for DURATION
-- seconds, then prints its TX/RX counters: port 0 opackets are the CH1s sent, port 0 ipackets the
-- HelloVerifyRequests that came back, port 1 ipackets what the appliance let through to the inside
-- (nothing, for a pure CH1 flood). With DS_PG_PREFIX set it also prints the appliance's counters
-- for the run (DPDK telemetry /dtls_scrubber/stats, read before and after).
--
--   pktgen ... -- -m "1.[0-1]" -s 0:ch1.pcap -f pktgen-scripts/ch1-flood.lua
--
-- Settings: edit the defaults here or set the environment variables (README.md, common.lua).
local RATE     = os.getenv("DS_PG_RATE") or "10%"     -- "10%" of the link, or "250000pps"
local DURATION = tonumber(os.getenv("DS_PG_DURATION") or "10") -- seconds

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ds = dofile(dir .. "common.lua")
local NAME = "ch1-flood"

ds.run(NAME, function()
	local cfg = ds.setup(NAME)
	local ps, sent, app, err = ds.send_at(NAME, cfg, ds.parse_rate(RATE), DURATION)
	ds.report(NAME, ps, sent, app, err)
	ds.out("%s: done", NAME)
end)
