/**
 * The IPv6 side of the router-advertisement tests: a scapy peer that hears advertisements
 * (test/helpers/ndp_peer.py), and a host's link-local address once it can be used.
 */
import * as path from 'node:path';
import type { NetnsHost } from './netns';

const PEER = path.join(__dirname, 'ndp_peer.py');

/** One advertisement as the peer saw it on the wire. */
export interface SeenRa {
  src: string;
  dst: string;
  hlim: number;
  type: number;
  code: number;
  chlim: number;
  M: number;
  O: number;
  routerlifetime: number;
  reachabletime: number;
  retranstimer: number;
  options: number[];
  slla: string | null;
  checksum_ok: boolean;
  /** With `bytes`: the ICMPv6 message in hex, checksum zeroed. */
  bytes?: string;
}

/** Bootdrop's advertisement as the peer must see it from `src`: no prefix, router lifetime 0, our MAC. */
export function bootdropRaSeen(src: string, mac: string): SeenRa {
  return {
    src,
    dst: 'ff02::1',
    hlim: 255,
    type: 134,
    code: 0,
    chlim: 0,
    M: 0,
    O: 0,
    routerlifetime: 0,
    reachabletime: 0,
    retranstimer: 0,
    options: [1],
    slla: mac,
    checksum_ok: true,
  };
}

/**
 * The peer listens for `seconds` (after first sending a router solicitation as iPXE does, unless
 * `solicit` is false) while `whileListening` runs; returns every advertisement it heard.
 */
export async function listen(
  peer: NetnsHost,
  seconds: number,
  whileListening: () => Promise<unknown>,
  opts: { solicit?: boolean; bytes?: boolean } = {},
): Promise<SeenRa[]> {
  const args = ['/usr/bin/python3', PEER, '--iface', 'eth0', '--timeout', String(seconds)];
  if (opts.solicit !== false) args.push('--solicit');
  if (opts.bytes) args.push('--bytes');
  const child = peer.spawn(args);
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('"ready"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`ndp_peer.py ended before listening: ${err}`)));
  });
  await whileListening();
  const code = await done;
  if (code !== 0) throw new Error(`ndp_peer.py failed (${code}): ${err}`);
  return out
    .split('\n')
    .filter((l) => l && !l.includes('"ready"'))
    .map((l) => JSON.parse(l) as SeenRa);
}

/** The host's link-local address once duplicate address detection has finished (bounded). */
export async function linkLocal(host: NetnsHost): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const r = await host.exec(['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    const a = (JSON.parse(r.stdout) as Array<{ addr_info: Array<{ local: string; tentative?: boolean }> }>)[0]
      ?.addr_info[0];
    if (a && !a.tentative) return a.local;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host.ns} has no usable IPv6 link-local address after 10 s`);
}
