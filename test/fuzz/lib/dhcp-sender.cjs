#!/usr/bin/env node
/**
 * Fires mutated DHCP packets at a live Bootdrop from inside a test namespace: broadcast to port 67 and
 * unicast to <server>:4011. Seeded (mulberry32) so a run replays. Prints {"sent":n} when done.
 * Usage: node dhcp-sender.cjs <server-ip> <count> <seed> <base64 seed packet>...
 */
'use strict';
const dgram = require('node:dgram');

const [server, countArg, seedArg, ...seedB64] = process.argv.slice(2);
const count = Number(countArg);
const seeds = seedB64.map((s) => Buffer.from(s, 'base64'));
let a = Number(seedArg) >>> 0;
const rand = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(rand() * n);

function mutate(seed) {
  let b = Buffer.from(seed);
  if (rand() < 0.7) for (let i = 0; i < 6; i++) b[28 + i] = int(256); // a new MAC: past the per-MAC rate limit
  const edits = int(6);
  for (let e = 0; e < edits; e++) {
    const at = int(b.length);
    const k = int(5);
    if (k === 0) b[at] ^= 1 << int(8);
    else if (k === 1) b[at] = int(256);
    else if (k === 2) b = b.subarray(0, at);
    else if (k === 3)
      b = Buffer.concat([b.subarray(0, at), Buffer.from([int(256), int(256), int(256)]), b.subarray(at)]);
    else b[at] = [0, 255, 52, 53, 60][int(5)];
  }
  return b;
}

const bcast = server.replace(/\.\d+$/, '.255'); // test LANs are /24
let failed = 0;
const onSent = (err) => {
  if (err) failed++;
};
const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
sock.bind(0, () => {
  sock.setBroadcast(true);
  let sent = 0;
  const batch = () => {
    // 200 packets a turn, then yield: bounded, and the socket buffer does not just overflow.
    for (let i = 0; i < 200 && sent < count; i++, sent++) {
      const pkt = mutate(seeds[int(seeds.length)]);
      // The subnet broadcast (the namespace has no default route for 255.255.255.255); a send error is
      // counted, not ignored, so a run that reaches nothing cannot pass.
      if (rand() < 0.6) sock.send(pkt, 67, bcast, onSent);
      else sock.send(pkt, 4011, server, onSent);
    }
    if (sent < count) setTimeout(batch, 2);
    else
      setTimeout(() => {
        process.stdout.write(JSON.stringify({ sent, failed }) + '\n');
        sock.close();
      }, 200);
  };
  batch();
});
