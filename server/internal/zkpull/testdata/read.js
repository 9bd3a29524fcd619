// read.js LIB MODULES HOST PORT: reads a ZKTeco pull-protocol terminal with
// the npm client LIB (zkteco-js or node-zklib, found in the node_modules
// folder MODULES) and prints one line "ZKPULL_RESULT <json>" with its users,
// attendance records and clock. Run with TZ=UTC: the clients turn the
// terminal's naive times into local Dates, which this prints back as naive
// "YYYY-MM-DD HH:MM:SS" (in UTC no time is skipped or repeated).
'use strict';
const path = require('path');
const [lib, modules, host, port] = process.argv.slice(2);
const Client = require(path.join(modules, lib));

const pad = (n) => String(n).padStart(2, '0');
const naive = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

// decodeTime is zkemsdk's DecodeTime, for node-zklib, which has no getTime.
function decodeTime(t) {
  const second = t % 60; t = (t - second) / 60;
  const minute = t % 60; t = (t - minute) / 60;
  const hour = t % 24; t = (t - hour) / 24;
  const day = (t % 31) + 1; t = (t - (day - 1)) / 31;
  const month = t % 12; t = (t - month) / 12;
  return new Date(t + 2000, month, day, hour, minute, second);
}

async function main() {
  const dev = new Client(host, Number(port), 20000, 4000);
  await dev.createSocket();
  const info = await dev.getInfo();
  let time;
  if (lib === 'zkteco-js') {
    time = await dev.getTime();
  } else {
    const reply = await dev.executeCmd(201, ''); // CMD_GET_TIME; the reply keeps its 8-byte header
    time = decodeTime(reply.readUInt32LE(8));
  }
  const users = await dev.getUsers();
  const atts = await dev.getAttendances();
  await dev.disconnect();
  if (users.err) throw users.err;
  if (atts.err) throw atts.err;
  const out = {
    info,
    time: naive(time),
    users: users.data.map((u) => ({ uid: u.uid, pin: u.userId, name: u.name, card: u.cardno, role: u.role })),
    // zkteco-js decodes the verify mode (its "type") and the state; node-zklib
    // only the user id and the time (its deviceUserId, recordTime): -1 for
    // what a client does not read.
    records: atts.data.map((r) => lib === 'zkteco-js'
      ? { pin: r.user_id, time: naive(new Date(r.record_time)), verify: r.type, state: r.state }
      : { pin: r.deviceUserId, time: naive(r.recordTime), verify: -1, state: -1 }),
  };
  // A pipe is written asynchronously: exit once the line is out.
  await new Promise((resolve) => process.stdout.write('ZKPULL_RESULT ' + JSON.stringify(out) + '\n', resolve));
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`read.js ${lib}: ${err && err.stack ? err.stack : JSON.stringify(err)}\n`);
  process.exit(1);
});
