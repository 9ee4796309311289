import { PortBindError } from '../net';

/**
 * A TFTP listener that cannot bind: the shared PortBindError (one type for every server), worded for
 * TFTP — whatever the port number, the likely holder is another TFTP server.
 */
export function tftpBindError(err: NodeJS.ErrnoException, address: string, port: number): Error {
  if (err.code === 'EADDRINUSE') {
    return new PortBindError(
      'EADDRINUSE',
      port,
      address,
      `TFTP port ${port} (UDP) on ${address} is already in use.`,
      `Another TFTP server holds it — usually tftpd-hpa, atftpd, dnsmasq (enable-tftp) or another Bootdrop. ` +
        `Stop it (e.g. \`sudo systemctl stop tftpd-hpa\`), then start again; \`sudo ss -lunp 'sport = :${port}'\` shows the holder.`,
    );
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new PortBindError(
      'EACCES',
      port,
      address,
      `Not allowed to bind TFTP port ${port} (UDP) on ${address}: ports below 1024 need privileges.`,
      port < 1024
        ? `On Linux allow unprivileged low ports with \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${port}\` ` +
            '(67 also covers DHCP), or run Bootdrop with privileges.'
        : 'Check that this user may bind the port.',
    );
  }
  return err;
}
