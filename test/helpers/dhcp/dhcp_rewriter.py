#!/usr/bin/python3
"""
Change a QEMU guest's DHCP on the wire, for boot tests that need firmware Debian does not ship.
test/helpers/dhcp-rewrite.ts diverts frames with tc (mirred) as they enter the LAN's bridge — from
the guest's tap, or (replies) from the other hosts' ports — to one end of a veth pair; this script
reads them at the other end, changes them, and sends them back into the bridge through the same veth,
which the bridge then forwards as usual. Nothing else on the LAN is touched.

Modes:
  plain-pxe  The guest's NIC ROM is iPXE; make it look like a vendor PXE ROM: drop options 77 (user
             class "iPXE") and 175 (iPXE's encapsulated options) from its DHCP (UDP 67 and 4011), until
             its first TFTP read request (also diverted here) — the loader it fetches (undionly.kpxe, an
             iPXE) then sends untouched, as on a real PC.
  no-43      Drop option 43 (PXE vendor options) from DHCPOFFERs sent to the guest, as firmware that
             ignores it sees them: EDK2 then files the proxy offer as a BINL offer (PxeBcDhcp4.c,
             PxeBcParseDhcp4Packet) and asks the proxy server again by unicast to port 4011
             (PxeBcRetryBinlOffer) before it loads the boot file.

Removed options are replaced by padding after END (the frame keeps its length); the UDP checksum is
recomputed.

  dhcp_rewriter.py <mode> <veth> <max-seconds>

Prints "ready", then one line per changed frame: "rewrote <src mac> type <n> dport <port> removed
[codes]", and "pass tftp read request: rewriting ends" (plain-pxe). Exits after <max-seconds>.
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def udp_ports(frame):
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b'\x08\x00' or frame[14 + 9] != 17:
        return None, None, None
    udp = 14 + (frame[14] & 0x0F) * 4
    sport, dport = struct.unpack('!HH', frame[udp : udp + 4])
    return udp, sport, dport


def udp_checksum(frame, udp):
    # RFC 768 over the IPv4 pseudo-header. (A zero "no checksum" is legal, but EDK2 drops such offers.)
    length = struct.unpack('!H', frame[udp + 4 : udp + 6])[0]
    seg = bytearray(frame[udp : udp + length])
    seg[6:8] = b'\x00\x00'
    data = bytes(frame[14 + 12 : 14 + 20]) + struct.pack('!BBH', 0, 17, length) + bytes(seg)
    if len(data) % 2:
        data += b'\x00'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return struct.pack('!H', (~total & 0xFFFF) or 0xFFFF)


def strip_options(frame, udp, dport, strip, only_type=None):
    dhcp = udp + 8
    if len(frame) < dhcp + 240 or frame[dhcp + 236 : dhcp + 240] != b'\x63\x82\x53\x63':
        return None
    i = dhcp + 240
    kept = bytearray()
    removed = []
    msg_type = None
    while i < len(frame):
        code = frame[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(frame):
            break
        ln = frame[i + 1]
        if code == 53 and ln == 1:
            msg_type = frame[i + 2]
        if code in strip:
            removed.append(code)
        else:
            kept += frame[i : i + 2 + ln]
        i += 2 + ln
    if not removed or (only_type is not None and msg_type != only_type):
        return None
    room = len(frame) - (dhcp + 240)
    kept.append(255)
    if len(kept) > room:
        return None
    kept += bytes(room - len(kept))
    out = bytearray(frame[: dhcp + 240]) + kept
    out[udp + 6 : udp + 8] = udp_checksum(out, udp)
    mac = ':'.join('%02x' % b for b in frame[6:12])
    return bytes(out), 'rewrote %s type %s dport %d removed %s' % (mac, msg_type, dport, removed)


def main():
    mode, veth, max_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if mode not in ('plain-pxe', 'no-43'):
        sys.exit('unknown mode %s' % mode)
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((veth, 0))
    print('ready', flush=True)
    deadline = time.monotonic() + max_seconds
    loader_requested = False
    while time.monotonic() < deadline:
        r, _, _ = select.select([rx], [], [], 1.0)
        if not r:
            continue
        frame, addr = rx.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:
            continue
        udp, sport, dport = udp_ports(frame)
        # Only DHCP and TFTP read requests are diverted here; anything else goes on as it came.
        towards_guest = dport == 68
        out = None
        if mode == 'plain-pxe' and not towards_guest and not loader_requested:
            if dport == 69:
                loader_requested = True
                print('pass tftp read request: rewriting ends', flush=True)
            elif dport in (67, 4011):
                out = strip_options(frame, udp, dport, (77, 175))
        elif mode == 'no-43' and towards_guest:
            out = strip_options(frame, udp, dport, (43,), only_type=2)
        if out is not None:
            print(out[1], flush=True)
            frame = out[0]
        elif udp is not None:
            # Frames from the LAN's hosts may carry an unfinished checksum (checksum offload: the
            # kernel completes it only on the way out of a real NIC or a tap); sent on as raw frames
            # they would be dropped by the guest. Complete it here.
            frame = bytearray(frame)
            frame[udp + 6 : udp + 8] = udp_checksum(frame, udp)
            frame = bytes(frame)
        rx.send(frame)


if __name__ == '__main__':
    main()
