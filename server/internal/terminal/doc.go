// Package terminal connects hardware attendance terminals to punchd: the
// ZKTeco attendance PUSH protocol (ADMS, "iclock"), which most fingerprint,
// card and face terminals speak, with the terminal as the HTTP client.
//
// The exchange, as the PUSH SDK documents describe it (see
// testdata/terminal for golden exchanges): the terminal calls
// GET /iclock/cdata?SN=..&options=all at start and is answered its
// options (GET OPTION FROM: SN, then the stamps of what it already
// uploaded, its delays, TransFlag, its TimeZone, Realtime); it uploads its
// attendance records with POST /iclock/cdata?table=ATTLOG&Stamp=.. (one
// tab-separated line each: PIN, naive local time, status, verify code,
// work code, reserved fields) and is answered OK:n; it asks for commands
// with GET /iclock/getrequest every Delay seconds (answered OK, or
// C:id:command lines) and posts their results to /iclock/devicecmd.
//
// Why it is shaped so:
//   - A terminal is known by its serial number only, which anyone can
//     type into an HTTP client: an unknown serial is refused (401) and
//     kept pending for an admin to accept and bind to a site and zone;
//     nothing of its records is stored meanwhile, and as it was never
//     answered OK, the terminal keeps them and sends them once accepted.
//   - Records become punches in the punches table (device id
//     "terminal:SERIAL"), so rules, reports, exports, the change feed and
//     webhooks see them like any other. A record's naive local time is
//     read in the terminal's zone (Instant documents the DST rule); its
//     id is a function of (serial, PIN, local time) (PunchID), so a batch
//     sent again stores nothing twice and is still answered OK.
//   - A PIN is an employee's badge code reduced to letters and digits
//     (PIN); a record whose PIN is nobody's is kept, rejected and flagged
//     unknown_pin, never lost. The verify code becomes the method
//     (Method) and is kept raw in the punch's evidence with the status.
//   - The terminal's clock: the Date header of every answer lets firmware
//     set its clock; where it is measured wrong anyway (an INFO result
//     carrying its time, or records from the future) by more than the
//     kiosks' tolerance, its punches are corrected by the measured offset
//     and flagged clock_skew, which the rules send for approval as they do
//     a kiosk's. A measure holds for ClockFresh only, and a flagged terminal
//     is asked INFO again every ClockCheck: a wrong offset must not outlive
//     the clock being set right.
//   - The roster: when the employees of a terminal's site change, the next
//     getrequest queues DATA UPDATE USERINFO and DATA DELETE USERINFO
//     commands that bring the users it holds to the site's; their results
//     are kept with the queue for the admin list.
//
// Parsing (protocol.go) is pure and fuzzed: malformed lines, invalid
// UTF-8, NUL bytes are skipped and counted, a body over MaxBody refused.
package terminal
