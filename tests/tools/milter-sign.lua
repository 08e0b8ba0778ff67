-- milter-sign.lua - miltertest script: hands one message from $SA_FROM to
-- the milter at $SA_MILTER (e.g. inet:PORT@127.0.0.1), as a platform MTA
-- would for outgoing mail, and prints the message as it leaves, with the
-- headers the milter inserted (DKIM-Signature) first, lines ending CRLF.
-- Fails when the milter rejects, tempfails or inserts no DKIM-Signature.
local sock = os.getenv("SA_MILTER")
local from = os.getenv("SA_FROM")
local conn = mt.connect(sock, 20, 0.25)
if conn == nil then error("cannot connect to " .. sock) end

local function step(what, rc)
	if rc ~= nil then error(what .. " failed") end
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		error(what .. ": the milter did not continue")
	end
end

local domain = string.match(from, "@(.+)$")
local headers = {
	{"From", "<" .. from .. ">"},
	{"To", "<customer@example.com>"},
	{"Subject", "senderauth signing test"},
	{"Date", os.date("!%a, %d %b %Y %H:%M:%S +0000")},
	{"Message-ID", "<" .. os.time() .. "." .. math.random(1e9) .. "@" .. domain .. ">"},
}
local body = "This message was signed by the platform's signer.\r\n"

step("conninfo", mt.conninfo(conn, "localhost", "127.0.0.1"))
mt.macro(conn, SMFIC_MAIL, "i", "sa-test", "{auth_authen}", "platform")
step("mail from", mt.mailfrom(conn, "<" .. from .. ">"))
step("rcpt to", mt.rcptto(conn, "<customer@example.com>"))
for _, h in ipairs(headers) do step("header " .. h[1], mt.header(conn, h[1], h[2])) end
step("end of headers", mt.eoh(conn))
step("body", mt.bodystring(conn, body))
if mt.eom(conn) ~= nil then error("end of message failed") end
if not mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") then
	error("no DKIM-Signature was inserted")
end
local sig = mt.getheader(conn, "DKIM-Signature", 0)
io.write("DKIM-Signature:" .. string.gsub(sig, "\r?\n", "\r\n") .. "\r\n")
for _, h in ipairs(headers) do io.write(h[1] .. ": " .. h[2] .. "\r\n") end
io.write("\r\n" .. body)
mt.disconnect(conn)
