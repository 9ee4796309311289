/**
 * Own-DHCP mode: a laptop cabled straight to a PC has no router, so Bootdrop hands out addresses
 * itself. Every client on the link is answered (the booted OS's own DHCP client has no PXEClient
 * class); network-boot firmware also gets its boot file. No router or DNS is offered: there is none.
 * The same code serves a --pool subnet behind a DHCP relay, where the relay is offered as the router.
 */
import type { BootDecision, ClientFacts } from '../boot/policy';
import { broadcastOf, prefixToMask } from '../net';
import type { DhcpPacket } from './codec';
import {
  clientMac,
  ipOption,
  MessageType,
  messageType,
  messageTypeName,
  Opt,
  optionIp,
  textOption,
  u32Option,
} from './options';
import { addBootInstructions, replySkeleton, throughRelay, type Endpoint } from './reply';
import type { LeasePool } from './lease-pool';
import type { BootClientDecision, Outcome, Via } from './responder';
import type { Subnet } from '../net';

/** What own-DHCP mode needs from the Responder: its address, subnet and pool, the boot decision, the way out. */
export interface OwnDhcpContext {
  readonly serverIp: string;
  readonly subnet: Subnet;
  readonly pool: LeasePool;
  /**
   * A relayed subnet's router: the relay agent's address (giaddr), which clients there route through to
   * reach us. Null on our own link (a bare cable has no router).
   */
  router: string | null;
  decideFor(req: DhcpPacket, ip: string | null, out: Outcome): BootClientDecision | null;
  send(req: DhcpPacket, reply: DhcpPacket, from: Endpoint, via: Via, out: Outcome): void;
}
import { clientFacts, describe } from './facts';

function leaseOptions(r: OwnDhcpContext, reply: DhcpPacket, withLease: boolean): void {
  const leaseSec = r.pool.leaseSec;
  reply.options.push(
    ipOption(Opt.subnetMask, prefixToMask(r.subnet.prefix)),
    ipOption(Opt.broadcastAddress, broadcastOf(r.subnet)),
  );
  if (r.router) reply.options.push(ipOption(Opt.router, r.router));
  if (withLease) {
    reply.options.push(
      u32Option(Opt.leaseTime, leaseSec),
      u32Option(Opt.renewalTime, Math.floor(leaseSec / 2)),
      u32Option(Opt.rebindingTime, Math.floor((leaseSec * 7) / 8)),
    );
  }
}

/** Facts and decision for any client: boot firmware gets the policy's answer, others none. */
function decide(
  r: OwnDhcpContext,
  req: DhcpPacket,
  ip: string | null,
  out: Outcome,
): { facts: ClientFacts; decision: BootDecision; kind: 'pxe' | 'http' | null } {
  const d = r.decideFor(req, ip, out);
  if (d) return d;
  return { facts: clientFacts(req, ip), decision: { kind: 'ignore', reason: 'not a network-boot client' }, kind: null };
}

function nak(r: OwnDhcpContext, req: DhcpPacket, from: Endpoint, out: Outcome, why: string): void {
  const reply = replySkeleton(req, MessageType.nak, r.serverIp);
  reply.ciaddr = '0.0.0.0';
  reply.options.push(textOption(Opt.message, why));
  r.send(req, reply, from, 'dhcp', out);
  out.logs.push({ level: 'info', message: `DHCPNAK to ${clientMac(req)}: ${why}`, client: clientMac(req) });
}

type RequestState = 'selecting' | 'init-reboot' | 'renewing';

/**
 * Whether a DHCPREQUEST may be ACKed (null), must be NAKed (the reason) or left unanswered.
 * RFC 2131 4.3.2: SELECTING is ACKed only for the address we offered this client; INIT-REBOOT only
 * for the address it already holds, and a client we have no record of gets silence; RENEWING and
 * REBINDING extend only the client's own lease (an unknown one is NAKed so the client starts over
 * with a DISCOVER, e.g. after Bootdrop restarted and forgot its leases).
 */
function requestRefusal(pool: LeasePool, mac: string, ip: string, state: RequestState): string | null | 'silent' {
  if (!pool.owns(ip)) return `${ip} is not one of this server's addresses`;
  if (pool.commit(mac, ip)) return null;
  const holder = pool.macForIp(ip);
  if (holder && holder !== mac) return `${ip} is in use by another client`;
  if (state === 'selecting') return `${ip} was not offered to this client; start over with DHCPDISCOVER`;
  if (state === 'init-reboot') return pool.ipForMac(mac) ? `this client's address is ${pool.ipForMac(mac)}` : 'silent';
  return `${ip} is not leased to this client; start over with DHCPDISCOVER`;
}

export function answerOwnDhcp(r: OwnDhcpContext, req: DhcpPacket, from: Endpoint, out: Outcome): void {
  const pool = r.pool;
  const mac = clientMac(req);
  const type = messageType(req);
  const sid = optionIp(req, Opt.serverId);
  switch (type) {
    case MessageType.discover: {
      const ip = pool.offer(mac, optionIp(req, Opt.requestedIp));
      if (!ip) {
        out.logs.push({
          level: 'warn',
          message: `no free address left in the pool for ${mac} (${pool.addresses.length} addresses)`,
          client: mac,
        });
        return;
      }
      const d = decide(r, req, ip, out);
      const reply = replySkeleton(req, MessageType.offer, r.serverIp);
      reply.yiaddr = ip;
      leaseOptions(r, reply, true);
      if (d.kind && d.decision.kind !== 'ignore') addBootInstructions(reply, req, d.decision, d.kind, r.serverIp);
      r.send(req, reply, from, 'dhcp', out);
      out.events.push({ mac, ip, facts: d.facts, decision: d.decision, exchange: 'discover' });
      out.logs.push({
        level: 'info',
        message: `DHCPOFFER ${ip} to ${d.kind ? describe(d.facts) : mac}${throughRelay(req)}`,
        client: mac,
      });
      return;
    }
    case MessageType.request: {
      if (sid && sid !== r.serverIp) {
        pool.forgetOffer(mac); // the client chose another server's offer
        return;
      }
      const requested = optionIp(req, Opt.requestedIp);
      const wanted = requested ?? (req.ciaddr !== '0.0.0.0' ? req.ciaddr : null);
      if (!wanted) return;
      if (!pool.onSubnet(wanted)) return nak(r, req, from, out, `${wanted} is not on this network`);
      const refusal = requestRefusal(pool, mac, wanted, sid ? 'selecting' : requested ? 'init-reboot' : 'renewing');
      if (refusal === 'silent') {
        // RFC 2131 4.3.2: INIT-REBOOT from a client we have no record of gets no answer.
        out.logs.push({ level: 'debug', message: `no record of ${mac} holding ${wanted}; not answering`, client: mac });
        return;
      }
      if (refusal) return nak(r, req, from, out, refusal);
      const d = decide(r, req, wanted, out);
      const reply = replySkeleton(req, MessageType.ack, r.serverIp);
      reply.yiaddr = wanted;
      leaseOptions(r, reply, true);
      if (d.kind && d.decision.kind !== 'ignore') addBootInstructions(reply, req, d.decision, d.kind, r.serverIp);
      r.send(req, reply, from, 'dhcp', out);
      out.events.push({ mac, ip: wanted, facts: d.facts, decision: d.decision, exchange: 'lease' });
      out.logs.push({
        level: 'info',
        message: `DHCPACK ${wanted} to ${d.kind ? describe(d.facts) : mac}${throughRelay(req)} for ${pool.leaseSec} s`,
        client: mac,
      });
      return;
    }
    case MessageType.decline: {
      const ip = optionIp(req, Opt.requestedIp);
      if (sid !== r.serverIp || !ip) return;
      if (!pool.decline(mac, ip)) {
        out.logs.push({
          level: 'debug',
          message: `ignored DHCPDECLINE of ${ip} from ${mac}: the address was not offered or leased to it`,
          client: mac,
        });
        return;
      }
      out.logs.push({
        level: 'warn',
        message: `${mac} declined ${ip} (already in use on the link); not handing it out for a while`,
        client: mac,
      });
      return;
    }
    case MessageType.release:
      if (pool.release(mac, req.ciaddr))
        out.logs.push({ level: 'info', message: `${mac} released ${req.ciaddr}`, client: mac });
      return;
    case MessageType.inform: {
      const d = decide(r, req, req.ciaddr, out);
      const reply = replySkeleton(req, MessageType.ack, r.serverIp);
      leaseOptions(r, reply, false); // RFC 2131 3.4: no lease time in an INFORM reply
      if (d.kind && d.decision.kind !== 'ignore') addBootInstructions(reply, req, d.decision, d.kind, r.serverIp);
      r.send(req, reply, from, 'dhcp', out);
      return;
    }
    default:
      out.logs.push({ level: 'debug', message: `ignored ${messageTypeName(type)} from ${mac}`, client: mac });
  }
}
