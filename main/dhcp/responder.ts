/**
 * The DHCP brain without sockets: one datagram in, replies + client events + log lines out. Proxy
 * mode answers network-boot firmware only and never hands out addresses; own-DHCP mode (own-dhcp.ts)
 * is a small full server. The service (service.ts) does the I/O; tests drive this directly.
 */
import type { BootDecision, BootPolicy, ClientFacts } from '../boot/policy';
import type { EffectiveMode, LogLevel } from '../contract';
import { inSubnet, type Subnet } from '../net';
import { BOOTREQUEST, BROADCAST_FLAG, decode, DhcpDecodeError, encode, type DhcpPacket } from './codec';
import { decodeSubOptions, PxeSub } from './codec-pxe';
import { bootClientKind, clientFacts, describe, target } from './facts';
import type { LeasePool } from './lease-pool';
import { clientMac, findOption, MessageType, messageType, messageTypeName, Opt, optionIp } from './options';
import { answerOwnDhcp, type OwnDhcpContext } from './own-dhcp';
import {
  addBootInstructions,
  markBroadcast,
  replyDestination,
  replySkeleton,
  throughRelay,
  type Endpoint,
} from './reply';
import { errorMessage } from '../errors';

type Exchange = 'discover' | 'request' | 'pxe-4011' | 'lease';

export interface ClientEvent {
  mac: string;
  ip: string | null;
  facts: ClientFacts;
  decision: BootDecision;
  exchange: Exchange;
}

interface LogLine {
  level: LogLevel;
  message: string;
  client?: string;
}

/** Which socket a datagram arrived on: the DHCP port (67) or the PXE port (4011). */
export type Via = 'dhcp' | 'pxe';

export interface Outgoing {
  packet: DhcpPacket;
  data: Buffer;
  to: Endpoint;
  via: Via;
}

export interface Outcome {
  replies: Outgoing[];
  events: ClientEvent[];
  logs: LogLine[];
  /** A DHCP server other than us, seen through a client's REQUEST naming it (for auto mode). */
  foreignServer: string | null;
  /**
   * An address a client is taking from the network's DHCP server (its broadcast REQUEST's option 50, or
   * ciaddr on renewal), so proxy mode can name TFTP/HTTP clients by MAC without seeing the router's ACK.
   */
  learned: { mac: string; ip: string } | null;
}

export interface ResponderOptions {
  serverIp: string;
  prefix: number;
  policy: BootPolicy;
  /** Needed for own-DHCP mode. */
  pool?: LeasePool;
  /**
   * Pools for subnets behind DHCP relays (--pool), each for its own subnet: in dhcp mode, relayed
   * requests whose giaddr lies in one get an address from it; other relayed requests (and all of
   * them in proxy mode) get proxyDHCP answers only.
   */
  relayPools?: readonly LeasePool[];
}

/** A relayed subnet Bootdrop hands out addresses on (a --pool), its own-DHCP view carrying the relay as router. */
interface RelayScope {
  ctx: OwnDhcpContext;
}

/** `ip` is on `subnet`; false for a malformed address. */
function onSubnetOf(ip: string, subnet: Subnet): boolean {
  try {
    return inSubnet(ip, subnet);
  } catch {
    return false;
  }
}

const ZERO = '0.0.0.0';
/** MACs of clients seen through a relay, so their later unicasts from a routed address are answered. */
const RELAYED_CLIENTS_MAX = 4096;

/** A network-boot client's facts, the policy's answer for it, and how it boots (PXE or UEFI HTTP Boot). */
export interface BootClientDecision {
  facts: ClientFacts;
  decision: BootDecision;
  kind: 'pxe' | 'http';
}

export class Responder {
  mode: EffectiveMode = 'proxy';
  readonly serverIp: string;
  readonly subnet: Subnet;
  readonly pool: LeasePool | null;
  readonly relayPools: readonly LeasePool[];
  /** The narrow view own-dhcp.ts works through; null without a pool (proxy only). */
  private readonly ownDhcp: OwnDhcpContext | null;
  private readonly policy: BootPolicy;
  private readonly relayScopes: RelayScope[];
  /** MACs seen through a relay, oldest first (bounded by RELAYED_CLIENTS_MAX). */
  private readonly relayedClients = new Set<string>();

  constructor(opts: ResponderOptions) {
    this.serverIp = opts.serverIp;
    this.subnet = { address: opts.serverIp, prefix: opts.prefix };
    this.policy = opts.policy;
    this.pool = opts.pool ?? null;
    this.relayPools = opts.relayPools ?? [];
    this.ownDhcp = this.pool && {
      serverIp: this.serverIp,
      subnet: this.subnet,
      pool: this.pool,
      router: null,
      decideFor: (req, ip, out) => this.decideFor(req, ip, out, this.mode === 'dhcp'),
      send: (req, reply, from, via, out) => this.send(req, reply, from, via, out),
    };
    this.relayScopes = this.relayPools.map((pool) => {
      return {
        ctx: {
          serverIp: this.serverIp,
          subnet: pool.subnet,
          pool,
          router: null,
          decideFor: (req, ip, out) => this.decideFor(req, ip, out, true),
          send: (req, reply, from, via, out) => this.send(req, reply, from, via, out),
        },
      };
    });
  }

  /**
   * The --pool scope whose subnet holds `ip` (a relay's giaddr, or a routed client's address). Only
   * while acting as DHCP server: proxy mode (also auto mode beside another server) never leases.
   */
  private relayScopeFor(ip: string): RelayScope | null {
    if (this.mode !== 'dhcp') return null;
    for (const s of this.relayScopes) if (onSubnetOf(ip, s.ctx.subnet)) return s;
    return null;
  }

  /**
   * A sender off our subnet that we still answer: a client seen through a relay, or an address in a
   * --pool subnet (a leased client renewing by unicast, RFC 2131 4.4.5).
   */
  private routedClient(mac: string, ip: string): boolean {
    return this.relayedClients.has(mac) || this.relayScopeFor(ip) !== null;
  }

  private noteRelayed(mac: string): void {
    this.relayedClients.delete(mac);
    this.relayedClients.add(mac);
    if (this.relayedClients.size > RELAYED_CLIENTS_MAX)
      this.relayedClients.delete(this.relayedClients.values().next().value!);
  }

  handle(data: Buffer, from: Endpoint, via: Via): Outcome {
    const out: Outcome = { replies: [], events: [], logs: [], foreignServer: null, learned: null };
    let req: DhcpPacket;
    try {
      req = decode(data);
    } catch (err) {
      if (!(err instanceof DhcpDecodeError)) throw err;
      out.logs.push({ level: 'debug', message: `ignored a packet from ${from.address}:${from.port}: ${err.message}` });
      return out;
    }
    if (req.op !== BOOTREQUEST) return out;
    const mac = clientMac(req);
    const type = messageType(req);
    const sid = optionIp(req, Opt.serverId);
    const relayed = req.giaddr !== ZERO;
    // A relayed REQUEST naming another server says that subnet has a DHCP server, not ours (auto mode).
    if (type === MessageType.request && !relayed && sid && sid !== this.serverIp) out.foreignServer = sid;
    // Own-DHCP mode knows its leases; learning from a REQUEST's claim there would let a flood of them
    // name other machines' addresses. Elsewhere only a claim that matches the sender is taken: option 50
    // from a client without an address yet, or ciaddr from that very address (never a 4011 REQUEST's).
    // A relay speaks for a routed PC, so its forwarded claim is all there is to go on.
    if (type === MessageType.request && via === 'dhcp' && this.mode !== 'dhcp') {
      const requested = optionIp(req, Opt.requestedIp);
      const ip = relayed
        ? (requested ?? (req.ciaddr !== ZERO ? req.ciaddr : null))
        : requested && from.address === ZERO
          ? requested
          : req.ciaddr !== ZERO && req.ciaddr === from.address
            ? req.ciaddr
            : null;
      if (ip && ip !== this.serverIp && (relayed || this.onSubnet(ip))) out.learned = { mac, ip };
    }
    if (relayed && via === 'pxe') {
      out.logs.push({
        level: 'debug',
        message: `ignored ${messageTypeName(type)} on port 4011 with giaddr ${req.giaddr} (relays forward port 67 only)`,
        client: mac,
      });
      return out;
    }
    // A sender with an address must be on our subnet: Linux accepts a unicast to our address on any
    // interface, and answering it would send a reply out of an interface we do not serve. Clients
    // behind a relay are the exception: they reach us routed.
    const routed = !relayed && from.address !== ZERO && !this.onSubnet(from.address);
    if (routed && !this.routedClient(mac, from.address)) {
      out.logs.push({
        level: 'debug',
        message:
          `ignored ${messageTypeName(type)} from ${from.address}, not on ` +
          `${this.serverIp}/${this.subnet.prefix} and not seen through a DHCP relay`,
        client: mac,
      });
      return out;
    }
    if (!relayed && !routed && req.ciaddr !== ZERO && !this.onSubnet(req.ciaddr)) {
      out.logs.push({
        level: 'debug',
        message: `ignored ${messageTypeName(type)} from ${req.ciaddr}, not on ${this.serverIp}/${this.subnet.prefix}`,
        client: mac,
      });
      return out;
    }
    if (this.mode === null) {
      out.logs.push({
        level: 'debug',
        message: `not answering ${messageTypeName(type)} yet: still probing for another DHCP server`,
        client: mac,
      });
      return out;
    }
    try {
      if (relayed) this.answerRelayed(req, from, out);
      else if (via === 'pxe') this.answerPxePort(req, from, out);
      else if (routed) {
        const scope = this.relayScopeFor(from.address);
        if (scope) answerOwnDhcp(scope.ctx, req, from, out);
        else this.answerProxy(req, from, out);
      } else if (this.mode === 'dhcp' && this.ownDhcp) answerOwnDhcp(this.ownDhcp, req, from, out);
      else this.answerProxy(req, from, out);
    } catch (err) {
      if (!(err instanceof DhcpDecodeError)) throw err;
      out.logs.push({
        level: 'debug',
        message: `ignored ${messageTypeName(type)}${throughRelay(req)}: ${err.message}`,
        client: mac,
      });
    }
    return out;
  }

  /**
   * A request a relay agent forwarded (giaddr set; RFC 1542): answered as DHCP server from the --pool
   * for the relay's subnet, else as proxyDHCP. Replies go to the relay (replyDestination).
   */
  private answerRelayed(req: DhcpPacket, from: Endpoint, out: Outcome): void {
    this.noteRelayed(clientMac(req));
    const scope = this.relayScopeFor(req.giaddr);
    if (!scope) return this.answerProxy(req, from, out);
    scope.ctx.pool.exclude(req.giaddr);
    scope.ctx.router = req.giaddr;
    answerOwnDhcp(scope.ctx, req, from, out);
  }

  /** On the served subnet (a malformed address is not). */
  onSubnet(ip: string): boolean {
    return onSubnetOf(ip, this.subnet);
  }

  /**
   * Facts + decision for a client that announced network-boot firmware; null for ordinary DHCP
   * clients. Unsupported architectures are refused here, before the policy, with a clear reason.
   */
  private decideFor(req: DhcpPacket, ip: string | null, out: Outcome, ownDhcp: boolean): BootClientDecision | null {
    const facts = clientFacts(req, ip);
    const kind = bootClientKind(facts.vendorClass);
    if (!kind) return null;
    let decision: BootDecision;
    if (facts.arch === 'unsupported') {
      decision = {
        kind: 'ignore',
        reason: `client architecture ${facts.archCode} (option 93) is not supported: no boot file for it`,
      };
    } else if (kind === 'http' && facts.arch !== 'efi-x64-http') {
      decision = { kind: 'ignore', reason: `HTTP Boot client with architecture ${facts.archCode} is not supported` };
    } else {
      try {
        decision = this.policy.decide(facts, this.serverIp, { ownDhcp });
      } catch (err) {
        decision = { kind: 'ignore', reason: `boot policy failed: ${errorMessage(err)}` };
      }
      if (kind === 'http' && decision.kind === 'tftp')
        decision = { kind: 'ignore', reason: 'UEFI HTTP Boot client cannot use a TFTP boot file' };
    }
    if (decision.kind === 'ignore')
      out.logs.push({
        level: 'warn',
        message: `not answering ${describe(facts)}: ${decision.reason}`,
        client: facts.mac,
      });
    return { facts, decision, kind };
  }

  /** Add a reply to the outcome, addressed per RFC 2131 4.1 (or back to the sender on 4011). */
  private send(req: DhcpPacket, reply: DhcpPacket, from: Endpoint, via: Via, out: Outcome): void {
    const to = replyDestination(req, reply, from, via);
    markBroadcast(reply, to);
    // RFC 2131 4.3.2: a NAK through a relay carries the broadcast bit, so the relay broadcasts it.
    if (req.giaddr !== ZERO && findOption(reply, Opt.messageType)?.[0] === MessageType.nak)
      reply.flags |= BROADCAST_FLAG;
    out.replies.push({ packet: reply, data: encode(reply), to, via });
  }

  private answerProxy(req: DhcpPacket, from: Endpoint, out: Outcome): void {
    const type = messageType(req);
    // Some ROMs (older Intel PXE) send a DHCPREQUEST to port 67 naming the proxy as server: ACK it.
    const toUs = type === MessageType.request && optionIp(req, Opt.serverId) === this.serverIp;
    if (type !== MessageType.discover && !toUs) return;
    const d = this.decideFor(req, null, out, false);
    if (!d) {
      out.logs.push({
        level: 'debug',
        message: `${messageTypeName(type)} from a client that is not network-booting: left to the network's DHCP server`,
        client: clientMac(req),
      });
      return;
    }
    out.events.push({
      mac: d.facts.mac,
      ip: null,
      facts: d.facts,
      decision: d.decision,
      exchange: toUs ? 'request' : 'discover',
    });
    if (d.decision.kind === 'ignore') return;
    const reply = replySkeleton(req, toUs ? MessageType.ack : MessageType.offer, this.serverIp);
    addBootInstructions(reply, req, d.decision, d.kind, this.serverIp);
    this.send(req, reply, from, 'dhcp', out);
    out.logs.push({
      level: 'info',
      message: `proxy ${toUs ? 'ACK' : 'offer'} to ${describe(d.facts)}${throughRelay(req)}: ${target(d.decision)}`,
      client: d.facts.mac,
    });
  }

  /** Port 4011: EDK2 (and iPXE) ask the proxy server for the boot file after getting an address. */
  private answerPxePort(req: DhcpPacket, from: Endpoint, out: Outcome): void {
    const type = messageType(req);
    if (type !== MessageType.request && type !== MessageType.inform && type !== MessageType.discover) return;
    // The address this exchange pins to the MAC is the one the datagram came from (where the answer
    // goes), not the ciaddr it claims: a REQUEST naming another PC's address must not relabel that
    // PC's transfers.
    const ip = from.address !== ZERO ? from.address : null;
    if (ip && req.ciaddr !== ZERO && req.ciaddr !== ip)
      out.logs.push({
        level: 'debug',
        message: `4011 ${messageTypeName(type)} from ${ip} claims ciaddr ${req.ciaddr}; using ${ip}`,
        client: clientMac(req),
      });
    // Shim-first for UEFI (SecureBootPolicy) where we also lease the address: our link in dhcp mode, a --pool subnet.
    const ownDhcp = ip !== null && (this.onSubnet(ip) ? this.mode === 'dhcp' : this.relayScopeFor(ip) !== null);
    const d = this.decideFor(req, ip, out, ownDhcp);
    if (!d) return;
    out.events.push({ mac: d.facts.mac, ip, facts: d.facts, decision: d.decision, exchange: 'pxe-4011' });
    if (d.decision.kind === 'ignore') return;
    const reply = replySkeleton(
      req,
      type === MessageType.discover ? MessageType.offer : MessageType.ack,
      this.serverIp,
    );
    reply.ciaddr = req.ciaddr;
    addBootInstructions(reply, req, d.decision, d.kind, this.serverIp, requestedBootItem(req));
    this.send(req, reply, from, 'pxe', out);
    out.logs.push({
      level: 'info',
      message: `PXE ACK (port 4011) to ${describe(d.facts)} at ${ip}: ${target(d.decision)}`,
      client: d.facts.mac,
    });
  }
}

/** A boot item (sub-option 71) the client asked for on 4011 is echoed back, as PXE 2.1 requires. */
function requestedBootItem(req: DhcpPacket): Buffer | null {
  const vendor = findOption(req, Opt.vendorSpecific);
  if (!vendor) return null;
  return decodeSubOptions(vendor, 'option 43').find((s) => s.code === PxeSub.bootItem)?.data ?? null;
}
