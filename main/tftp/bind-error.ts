import type { ServeError } from '../contract';

/** A server could not take its port: says which port, who probably holds it, and what to do. */
export class PortBindError extends Error implements ServeError {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'PortBindError';
  }

  toServeError(): ServeError {
    return { code: this.code, message: this.message, remedy: this.remedy };
  }
}

export function tftpBindError(err: NodeJS.ErrnoException, address: string, port: number): Error {
  if (err.code === 'EADDRINUSE') {
    return new PortBindError(
      'EADDRINUSE',
      `TFTP port ${port} on ${address} is already in use (UDP).`,
      `Another TFTP server holds it — usually tftpd-hpa, dnsmasq (enable-tftp) or another Bootdrop. ` +
        `Stop it (e.g. \`sudo systemctl stop tftpd-hpa\`), then start again. \`sudo ss -lunp 'sport = :${port}'\` shows the holder.`,
    );
  }
  if (err.code === 'EACCES') {
    return new PortBindError(
      'EACCES',
      `Not allowed to bind TFTP port ${port} on ${address}: ports below 1024 are privileged.`,
      port < 1024
        ? `On Linux allow unprivileged low ports with \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${port}\`, or run Bootdrop with privileges.`
        : 'Check that this user may bind the port.',
    );
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new PortBindError('EADDRNOTAVAIL', `Address ${address} is not on any interface of this machine.`, 'Pick an interface that is up and has this address.');
  }
  return err;
}
