import { describe, expect, it } from 'vitest';
import { refusalFor } from '../../../main/tftp/refusal';
import { VfsError } from '../../../main/vfs';

describe('refusalFor', () => {
  it.each([
    ['EOUTSIDE', 2, 'Access violation', 'warn', 'refused'],
    ['EINVAL', 2, 'Access violation', 'warn', 'refused'],
    ['ENOENT', 1, 'File not found', 'info', 'not-found'],
    ['ENOTDIR', 1, 'File not found', 'info', 'not-found'],
    ['EISDIR', 1, 'File not found', 'info', 'not-found'],
    ['ELOOP', 1, 'File not found', 'warn', 'not-found'], // as HTTP's 404, not a read error
    ['EIO', 0, 'Read error on the server', 'error', 'error'],
    ['ECORRUPT', 0, 'Read error on the server', 'error', 'error'],
  ] as const)('%s → ERROR %i "%s", logged at %s', (code, tftp, text, level, result) => {
    const r = refusalFor(new VfsError(code, '/x', 'because', '/srv'), 'x');
    expect(r).toMatchObject({ code: tftp, text, level, result });
  });

  it('names the request in the log line, quoted when it may be hostile', () => {
    expect(refusalFor(new VfsError('EOUTSIDE', '/e', 'symlink points outside', '/srv'), '../etc\npasswd').log).toBe(
      'refused "../etc\\npasswd": /srv: /e: symlink points outside',
    );
    expect(refusalFor(new VfsError('ENOENT', '/n', 'no such file', '/srv'), 'pxelinux.cfg/01-aa').log).toBe(
      'not found: pxelinux.cfg/01-aa',
    );
    expect(refusalFor(new Error('disk gone'), 'k').log).toBe('cannot read k: disk gone');
    expect(refusalFor('odd', 'k')).toMatchObject({ code: 0, log: 'cannot read k: odd' });
  });
});
