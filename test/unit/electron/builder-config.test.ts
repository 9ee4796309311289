/**
 * Packaging cannot run here (no Electron binary), so the electron-builder config is checked offline:
 * electron-builder's own loader and JSON-schema validation, then the things the schema cannot know —
 * that icons, resources and the NSIS include exist, and that `files` ships what electron-vite builds.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { minimatch } from 'minimatch';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import { loadConfigFromFile, type UserConfig } from 'electron-vite';
import { APP_ID, resolveAppPaths } from '../../../electron/app-paths';
import { defaultLoadersDir } from '../../../main/boot';

const root = join(__dirname, '..', '..', '..');

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

async function loadBuilderConfig(): Promise<Configuration> {
  return getConfig(root, null, null);
}

function fileGlobs(config: Configuration): string[] {
  const files = config.files as Array<string | { filter?: string[] }>;
  return files.flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
}

/** electron-builder semantics: a path ships when some positive glob matches and no "!" glob does. */
function ships(globs: string[], path: string): boolean {
  const positive = globs.filter((g) => !g.startsWith('!'));
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  return (
    positive.some((g) => minimatch(path, g, { dot: true })) && !negative.some((g) => minimatch(path, g, { dot: true }))
  );
}

function targets(t: unknown): string[] {
  return (t as Array<string | { target: string }>).map((x) => (typeof x === 'string' ? x : x.target));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await loadBuilderConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator is live: a misspelt option is rejected', async () => {
    const config = await loadBuilderConfig();
    const broken = { ...config, nsis: { ...config.nsis, oneClik: false } } as Configuration;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/nsis/);
  });

  it('names the app and builds AppImage + deb, NSIS and dmg', async () => {
    const c = await loadBuilderConfig();
    expect(c.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(c.appId).toBe(APP_ID); // Windows' AppUserModelID (electron/main.ts) must match
    expect(c.productName).toBe('Bootdrop');
    expect(targets(c.linux!.target)).toEqual(['AppImage', 'deb']);
    expect(c.linux!.category).toBe('Network');
    expect(targets(c.win!.target)).toEqual(['nsis']);
    expect(targets(c.mac!.target)).toEqual(['dmg']);
  });

  it('icons exist at the sizes the platforms need', async () => {
    const c = await loadBuilderConfig();
    expect(pngSize(join(root, c.win!.icon!))).toEqual({ width: 512, height: 512 });
    expect(pngSize(join(root, c.mac!.icon!))).toEqual({ width: 512, height: 512 });
    const dir = join(root, c.linux!.icon!);
    const sizes = readdirSync(dir).map((f) => {
      const m = /^(\d+)x(\d+)\.png$/.exec(f);
      expect(m, `${f} is named <w>x<h>.png`).not.toBeNull();
      expect(pngSize(join(dir, f))).toEqual({ width: Number(m![1]), height: Number(m![2]) });
      return Number(m![1]);
    });
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 64, 128, 256, 512]));
  });

  it('extra resources exist: the boot loaders, the tray icons and the native I/O helpers the shell loads', async () => {
    const c = await loadBuilderConfig();
    const extra = c.extraResources as Array<{ from: string; to: string }>;
    expect(extra).toEqual([
      { from: 'assets/loaders', to: 'loaders' },
      { from: 'build/tray', to: 'tray' },
      { from: 'dist/native', to: 'native' },
    ]);
    for (const { from } of extra) expect(existsSync(join(root, from)), `${from} exists`).toBe(true);
    for (const loader of ['undionly.kpxe', 'ipxe.efi'])
      expect(existsSync(join(root, 'assets/loaders', loader)), loader).toBe(true);
    for (const state of ['idle', 'serving', 'transferring']) {
      expect(pngSize(join(root, 'build/tray', `${state}.png`))).toEqual({ width: 16, height: 16 });
      expect(pngSize(join(root, 'build/tray', `${state}@2x.png`))).toEqual({ width: 32, height: 32 });
      // macOS menu bar: template images (electron/tray.ts loads them on darwin).
      expect(pngSize(join(root, 'build/tray', `${state}Template.png`))).toEqual({ width: 16, height: 16 });
      expect(pngSize(join(root, 'build/tray', `${state}Template@2x.png`))).toEqual({ width: 32, height: 32 });
    }
    // The packaged shell looks for them exactly where `to` puts them.
    const paths = resolveAppPaths({
      isPackaged: true,
      resourcesPath: '/R',
      appPath: '/R/app.asar',
      mainDir: '/R/app.asar/out/main',
    });
    expect(paths.loadersDir).toBe('/R/loaders');
    expect(paths.trayIconDir).toBe('/R/tray');
    expect(paths.nativeDir).toBe('/R/native');
  });

  it('`files` ships everything electron-vite builds and package.json points at', async () => {
    const c = await loadBuilderConfig();
    const globs = fileGlobs(c);
    const { config } = await loadConfigFromFile(
      { command: 'build', mode: 'production' },
      'electron.vite.config.ts',
      root,
    );
    const vite = config as UserConfig;
    const outputs: string[] = [];
    for (const [part, ext] of [
      ['main', 'js'],
      ['preload', 'js'],
    ] as const) {
      const build = vite[part]!.build!;
      const input = build.rollupOptions!.input as Record<string, string>;
      for (const name of Object.keys(input)) outputs.push(`${build.outDir}/${name}.${ext}`);
    }
    outputs.push(`${vite.renderer!.build!.outDir}/index.html`, `${vite.renderer!.build!.outDir}/assets/index-abc.js`);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(outputs).toContain(pkg.main); // electron starts what electron-vite writes
    // The shell finds preload and page next to its own bundle.
    const paths = resolveAppPaths({
      isPackaged: true,
      resourcesPath: '/R',
      appPath: root,
      mainDir: join(root, 'out/main'),
    });
    expect(outputs).toContain(relative(root, paths.preload));
    expect(paths.entry.kind === 'file' && relative(root, paths.entry.indexHtml)).toBe('out/renderer/index.html');
    for (const path of [...outputs, 'package.json', 'dist/engine/cli/index.js', 'bin/bootdrop.js'])
      expect(ships(globs, path), `${path} ships`).toBe(true);
    for (const path of [
      'electron/main.ts',
      'main/session/session.ts',
      'test/unit/x.test.ts',
      'out/main/index.js.map',
      'node_modules/.bin/x',
    ]) {
      expect(ships(globs, path), `${path} stays out`).toBe(false);
    }
  });

  it('the NSIS include opens the PXE ports in Windows Firewall and removes the rules on uninstall', async () => {
    const c = await loadBuilderConfig();
    expect(c.nsis!.perMachine).toBe(true); // netsh needs an elevated installer
    const nsh = readFileSync(join(root, c.nsis!.include!), 'utf8');
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const uninstall = /!macro customUnInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toMatch(
      /netsh advfirewall firewall add rule [^\n]*protocol=UDP localport=67,69,4011 program="\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}"/,
    );
    expect(install).toMatch(
      /netsh advfirewall firewall add rule [^\n]*protocol=TCP localport=80 program="\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}"/,
    );
    expect(uninstall.match(/netsh advfirewall firewall delete rule/g)).toHaveLength(2);
    // Not on every network: a Public one (café Wi-Fi) gets no open DHCP port.
    expect(install).not.toMatch(/profile=any/);
    expect(install.match(/profile=private,domain/g)).toHaveLength(2);
  });

  it('macOS: says why Bootdrop needs the local network (macOS 15 blocks it otherwise)', async () => {
    const c = await loadBuilderConfig();
    const info = c.mac!.extendInfo as Record<string, string>;
    expect(info.NSLocalNetworkUsageDescription).toMatch(/local network/);
  });
});

describe('the .deb: `bootdrop` on the PATH is the CLI', () => {
  /** The macros electron-builder fills into after-install/after-remove (FpmTarget.writeConfigFile). */
  function render(template: string, executable: string): string {
    const macros: Record<string, string> = {
      executable,
      sanitizedProductName: 'Bootdrop',
      productFilename: 'Bootdrop',
    };
    return template.replace(/\$\{([a-zA-Z]+)\}/g, (_m, name: string) => {
      if (!(name in macros)) throw new Error(`Macro ${name} is not defined`); // what electron-builder does
      return macros[name]!;
    });
  }

  it('the app is bootdrop-desktop; after-install links /usr/bin/bootdrop to the CLI launcher, after-remove unlinks it', async () => {
    const c = await loadBuilderConfig();
    expect(c.linux!.executableName).toBe('bootdrop-desktop');
    // The launcher needs ELECTRON_RUN_AS_NODE: the runAsNode fuse must not be switched off.
    expect(c.electronFuses?.runAsNode).not.toBe(false);
    expect(c.linux!.extraResources).toContainEqual({ from: 'build/linux/bootdrop-cli.sh', to: 'bin/bootdrop' });
    const install = render(readFileSync(join(root, c.deb!.afterInstall!), 'utf8'), c.linux!.executableName!);
    const remove = render(readFileSync(join(root, c.deb!.afterRemove!), 'utf8'), c.linux!.executableName!);
    for (const script of [install, remove]) execFileSync('bash', ['-n'], { input: script }); // valid shell
    // electron-builder's own steps are still there (the GUI link, the chrome-sandbox mode).
    expect(install).toContain("'/usr/bin/bootdrop-desktop' 'bootdrop-desktop' '/opt/Bootdrop/bootdrop-desktop'");
    expect(install).toContain("chmod 4755 '/opt/Bootdrop/chrome-sandbox'");
    expect(install).toContain("ln -sf '/opt/Bootdrop/resources/bin/bootdrop' '/usr/bin/bootdrop'");
    // The router-advertisement helper gets its one capability, and a missing setcap only prints a note.
    expect(install).toContain("RA_HELPER='/opt/Bootdrop/resources/native/bootdrop-ra'");
    expect(install).toMatch(/if command -v setcap [^\n]+\n\s+setcap cap_net_raw\+ep "\$RA_HELPER" \|\| echo/);
    expect(install).toMatch(/else\n\s+echo "Bootdrop: setcap not found/);
    expect(c.deb!.recommends).toContain('libcap2-bin');
    expect(remove).toContain("update-alternatives --remove 'bootdrop-desktop' '/opt/Bootdrop/bootdrop-desktop'");
    expect(remove).toMatch(
      /readlink \/usr\/bin\/bootdrop\)" = '\/opt\/Bootdrop\/resources\/bin\/bootdrop' ]; then\s+rm -f \/usr\/bin\/bootdrop/,
    );
  });

  it('the launcher runs bin/bootdrop.js with the app binary as plain Node, with the loaders and native helpers', () => {
    // An installed layout: /opt/Bootdrop/{bootdrop-desktop, resources/{app.asar, bin/bootdrop}}, and
    // /usr/bin/bootdrop a symlink to the launcher. The stand-in "Electron" reports how it was called.
    const dir = mkdtempSync(join(tmpdir(), 'bootdrop-deb-'));
    try {
      const opt = join(dir, 'opt', 'Bootdrop');
      mkdirSync(join(opt, 'resources', 'bin'), { recursive: true });
      mkdirSync(join(dir, 'usr', 'bin'), { recursive: true });
      writeFileSync(
        join(opt, 'bootdrop-desktop'),
        '#!/bin/sh\nprintf \'%s\\n\' "RUN_AS_NODE=$ELECTRON_RUN_AS_NODE" "NATIVE=$BOOTDROP_NATIVE_DIR" "LOADERS=$BOOTDROP_LOADERS_DIR" "$@"\n',
        { mode: 0o755 },
      );
      writeFileSync(
        join(opt, 'resources', 'bin', 'bootdrop'),
        readFileSync(join(root, 'build/linux/bootdrop-cli.sh')),
        {
          mode: 0o755,
        },
      );
      symlinkSync(join(opt, 'resources', 'bin', 'bootdrop'), join(dir, 'usr', 'bin', 'bootdrop'));
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      const out = execFileSync(join(dir, 'usr', 'bin', 'bootdrop'), ['serve', '--iso', 'my disk.iso'], { env });
      expect(out.toString().trim().split('\n')).toEqual([
        'RUN_AS_NODE=1',
        `NATIVE=${join(opt, 'resources', 'native')}`,
        `LOADERS=${join(opt, 'resources', 'loaders')}`,
        join(opt, 'resources', 'app.asar', 'bin', 'bootdrop.js'),
        'serve',
        '--iso',
        'my disk.iso',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // …and the CLI takes the loaders from there (inside app.asar there are none).
    expect(defaultLoadersDir({ BOOTDROP_LOADERS_DIR: '/opt/Bootdrop/resources/loaders' })).toBe(
      '/opt/Bootdrop/resources/loaders',
    );
    expect(defaultLoadersDir({})).toBe(join(root, 'assets', 'loaders'));
  });
});
