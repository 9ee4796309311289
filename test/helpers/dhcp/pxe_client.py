#!/usr/bin/python3
"""
A scriptable network-boot client for the DHCP tests, built with scapy. Sends one DHCP message the
way a given firmware does and prints every DHCP reply it sees as one JSON object per line.

  pxe_client.py --iface eth0 --kind bios|uefi|uefi9|ipxe|http|plain|itanium [--mac M] [--xid N]
                [--type discover|request|decline|inform] [--server IP --port 4011 --ciaddr IP]
                [--requested IP] [--server-id IP] [--timeout S] [--count N]

Broadcast messages go out raw (the client has no address yet, like real firmware); --port 4011
sends a unicast REQUEST from port 4011 (as EDK2 does) through an ordinary UDP socket and prints
the answer. --count N sends N such messages at once, from N MACs (the last two bytes count up from
--mac) with consecutive xids (and consecutive --requested addresses), as a flood does. Replies are printed as {"src","sport","dst","dport","op","xid","yiaddr","siaddr",
"ciaddr","flags","file","options":{"<code>":"<hex>"}}.
"""
import argparse
import json
import random
import socket
import sys
import time

from scapy.all import AsyncSniffer, BOOTP, DHCP, Ether, IP, UDP, conf, sendp  # noqa: E402

conf.verb = 0
ARCH = {'bios': 0, 'uefi': 7, 'uefi9': 9, 'ipxe': 0, 'http': 16, 'arm64': 11, 'itanium': 2}
TYPES = {'discover': 1, 'request': 3, 'decline': 4, 'inform': 8}


def build(args, mac):
    opts = [('message-type', TYPES[args.type])]
    kind = args.kind
    if kind == 'http':
        opts.append(('vendor_class_id', b'HTTPClient:Arch:00016:UNDI:003001'))
    elif kind != 'plain':
        opts.append(('vendor_class_id', b'PXEClient:Arch:%05d:UNDI:002001' % ARCH[kind]))
    if kind in ARCH:
        opts += [(93, ARCH[kind].to_bytes(2, 'big')), (94, b'\x01\x02\x01'),
                 (97, b'\x00' + bytes(range(0x10, 0x20)))]
    if kind == 'ipxe':
        # iPXE sends a raw "iPXE" user class (not RFC 3004) and its encapsulated option 175.
        opts += [(77, b'iPXE'), (175, b'\xb1\x05\x01\x80\x86\x10\x0e')]
    if args.requested:
        opts.append(('requested_addr', args.requested))
    if args.server_id:
        opts.append(('server_id', args.server_id))
    opts += [('param_req_list', [1, 3, 43, 60, 66, 67]), 'end']
    chaddr = bytes.fromhex(mac.replace(':', '')) + b'\x00' * 10
    flags = 0 if args.port == 4011 else 0x8000
    return BOOTP(op=1, xid=args.xid, flags=flags, ciaddr=args.ciaddr or '0.0.0.0', chaddr=chaddr) / DHCP(options=opts)


def describe(raw, src, sport, dst, dport):
    b = BOOTP(raw)
    options = {}
    if raw[236:240] == b'\x63\x82\x53\x63':
        # Parse option bytes ourselves: scapy's option names vary between versions; codes do not.
        data = raw[240:]
        i = 0
        while i < len(data):
            code = data[i]
            if code == 0:
                i += 1
                continue
            if code == 255 or i + 1 >= len(data):
                break
            n = data[i + 1]
            options[str(code)] = data[i + 2:i + 2 + n].hex()
            i += 2 + n
    return {
        'src': src, 'sport': sport, 'dst': dst, 'dport': dport, 'op': b.op, 'xid': b.xid,
        'yiaddr': b.yiaddr, 'siaddr': b.siaddr, 'ciaddr': b.ciaddr, 'flags': int(b.flags),
        'file': b.file.rstrip(b'\x00').decode('latin1'), 'options': options,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iface', default='eth0')
    ap.add_argument('--kind', default='bios')
    ap.add_argument('--mac')
    ap.add_argument('--xid', type=int, default=None)
    ap.add_argument('--type', default='discover', choices=sorted(TYPES))
    ap.add_argument('--server')
    ap.add_argument('--port', type=int, default=67)
    ap.add_argument('--ciaddr')
    ap.add_argument('--requested')
    ap.add_argument('--server-id')
    ap.add_argument('--timeout', type=float, default=3.0)
    ap.add_argument('--count', type=int, default=1)
    args = ap.parse_args()
    if args.xid is None:
        args.xid = random.getrandbits(32)
    mac = args.mac or open('/sys/class/net/%s/address' % args.iface).read().strip()
    pkt = build(args, mac)

    if args.port == 4011:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args.ciaddr, 4011))
        s.settimeout(args.timeout)
        s.sendto(bytes(pkt), (args.server, 4011))
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            try:
                data, (src, sport) = s.recvfrom(2048)
            except socket.timeout:
                break
            out = describe(data, src, sport, args.ciaddr, 4011)
            if out['xid'] == args.xid:
                print(json.dumps(out), flush=True)
        return 0

    macs = [mac]
    if args.count > 1:
        base = bytes.fromhex(mac.replace(':', ''))
        macs = [':'.join('%02x' % b for b in base[:4] + ((int.from_bytes(base[4:], 'big') + i) & 0xffff).to_bytes(2, 'big'))
                for i in range(args.count)]
    xids = set()
    seen = []
    sniffer = AsyncSniffer(iface=args.iface, filter='udp and dst port 68',
                           prn=lambda p: seen.append(p), store=False)
    sniffer.start()
    time.sleep(0.3)  # let the capture attach before the first reply can arrive
    dst = args.server or '255.255.255.255'
    eth_dst = 'ff:ff:ff:ff:ff:ff'
    frames = []
    first = args.requested
    for i, m in enumerate(macs):
        args.xid = (args.xid + (1 if i else 0)) & 0xffffffff
        if first and i:
            args.requested = socket.inet_ntoa((int.from_bytes(socket.inet_aton(first), 'big') + i).to_bytes(4, 'big'))
        xids.add(args.xid)
        frames.append(Ether(src=m, dst=eth_dst) / IP(src=args.ciaddr or '0.0.0.0', dst=dst) / UDP(sport=68, dport=args.port) / build(args, m))
    sendp(frames, iface=args.iface)
    time.sleep(args.timeout)
    sniffer.stop()
    for p in seen:
        if not p.haslayer(BOOTP) or p[BOOTP].xid not in xids:
            continue
        print(json.dumps(describe(bytes(p[UDP].payload), p[IP].src, p[UDP].sport, p[IP].dst, p[UDP].dport)), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
