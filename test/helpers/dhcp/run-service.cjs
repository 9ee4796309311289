#!/usr/bin/env node
/**
 * Runs the compiled DhcpService inside a test namespace with a static boot policy and prints
 * everything it does as JSON lines on stdout: {"type":"ready"|"mode"|"client"|"log"|"error",...}.
 * Usage: node run-service.cjs '{"iface":"eth0","mode":"proxy","probeTimeoutMs":1500}'
 * Answers {"macForIp": ip} queries on stdin. Stops on SIGTERM/SIGINT or when stdin closes.
 */
'use strict';
const path = require('node:path');

const engine = path.resolve(__dirname, '../../../dist/engine');
const { DhcpService } = require(path.join(engine, 'dhcp/index.js'));
const { findInterface } = require(path.join(engine, 'net/index.js'));

const config = JSON.parse(process.argv[2] || '{}');
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

// The product's own boot policy (as test/helpers/dhcp/packets.ts's productPolicy), HTTP on port 80.
const { PxePolicy } = require(path.join(engine, 'boot/pxe-policy.js'));
const policy = new PxePolicy({ httpPort: 80 });

async function main() {
  const iface = await findInterface(config.iface || 'eth0');
  const service = new DhcpService({
    iface,
    mode: config.mode || 'proxy',
    policy,
    log: (level, message, client) => print({ type: 'log', level, message, client }),
    probeTimeoutMs: config.probeTimeoutMs,
    probeIntervalMs: config.probeIntervalMs,
    ports: config.ports,
  });
  service.on('client', (e) => print({ type: 'client', ...e }));
  service.on('mode', (mode) => print({ type: 'mode', mode }));
  try {
    await service.start();
  } catch (err) {
    print({ type: 'error', name: err.name, code: err.code, port: err.port, message: err.message, remedy: err.remedy });
    process.exit(3);
  }
  print({ type: 'ready', address: iface.address, effectiveMode: service.effectiveMode });
  const stop = async () => {
    await service.stop();
    print({ type: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Queries on stdin, one JSON object a line: {"macForIp":"10.0.0.5"} → {"type":"macForIp",...}.
  const rl = require('node:readline').createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    try {
      const q = JSON.parse(line);
      if (q.macForIp) print({ type: 'macForIp', ip: q.macForIp, mac: service.macForIp(q.macForIp) });
    } catch (err) {
      print({ type: 'error', message: `bad query: ${err.message}` });
    }
  });
  rl.on('close', stop);
}

main().catch((err) => {
  print({ type: 'error', message: String((err && err.stack) || err) });
  process.exit(2);
});
