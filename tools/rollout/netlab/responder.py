"""Probe responder, media reflector and sink for the hub side of the lab.

Probes (``RLP1``) are answered at once with the hub's receive time and the ToS byte they arrived
with, in a packet of the same size and the same ToS, so the sender gets one-way delay both ways
(the namespaces share one clock) and sees how the router marked them. ``RLS1`` asks how many
probes of a session arrived (loss per direction). Anything else to a ``--sink`` port is counted
and discarded (the flood of the QoS proof).

Run as ``python -m rollout.netlab.responder --listen 10.16.0.20:3300 --sink 10.16.0.20:3310``.
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
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    responder = Responder()
    sel = selectors.DefaultSelector()
    for spec in args.listen:
        sel.register(bind(spec), selectors.EVENT_READ, "probe")
    for spec in args.sink:
        sel.register(bind(spec), selectors.EVENT_READ, "sink")
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    Path(args.ready).write_text("ready\n", encoding="utf-8")
    while running[0]:
        for key, _ in sel.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if key.data == "probe":
                try:
                    responder.handle(sock)
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
