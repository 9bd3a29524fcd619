// Verifies webhook deliveries with the Standard Webhooks reference library
// for JavaScript (npm standardwebhooks, fetched by `make standardwebhooks`),
// independently of punchd's Go code. Used by TestWebhookAcceptance.
//
//   node verify_webhooks.js MODULE_DIR INPUT.json
//
// INPUT is {"secret": "whsec_...", "deliveries": [{"headers": {...},
// "body": "...", "now": UNIX_SECONDS}]}; "now" is the receiver's clock when
// the delivery came (the test's clock, which the library's timestamp
// tolerance is judged against). Prints one JSON line per delivery:
// {"ok": bool, "error": "...", "tampered_rejected": bool}, where the last
// says the same delivery with its body altered was refused.
"use strict";
const fs = require("fs");
const path = require("path");

const [moduleDir, input] = process.argv.slice(2);
let Webhook;
try {
  ({ Webhook } = require(path.join(moduleDir, "node_modules", "standardwebhooks")));
} catch (e) {
  console.error("standardwebhooks is missing from " + moduleDir + " (run make standardwebhooks): " + e.message);
  process.exit(2);
}
const { secret, deliveries } = JSON.parse(fs.readFileSync(input, "utf8"));
const wh = new Webhook(secret);
const realNow = Date.now;
for (const d of deliveries) {
  Date.now = () => d.now * 1000;
  const out = { ok: false, error: "", tampered_rejected: false };
  try {
    wh.verify(d.body, d.headers);
    out.ok = true;
  } catch (e) {
    out.error = String(e.message || e);
  }
  try {
    wh.verify(d.body + " ", d.headers);
  } catch (e) {
    out.tampered_rejected = true;
  }
  Date.now = realNow;
  console.log(JSON.stringify(out));
}
