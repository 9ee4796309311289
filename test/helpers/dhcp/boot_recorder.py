#!/usr/bin/python3
"""
Stands in for Bootdrop's TFTP and HTTP servers in the DHCP firmware tests: records the first thing
a firmware asks for (TFTP read request on :69, HTTP request line on :80) as JSON lines, and answers
"not found" so the firmware stops. Usage: boot_recorder.py <server-ip>
"""
import json
import select
import socket
import sys

ip = sys.argv[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((ip, 69))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((ip, 80))
tcp.listen(8)
print(json.dumps({'ready': True}), flush=True)
while True:
    # Idle bound: OVMF reaches HTTP Boot only after its PXEv4 and PXEv6 attempts time out, which
    # takes minutes under TCG on a loaded machine; the test kills this process when it is done.
    ready, _, _ = select.select([udp, tcp], [], [], 900)
    if not ready:
        break
    if udp in ready:
        data, addr = udp.recvfrom(2048)
        if data[:2] == b'\x00\x01':  # RRQ
            name = data[2:].split(b'\x00')[0].decode('latin1')
            print(json.dumps({'tftp': name, 'from': addr[0]}), flush=True)
            udp.sendto(b'\x00\x05\x00\x01not found\x00', addr)
    if tcp in ready:
        conn, addr = tcp.accept()
        conn.settimeout(2)
        try:
            line = conn.recv(4096).split(b'\r\n')[0].decode('latin1')
            print(json.dumps({'http': line, 'from': addr[0]}), flush=True)
            conn.sendall(b'HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        except OSError:
            pass
        conn.close()
