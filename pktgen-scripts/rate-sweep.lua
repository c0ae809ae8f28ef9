-- SPDX-License-Identifier: BSD-3-Clause
-- rate-sweep.lua: step through rates, DURATION seconds each, and tabulate Pktgen's counters next to
-- the appliance's for every step.
--
-- Pktgen replays the capture given with -s 0:FILE on port 0 (cabled to the appliance's outside
-- port); any capture works (ch1.pcap for a flood, mix.pcap for attack plus legitimate traffic).
-- Between steps the appliance's counters are read from its DPDK telemetry,
--   echo /dtls_scrubber/stats | dpdk-telemetry.py -f PREFIX
-- (PREFIX = the appliance's EAL --file-prefix, given as DS_PG_PREFIX; needs io.popen in Pktgen's
-- Lua, which Pktgen's standard Lua build has). Without DS_PG_PREFIX only Pktgen's columns are filled.
--
--   DS_PG_PREFIX=dtls-scrubber pktgen ... -- -m "1.[0-1]" -s 0:ch1.pcap -f pktgen-scripts/rate-sweep.lua
--
-- Settings: edit the defaults here or set the environment variables (README.md, common.lua).
local RATES    = os.getenv("DS_PG_RATES") or "10%,25%,50%,100%" -- percents of the link and/or pps
local DURATION = tonumber(os.getenv("DS_PG_DURATION") or "10")  -- seconds per step
local PAUSE_MS = tonumber(os.getenv("DS_PG_PAUSE_MS") or "1000") -- idle time between steps

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ds = dofile(dir .. "common.lua")
local NAME = "rate-sweep"

ds.run(NAME, function()
	local cfg = ds.setup(NAME)
	local rates = ds.parse_rates(RATES)
	local cfgapp = ds.telemetry("/dtls_scrubber/config")
	if cfgapp then
		ds.out("%s: appliance: %d worker(s), cookie key period %d s, flow capacity %d per worker", NAME,
			cfgapp.workers or 0, cfgapp.key_period_s or 0, cfgapp.flow_capacity_per_worker or 0)
	end
	ds.out("%s: %d steps of %d s", NAME, #rates, DURATION)
	local rows = {}
	for i, rate in ipairs(rates) do
		ds.out("%s: step %d/%d", NAME, i, #rates)
		local ps, sent, app, err, pct, pps = ds.send_at(NAME, cfg, rate, DURATION)
		if not app then
			ds.out("%s: appliance counters not read (%s)", NAME, tostring(err))
		end
		rows[#rows + 1] = { rate = rate.text, pct = pct, target = pps, ps = ps, sent = sent, app = app }
		ds.sleep_ms(PAUSE_MS)
	end

	local function cell(app, key)
		if not app then
			return "-"
		end
		if key == "forwarded" then
			return tostring(ds.forwarded(app))
		elseif key == "drops" then
			return tostring(ds.dropped(app))
		end
		return tostring(app[key] or 0)
	end
	local head = string.format("%-10s %9s %10s %11s %10s %11s %10s %11s %10s %10s %9s %9s",
		"rate", "% link", "target/s", "pktgen tx", "tx/s", "rx_outside", "hvr_sent", "forwarded", "drops",
		"tx_full", "p0 rx", "p1 rx")
	ds.out("%s: results (pktgen tx = port %d opackets; p0 rx / p1 rx = pktgen ipackets on ports 0 / 1;", NAME,
		cfg.port)
	ds.out("%s:   forwarded = forwarded_ch2 + forwarded_verified + forwarded_policy; drops = dropped_*)", NAME)
	ds.out(head)
	for _, r in ipairs(rows) do
		local p0 = r.ps[cfg.port] or { opackets = 0, ipackets = 0 }
		local p1 = r.ps[1 - cfg.port] or { ipackets = 0 }
		ds.out(string.format("%-10s %9.4f %10.0f %11d %10.0f %11s %10s %11s %10s %10s %9d %9d", r.rate, r.pct,
			r.target, p0.opackets, r.sent > 0 and p0.opackets / r.sent or 0, cell(r.app, "rx_outside"),
			cell(r.app, "hvr_sent"), cell(r.app, "forwarded"), cell(r.app, "drops"), cell(r.app, "tx_full"),
			p0.ipackets, p1.ipackets))
	end
	ds.out("%s: done", NAME)
end)
