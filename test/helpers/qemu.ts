/**
 * QEMU guests for boot tests, under TCG (no KVM: CI machines have none), with the serial console
 * captured. A guest either network-boots from a TestLan tap (BIOS: SeaBIOS + QEMU's iPXE option ROM;
 * UEFI: OVMF with the ROM disabled so EDK2's own PXE client runs) or boots a kernel directly (to check
 * fixtures and this harness on their own). Every guest has a hard timeout and is always killed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
/** Secure Boot enforced: Microsoft's keys enrolled (Debian's ovmf package), q35 with SMM. */
const OVMF_SB_CODE = '/usr/share/OVMF/OVMF_CODE_4M.ms.fd';
const OVMF_SB_VARS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';

/** ARM64 UEFI (qemu-efi-aarch64), Secure Boot enforced: the ms variant has Microsoft's keys enrolled. */
const AAVMF_SB_CODE = '/usr/share/AAVMF/AAVMF_CODE.ms.fd';
const AAVMF_SB_VARS = '/usr/share/AAVMF/AAVMF_VARS.ms.fd';

type GuestFirmware = 'bios' | 'uefi' | 'uefi-secure-boot' | 'uefi-arm64-secure-boot';

export interface GuestOptions {
  firmware: GuestFirmware;
  /** Network boot from this tap (in `ns`, the LAN's switch namespace). */
  tap?: { ns: string; ifname: string };
  mac?: string;
  /** Direct kernel boot instead of PXE. */
  kernel?: { vmlinuz: string; initrd: string; append: string };
  /** NIC model: default e1000 for BIOS, virtio-net-pci for UEFI. */
  nic?: 'e1000' | 'virtio-net-pci';
  /**
   * Keep QEMU's iPXE option ROM (BIOS default: true, the guest is an iPXE client). For UEFI the default
   * is false: an empty romfile makes OVMF's own EDK2 PXE client do the boot (4011 + TFTP path).
   */
  ipxeRom?: boolean;
  /**
   * UEFI: OVMF's PXE client switched off (fw_cfg opt/org.tianocore/IPv4PXESupport and IPv6PXESupport,
   * edk2 OvmfPkg/RUNTIME_CONFIG.md), so its boot manager's network entries are UEFI HTTP Boot only, as on
   * a PC whose setup has PXE off and HTTP Boot on.
   */
  httpBootOnly?: boolean;
  memMiB?: number;
  /**
   * BIOS: SeaBIOS copies the screen (its own, the option ROM's, PXELINUX's) to the serial console
   * (SeaBIOS "sercon", fw_cfg etc/sercon-port), so a failed boot's serial tail shows where the
   * firmware stopped. Default true.
   */
  biosSerialConsole?: boolean;
  /** Print each serial line as it arrives (debugging). */
  echo?: boolean;
  /** Let the guest reboot (default: QEMU exits when it does, -no-reboot). */
  reboot?: boolean;
}

let guestSeq = 0;

/**
 * Fail fast when network boots are broken. The first network boot that times out (or whose QEMU dies)
 * before the guest's kernel printed anything of the fixture's ("BOOTDROP-…": it never got past the
 * firmware, the loader or the menu) writes this file; every later network boot of the same test run
 * (vitest's forks share their parent's pid) then fails at once, naming that first failure, instead of
 * each waiting out its own timeouts. Direct kernel boots are not affected.
 */
const BROKEN_FLAG = path.join(os.tmpdir(), `bootdrop-boots-broken-${process.ppid}`);
const BROKEN_FLAG_MAX_AGE_MS = 3 * 3600_000; // a flag left by an older run with a recycled pid

/** The first firmware-level boot failure of this test run, or null. */
function bootsBroken(): string | null {
  try {
    if (Date.now() - statSync(BROKEN_FLAG).mtimeMs > BROKEN_FLAG_MAX_AGE_MS) return null;
    return readFileSync(BROKEN_FLAG, 'utf8');
  } catch {
    return null;
  }
}

function markBootsBroken(what: string): void {
  if (bootsBroken() !== null) return;
  try {
    writeFileSync(BROKEN_FLAG, what);
  } catch {
    /* best effort: each boot still has its own bound */
  }
}

export class Guest {
  private output = '';
  private waiters = new Set<() => void>();
  private exitCode: number | null | undefined = undefined;
  private netBoot = false;
  private constructor(
    readonly proc: ChildProcess,
    private readonly workDir: string,
    readonly name: string,
  ) {
    const onData = (chunk: Buffer) => {
      // Serial output of a PXE ROM contains ANSI escapes and \r; keep it raw, match on it loosely.
      this.output += chunk.toString('latin1');
      if (this.output.length > 4 * 1024 * 1024) this.output = this.output.slice(-2 * 1024 * 1024);
      for (const w of this.waiters) w();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      this.exitCode = code;
      for (const w of this.waiters) w();
    });
  }

  static async start(opts: GuestOptions): Promise<Guest> {
    const broken = opts.tap && !opts.kernel ? bootsBroken() : null;
    if (broken !== null)
      throw new Error(`not booting: an earlier network boot of this run failed before its kernel ran:\n${broken}`);
    const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-guest-'));
    const name = `guest${++guestSeq}`;
    const sb = opts.firmware === 'uefi-secure-boot';
    const arm64 = opts.firmware === 'uefi-arm64-secure-boot';
    const machine = arm64 ? 'virt' : sb ? 'q35,smm=on' : 'pc';
    const args = ['-machine', machine, '-accel', 'tcg', '-m', String(opts.memMiB ?? 512), '-smp', '1'];
    if (arm64) args.push('-cpu', 'cortex-a57');
    args.push('-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nodefaults');
    if (!opts.reboot) args.push('-no-reboot');
    if (!arm64) args.push('-vga', 'none');
    if (arm64) {
      for (const f of [AAVMF_SB_CODE, AAVMF_SB_VARS])
        if (!existsSync(f)) throw new Error(`${f} is missing: install the Debian package "qemu-efi-aarch64"`);
      const vars = path.join(workDir, 'AAVMF_VARS.fd');
      await fsp.copyFile(AAVMF_SB_VARS, vars);
      args.push(
        '-drive',
        `if=pflash,format=raw,unit=0,readonly=on,file=${AAVMF_SB_CODE}`,
        '-drive',
        `if=pflash,format=raw,unit=1,file=${vars}`,
      );
    } else if (sb) {
      for (const f of [OVMF_SB_CODE, OVMF_SB_VARS])
        if (!existsSync(f)) throw new Error(`${f} is missing: install the Debian package "ovmf"`);
      const vars = path.join(workDir, 'OVMF_VARS.ms.fd');
      await fsp.copyFile(OVMF_SB_VARS, vars);
      args.push(
        '-global',
        'driver=cfi.pflash01,property=secure,value=on',
        '-drive',
        `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_SB_CODE}`,
        '-drive',
        `if=pflash,format=raw,unit=1,file=${vars}`,
      );
    } else if (opts.firmware === 'uefi') {
      for (const f of [OVMF_CODE, OVMF_VARS])
        if (!existsSync(f)) throw new Error(`${f} is missing: install the Debian package "ovmf"`);
      const vars = path.join(workDir, 'OVMF_VARS.fd');
      await fsp.copyFile(OVMF_VARS, vars);
      args.push(
        '-drive',
        `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
        '-drive',
        `if=pflash,format=raw,unit=1,file=${vars}`,
      );
    }
    if (opts.httpBootOnly && opts.firmware !== 'bios') {
      for (const v of ['IPv4PXESupport', 'IPv6PXESupport'])
        args.push('-fw_cfg', `name=opt/org.tianocore/${v},string=no`);
    }
    if (opts.firmware === 'bios' && opts.biosSerialConsole !== false) {
      // SeaBIOS reads the port as a little-endian integer; 0x3f8 is COM1, where -serial stdio goes.
      const port = path.join(workDir, 'sercon-port');
      await fsp.writeFile(port, Buffer.from([0xf8, 0x03]));
      args.push('-fw_cfg', `name=etc/sercon-port,file=${port}`);
    }
    if (opts.tap) {
      const nic = opts.nic ?? (opts.firmware === 'bios' ? 'e1000' : 'virtio-net-pci');
      const rom = opts.ipxeRom ?? opts.firmware === 'bios';
      const mac = opts.mac ?? randomMac();
      args.push('-netdev', `tap,id=n0,ifname=${opts.tap.ifname},script=no,downscript=no`);
      args.push('-device', `${nic},netdev=n0,mac=${mac}${rom ? '' : ',romfile='},bootindex=1`);
    } else {
      args.push('-nic', 'none');
    }
    if (opts.kernel) {
      args.push('-kernel', opts.kernel.vmlinuz, '-initrd', opts.kernel.initrd, '-append', opts.kernel.append);
    } else {
      args.push('-boot', 'order=n');
    }
    const qemu = arm64 ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
    const cmd = opts.tap ? ['ip', 'netns', 'exec', opts.tap.ns, qemu, ...args] : [qemu, ...args];
    const proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir });
    const guest = new Guest(proc, workDir, name);
    guest.netBoot = opts.tap !== undefined && opts.kernel === undefined;
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', (err) =>
        reject(new Error(`cannot start ${qemu} (install "qemu-system-x86" / "qemu-system-arm"): ${err.message}`)),
      );
    });
    if (opts.echo) {
      proc.stdout?.on('data', (c: Buffer) => process.stderr.write(`[${name}] ${c.toString('latin1')}`));
    }
    return guest;
  }

  get serial(): string {
    return this.output;
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  /** The last `chars` of the serial console with escape codes stripped, for failure messages. */
  tail(chars = 3000): string {
    return stripAnsi(this.output).slice(-chars);
  }

  /** Wait until the serial console matches; fails (with the serial tail) on timeout or QEMU exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = stripAnsi(this.output).match(pattern);
        if (m) return done(() => resolve(m));
        if (this.exitCode !== undefined) {
          return done(() =>
            reject(
              this.failed(
                `${this.name}: QEMU exited (${this.exitCode}) before ${pattern}; serial tail:\n${this.tail()}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              this.failed(
                `${this.name}: timed out after ${timeoutMs} ms waiting for ${pattern}; serial tail:\n${this.tail()}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        fn();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** A wait failed: a network boot that never reached the fixture's kernel marks boots broken. */
  private failed(message: string): Error {
    if (this.netBoot && !/BOOTDROP-/.test(stripAnsi(this.output))) markBootsBroken(message);
    return new Error(message);
  }

  /** Wait for QEMU to exit by itself (the fixture powers off), bounded. */
  async waitExit(timeoutMs: number): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: still running after ${timeoutMs} ms; serial tail:\n${this.tail()}`)),
        timeoutMs,
      );
      this.proc.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Kill QEMU (and the `ip netns exec` wrapper's child) and remove its files. Idempotent. */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) {
      this.proc.kill('SIGKILL');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5000);
        this.proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await fsp.rm(this.workDir, { recursive: true, force: true });
  }
}

export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>c]/g, '').replace(/\r/g, '');
}

/** A locally administered unicast MAC (52:54:00 is QEMU's prefix). */
export function randomMac(): string {
  const b = [0x52, 0x54, 0x00, ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256))];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Run one guest to a pattern with a hard timeout, always killing it. Returns the match. */
export async function bootUntil(
  opts: GuestOptions,
  pattern: RegExp,
  timeoutMs: number,
): Promise<{ match: RegExpMatchArray; serial: string }> {
  const guest = await Guest.start(opts);
  try {
    const match = await guest.waitFor(pattern, timeoutMs);
    return { match, serial: stripAnsi(guest.serial) };
  } finally {
    await guest.kill();
  }
}

/**
 * The home router of a boot test: dnsmasq handing out addresses (no PXE options) on a TestLan host,
 * like the ISP box a real user has. `--no-ping` skips the ~3 s ping-before-offer; no lease file.
 */
/**
 * dnsmasq as the LAN's router. `ipv6Ra` also sends IPv6 router advertisements (RA only, a ULA prefix),
 * as most home routers do: without them iPXE ROMs wait ~15 s for IPv6 autoconfiguration before
 * booting (the benchmarks time boots, the tests do not need it).
 */
export async function startHomeRouter(
  host: { ns: string; address: string | null },
  net: string,
  opts: { ipv6Ra?: boolean } = {},
): Promise<ChildProcess> {
  if (!host.address) throw new Error('the router host needs an address');
  const ra: string[] = [];
  if (opts.ipv6Ra) {
    await execFileP('ip', ['-n', host.ns, 'addr', 'add', 'fd00:b0d:1::1/64', 'dev', 'eth0', 'nodad']);
    ra.push('--enable-ra', '--dhcp-range=::,constructor:eth0,ra-only');
  }
  const proc = spawn(
    'ip',
    [
      'netns',
      'exec',
      host.ns,
      'dnsmasq',
      '--no-daemon',
      '--conf-file=/dev/null',
      '--port=0',
      '--bind-interfaces',
      '--interface=eth0',
      `--dhcp-range=${net}.100,${net}.150,255.255.255.0`,
      '--no-ping',
      '--leasefile-ro',
      '--log-dhcp',
      '--dhcp-authoritative',
      ...ra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  proc.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, 500); // dnsmasq prints nothing reliable when ready; bind is instant
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`dnsmasq exited (${code}) (install "dnsmasq-base"): ${log}`));
    });
    proc.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
  });
  return proc;
}

/** One `bootdrop serve --json` process in a TestLan namespace, its NDJSON events collected. */
export class ServeProcess {
  readonly events: Array<{ type: string; [k: string]: unknown }> = [];
  private text = '';
  private stderr = '';
  private waiters = new Set<() => void>();
  private exitCode: number | null | undefined = undefined;

  constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (c: Buffer) => {
      this.text += c.toString();
      let nl: number;
      while ((nl = this.text.indexOf('\n')) >= 0) {
        const line = this.text.slice(0, nl);
        this.text = this.text.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line) as { type: string });
        } catch {
          this.stderr += `[non-JSON stdout] ${line}\n`;
        }
      }
      for (const w of this.waiters) w();
    });
    proc.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()));
    proc.on('exit', (code) => {
      this.exitCode = code;
      for (const w of this.waiters) w();
    });
  }

  /** Spawn `node bin/bootdrop.js serve <args> --json` inside `ns` (the compiled engine, dist/engine). */
  static start(ns: string, args: string[]): ServeProcess {
    const root = path.resolve(__dirname, '..', '..');
    if (!existsSync(path.join(root, 'dist', 'engine', 'cli', 'index.js')))
      throw new Error('dist/engine is missing: run "npx tsc -p tsconfig.engine.json" first');
    const proc = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, path.join(root, 'bin', 'bootdrop.js'), 'serve', ...args, '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: root,
      },
    );
    return new ServeProcess(proc);
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Recent events and stderr, for failure messages. */
  describe(): string {
    const evs = this.events.filter(
      (e) => e.type !== 'transfer' || (e.transfer as { outcome: string }).outcome !== 'active',
    );
    return `serve stderr:\n${this.stderr.slice(-3000)}\nlast serve events:\n${evs
      .slice(-40)
      .map((e) => JSON.stringify(e))
      .join('\n')}`;
  }

  waitEvent<T extends { type: string }>(
    pred: (e: { type: string; [k: string]: unknown }) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(pred);
        if (hit) return done(() => resolve(hit as unknown as T));
        if (this.exitCode !== undefined)
          return done(() =>
            reject(new Error(`bootdrop serve exited (${this.exitCode}) before ${what}\n${this.describe()}`)),
          );
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`))),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        fn();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Wait for the 'state' event with serving: true (fails with the ServeError if start failed). */
  async ready(timeoutMs = 30_000): Promise<{ address: string; httpUrl: string; effectiveMode: string | null }> {
    const e = await this.waitEvent<{
      type: 'state';
      state: { serving: boolean; error: unknown; address: string; httpUrl: string; effectiveMode: string | null };
    }>(
      (x) =>
        (x.type === 'state' &&
          ((x.state as { serving: boolean }).serving || (x.state as { error: unknown }).error !== null)) ||
        x.type === 'error',
      timeoutMs,
      'serve to be ready',
    );
    if (e.type !== 'state' || !e.state.serving)
      throw new Error(`bootdrop serve failed to start: ${JSON.stringify(e)}\n${this.describe()}`);
    return e.state;
  }

  /** SIGTERM, then wait for a clean exit (code 0 expected); SIGKILL if it hangs. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    const exited = new Promise<number | null>((resolve) => this.proc.once('exit', (code) => resolve(code)));
    // `ip netns exec` execs node, so this pid is node itself.
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

export interface BootRig {
  lan: import('./netns').TestLan;
  server: import('./netns').NetnsHost;
  serve: ServeProcess | null;
  guest: Guest | null;
  cleanup(): Promise<void>;
}

/**
 * A LAN for one boot test: a server host (where `bootdrop serve` runs, at <net>.2) and, unless
 * `router: false` (a bare cable), a home router at <net>.1 running dnsmasq.
 */
export async function bootRig(tag: string, net: string, opts: { router: boolean; ipv6Ra?: boolean }): Promise<BootRig> {
  const { TestLan } = await import('./netns');
  const lan = await TestLan.create(tag);
  const rig: BootRig = {
    lan,
    server: undefined as unknown as import('./netns').NetnsHost,
    serve: null,
    guest: null,
    async cleanup() {
      await rig.guest?.kill();
      if (rig.serve && !rig.serve.exited) await rig.serve.stop();
      await lan.destroy();
    },
  };
  try {
    if (opts.router) {
      const router = await lan.addHost('router', `${net}.1/24`);
      await startHomeRouter(router, net, { ipv6Ra: opts.ipv6Ra === true });
    }
    rig.server = await lan.addHost('server', `${net}.2/24`);
  } catch (err) {
    await lan.destroy();
    throw err;
  }
  return rig;
}

/** The `bootdrop serve` arguments the boot tests share: eth0, a serial console for markers, a 1 s menu. */
export function bootServeArgs(isos: string[], mode: 'proxy' | 'dhcp' | 'auto', extra: string[] = []): string[] {
  return [
    ...isos,
    '--interface',
    'eth0',
    '--mode',
    mode,
    '--append',
    'console=ttyS0 quiet',
    '--timeout',
    '1',
    ...extra,
  ];
}

type ClientEv = { type: 'client'; client: { mac: string; stage: string; firmware: string } };

/** The stages `bootdrop serve` reported for one client, in order, without repeats. */
export function stagesOf(serve: ServeProcess, mac: string): string[] {
  const out: string[] = [];
  for (const e of serve.events) {
    if (e.type !== 'client') continue;
    const c = (e as unknown as ClientEv).client;
    if (c.mac !== mac) continue;
    if (out.at(-1) !== c.stage) out.push(c.stage);
  }
  return out;
}
