/**
 * The desktop app refuses to run as root on Linux: Chromium's sandbox does not work there and a GUI
 * has no business running privileged. Headless/root use is what `bootdrop serve` is for.
 */
export function rootRefusal(platform: NodeJS.Platform, uid: number | undefined): string | null {
  if (platform !== 'linux' || uid !== 0) return null;
  return (
    "Bootdrop's window does not run as root (the browser sandbox needs an unprivileged user).\n" +
    'Start it as your normal user: it will offer to allow the boot ports once.\n' +
    'For headless or root use, run the CLI instead: bootdrop serve <iso>'
  );
}
