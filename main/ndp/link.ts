/**
 * How the router advertisement reaches the wire. As root (or with CAP_NET_RAW) the engine opens the
 * raw socket itself (main/native/ndp.ts). Without it — the desktop app, a --user service — opening
 * fails with EPERM, and the bootdrop-ra program does it instead: it holds cap_net_raw as a file
 * capability (the .deb sets it) and can only send this one fixed advertisement and report solicitations.
 * The advertiser's timing stays in TypeScript either way.
 */
import { errorMessage } from '../errors';
import { openNdpSocket, raHelperPath, startRaHelper, type NdpSocket, type RaHelper } from '../native';
import { encodeBootdropAdvertisement, isRouterSolicitation } from './codec';

/** Sends Bootdrop's advertisement on one interface and hears router solicitations there. */
export interface AdvertisementLink {
  /** One advertisement to ff02::1; throws why it could not (a helper reports through `sendFailed`). */
  advertise(): void;
  /** Source addresses of the router solicitations heard since the last call (never blocks). */
  solicitations(): string[];
  close(): void;
}

/** What a link reports as it goes; the in-process socket is ready at once and is never lost. */
export interface LinkWatch {
  /** Advertisements can go out; `via` says how, for the log. */
  ready(via: string): void;
  sendFailed(reason: string): void;
  /** The link is gone for good (the helper ended): why, with the remedy. */
  lost(reason: string): void;
}

export interface LinkOpeners {
  socket(ifname: string): NdpSocket;
  /** Path of the bootdrop-ra program, or null when it is not installed next to the addons. */
  helperPath(): string | null;
  helper: typeof startRaHelper;
}

const defaultOpeners: LinkOpeners = { socket: openNdpSocket, helperPath: raHelperPath, helper: startRaHelper };

function socketLink(iface: { name: string; mac: string }, watch: LinkWatch, openers: LinkOpeners): AdvertisementLink {
  const packet = encodeBootdropAdvertisement(iface.mac);
  const s = openers.socket(iface.name);
  watch.ready('raw socket');
  return {
    advertise: () => s.sendAllNodes(packet),
    solicitations: () => {
      const from: string[] = [];
      // Bounded: the socket's queue is finite, and a flood cannot hold the loop past 64 reads.
      for (let i = 0; i < 64; i++) {
        const d = s.receive();
        if (!d) break;
        if (isRouterSolicitation(d.bytes)) from.push(d.from);
      }
      return from;
    },
    close: () => s.close(),
  };
}

function helperLink(path: string, ifname: string, watch: LinkWatch, openers: LinkOpeners): AdvertisementLink {
  let heard: string[] = [];
  const helper: RaHelper = openers.helper(path, ifname, {
    ready: () => watch.ready(`${path}, which holds CAP_NET_RAW`),
    // Bounded like the socket's queue: more than 64 waiting solicitations still mean one answer.
    solicitation: (from) => void (heard.length < 64 && heard.push(from)),
    sendFailed: (reason) => watch.sendFailed(reason),
    // The helper's own line names the remedy (e.g. the setcap command with its path).
    exited: (reason) => watch.lost(reason),
  });
  return {
    advertise: () => helper.send(),
    solicitations: () => {
      const out = heard;
      heard = [];
      return out;
    },
    close: () => helper.close(),
  };
}

/**
 * The in-process socket when the engine may open it; on EPERM the bootdrop-ra helper. Throws why
 * neither can be used (with the remedy); a helper that starts but then fails reports through `lost`.
 */
export function openAdvertisementLink(
  iface: { name: string; mac: string },
  watch: LinkWatch,
  openers: LinkOpeners = defaultOpeners,
): AdvertisementLink {
  try {
    return socketLink(iface, watch, openers);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    const path = openers.helperPath();
    if (!path) {
      throw new Error(
        `${errorMessage(err)}, and the bootdrop-ra helper that sends it without them is not installed (npm run build:native builds it into dist/native)`,
      );
    }
    return helperLink(path, iface.name, watch, openers);
  }
}
