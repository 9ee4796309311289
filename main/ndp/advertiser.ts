/**
 * RouterAdvertiser: tells a PC booting on a bare cable that no IPv6 router is coming, so iPXE stops
 * waiting for one. Without it, iPXE's IPv6 autoconfiguration sends router solicitations for ~15 s
 * before giving up, and its `ifconf` waits for that even after DHCPv4 has finished.
 *
 * Only for own-DHCP mode on the chosen interface (a LAN has its own router, and a second one's
 * advertisements would confuse its hosts). Light and bounded: while a PC is booting (a window
 * re-armed by each DHCP answer) it sends one advertisement every `periodMs` and answers router
 * solicitations within `pollMs`; outside the window it sends nothing and polls nothing.
 */
import type { ScopedLog } from '../log';
import { errorMessage } from '../errors';
import { encodeBootdropAdvertisement } from './codec';
import { openAdvertisementLink, type AdvertisementLink, type LinkWatch } from './link';

export interface RouterAdvertiserOptions {
  iface: { name: string; mac: string };
  log: ScopedLog;
  /** Opens the link (default: the engine's raw socket, else the bootdrop-ra helper). */
  open?: (iface: { name: string; mac: string }, watch: LinkWatch) => AdvertisementLink;
  /** An unsolicited advertisement this often while a PC is booting (default 3000). */
  periodMs?: number;
  /** How long a DHCP answer keeps the advertiser awake (default 60000). */
  windowMs?: number;
  /** How often queued router solicitations are read while awake (default 100; iPXE retries after 250 ms). */
  pollMs?: number;
}

export class RouterAdvertiser {
  private readonly opts: RouterAdvertiserOptions;
  private link: AdvertisementLink | null = null;
  private unavailable: string | null = null;
  private awakeUntil = 0;
  private sendTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private sendErrorLogged = false;
  /** Advertisements sent (for logs and tests). */
  sent = 0;

  constructor(opts: RouterAdvertiserOptions) {
    this.opts = opts;
  }

  /** Why advertisements cannot be sent, or null while they can (or have not been tried). */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  /** Own-DHCP mode began: open the link (once) and advertise for a window. */
  enable(): void {
    if (!this.link && this.unavailable === null) {
      try {
        // A link without a usable MAC (e.g. a tunnel) is refused here, not at construction: serving goes on.
        encodeBootdropAdvertisement(this.opts.iface.mac);
        let link: AdvertisementLink | null = null;
        link = (this.opts.open ?? openAdvertisementLink)(this.opts.iface, {
          ready: (via) =>
            this.opts.log(
              'info',
              `IPv6 router advertisements on ${this.opts.iface.name} while a PC boots (no prefix, no default router), so iPXE does not wait ~15 s for a router (via ${via})`,
            ),
          sendFailed: (reason) => this.sendFailed(reason),
          lost: (reason) => {
            if (link === null || this.link !== link) return; // an earlier link, already closed
            this.disable();
            this.giveUp(reason);
          },
        });
        this.link = link;
      } catch (err) {
        this.giveUp(errorMessage(err));
      }
    }
    this.wake();
  }

  /** A PC is booting (a DHCP answer went out): advertise now and keep doing so for a window. */
  wake(): void {
    if (!this.link) return;
    this.awakeUntil = Date.now() + (this.opts.windowMs ?? 60_000);
    if (this.sendTimer) return; // already awake: the window just got longer
    this.advertise();
    this.sendTimer = setInterval(() => this.tick(), this.opts.periodMs ?? 3000);
    this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs ?? 100);
  }

  /** Own-DHCP mode ended (proxy) or the service stops: no more advertisements, link closed. */
  disable(): void {
    this.sleep();
    this.link?.close();
    this.link = null;
    this.unavailable = null;
  }

  private giveUp(reason: string): void {
    this.unavailable = reason;
    this.opts.log(
      'warn',
      `IPv6 router advertisement unavailable (${reason}): on a bare cable iPXE waits ~15 s for an IPv6 router before booting`,
    );
  }

  private sleep(): void {
    if (this.sendTimer) clearInterval(this.sendTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.sendTimer = this.pollTimer = null;
  }

  private tick(): void {
    if (Date.now() > this.awakeUntil) this.sleep();
    else this.advertise();
  }

  private poll(): void {
    const link = this.link;
    if (!link) return;
    let solicited = false;
    try {
      solicited = link.solicitations().length > 0;
    } catch (err) {
      this.opts.log('debug', `reading router solicitations failed: ${errorMessage(err)}`);
    }
    // One answer per poll however many solicitations queued: a flood of them costs at most 1000/pollMs a second.
    if (solicited) this.advertise();
  }

  private advertise(): void {
    const link = this.link;
    if (!link) return;
    try {
      link.advertise();
      this.sent++;
    } catch (err) {
      this.sendFailed(errorMessage(err));
    }
  }

  // E.g. the interface has no usable link-local address yet (DAD still running) or IPv6 is off on it.
  private sendFailed(reason: string): void {
    if (!this.sendErrorLogged) {
      this.opts.log('warn', `IPv6 router advertisement on ${this.opts.iface.name} not sent: ${reason}`);
    }
    this.sendErrorLogged = true;
  }
}
