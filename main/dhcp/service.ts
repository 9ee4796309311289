/**
 * DhcpService: the sockets around the Responder, and auto mode's watch for another DHCP server.
 * Serves exactly one interface. A malformed or unexpected datagram never takes it down.
 */
import type * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { BootPolicy } from '../boot/policy';
import type { EffectiveMode, LogLevel, NetInterface, ServeMode } from '../contract';
import { broadcastOf, RateLimiter } from '../net';
import { LeasePool } from './lease-pool';
import type { RelayPoolSpec } from './relay-pool';
import { foreignServerIn, makeProbe, type Probe } from './probe';
import { AUTO_PROBES, AUTO_WINDOW_MS, decideAutoMode, type LinkEvidence } from './auto-mode';
import { readLinkNeighbours, type LinkNeighbours } from './link-evidence';
import { type Endpoint } from './reply';
import { hardwareAddress } from './options';
import { Responder, type ClientEvent, type Outgoing, type Via } from './responder';
import { QuietQueue } from './quiet-queue';
import { warmResponder } from './warm-up';
import { bindUdp, closeUdp, defaultStrategy, type SocketStrategy } from './sockets';
import { errorMessage } from '../errors';
import type { ScopedLog } from '../log';

export interface DhcpServiceOptions {
  iface: NetInterface;
  mode: ServeMode;
  policy: BootPolicy;
  log: ScopedLog;
  /**
   * auto: how long to listen for another DHCP server (AUTO_PROBES probes spread over it) before deciding
   * (default AUTO_WINDOW_MS). Silence alone never makes Bootdrop a DHCP server: see auto-mode.ts.
   */
  probeTimeoutMs?: number;
  /** auto: what the kernel knows of the link (default: /proc/net on Linux); tests may stand in for it. */
  linkNeighbours?: (iface: { name: string; address: string }) => Promise<LinkNeighbours>;
  /** auto: how often to probe again while acting as DHCP server (default 30000). */
  probeIntervalMs?: number;
  /** Ports; tests may move them. dhcp 67, proxy (PXE) 4011, client 68 (auto mode's probe). */
  ports?: { dhcp?: number; proxy?: number; client?: number };
  /** Own-DHCP pool size and lease time. */
  poolSize?: number;
  leaseSec?: number;
  /**
   * Subnets behind DHCP relay agents where Bootdrop hands out addresses while it acts as DHCP server
   * (`--pool`, relay-pool.ts). Other relayed requests get proxyDHCP answers (boot file only).
   */
  relayPools?: readonly RelayPoolSpec[];
  socketStrategy?: SocketStrategy;
  /**
   * Packets per client MAC (both ports together): `burst` at once, then `perSecond`. Firmware sends a
   * handful per boot (DISCOVER, REQUEST, iPXE's own pair, the OS's lease); a flood from one MAC beyond
   * this is dropped before decoding so it cannot crowd out other clients. Default 20 / 5 per second.
   */
  rateLimit?: { burst: number; perSecond: number };
}

export interface DhcpServiceEvents {
  client: [ClientEvent];
  /** The mode in effect and, for auto mode's decisions, why (a sentence for the user). */
  mode: [EffectiveMode, string | null];
}

const KNOWN_CLIENTS_MAX = 512;
const CHADDR = 28;

/** The client hardware address as clientMac() spells it, read without decoding the packet (cheap). */
function peekMac(data: Buffer): string | null {
  if (data.length < CHADDR + 16) return null;
  return hardwareAddress(data, CHADDR, data[2]!);
}

export class DhcpService extends EventEmitter<DhcpServiceEvents> {
  private readonly opts: DhcpServiceOptions;
  private readonly ports: { dhcp: number; proxy: number; client: number };
  private readonly strategy: SocketStrategy;
  private responder: Responder | null = null;
  private sockets: {
    dhcpAny: dgram.Socket | null;
    dhcpIface: dgram.Socket | null;
    pxe: dgram.Socket | null;
    probeAny: dgram.Socket | null;
    probeIface: dgram.Socket | null;
  } = {
    dhcpAny: null,
    dhcpIface: null,
    pxe: null,
    probeAny: null,
    probeIface: null,
  };
  private probe: Probe | null = null;
  /** auto: probes actually sent, when listening began, and the client MACs heard meanwhile (bounded). */
  private probesSent = 0;
  private probeXids: number[] = [];
  private listeningSince = 0;
  private readonly heard = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private probeTimer: NodeJS.Timeout | null = null;
  /** ip → mac learned from 4011 exchanges, leases and clients' REQUESTs, so TFTP/HTTP can name clients. */
  private readonly known = new Map<string, string>();
  private running = false;
  private readonly limiter: RateLimiter;
  /** One "flooding" log line per MAC per 10 s, however many packets are dropped. */
  private readonly floodLog = new RateLimiter({ burst: 1, perSecond: 0.1, maxKeys: 256 });
  /** Logging and events of answered datagrams, run once a burst has been answered (see onDatagram). */
  private readonly deferred = new QuietQueue();

  constructor(opts: DhcpServiceOptions) {
    super();
    this.opts = opts;
    this.limiter = new RateLimiter({
      burst: opts.rateLimit?.burst ?? 20,
      perSecond: opts.rateLimit?.perSecond ?? 5,
      maxKeys: 4096,
    });
    this.ports = { dhcp: opts.ports?.dhcp ?? 67, proxy: opts.ports?.proxy ?? 4011, client: opts.ports?.client ?? 68 };
    this.strategy = opts.socketStrategy ?? defaultStrategy();
  }

  get effectiveMode(): EffectiveMode {
    return this.responder?.mode ?? null;
  }

  macForIp(ip: string): string | null {
    const r = this.responder;
    if (!r) return this.known.get(ip) ?? null;
    for (const pool of [r.pool, ...r.relayPools]) {
      const mac = pool?.macForIp(ip);
      if (mac) return mac;
    }
    return this.known.get(ip) ?? null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { iface, mode } = this.opts;
    let pool: LeasePool | undefined;
    if (mode !== 'proxy') {
      try {
        pool = new LeasePool({
          subnet: { address: iface.address, prefix: iface.prefix },
          size: this.opts.poolSize,
          leaseSec: this.opts.leaseSec,
        });
      } catch (err) {
        if (mode === 'dhcp') throw err;
        this.log('warn', `auto mode cannot act as DHCP server here (${errorMessage(err)}); serving as proxy only`);
      }
    }
    const relayPools = (this.opts.relayPools ?? []).map(
      (p) => new LeasePool({ subnet: p.subnet, range: p, leaseSec: this.opts.leaseSec }),
    );
    this.responder = new Responder({
      serverIp: iface.address,
      prefix: iface.prefix,
      policy: this.opts.policy,
      pool,
      relayPools,
    });
    this.responder.mode = mode === 'auto' ? (pool ? null : 'proxy') : mode;
    // Once, before the sockets open, so no client waits behind it (warm-up.ts; docs/benchmarks.md
    // has what it buys: a little, so it stays simple).
    warmResponder({
      serverIp: iface.address,
      prefix: iface.prefix,
      policy: this.opts.policy,
      ownDhcp: mode !== 'proxy',
    });
    try {
      await this.openSockets(mode === 'auto' && pool !== undefined);
    } catch (err) {
      await this.closeSockets();
      this.responder = null;
      throw err;
    }
    this.running = true;
    this.log(
      'info',
      `DHCP ${mode === 'auto' ? 'auto mode' : `${mode} mode`} on ${iface.name} (${iface.address}/${iface.prefix}), ` +
        `ports ${this.ports.dhcp} and ${this.ports.proxy}`,
    );
    for (const p of relayPools)
      this.log(
        'info',
        `relayed subnet ${p.subnet.address}/${p.subnet.prefix}: addresses ${p.addresses[0]}-${p.addresses.at(-1)} ` +
          'while acting as DHCP server, the relay as router',
      );
    if (this.responder.mode === null) this.startProbing();
    else this.notify('mode', this.responder.mode, null);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    await this.closeSockets();
    // Deliver what was still queued, in order, before the final mode change.
    this.deferred.flush();
    const hadMode = this.responder?.mode !== null;
    this.responder = null;
    this.probe = null;
    this.probeXids = [];
    this.heard.clear();
    if (hadMode) this.notify('mode', null, null);
  }

  private async openSockets(probing: boolean): Promise<void> {
    const addr = this.opts.iface.address;
    const s = this.sockets;
    s.dhcpAny = await bindUdp('0.0.0.0', this.ports.dhcp, { broadcast: true });
    s.dhcpAny.on('message', (m, r) => this.onDatagram(m, r.address, r.port, 'dhcp'));
    if (this.strategy === 'bound') {
      s.dhcpIface = await bindUdp(addr, this.ports.dhcp, { broadcast: true });
      s.dhcpIface.on('message', (m, r) => this.onDatagram(m, r.address, r.port, 'dhcp'));
    }
    // 4011 is only ever unicast to us, so the interface address is enough on every OS.
    s.pxe = await bindUdp(this.strategy === 'bound' ? addr : '0.0.0.0', this.ports.proxy);
    s.pxe.on('message', (m, r) => this.onDatagram(m, r.address, r.port, 'pxe'));
    for (const sock of [s.dhcpAny, s.dhcpIface, s.pxe])
      sock?.on('error', (err) => this.log('warn', `DHCP socket error: ${err.message}`));
    if (probing) {
      try {
        s.probeAny = await bindUdp('0.0.0.0', this.ports.client, { broadcast: true });
        s.probeAny.on('message', (m, r) => this.onClientPort(m, r));
        if (this.strategy === 'bound') s.probeIface = await bindUdp(addr, this.ports.client, { broadcast: true });
        s.probeIface?.on('message', (m, r) => this.onClientPort(m, r));
        for (const sock of [s.probeAny, s.probeIface])
          sock?.on('error', (err) => this.log('warn', `DHCP probe socket error: ${err.message}`));
      } catch (err) {
        // A local DHCP client may hold port 68: fall back to watching port 67 for REQUESTs naming another server.
        this.log('warn', `cannot send DHCP probes (${errorMessage(err)}); only watching for other DHCP servers`);
        await closeUdp(s.probeAny);
        s.probeAny = null;
      }
    }
  }

  private async closeSockets(): Promise<void> {
    const s = this.sockets;
    await Promise.all([s.dhcpAny, s.dhcpIface, s.pxe, s.probeAny, s.probeIface].map((x) => closeUdp(x)));
    this.sockets = { dhcpAny: null, dhcpIface: null, pxe: null, probeAny: null, probeIface: null };
  }

  /** The sender's address and port from dgram's rinfo. */
  private onDatagram(data: Buffer, address: string, port: number, via: Via): void {
    const r = this.responder;
    if (!r) return;
    this.deferred.noteArrival();
    // Our own probe DISCOVER comes back to us through the broadcast loop: not a client.
    if (data.length >= 8 && this.probeXids.includes(data.readUInt32BE(4))) return;
    const key = peekMac(data) || `packets without a MAC from ${address}`;
    // While auto mode listens, every client heard is one more machine on the link (see decideAuto).
    if (r.mode === null && via === 'dhcp' && this.heard.size < 64 && !key.includes(' ')) this.heard.add(key);
    if (!this.limiter.take(key)) {
      if (this.floodLog.take(key))
        this.log(
          'warn',
          `${key} sends too many DHCP packets: dropping them (${this.limiter.takeDropped(key)} so far); other ` +
            `clients are still answered`,
          key.includes(' ') ? undefined : key,
        );
      return;
    }
    let outcome;
    try {
      outcome = r.handle(data, { address, port }, via);
    } catch (err) {
      this.log('error', `DHCP packet from ${address} could not be handled: ${errorMessage(err)}`);
      return;
    }
    // The reply goes out first; logging and events (which listeners may turn into UI updates, JSON on
    // stdout, log-ring pushes) wait until the burst has been answered (quiet-queue.ts), so in a boot
    // storm the 50th DISCOVER does not wait behind 49 clients' worth of logging.
    for (const out of outcome.replies) this.sendReply(out);
    if (outcome.learned) this.remember(outcome.learned.ip, outcome.learned.mac);
    for (const e of outcome.events) if (e.ip) this.remember(e.ip, e.mac);
    // Not deferred: the next datagram in this batch must already see the mode change.
    if (outcome.foreignServer) this.onForeignServer(outcome.foreignServer, 'a client asked it for an address');
    if (outcome.logs.length === 0 && outcome.events.length === 0) return;
    this.deferred.push(() => {
      for (const l of outcome.logs) this.log(l.level, l.message, l.client);
      for (const e of outcome.events) this.notify('client', e);
    });
  }

  private remember(ip: string, mac: string): void {
    this.known.delete(ip);
    this.known.set(ip, mac);
    if (this.known.size > KNOWN_CLIENTS_MAX) this.known.delete(this.known.keys().next().value!);
  }

  private sendReply(out: Outgoing): void {
    const s = this.sockets;
    const sock = out.via === 'pxe' ? s.pxe : (s.dhcpIface ?? s.dhcpAny);
    let to: Endpoint = out.to;
    if (out.to.address === '255.255.255.255' && this.strategy === 'wildcard') {
      to = {
        address: broadcastOf({ address: this.opts.iface.address, prefix: this.opts.iface.prefix }),
        port: out.to.port,
      };
    }
    if (!sock) return;
    try {
      sock.send(out.data, to.port, to.address, (err) => {
        if (err) this.log('warn', `could not send a DHCP reply to ${to.address}:${to.port}: ${err.message}`);
      });
    } catch (err) {
      // The socket is closing.
      this.log('warn', `could not send a DHCP reply to ${to.address}:${to.port}: ${errorMessage(err)}`);
    }
  }

  // ---- auto mode ----

  private startProbing(): void {
    const window = this.opts.probeTimeoutMs ?? AUTO_WINDOW_MS;
    this.log(
      'info',
      `looking for another DHCP server on ${this.opts.iface.name} for ${(window / 1000).toFixed(1)} s (Bootdrop ` +
        `hands out addresses only on a bare cable)`,
    );
    this.listeningSince = Date.now();
    this.probesSent = 0;
    // Several probes: one lost probe or answer must not look like silence.
    const every = Math.floor(window / AUTO_PROBES);
    for (let i = 0; i < AUTO_PROBES; i++) this.timers.push(setTimeout(() => this.sendProbe(), i * every));
    this.timers.push(setTimeout(() => void this.decideAuto(window), window));
  }

  private undecided(): boolean {
    return this.running && this.responder !== null && this.responder.mode === null;
  }

  /** The window has passed in silence: ask the link what it is (auto-mode.ts decides). */
  private async decideAuto(window: number): Promise<void> {
    if (!this.undecided()) return;
    const iface = this.opts.iface.name;
    let link: LinkEvidence;
    try {
      const n = await (this.opts.linkNeighbours ?? readLinkNeighbours)(this.opts.iface);
      link = {
        neighbours: n.macs === null ? null : new Set([...n.macs, ...this.heard]).size,
        defaultRouteHere: n.defaultRouteHere,
      };
    } catch (err) {
      this.log('debug', `cannot read the neighbour table: ${errorMessage(err)}`);
      link = { neighbours: null, defaultRouteHere: null };
    }
    if (!this.undecided()) return; // a server answered, or we stopped, while the tables were read
    const elapsedMs = Date.now() - this.listeningSince;
    const verdict = decideAutoMode({ probesSent: this.probesSent, elapsedMs, serverSeen: null }, link, iface, window);
    if (verdict.mode === null) return;
    this.setMode(verdict.mode, verdict.mode === 'dhcp' ? 'info' : 'warn', verdict.why);
    if (verdict.mode === 'dhcp')
      this.probeTimer = setInterval(() => this.sendProbe(), this.opts.probeIntervalMs ?? 30_000);
  }

  private sendProbe(): void {
    const sock = this.sockets.probeIface ?? this.sockets.probeAny;
    if (!this.running || !sock) return;
    this.probe = makeProbe();
    // The last few, not only the newest: an echo may arrive after the next probe went out.
    this.probeXids = [this.probe.xid, ...this.probeXids.slice(0, AUTO_PROBES)];
    const dest =
      this.strategy === 'wildcard'
        ? broadcastOf({ address: this.opts.iface.address, prefix: this.opts.iface.prefix })
        : '255.255.255.255';
    try {
      sock.send(this.probe.data, this.ports.dhcp, dest, (err) => {
        if (err) this.log('warn', `could not send a DHCP probe: ${err.message}`);
        else this.probesSent++;
      });
    } catch (err) {
      this.log('warn', `could not send a DHCP probe: ${errorMessage(err)}`);
    }
  }

  private onClientPort(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const server = foreignServerIn(data, rinfo.address, this.opts.iface.address);
    if (server) this.onForeignServer(server, 'it answered on the link');
  }

  private onForeignServer(server: string, how: string): void {
    if (this.opts.mode !== 'auto' || !this.responder || this.responder.mode === 'proxy') return;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    const was = this.responder.mode;
    const pools = this.responder.relayPools.length > 0 ? '; relayed --pool subnets get the boot file only' : '';
    this.setMode(
      'proxy',
      was === 'dhcp' ? 'warn' : 'info',
      was === 'dhcp'
        ? `another DHCP server appeared at ${server} (${how}): stopped handing out addresses, now serving as ` +
            `proxyDHCP beside it${pools}`
        : `found a DHCP server at ${server} (${how}): serving as proxyDHCP beside it${pools}`,
    );
  }

  private setMode(mode: 'proxy' | 'dhcp', level: LogLevel, why: string): void {
    if (!this.responder) return;
    this.responder.mode = mode;
    this.log(level, why);
    this.notify('mode', mode, why);
  }

  /** Emit without letting a failing listener (a bug elsewhere) stop DHCP for everyone. */
  private notify<K extends keyof DhcpServiceEvents>(event: K, ...args: DhcpServiceEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: DhcpServiceEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log('error', `a DHCP ${event} listener failed: ${errorMessage(err)}`);
    }
  }

  private log(level: LogLevel, message: string, client?: string): void {
    try {
      this.opts.log(level, message, client);
    } catch {
      /* a failing logger must not take the server down */
    }
  }
}
