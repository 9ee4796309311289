/**
 * A boot storm from one namespace: `count` simulated BIOS PXE clients (distinct MACs) start at once
 * and each walks the real sequence — DHCPDISCOVER (PXE), the 4011 request, the TFTP loader, then as
 * iPXE a second DISCOVER, the boot script over HTTP, and the kernel and initrd it names.
 *
 *   node storm-client.js <serverIp> <clientNet> <count> [dhcp-only]
 *
 * With dhcp-only, every client sends just its DISCOVER (a pure DHCP burst, nothing else loading the server).
 *
 * Prints JSON: every DHCP reply latency (ms, from first send), per-client total ms, failures.
 * Client i is the host lib/storm-lan.ts made for it: MAC stormMac(i) (its chaddr here), address
 * <clientNet>.<100+i>, as a PC that got its address from the LAN's DHCP server. It sends its 4011
 * requests, TFTP and HTTP from that address; the broadcast DISCOVERs and their offers go through one
 * shared port-68 socket. Replies are matched by xid.
 */
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import { decode, encode } from '../main/dhcp';
import { clientPacket, type ClientKind } from '../test/helpers/dhcp/packets';
import { fetchTftp } from './tftp-client';
import { errorMessage } from '../main/errors';
import { stormAddress, stormMac } from './lib/storm-pcs';

const TRIES = 4;
const RETRY_MS = 1000;

interface Reply {
  file: string;
  /** The first boot item of the offer's PXE menu (option 43, sub-option 9), as dnsmasq's pxe-service sends. */
  bootItem: number | null;
  ms: number;
}

/** Option 43 sub-option 9 (PXE_BOOT_MENU): the first item's type, which a PXE ROM asks 4011 for. */
function firstBootItem(opt43: Buffer | undefined): number | null {
  for (let i = 0; opt43 && i + 1 < opt43.length;) {
    const code = opt43[i]!;
    if (code === 255) break;
    if (code === 0) {
      i++;
      continue;
    }
    const len = opt43[i + 1]!;
    if (code === 9 && len >= 3) return opt43.readUInt16BE(i + 2);
    i += 2 + len;
  }
  return null;
}

/** Replies on the shared port-68 socket and on each PC's own, matched to their requests by xid. */
class DhcpPort {
  private waiting = new Map<number, (r: { file: string; bootItem: number | null }) => void>();
  /** Reply latencies by stage: 'discover' (the first wave, all clients at once), '4011', 'ipxe'. */
  readonly latencies = new Map<string, number[]>();

  constructor(private readonly sock: dgram.Socket) {
    this.listen(sock);
  }

  listen(sock: dgram.Socket): void {
    sock.on('message', (msg) => {
      let p;
      try {
        p = decode(msg);
      } catch {
        return;
      }
      const w = this.waiting.get(p.xid);
      if (!w) return;
      this.waiting.delete(p.xid);
      const opt67 = p.options
        .find((o) => o.code === 67)
        ?.data.toString('latin1')
        .replace(/\0+$/, '');
      w({ file: opt67 || p.file, bootItem: firstBootItem(p.options.find((o) => o.code === 43)?.data) });
    });
  }

  /**
   * Send until a reply with this xid arrives (bounded retries); resolves with the boot file name.
   * Through `from` (a PC's own socket), else the shared one.
   */
  async ask(
    stage: string,
    kind: ClientKind,
    mac: string,
    xid: number,
    type: number,
    dest: string,
    port: number,
    ciaddr?: string,
    bootItem?: number | null,
    from: dgram.Socket = this.sock,
  ): Promise<Reply> {
    // A PXE ROM's 4011 request names the menu item it picked (PXE_BOOT_ITEM, sub-option 71, layer 0).
    const extra =
      bootItem !== undefined && bootItem !== null
        ? [{ code: 43, data: Buffer.from([71, 4, bootItem >> 8, bootItem & 0xff, 0, 0, 255]) }]
        : [];
    const bytes = encode(clientPacket(kind, { mac, xid, type, extra, ...(ciaddr ? { ciaddr, flags: 0 } : {}) }));
    const t0 = performance.now();
    const got = new Promise<{ file: string; bootItem: number | null }>((resolve) => this.waiting.set(xid, resolve));
    for (let i = 0; i < TRIES; i++) {
      from.send(bytes, port, dest);
      const r = await Promise.race([got, new Promise<null>((res) => setTimeout(() => res(null), RETRY_MS))]);
      if (r !== null) {
        const ms = performance.now() - t0;
        this.latencies.set(stage, [...(this.latencies.get(stage) ?? []), ms]);
        return { ...r, ms };
      }
    }
    this.waiting.delete(xid);
    throw new Error(`no DHCP reply for ${mac} (xid ${xid.toString(16)}) after ${TRIES} tries`);
  }
}

function httpGet(url: string, agent: http.Agent, localAddress: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, localAddress }, (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (chunks.length < 64) chunks.push(c); // only small bodies (the script) are kept
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(n < 1_000_000 ? Buffer.concat(chunks) : Buffer.alloc(n > 0 ? 1 : 0))
            : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The first entry's kernel and initrds from a Bootdrop iPXE script. */
function bootFiles(script: string): string[] {
  const lines = script.split('\n').map((l) => l.trim());
  const k = lines.findIndex((l) => l.startsWith('kernel http'));
  if (k < 0) throw new Error(`no kernel line in the boot script:\n${script}`);
  // Lines end in "|| goto bd-failed": the URL is the word that starts with http://.
  const url = (l: string) => l.split(/\s+/).find((w) => w.startsWith('http://'))!;
  const files = [url(lines[k]!)];
  for (const l of lines.slice(k + 1)) {
    if (!l.startsWith('initrd')) break;
    files.push(url(l));
  }
  return files;
}

/** A UDP socket on address:port; SO_REUSEADDR so each PC's <ip>:68 sits beside the shared 0.0.0.0:68. */
function bindUdp(port: number, address: string): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => {
      sock.off('error', reject);
      sock.on('error', (err) => process.stderr.write(`storm-client: UDP ${address}:${port}: ${err.message}\n`));
      resolve(sock);
    });
  });
}

async function main(): Promise<void> {
  const [server, clientNet, countArg, only] = process.argv.slice(2);
  const dhcpOnly = only === 'dhcp-only';
  const count = Number(countArg);
  const sock = await bindUdp(68, '0.0.0.0');
  sock.setBroadcast(true);
  const dhcp = new DhcpPort(sock);
  const failures: string[] = [];
  const totals: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const mac = stormMac(i);
      const xid = (0x5e000000 + i * 16) >>> 0;
      const ip = stormAddress(clientNet!, i);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let own: dgram.Socket | null = null;
      const c0 = performance.now();
      try {
        if (dhcpOnly) {
          await dhcp.ask('burst', 'bios', mac, xid + 3, 1, '255.255.255.255', 67);
          return;
        }
        const offer = await dhcp.ask('discover', 'bios', mac, xid, 1, '255.255.255.255', 67);
        // The 4011 request comes from the PC's address, port 68, as a PXE ROM's does.
        own = await bindUdp(68, ip);
        dhcp.listen(own);
        const pxe = await dhcp.ask('4011', 'bios', mac, xid + 1, 3, server!, 4011, ip, offer.bootItem, own);
        const loader = await fetchTftp(server!, 69, pxe.file, 1432, 1, ip);
        if (loader.bytes === 0) throw new Error(`empty loader ${pxe.file}`);
        let ipxe = await dhcp.ask('ipxe', 'ipxe', mac, xid + 2, 1, '255.255.255.255', 67);
        // dnsmasq's proxy offer to iPXE carries a menu, not the file: iPXE then asks 4011, as here.
        if (!ipxe.file.startsWith('http://') && ipxe.bootItem !== null)
          ipxe = await dhcp.ask('ipxe', 'ipxe', mac, xid + 4, 3, server!, 4011, ip, ipxe.bootItem, own);
        if (!ipxe.file.startsWith('http://')) throw new Error(`iPXE was offered "${ipxe.file}", not a script URL`);
        const script = (await httpGet(ipxe.file, agent, ip)).toString();
        for (const f of bootFiles(script)) await httpGet(f, agent, ip);
        totals.push(performance.now() - c0);
      } catch (err) {
        failures.push(`${mac}: ${errorMessage(err)}`);
      } finally {
        agent.destroy();
        own?.close();
      }
    }),
  );
  sock.close();
  process.stdout.write(
    `${JSON.stringify({ dhcpMs: Object.fromEntries(dhcp.latencies), totals, failures, wallMs: performance.now() - t0 })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`storm-client: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
