import { beforeEach, describe, expect, it, vi } from 'vitest';
import { claimSingleInstance } from '../../../electron/single-instance';
import { app as fakeApp, resetFakes } from './fake-electron';

// The fake implements the three methods claimSingleInstance uses.
const app = fakeApp as typeof fakeApp & Parameters<typeof claimSingleInstance>[0];

vi.mock('electron', () => import('./fake-electron'));

describe('single instance', () => {
  beforeEach(() => resetFakes());

  it('the first instance runs and focuses its window when a second one starts', () => {
    const focus = vi.fn();
    expect(claimSingleInstance(app, focus)).toBe(true);
    expect(app.quitCalls).toBe(0);
    app.emit('second-instance', {}, ['bootdrop']);
    expect(focus).toHaveBeenCalledTimes(1);
  });

  it('a second instance quits at once', () => {
    app.lock = false;
    const focus = vi.fn();
    expect(claimSingleInstance(app, focus)).toBe(false);
    expect(app.quitCalls).toBe(1);
    expect(app.listenerCount('second-instance')).toBe(0);
  });
});
