/**
 * The session's EngineServices bound to the real engine modules: main/iso opens sources, main/boot
 * plans them and lays out the served tree and policy, main/http + main/tftp serve the tree, main/dhcp
 * answers PXE clients, main/net lists interfaces.
 */
import type { Firmware } from '../contract';
import * as nodePath from 'node:path';
import {
  defaultLoadersDir,
  layoutServedTree,
  PxePolicy,
  planSource,
  type ServedLayout,
  type SourcePlan,
} from '../boot';
import type { BootDecision, BootPolicy, ClientFacts } from '../boot';
import { addSecureBootVerdicts } from '../boot/secure-boot/verdict';
import { SecureBootPolicy, SHIM_X64 } from '../boot/secure-boot/policy';
import { DhcpService, type ClientEvent } from '../dhcp';
import { HttpServer } from '../http';
import { RouterAdvertiser } from '../ndp';
import { openSource, type OpenedSource } from '../iso';
import { firewallBlock, firewalldFinding, listInterfaces } from '../net';
import { TftpServer } from '../tftp';
import type { MountedTree } from '../vfs';
import { classicPortWarning, noClassicPxelinuxError } from './errors';
import {
  scoped,
  type EngineServices,
  type LayoutContext,
  type LayoutResult,
  type LayoutSource,
  type SourceMedium,
} from './services';
import type { FileRole } from './stage';

function firmwareOf(facts: ClientFacts): Firmware {
  if (facts.isIpxe) return 'ipxe';
  if (!/^(PXEClient|HTTPClient)/.test(facts.vendorClass)) return 'unknown'; // e.g. the booted OS's own DHCP client
  if (facts.arch === 'bios') return 'bios';
  if (facts.arch === 'efi-x64-http') return 'uefi-http';
  if (facts.arch.startsWith('efi')) return 'uefi';
  return 'unknown';
}

/**
 * Classic mode hands every BIOS client the ISO's PXELINUX, also one whose NIC ROM is already iPXE
 * (QEMU's, and some server NICs): as with dnsmasq `dhcp-boot`, iPXE then runs lpxelinux.0 as a plain
 * PXE program, and PXELINUX finds pxelinux.cfg/ next to the file name in the cached DHCP reply.
 * PxePolicy alone sends any iPXE to the Bootdrop menu, which has no way into the ISO's own menu.
 */
class ClassicPolicy implements BootPolicy {
  constructor(
    private readonly inner: BootPolicy,
    private readonly loader: string,
  ) {}

  decide(facts: ClientFacts, serverIp: string): BootDecision {
    if (facts.arch === 'bios') return { kind: 'tftp', file: this.loader };
    return this.inner.decide(facts, serverIp);
  }
}

function rolesOf(sources: readonly LayoutSource<SourcePlan>[]): Map<string, FileRole> {
  const roles = new Map<string, FileRole>();
  for (const { plan } of sources) {
    for (const e of plan.summary.entries) {
      if (e.kernel)
        roles.set(
          `${plan.treePath}${e.kernel}`.toLowerCase(),
          e.kind === 'pxelinux' || e.kind === 'chain' ? 'loader' : 'kernel',
        );
      for (const i of e.initrd) roles.set(`${plan.treePath}${i}`.toLowerCase(), 'initrd');
    }
    if (plan.rawIsoPath) roles.set(plan.rawIsoPath.toLowerCase(), 'rootfs');
    if (plan.classicPxelinux) roles.set(plan.classicPxelinux.loader.toLowerCase(), 'loader');
  }
  return roles;
}

function entriesOf(sources: readonly LayoutSource<SourcePlan>[]): Map<string, string> {
  const byKernel = new Map<string, string>();
  for (const { plan } of sources) {
    for (const e of plan.summary.entries) if (e.kernel) byKernel.set(`${plan.treePath}${e.kernel}`.toLowerCase(), e.id);
  }
  return byKernel;
}

/** A medium as main/iso opens it: the planner's generic fallback also needs its El Torito catalogue. */
export interface IsoMedium extends SourceMedium {
  elTorito: OpenedSource['info']['elTorito'];
}

export function createEngineServices(): EngineServices<SourcePlan, IsoMedium> {
  // The boot layout in force per tree, so a re-layout (source added/removed) first takes the old one out.
  const layouts = new WeakMap<MountedTree, ServedLayout>();
  return {
    listInterfaces: () => listInterfaces(),
    async firewallBlocked(iface) {
      if (process.platform !== 'linux') return null;
      const finding = await firewalldFinding(iface);
      return finding && firewallBlock(finding, iface);
    },

    async openSource(hostPath) {
      const o = await openSource(hostPath);
      return {
        vfs: o.vfs,
        kind: o.kind,
        label: o.info.label,
        size: o.info.size,
        fileSystems: o.info.fileSystems,
        elTorito: o.info.elTorito,
      };
    },

    async planSource(id, hostPath, opened) {
      const plan = await planSource(
        opened.vfs,
        {
          label: opened.label,
          size: opened.size,
          fileSystems: opened.fileSystems,
          elTorito: opened.elTorito,
        },
        { sourceId: id, hostPath },
      );
      // Which entries a Secure Boot PC can boot, from the kernels' signatures and Debian shim's CA.
      await addSecureBootVerdicts(opened.vfs, plan.summary.entries, nodePath.join(defaultLoadersDir(), SHIM_X64));
      const { family, osName, entries, warnings } = plan.summary;
      return { family, osName, entries, warnings, ownPxeMenu: plan.classicPxelinux !== null, plan };
    },

    async layout(tree, sources, ctx: LayoutContext): Promise<LayoutResult> {
      layouts.get(tree)?.remove();
      const classicSource =
        ctx.classicSourceId === null ? undefined : sources.find((s) => s.summary.id === ctx.classicSourceId);
      if (ctx.classicSourceId !== null && !classicSource?.plan.classicPxelinux) {
        throw noClassicPxelinuxError(ctx.classicSourceId);
      }
      const boot = await layoutServedTree(
        tree,
        sources.map((s) => ({
          id: s.summary.id,
          vfs: s.vfs,
          plan: s.plan,
          hostPath: s.summary.path,
          classicPxelinux: s === classicSource,
        })),
        { loadersDir: ctx.loadersDir, server: { ip: ctx.serverIp, httpPort: ctx.httpPort }, menu: ctx.menu },
      );
      layouts.set(tree, boot);
      const pxe = new PxePolicy({ httpPort: ctx.httpPort, classicPxelinuxLoader: boot.classic?.loader ?? null });
      const policy = new SecureBootPolicy(boot.classic ? new ClassicPolicy(pxe, boot.classic.loader) : pxe, {
        ...(ctx.refusedIpxe ? { refusedIpxe: ctx.refusedIpxe } : {}),
        ...(ctx.wantsIpxe ? { wantsIpxe: ctx.wantsIpxe } : {}),
      });
      const warnings: string[] = [];
      if (boot.classic && ctx.httpPort !== boot.classic.httpPort) {
        warnings.push(classicPortWarning(boot.classic.httpPort, ctx.httpPort, ctx.audience));
      }
      return {
        policy,
        roles: rolesOf(sources),
        entryByKernel: entriesOf(sources),
        warnings,
        menuFor: (pc, pick) => boot.menuFor(pc, pick),
      };
    },

    async startHttp(o) {
      const server = new HttpServer({
        vfs: o.vfs,
        address: o.address,
        port: o.port,
        tracker: o.tracker,
        log: scoped(o.log, 'http'),
        ...(o.generate ? { generate: o.generate } : {}),
        ...(o.reserved ? { reserved: o.reserved } : {}),
        ...(o.sourceOf ? { sourceOf: o.sourceOf } : {}),
      });
      await server.start();
      return { port: server.port, close: () => server.stop() };
    },

    async startTftp(o) {
      const server = new TftpServer({
        vfs: o.vfs,
        address: o.address,
        port: o.port,
        tracker: o.tracker,
        log: scoped(o.log, 'tftp'),
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ...(o.reserved ? { reserved: o.reserved } : {}),
        ...(o.sourceOf ? { sourceOf: o.sourceOf } : {}),
      });
      await server.start();
      return { close: () => server.stop() };
    },

    async startDhcp(o) {
      const dhcp = new DhcpService({
        iface: o.iface,
        mode: o.mode,
        policy: o.policy,
        log: scoped(o.log, 'dhcp'),
        ...(o.ports ? { ports: o.ports } : {}),
        ...(o.relayPools ? { relayPools: o.relayPools } : {}),
      });
      // Own-DHCP mode only: there Bootdrop is the only server on the link, and iPXE would otherwise
      // wait ~15 s for an IPv6 router. BOOTDROP_RA=0 turns it off (the bench's before/after).
      const ra =
        process.env.BOOTDROP_RA === '0' ? null : new RouterAdvertiser({ iface: o.iface, log: scoped(o.log, 'ndp') });
      dhcp.on('client', (e: ClientEvent) => {
        if (dhcp.effectiveMode === 'dhcp') ra?.wake();
        o.onClient({ mac: e.mac, ip: e.ip, firmware: firmwareOf(e.facts), arch: e.facts.archCode });
      });
      dhcp.on('mode', (m, why) => {
        if (m === 'dhcp') ra?.enable();
        else ra?.disable();
        o.onMode(m, why);
      });
      try {
        await dhcp.start();
      } catch (err) {
        ra?.disable();
        throw err;
      }
      return {
        get effectiveMode() {
          return dhcp.effectiveMode;
        },
        macForIp: (ip) => dhcp.macForIp(ip),
        close: async () => {
          ra?.disable();
          await dhcp.stop();
        },
      };
    },
  };
}
