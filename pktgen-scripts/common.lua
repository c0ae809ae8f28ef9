-- SPDX-License-Identifier: BSD-3-Clause
-- Helpers shared by the dtls-scrubber Pktgen-DPDK scripts (ch1-flood.lua, mix.lua, rate-sweep.lua).
-- Loaded with dofile() from the folder of the calling script; needs Pktgen-DPDK built with Lua
-- (meson -Denable_lua=true) and the Lua standard libraries io and os (Pktgen opens them all).
--
-- Every setting is an environment variable (Pktgen passes no arguments to a -f script), see README.md:
--   DS_PG_RATE      rate of ch1-flood.lua / mix.lua: "10%" or "10" (percent of the port's link speed),
--                   "250000pps", "250kpps", "1.5mpps"
--   DS_PG_RATES     rate-sweep.lua: comma-separated list of such rates
--   DS_PG_DURATION  seconds of sending (per step for rate-sweep.lua)
--   DS_PG_PORT      the port that replays the capture (default 0, cabled to the appliance's outside port)
--   DS_PG_PCAP      the capture given to Pktgen with -s PORT:FILE (default: read from Pktgen's command line)
--   DS_PG_PREFIX    the appliance's EAL --file-prefix: its DPDK telemetry is read with dpdk-telemetry.py
--   DS_PG_TELEMETRY the telemetry client (default dpdk-telemetry.py, on the PATH)
--   DS_PG_RESULTS   also append every result line to this file
--   DS_PG_LINK_MBPS link speed to convert pps into Pktgen's percent (default: the port's link state)
--   DS_PG_LINK_WAIT seconds to wait for the port's link to come up (default 15)
--   DS_PG_SETTLE_MS wait after stopping before reading counters (default 2000: Pktgen refreshes its
--                   port statistics once a second)
--   DS_PG_QUIT      1 (default): quit Pktgen when the script ends; 0: stay at the Pktgen prompt

local M = {}

-- Pktgen adds preamble, start of frame delimiter, inter-frame gap and CRC to a frame's length when
-- it turns a percent of the link into packets per second (12 + 1 + 7 + 4 bytes).
M.WIRE_OVERHEAD = 24

function M.env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then
		return default
	end
	return v
end

function M.env_number(name, default)
	local v = M.env(name, nil)
	if v == nil then
		return default
	end
	local n = tonumber(v)
	if n == nil then
		error(string.format("%s=%q is not a number", name, v))
	end
	return n
end

local results_path = M.env("DS_PG_RESULTS", nil)

-- Print a line on Pktgen's console and append it to DS_PG_RESULTS.
function M.out(fmt, ...)
	local line = select("#", ...) > 0 and string.format(fmt, ...) or fmt
	print(line)
	if results_path then
		local f = io.open(results_path, "a")
		if f then
			f:write(line, "\n")
			f:close()
		end
	end
end

-- Seconds since boot with 10 ms resolution (monotonic; os.clock() would be CPU time).
function M.now()
	local f = io.open("/proc/uptime", "r")
	if not f then
		return os.time()
	end
	local s = f:read("*n")
	f:close()
	return s
end

-- "10%" / "10" -> { pct = 10 }; "250000pps", "250kpps", "1.5mpps" -> { pps = ... }.
function M.parse_rate(text)
	local s = tostring(text):lower():gsub("%s", "")
	local num, unit = s:match("^([%d%.]+)(%a*%%?)$")
	local n = tonumber(num or "")
	if n == nil or n <= 0 then
		error(string.format("rate %q: expected 10%%, 250000pps, 250kpps or 1.5mpps", tostring(text)))
	end
	if unit == "" or unit == "%" then
		if n > 100 then
			error(string.format("rate %q: a percent is at most 100", text))
		end
		return { pct = n, text = s }
	end
	local mult = ({ pps = 1, kpps = 1e3, mpps = 1e6 })[unit]
	if mult == nil then
		error(string.format("rate %q: unknown unit %q", text, unit))
	end
	return { pps = n * mult, text = s }
end

function M.parse_rates(text)
	local list = {}
	for item in tostring(text):gmatch("[^,]+") do
		list[#list + 1] = M.parse_rate(item)
	end
	if #list == 0 then
		error("no rate given")
	end
	return list
end

-- The capture replayed on PORT: DS_PG_PCAP, else the "-s PORT:FILE" argument of this Pktgen.
function M.pcap_path(port)
	local p = M.env("DS_PG_PCAP", nil)
	if p then
		return p
	end
	local f = io.open("/proc/self/cmdline", "rb")
	if not f then
		return nil
	end
	local cmdline = f:read("*a")
	f:close()
	local args = {}
	for a in cmdline:gmatch("([^%z]*)%z") do
		args[#args + 1] = a
	end
	for i, a in ipairs(args) do
		local spec = nil
		if a == "-s" then
			spec = args[i + 1]
		elseif a:sub(1, 2) == "-s" and #a > 2 then
			spec = a:sub(3)
		end
		if spec then
			local pid, file = spec:match("^(%d+):(.+)$")
			if pid and tonumber(pid) == tonumber(port) then
				return file
			end
		end
	end
	return nil
end

-- What a frame is, for the summary of a capture: "ch1" (ClientHello without cookie), "ch2" (with
-- a cookie), "data" (another DTLS record: application data of a verified flow...) or "other".
local function classify(frame)
	local b = function(i) return frame:byte(i + 1) or 0 end
	local off = 12
	local etype = b(off) * 256 + b(off + 1)
	if etype == 0x8100 then
		off = off + 4
		etype = b(off) * 256 + b(off + 1)
	end
	off = off + 2
	local udp
	if etype == 0x0800 and b(off + 9) == 17 then
		udp = off + (b(off) & 0x0f) * 4
	elseif etype == 0x86dd and b(off + 6) == 17 then
		udp = off + 40
	else
		return "other"
	end
	local d = udp + 8
	local ctype = b(d)
	if ctype == 22 and b(d + 13) == 1 then -- handshake record carrying a ClientHello
		local sid_len = b(d + 13 + 12 + 2 + 32)
		local cookie_len = b(d + 13 + 12 + 2 + 32 + 1 + sid_len)
		return cookie_len > 0 and "ch2" or "ch1"
	elseif ctype >= 20 and ctype <= 25 then
		return "data"
	end
	return "other"
end

-- Frames in a pcap file, their mean length (an integer, as Pktgen computes it for its rate) and
-- how many of each kind (classify()).
function M.pcap_info(path)
	local f, err = io.open(path, "rb")
	if not f then
		error("cannot open capture " .. tostring(path) .. ": " .. tostring(err))
	end
	local hdr = f:read(24)
	if not hdr or #hdr < 24 then
		f:close()
		error(path .. ": not a pcap file")
	end
	local magic = string.unpack("<I4", hdr)
	local endian
	if magic == 0xa1b2c3d4 or magic == 0xa1b23c4d then
		endian = "<"
	elseif magic == 0xd4c3b2a1 or magic == 0x4d3cb2a1 then
		endian = ">"
	else
		f:close()
		error(path .. ": not a pcap file (Pktgen reads pcap, not pcapng)")
	end
	local count, bytes = 0, 0
	local kinds = { ch1 = 0, ch2 = 0, data = 0, other = 0 }
	while true do
		local rec = f:read(16)
		if not rec or #rec < 16 then
			break
		end
		local _, _, incl = string.unpack(endian .. "I4I4I4", rec)
		local frame = f:read(incl)
		if not frame or #frame < incl then
			break
		end
		count = count + 1
		-- Pktgen pads short frames to 60 bytes and cuts long ones.
		bytes = bytes + math.max(60, math.min(incl, 1514))
		local k = classify(frame)
		kinds[k] = kinds[k] + 1
	end
	f:close()
	if count == 0 then
		error(path .. ": no frames")
	end
	return count, bytes // count, kinds
end

-- Link speed of PORT in Mb/s (DS_PG_LINK_MBPS, else Pktgen's link state "<UP-10000-FD>"); waits up
-- to DS_PG_LINK_WAIT seconds (default 15) for the link to come up (memif: the appliance to connect).
function M.link_mbps(port)
	local forced = M.env_number("DS_PG_LINK_MBPS", nil)
	if forced then
		return forced
	end
	local deadline = M.now() + M.env_number("DS_PG_LINK_WAIT", 15)
	local state
	repeat
		local ls = pktgen.linkState(tostring(port))
		state = ls and ls[tonumber(port)]
		local mbps = state and tostring(state):match("^<UP%-(%d+)")
		if mbps and tonumber(mbps) > 0 then
			return tonumber(mbps)
		end
		M.sleep_ms(250)
	until M.now() >= deadline
	error(string.format("port %s: link is %s; start the appliance first or set DS_PG_LINK_MBPS",
		tostring(port), tostring(state)))
end

-- Pktgen's rate is a percent of the link for frames of the capture's mean size.
-- Returns the percent to give Pktgen and the packets per second it means.
function M.rate_to_pct(rate, frame_len, mbps)
	local bits = (frame_len + M.WIRE_OVERHEAD) * 8
	local line_pps = mbps * 1e6 / bits
	local pct
	if rate.pct then
		pct = rate.pct
	else
		pct = rate.pps / line_pps * 100
	end
	if pct > 100 then
		pct = 100
	end
	if pct < 0.01 then -- Pktgen's smallest rate
		pct = 0.01
	end
	return pct, line_pps * pct / 100
end

-- Pktgen's port counters since the last pktgen.clr(), refreshed by Pktgen once a second.
function M.port_stats()
	local s = pktgen.portStats("all", "port")
	local r = {}
	for pid = 0, (s.n or 0) - 1 do
		local p = s[pid] or {}
		r[pid] = {
			opackets = p.opackets or 0,
			ipackets = p.ipackets or 0,
			obytes = p.obytes or 0,
			ibytes = p.ibytes or 0,
			oerrors = p.oerrors or 0,
			ierrors = p.ierrors or 0,
			imissed = p.imissed or 0,
		}
	end
	return r
end

-- Run one DPDK telemetry command of the appliance; a table of its numeric fields, or nil and why.
function M.telemetry(command)
	local prefix = M.env("DS_PG_PREFIX", nil)
	if not prefix then
		return nil, "DS_PG_PREFIX not set"
	end
	if not io.popen then
		return nil, "this Lua has no io.popen"
	end
	local client = M.env("DS_PG_TELEMETRY", "dpdk-telemetry.py")
	local cmd = string.format("echo '%s' | %s -f '%s' 2>&1", command, client, prefix)
	local p = io.popen(cmd, "r")
	if not p then
		return nil, "cannot run " .. client
	end
	local text = p:read("*a") or ""
	p:close()
	local t, n = {}, 0
	for k, v in text:gmatch('"([%w_]+)":%s*(%-?%d+)') do
		t[k] = math.tointeger(tonumber(v)) or tonumber(v)
		n = n + 1
	end
	if n == 0 then
		return nil, "no answer from " .. client .. " -f " .. prefix .. ": " .. text:gsub("%s+", " "):sub(1, 200)
	end
	return t
end

function M.appliance_stats()
	return M.telemetry("/dtls_scrubber/stats")
end

-- Counters B - A (B alone when A is nil).
function M.diff(b, a)
	local d = {}
	for k, v in pairs(b) do
		d[k] = v - ((a and a[k]) or 0)
	end
	return d
end

function M.forwarded(s)
	return (s.forwarded_ch2 or 0) + (s.forwarded_verified or 0) + (s.forwarded_policy or 0)
end

function M.dropped(s)
	local n = 0
	for k, v in pairs(s) do
		if k:match("^dropped_") and k ~= "dropped_inside" then
			n = n + v
		end
	end
	return n
end

function M.sleep_ms(ms)
	pktgen.delay(math.floor(ms))
end

-- Replay the capture on PORT at PCT percent for SECONDS, then stop and let the counters settle.
-- Returns Pktgen's port counters for the run and the seconds it really sent.
function M.send(port, pct, seconds)
	local p = tostring(port)
	pktgen.stop(p)
	pktgen.pcap(p, "on")
	pktgen.set(p, "count", 0) -- 0: until stopped
	pktgen.set(p, "rate", string.format("%.4f", pct))
	pktgen.clr()
	M.sleep_ms(1100) -- a first statistics refresh after the clear
	local t0 = M.now()
	pktgen.start(p)
	local deadline = t0 + seconds
	while true do
		local left = deadline - M.now()
		if left <= 0 then
			break
		end
		M.sleep_ms(math.max(10, math.min(left * 1000, 200)))
	end
	pktgen.stop(p)
	local sent = M.now() - t0
	M.sleep_ms(M.env_number("DS_PG_SETTLE_MS", 2000))
	return M.port_stats(), sent
end

-- Run MAIN, report an error instead of leaving Pktgen at its prompt, then quit unless DS_PG_QUIT=0.
function M.run(name, main)
	pktgen.screen("off")
	local ok, err = pcall(main)
	if not ok then
		M.out("%s: ERROR: %s", name, tostring(err))
		pcall(pktgen.stop, "all")
	end
	if M.env("DS_PG_QUIT", "1") ~= "0" then
		pktgen.quit()
	else
		pktgen.screen("on")
	end
end

-- Common start: port, capture, its mean frame length and the link speed.
function M.setup(name)
	local port = M.env_number("DS_PG_PORT", 0)
	local pcap = M.pcap_path(port)
	if not pcap then
		error(string.format("no capture for port %d: start Pktgen with -s %d:FILE.pcap (or set DS_PG_PCAP)",
			port, port))
	end
	local frames, frame_len, kinds = M.pcap_info(pcap)
	local mbps = M.link_mbps(port)
	M.out("%s: port %d replays %s: %d frames (%d ch1, %d ch2, %d data, %d other), mean %d bytes; link %d Mb/s",
		name, port, pcap, frames, kinds.ch1, kinds.ch2, kinds.data, kinds.other, frame_len, mbps)
	return { port = port, pcap = pcap, frames = frames, frame_len = frame_len, kinds = kinds, mbps = mbps }
end

-- Send on cfg.port at RATE (a parse_rate table) for SECONDS, reading the appliance's counters before
-- and after. Returns pktgen's port stats, the seconds sent, the appliance's counter delta (nil when
-- unreadable) and why it is missing.
function M.send_at(name, cfg, rate, seconds)
	local pct, pps = M.rate_to_pct(rate, cfg.frame_len, cfg.mbps)
	M.out("%s: rate %s = %.4f%% of the link = %.0f pkt/s, for %d s", name, rate.text, pct, pps, seconds)
	local before, err = M.appliance_stats()
	local ps, sent = M.send(cfg.port, pct, seconds)
	local app
	if before then
		local after
		after, err = M.appliance_stats()
		app = after and M.diff(after, before)
	end
	return ps, sent, app, err, pct, pps
end

-- Pktgen's counters of both ports and the appliance's counters (a delta when BEFORE is given).
function M.report(name, ps, sent, app, app_err)
	for pid = 0, #ps do
		local s = ps[pid]
		M.out("%s: pktgen port %d: opackets %d ipackets %d (obytes %d ibytes %d, oerrors %d, ierrors %d, imissed %d)",
			name, pid, s.opackets, s.ipackets, s.obytes, s.ibytes, s.oerrors, s.ierrors, s.imissed)
	end
	local p0 = ps[0] or { opackets = 0 }
	M.out("%s: pktgen sent for %.2f s: %.0f pkt/s", name, sent, sent > 0 and p0.opackets / sent or 0)
	if app then
		M.out("%s: appliance: rx_outside %d hvr_sent %d forwarded_ch2 %d forwarded_verified %d " ..
			"forwarded_policy %d dropped %d (unverified %d malformed %d policy %d hvr_refused %d) tx_full %d " ..
			"rx_inside %d forwarded_outside %d",
			name, app.rx_outside or 0, app.hvr_sent or 0, app.forwarded_ch2 or 0, app.forwarded_verified or 0,
			app.forwarded_policy or 0, M.dropped(app), app.dropped_unverified or 0, app.dropped_malformed or 0,
			app.dropped_policy or 0, app.dropped_hvr_refused or 0, app.tx_full or 0, app.rx_inside or 0,
			app.forwarded_outside or 0)
	else
		M.out("%s: appliance counters not read (%s)", name, tostring(app_err))
	end
end

return M
