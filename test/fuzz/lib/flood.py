#!/usr/bin/env python3
"""Floods a Bootdrop server from inside a test namespace, for the hardening tests. Bounded in time and rate.

  flood.py dhcp <server-ip> <seconds> <packets-per-second>   one MAC's PXE DISCOVERs, broadcast to 67
  flood.py tftp <server-ip> <seconds> <packets-per-second> <file>   RRQs from 64 source ports, never ACKed
  flood.py http <server-ip> <seconds> <connections> <port>   slowloris: connections dribbling headers

Prints one JSON line with what it did.
"""
import json, socket, struct, sys, time

mode, server, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + seconds


def paced(rate, send):
    sent, start = 0, time.time()
    while time.time() < end:
        send(sent)
        sent += 1
        ahead = sent / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    return sent


def dhcp_discover(mac):
    pkt = struct.pack('!BBBBIHH4s4s4s4s16s64s128sI', 1, 1, 6, 0, 0xF100D, 0, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4),
                      mac + bytes(10), bytes(64), bytes(128), 0x63825363)
    vc = b'PXEClient:Arch:00000:UNDI:002001'
    return pkt + bytes([53, 1, 1, 60, len(vc)]) + vc + bytes([93, 2, 0, 0, 255])


if mode == 'dhcp':
    rate = float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    pkt = dhcp_discover(bytes.fromhex('02bad0000001'))
    # The namespace has no default route, so 255.255.255.255 is unreachable; the /24's broadcast reaches
    # the same 0.0.0.0:67 socket.
    bcast = server.rsplit('.', 1)[0] + '.255'
    n = paced(rate, lambda i: s.sendto(pkt, (bcast, 67)))
    print(json.dumps({'mode': mode, 'sent': n}))
elif mode == 'tftp':
    rate, name = float(sys.argv[4]), sys.argv[5].encode()
    socks = []
    for _ in range(64):
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.bind(('', 0))
        t.setblocking(False)
        socks.append(t)
    rrq = b'\x00\x01' + name + b'\x00octet\x00'
    n = paced(rate, lambda i: socks[i % 64].sendto(rrq, (server, 69)))
    busy = 0
    for t in socks:
        try:
            while True:
                if b'busy' in t.recv(2048):
                    busy += 1
        except BlockingIOError:
            pass
    print(json.dumps({'mode': mode, 'sent': n, 'busyReplies': busy}))
else:
    count, port = int(sys.argv[4]), int(sys.argv[5])
    conns, refused = [], 0
    for _ in range(count):
        c = socket.socket()
        c.settimeout(2)
        try:
            c.connect((server, port))
            c.send(b'GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n')
            conns.append(c)
        except OSError:
            refused += 1
    dribbled, closed = 0, 0
    while time.time() < end:
        for c in list(conns):
            try:
                c.send(b'X')
                dribbled += 1
            except OSError:
                conns.remove(c)
                closed += 1
        time.sleep(0.5)
    print(json.dumps({'mode': mode, 'opened': count - refused, 'refused': refused, 'closedByServer': closed, 'stillOpen': len(conns)}))
