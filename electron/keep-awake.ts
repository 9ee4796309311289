/**
 * While Bootdrop serves, the computer must not suspend: a laptop that sleeps mid-download kills the other
 * PC's boot (its kernel or squashfs download just stops). Electron's powerSaveBlocker holds that off;
 * 'prevent-app-suspension' keeps the system awake but lets the screen turn off.
 */
import type { PowerSaveBlocker } from 'electron';

export class KeepAwake {
  private id: number | null = null;

  constructor(private readonly blocker: Pick<PowerSaveBlocker, 'start' | 'stop'>) {}

  get held(): boolean {
    return this.id !== null;
  }

  /** Hold the blocker exactly while `serving` is true; repeated calls with the same value change nothing. */
  follow(serving: boolean): void {
    if (serving && this.id === null) this.id = this.blocker.start('prevent-app-suspension');
    else if (!serving && this.id !== null) {
      this.blocker.stop(this.id);
      this.id = null;
    }
  }
}
