"""Timestamped probes per QoS class and the flood of the QoS proof (MOS: `rollout.quality`).

Runs inside a LAN namespace, behind the router (a sender in the router's own namespace would be
throttled by socket backpressure and never see loss):

    python -m rollout.netlab.probes measure SPEC.json   -> JSON results on stdout
    python -m rollout.netlab.probes flood SRC[:PORT] DST:PORT KBPS SECONDS

One-way delay is exact here: every namespace shares one clock.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import math
import random
import selectors
import socket
import struct
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rollout.netlab.responder import HEADER, PROBE, REPLY, REPLY_TAIL, STATS
from rollout.quality import mos, r_factor


@dataclass(frozen=True)
class Stream:
    name: str
    tos: int
    source: str
    sport: int
    dest: str
    dport: int
    size: int
    pps: float


@dataclass
class StreamResult:
    name: str
    tos_sent: int
    tos_seen: int = -1
    sent: int = 0
    received_hub: int = 0
    received_back: int = 0
    delay_up_ms: float = 0.0
    delay_down_ms: float = 0.0
    delay_p95_ms: float = 0.0
    jitter_ms: float = 0.0
    loss_up_percent: float = 0.0
    loss_down_percent: float = 0.0
    mos: float = 0.0
    samples: list[float] = field(default_factory=list, repr=False)

    @property
    def delay_ms(self) -> float:
        return max(self.delay_up_ms, self.delay_down_ms)

    @property
    def loss_percent(self) -> float:
        return max(self.loss_up_percent, self.loss_down_percent)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        out["delay_ms"] = round(self.delay_ms, 2)
        out["loss_percent"] = round(self.loss_percent, 3)
        return out


def measure(
    streams: list[Stream], seconds: float, session_base: int, hub_stats: bool = True
) -> list[StreamResult]:
    sel = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    results = [StreamResult(s.name, s.tos) for s in streams]
    sent_at: list[dict[int, float]] = [{} for _ in streams]
    transits: list[list[tuple[int, float, float]]] = [[] for _ in streams]
    for i, s in enumerate(streams):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, s.tos)
        sock.bind((s.source, s.sport))
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, i)
        socks.append(sock)
    start = time.monotonic() + 0.05
    queue = [(start + random.random() / s.pps, i, 0) for i, s in enumerate(streams)]
    heapq.heapify(queue)
    end = start + seconds
    while queue or time.monotonic() < end + 1.0:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, i, seq = heapq.heappop(queue)
            s = streams[i]
            wall = time.time()
            payload = HEADER.pack(PROBE, session_base + i, seq, wall)
            try:
                socks[i].sendto(payload + b"\0" * max(s.size - len(payload), 0), (s.dest, s.dport))
                sent_at[i][seq] = wall
                results[i].sent += 1
            except (BlockingIOError, OSError):
                results[i].sent += 1  # the kernel refused it: counts as lost
            nxt = start + (seq + 1) / s.pps
            if nxt < end:
                heapq.heappush(queue, (nxt, i, seq + 1))
        timeout = max(min(queue[0][0] - time.monotonic(), 0.01) if queue else 0.01, 0)
        for key, _ in sel.select(timeout):
            i = key.data
            sock = socks[i]
            while True:
                try:
                    data = sock.recv(65535)
                except BlockingIOError:
                    break
                back = time.time()
                if data[:4] == PROBE and len(data) >= HEADER.size:
                    # echoed unchanged (the MCU's RTP echo): only the round trip is known
                    _m, _session, seq, sent = HEADER.unpack_from(data)
                    results[i].received_back += 1
                    half = (back - sent) * 500
                    transits[i].append((seq, half, half))
                    continue
                if data[:4] != REPLY:
                    continue
                _m, _session, seq, sent = HEADER.unpack_from(data)
                hub, tos = REPLY_TAIL.unpack_from(data, HEADER.size)
                results[i].received_back += 1
                results[i].tos_seen = tos
                transits[i].append((seq, (hub - sent) * 1000, (back - hub) * 1000))
    for i, s in enumerate(streams):
        results[i].received_hub = _hub_count(socks[i], s, session_base + i) if hub_stats else -1
        _summarise(results[i], transits[i])
    for sock in socks:
        sock.close()
    return results


def _hub_count(sock: socket.socket, s: Stream, session: int) -> int:
    sock.setblocking(True)
    sock.settimeout(0.5)
    for _ in range(6):
        sock.sendto(STATS + struct.pack("!I", session), (s.dest, s.dport))
        try:
            while True:
                data = sock.recv(65535)
                if data[:4] == STATS:
                    return int(json.loads(data[4:])["received"])
        except (TimeoutError, ValueError, KeyError):
            continue
    return -1


def _summarise(r: StreamResult, transits: list[tuple[int, float, float]]) -> None:
    transits.sort()
    ups = [t[1] for t in transits]
    downs = [t[2] for t in transits]
    hub = r.received_hub if r.received_hub >= 0 else len(transits)
    r.loss_up_percent = 100.0 * (r.sent - hub) / r.sent if r.sent else 100.0
    r.loss_down_percent = 100.0 * (hub - len(transits)) / hub if hub else 100.0
    r.loss_up_percent = max(r.loss_up_percent, 0.0)
    r.loss_down_percent = max(r.loss_down_percent, 0.0)
    if ups:
        r.delay_up_ms = sum(ups) / len(ups)
        r.delay_down_ms = sum(downs) / len(downs)
        ordered = sorted(u + d for u, d in zip(ups, downs, strict=True))
        r.delay_p95_ms = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] / 2
        diffs = [abs(b - a) for a, b in itertools.pairwise(ups)]
        diffs_down = [abs(b - a) for a, b in itertools.pairwise(downs)]
        r.jitter_ms = max(
            sum(diffs) / len(diffs) if diffs else 0.0,
            sum(diffs_down) / len(diffs_down) if diffs_down else 0.0,
        )
        r.mos = round(mos(r_factor(r.delay_ms, r.loss_percent, r.jitter_ms)), 2)
    else:
        r.mos = 1.0
    for attr in ("delay_up_ms", "delay_down_ms", "delay_p95_ms", "jitter_ms"):
        setattr(r, attr, round(getattr(r, attr), 2))
    r.loss_up_percent = round(r.loss_up_percent, 3)
    r.loss_down_percent = round(r.loss_down_percent, 3)


def flood(
    source: str,
    dest: str,
    port: int,
    kbps: int,
    seconds: float,
    size: int = 1400,
    sport: int = 3260,
) -> int:
    """Unmarked UDP at kbps (paced every millisecond); returns the packets sent."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sock.bind((source, sport))
    payload = b"\0" * (size - 28)
    pps = kbps * 1000 / 8 / size
    start = time.monotonic()
    sent = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            return sent
        due = int((now - start) * pps)
        while sent < due:
            with contextlib.suppress(OSError):
                sock.sendto(payload, (dest, port))
            sent += 1
        time.sleep(0.001)


def main() -> None:
    if sys.argv[1] == "measure":
        spec = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        streams = [Stream(**s) for s in spec["streams"]]
        results = measure(streams, float(spec["seconds"]), int(spec["session"]))
        samples = {r.name: r.as_dict() for r in results}
        sys.stdout.write(json.dumps(samples))
    elif sys.argv[1] == "flood":
        source, _, sport = sys.argv[2].partition(":")
        dest, port = sys.argv[3].rsplit(":", 1)
        kbps, seconds = int(sys.argv[4]), float(sys.argv[5])
        sent = flood(source, dest, int(port), kbps, seconds, sport=int(sport or 3260))
        sys.stdout.write(str(sent))


if __name__ == "__main__":
    main()
