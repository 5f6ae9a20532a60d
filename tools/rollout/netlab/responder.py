"""Probe responder, media reflector and sink for the hub side of the lab.

Probes (``RLP1``) are answered at once with the hub's receive time and the ToS byte they arrived
with, in a packet of the same size and the same ToS, so the sender gets one-way delay both ways
(the namespaces share one clock) and sees how the router marked them. ``RLS1`` asks how many
probes of a session arrived (loss per direction). Anything else to a ``--sink`` port is counted
and discarded (the flood of the QoS proof). A ``--ntp`` address answers NTP client requests the way
an NTP server does (RFC 5905), so the lab's NOC time servers answer the site's hosts.

Run as ``python -m rollout.netlab.responder --listen 10.16.0.20:3300 --sink 10.16.0.20:3310
--ntp 10.9.0.10:123``.
"""

from __future__ import annotations

import argparse
import json
import selectors
import signal
import socket
import struct
import time
from collections import OrderedDict
from pathlib import Path

PROBE = b"RLP1"
REPLY = b"RLR1"
STATS = b"RLS1"
HEADER = struct.Struct("!4sIId")  # magic, session, seq, sender time
REPLY_TAIL = struct.Struct("!dB")  # hub receive time, ToS seen
MAX_SESSIONS = 4096
IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)

# NTP on-wire format, RFC 5905 section 7.3 (https://www.rfc-editor.org/rfc/rfc5905#section-7.3):
# LI/VN/Mode, Stratum, Poll, Precision, Root Delay, Root Dispersion, Reference ID, then the
# Reference, Origin, Receive and Transmit timestamps (64-bit NTP format, seconds since 1900).
NTP = struct.Struct("!BBbbII4sQQQQ")
NTP_EPOCH = 2208988800  # 1970-01-01 in NTP era 0 seconds (RFC 5905 section 6, figure 4)
NTP_CLIENT, NTP_SERVER = 3, 4  # association modes (RFC 5905 section 3, figure 1)
NTP_STRATUM = 2  # a secondary server, as the province's NOC servers are
NTP_REFID = b"\x7f\x00\x00\x01"  # IPv4 address of the upstream for a stratum 2 server


def ntp_time(t: float) -> int:
    """Unix time in the 64-bit NTP timestamp format."""
    return (int(t) + NTP_EPOCH) << 32 | int((t % 1) * (1 << 32))


def ntp_reply(request: bytes, received: float, sent: float) -> bytes | None:
    """A server reply to an NTP client request (mode 3), or None for anything else."""
    if len(request) < NTP.size:
        return None
    first, *_rest = NTP.unpack_from(request)
    version, mode = (first >> 3) & 0x7, first & 0x7
    if mode != NTP_CLIENT or not 1 <= version <= 4:
        return None
    transmit = NTP.unpack_from(request)[10]  # the client's transmit time becomes our origin
    return NTP.pack(
        (version << 3) | NTP_SERVER,
        NTP_STRATUM,
        6,  # poll: 64 s
        -20,  # precision: about a microsecond
        0,
        0,
        NTP_REFID,
        ntp_time(received - 16),
        transmit,
        ntp_time(received),
        ntp_time(sent),
    )


def parse_ntp_reply(data: bytes) -> dict[str, int] | None:
    """Mode, stratum and origin timestamp of an NTP server reply, or None if it is none."""
    if len(data) < NTP.size:
        return None
    fields = NTP.unpack_from(data)
    if fields[0] & 0x7 != NTP_SERVER:
        return None
    return {"mode": fields[0] & 0x7, "stratum": fields[1], "origin": fields[8]}


def ntp_request(now: float) -> bytes:
    """An NTPv4 client request (mode 3); its transmit timestamp comes back as the origin."""
    return NTP.pack((4 << 3) | NTP_CLIENT, 0, 6, -20, 0, 0, b"\0" * 4, 0, 0, 0, ntp_time(now))


class Responder:
    def __init__(self) -> None:
        self.sessions: OrderedDict[int, list[int]] = OrderedDict()

    def count(self, session: int, tos: int) -> None:
        entry = self.sessions.get(session)
        if entry is None:
            entry = [0, tos]
            self.sessions[session] = entry
            while len(self.sessions) > MAX_SESSIONS:
                self.sessions.popitem(last=False)
        entry[0] += 1
        entry[1] = tos

    def handle(self, sock: socket.socket) -> None:
        data, anc, _flags, addr = sock.recvmsg(65535, socket.CMSG_SPACE(4))
        now = time.time()
        tos = 0
        for level, kind, value in anc:
            if level == socket.IPPROTO_IP and kind in (socket.IP_TOS, IP_RECVTOS) and value:
                tos = value[0]
        if data[:4] == PROBE and len(data) >= HEADER.size:
            _magic, session, seq, sent = HEADER.unpack_from(data)
            self.count(session, tos)
            reply = HEADER.pack(REPLY, session, seq, sent) + REPLY_TAIL.pack(now, tos)
            reply += b"\0" * max(len(data) - len(reply), 0)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
            sock.sendto(reply, addr)
        elif data[:4] == STATS and len(data) >= 8:
            (session,) = struct.unpack_from("!I", data, 4)
            received, seen_tos = self.sessions.get(session, [0, 0])
            body = json.dumps({"session": session, "received": received, "tos": seen_tos})
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0)
            sock.sendto(STATS + body.encode(), addr)


def answer_ntp(sock: socket.socket) -> None:
    data, addr = sock.recvfrom(2048)
    reply = ntp_reply(data, time.time(), time.time())
    if reply is not None:
        sock.sendto(reply, addr)


def bind(spec: str) -> socket.socket:
    host, port = spec.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    sock.bind((host, int(port)))
    sock.setblocking(False)
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", action="append", default=[], help="ADDR:PORT for probes")
    parser.add_argument("--sink", action="append", default=[], help="ADDR:PORT to discard")
    parser.add_argument("--ntp", action="append", default=[], help="ADDR:PORT of an NTP server")
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    responder = Responder()
    sel = selectors.DefaultSelector()
    for spec in args.listen:
        sel.register(bind(spec), selectors.EVENT_READ, "probe")
    for spec in args.sink:
        sel.register(bind(spec), selectors.EVENT_READ, "sink")
    for spec in args.ntp:
        sel.register(bind(spec), selectors.EVENT_READ, "ntp")
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    Path(args.ready).write_text("ready\n", encoding="utf-8")
    while running[0]:
        for key, _ in sel.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if key.data in ("probe", "ntp"):
                try:
                    if key.data == "probe":
                        responder.handle(sock)
                    else:
                        answer_ntp(sock)
                except OSError:
                    continue
            else:
                while True:
                    try:
                        sock.recv(65535)
                    except BlockingIOError:
                        break


if __name__ == "__main__":
    main()
