"""Echo probes from a linux_router to its next hop and the hub's services, read-only.

``ping`` from the router itself is no measure on a router that runs rollout's ACLs: its WAN-IN
list is stateless, like the Cisco list it mirrors, and lets in only the replies of the flows
the province's flows table names; the router's own echo requests to the MCU, the registrar or
the provider's edge are none of them, so every reply is dropped at the router's input hook and
``ping`` would show 100 % loss on a healthy site. So the router sends the same ICMP echo
requests as ``ping -c N -i 0.2 -W 1`` (RFC 792: type 8 out, type 0 back, identifier and
sequence number echoed) from a raw socket (raw(7)), and sees the replies on its WAN interface
with a packet socket, which receives a packet when the interface does, before the netfilter
hooks (packet(7): "Packet sockets are used to receive or send raw packets at the device driver
(OSI Layer 2) level"). Nothing on the router changes. It runs with the router's python3
(frr-pythontools, which rollout's FRR reload needs, depends on it).

The script prints one JSON object: per target the echoes sent, the replies seen, their mean
round trip and its mean deviation (ping's "mdev").
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

SCRIPT = r"""
import json, math, os, select, socket, struct, sys, time
ifname, targets = sys.argv[1], sys.argv[5:]
count, interval, wait = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ETH_P_IP = 0x0800
cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
cap.bind((ifname, ETH_P_IP))
cap.setblocking(False)
snd = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident = os.getpid() & 0xFFFF

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

sent = {}
rtts = {t: [] for t in targets}
index = {socket.inet_aton(t): t for t in targets}

def drain():
    while True:
        try:
            pkt = cap.recv(65535)
        except BlockingIOError:
            return
        now = time.monotonic()
        if len(pkt) < 28 or pkt[9] != 1:
            continue
        ihl = (pkt[0] & 0x0F) * 4
        kind, _code, _sum, rid, seq = struct.unpack_from("!BBHHH", pkt, ihl)
        src = index.get(pkt[12:16])
        if kind != 0 or rid != ident or src is None:
            continue
        at = sent.pop((src, seq), None)
        if at is not None and now - at <= wait:
            rtts[src].append((now - at) * 1000.0)

start = time.monotonic()
for n in range(count):
    for t in targets:
        body = struct.pack("!d", time.time()) + b"rollout-diagnose"
        head = struct.pack("!BBHHH", 8, 0, 0, ident, n)
        packet = struct.pack("!BBHHH", 8, 0, checksum(head + body), ident, n) + body
        try:
            snd.sendto(packet, (t, 0))
        except OSError:
            continue
        sent[(t, n)] = time.monotonic()
    until = start + (n + 1) * interval
    while time.monotonic() < until:
        select.select([cap], [], [], max(0.0, until - time.monotonic()))
        drain()
until = time.monotonic() + wait
while sent and time.monotonic() < until:
    select.select([cap], [], [], max(0.0, until - time.monotonic()))
    drain()
out = {}
for t in targets:
    r = rtts[t]
    mean = sum(r) / len(r) if r else 0.0
    mdev = math.sqrt(max(sum(x * x for x in r) / len(r) - mean * mean, 0.0)) if r else 0.0
    out[t] = {"sent": count, "received": len(r), "rtt_ms": round(mean, 2),
              "mdev_ms": round(mdev, 2)}
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Echo:
    target: str
    sent: int
    received: int
    rtt_ms: float
    jitter_ms: float

    @property
    def success_percent(self) -> float:
        return round(100.0 * self.received / self.sent, 1) if self.sent else 0.0

    def line(self) -> str:
        """As ping's summary says it (iputils ping(8))."""
        loss = 100.0 - self.success_percent
        return (
            f"{self.target}: {self.sent} packets transmitted, {self.received} received, "
            f"{loss:g}% packet loss, rtt avg/mdev = {self.rtt_ms:.2f}/{self.jitter_ms:.2f} ms"
        )


def command(ifname: str, targets: list[str], count: int, interval: float = 0.2) -> str:
    """The shell line that runs the probe on the router (``-W 1``: a reply waited for 1 s)."""
    args = [ifname, str(count), str(interval), "1.0", *targets]
    return f"python3 -c {shlex.quote(SCRIPT)} " + " ".join(shlex.quote(a) for a in args)


def parse(text: str) -> dict[str, Echo]:
    """The probe's JSON line, by target; {} when it printed none (no python3, no root)."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            data = json.loads(line)
            return {
                t: Echo(
                    t, int(v["sent"]), int(v["received"]), float(v["rtt_ms"]), float(v["mdev_ms"])
                )
                for t, v in data.items()
            }
    return {}
