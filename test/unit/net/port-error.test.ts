import { describe, expect, it } from 'vitest';
import { explainBindError, PortBindError, SERVICES } from '../../../main/net';

describe('port bind errors', () => {
  it('names the port, the likely holder and the remedy for the OS', () => {
    const busy = explainBindError(
      Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' }),
      67,
      '0.0.0.0',
      'linux',
    ) as PortBindError;
    expect(busy).toBeInstanceOf(PortBindError);
    expect(busy).toMatchObject({ code: 'EADDRINUSE', port: 67 });
    expect(busy.message).toMatch(/port 67.*dnsmasq/);
    expect(busy.remedy).toMatch(/ss -lunp/);
    const denied = explainBindError(
      Object.assign(new Error('bind EACCES'), { code: 'EACCES' }),
      67,
      '10.0.0.1',
      'linux',
    ) as PortBindError;
    expect(denied.code).toBe('EACCES');
    expect(denied.remedy).toContain('sysctl -w net.ipv4.ip_unprivileged_port_start=67');
    expect((explainBindError({ code: 'EADDRINUSE' }, 67, '0.0.0.0', 'darwin') as PortBindError).message).toMatch(
      /bootpd/,
    );
    expect((explainBindError({ code: 'EADDRINUSE' }, 67, '0.0.0.0', 'win32') as PortBindError).message).toMatch(/ICS/);
    const other = new Error('boom');
    expect(explainBindError(other, 67, '0.0.0.0')).toBe(other);
  });

  it('words the error for the service on the port: TCP for HTTP, and one sysctl (67) that covers every port', () => {
    const busy = explainBindError({ code: 'EADDRINUSE' }, 8080, '10.0.0.1', 'linux', SERVICES.http) as PortBindError;
    expect(busy.message).toBe(
      'HTTP port 8080 (TCP) on 10.0.0.1 is already in use, probably by another web server (nginx, apache2, lighttpd) or another Bootdrop',
    );
    expect(busy.remedy).toContain("ss -ltnp 'sport = :8080'");
    const denied = explainBindError({ code: 'EACCES' }, 80, '10.0.0.1', 'linux', SERVICES.http) as PortBindError;
    expect(denied.message).toMatch(/HTTP port 80 \(TCP\).*below 1024/);
    expect(denied.remedy).toContain('ip_unprivileged_port_start=67');
    const tftp = explainBindError({ code: 'EADDRINUSE' }, 69, '10.0.0.1', 'linux') as PortBindError;
    expect(tftp.message).toMatch(/^TFTP port 69 \(UDP\).*tftpd-hpa/);
  });
});
