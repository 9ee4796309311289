/**
 * Desktop notifications that stay clickable. Electron drops a Notification's click handler once the
 * JavaScript object is garbage-collected, so a notification clicked a minute later did nothing; this keeps
 * the recent ones referenced until they close (bounded: the oldest are let go).
 */
import type { Notification as NotificationType, NotificationConstructorOptions } from 'electron';

export interface NotifierDeps {
  Notification: { new (options: NotificationConstructorOptions): NotificationType; isSupported(): boolean };
  icon?: string | undefined;
  onClick(): void;
}

export const MAX_LIVE_NOTIFICATIONS = 16;

export class Notifier {
  private readonly live = new Set<NotificationType>();

  constructor(private readonly deps: NotifierDeps) {}

  /** How many notifications are still referenced (for tests). */
  get liveCount(): number {
    return this.live.size;
  }

  show(n: { title: string; body: string }): void {
    const { Notification, icon, onClick } = this.deps;
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: n.title, body: n.body, ...(icon ? { icon } : {}) });
    this.live.add(notification);
    notification.on('click', () => onClick());
    notification.on('close', () => this.live.delete(notification));
    for (const old of this.live) {
      if (this.live.size <= MAX_LIVE_NOTIFICATIONS) break;
      this.live.delete(old);
    }
    notification.show();
  }

  clear(): void {
    this.live.clear();
  }
}
