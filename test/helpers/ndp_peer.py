#!/usr/bin/python3
"""
An IPv6 host on the test link, built with scapy: listens for router advertisements on --iface for
--timeout seconds and prints each as one JSON line; with --solicit it first sends a router
solicitation to ff02::2 from its link-local address, as iPXE does. Prints {"ready": true} once
listening, so the caller knows when to make the server talk.

  ndp_peer.py --iface eth0 --timeout S [--solicit] [--bytes]

Each advertisement: {"src","dst","hlim","type","code","chlim","M","O","routerlifetime","reachabletime",
"retranstimer","options":[types],"slla","checksum_ok"}; with --bytes also "bytes": the ICMPv6 message in
hex with its checksum zeroed (as the sender builds it before the kernel fills the checksum in).
"""
import argparse
import json
import sys
import time

from scapy.all import (AsyncSniffer, Ether, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, IPv6,  # noqa: E402
                       conf, get_if_hwaddr, in6_chksum, in6_mactoifaceid, sendp)

conf.verb = 0


def describe(pkt, with_bytes):
    ip = pkt[IPv6]
    ra = pkt[ICMPv6ND_RA]
    raw = bytearray(bytes(ip.payload))
    raw[2:4] = b'\x00\x00'
    options = []
    slla = None
    opt = ra.payload
    while opt is not None and len(opt) > 0 and not opt.__class__.__name__ in ('Raw', 'Padding', 'NoPayload'):
        options.append(opt.type)
        if isinstance(opt, ICMPv6NDOptSrcLLAddr):
            slla = opt.lladdr
        opt = opt.payload
    seen = {
        'src': ip.src, 'dst': ip.dst, 'hlim': ip.hlim, 'type': ra.type, 'code': ra.code, 'chlim': ra.chlim,
        'M': ra.M, 'O': ra.O, 'routerlifetime': ra.routerlifetime, 'reachabletime': ra.reachabletime,
        'retranstimer': ra.retranstimer, 'options': options, 'slla': slla,
        'checksum_ok': in6_chksum(58, ip, bytes(raw)) == ra.cksum,
    }
    if with_bytes:
        seen['bytes'] = bytes(raw).hex()
    return seen


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--iface', required=True)
    p.add_argument('--timeout', type=float, required=True)
    p.add_argument('--solicit', action='store_true')
    p.add_argument('--bytes', action='store_true')
    a = p.parse_args()
    sniffer = AsyncSniffer(iface=a.iface, lfilter=lambda x: ICMPv6ND_RA in x, store=True)
    sniffer.start()
    time.sleep(0.5)  # AsyncSniffer has no "started" signal; its socket opens within this
    print(json.dumps({'ready': True}), flush=True)
    if a.solicit:
        mac = get_if_hwaddr(a.iface)
        src = 'fe80::' + in6_mactoifaceid(mac).lower()
        sendp(Ether(src=mac, dst='33:33:00:00:00:02') / IPv6(src=src, dst='ff02::2', hlim=255) / ICMPv6ND_RS()
              / ICMPv6NDOptSrcLLAddr(lladdr=mac), iface=a.iface)
    time.sleep(a.timeout)
    sniffer.stop()
    for pkt in sniffer.results or []:
        print(json.dumps(describe(pkt, a.bytes)), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
