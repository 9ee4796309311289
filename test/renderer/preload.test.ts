import { describe, expect, it } from 'vitest';
import { fromPreload, toProblem } from '../../renderer/src/api/index';
import { FakeEngine } from './fake-api';

describe('fromPreload', () => {
  it('uses window.bootdrop as is, always open, with pathForFile and the shell fix when present', async () => {
    const engine = new FakeEngine();
    const seen: File[] = [];
    const bridge = {
      ...engine.api,
      pathForFile(file: File) {
        seen.push(file);
        return `/home/me/${file.name}`;
      },
      shell: {
        fixPrivilegedPorts: async () => ({ ok: true, message: 'ports below 1024 are now allowed' }),
        openDialog: async (req: { kind: string }) => ({ paths: [`/chosen/${req.kind}`] }),
      },
    };
    const c = fromPreload(bridge);
    expect(c.info().status).toBe('open');
    expect(c.api).toBe(bridge);
    const file = new File(['x'], 'arch.iso');
    expect(c.pathForFile?.(file)).toBe('/home/me/arch.iso');
    expect(seen).toEqual([file]);
    await expect(c.fixPrivilegedPorts?.()).resolves.toEqual({ ok: true, message: 'ports below 1024 are now allowed' });
    await expect(c.openDialog?.({ kind: 'folder' })).resolves.toEqual({ paths: ['/chosen/folder'] });
  });

  it('leaves the extras out when the preload has none', () => {
    const c = fromPreload(new FakeEngine().api);
    expect(c.pathForFile).toBeUndefined();
    expect(c.fixPrivilegedPorts).toBeUndefined();
    expect(c.openDialog).toBeUndefined();
  });
});

describe('toProblem', () => {
  it('reads the JSON error the preload rethrows (contextBridge keeps only the message)', () => {
    const e = new Error(
      JSON.stringify({ code: 'EADDRINUSE', message: 'UDP port 67 is in use', remedy: 'Stop dnsmasq.' }),
    );
    expect(toProblem(e)).toEqual({ code: 'EADDRINUSE', message: 'UDP port 67 is in use', remedy: 'Stop dnsmasq.' });
  });
  it("strips Electron's invoke prefix from a plain error", () => {
    expect(toProblem(new Error("Error invoking remote method 'bootdrop:start': Error: boom"))).toEqual({
      code: 'EUNKNOWN',
      message: 'boom',
    });
  });
  it('keeps code and remedy of bridge errors, and copes with non-errors', () => {
    expect(toProblem(Object.assign(new Error('x'), { code: 'EINVAL', remedy: 'y' }))).toEqual({
      code: 'EINVAL',
      message: 'x',
      remedy: 'y',
    });
    expect(toProblem('text')).toEqual({ code: 'EUNKNOWN', message: 'text' });
    expect(toProblem(new Error('{not json'))).toEqual({ code: 'EUNKNOWN', message: '{not json' });
  });
});
