"""The WAN element of a lab site: a TUN device in the ``rl-wan-<site>`` namespace through which
every packet between the site router and the hub passes.

This kernel has no ``netem``, so delay, jitter, loss and link flaps are imposed here in userspace
(asyncio): each packet read from the TUN device is dropped or written back after its delay, in
order (a jittery link does not reorder). The rate is the provider's: a ``tbf`` qdisc on the
element's egress interfaces. The weather comes from a JSON file that the lab (and a soak
schedule) rewrites; the element rereads it when it changes.

Run as ``python -m rollout.netlab.wan --tun wx --site-net 10.16.1.0/24 ... --weather FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import ipaddress
import json
import os
import random
import signal
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


@dataclass
class Weather:
    name: str = "clear"
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    loss_percent: float = 0.0
    rate_kbps: int = 0
    flap_period_s: float = 0.0
    flap_down_s: float = 0.0

    @classmethod
    def read(cls, path: Path) -> Weather:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def down(self, now: float) -> bool:
        if not self.flap_period_s or not self.flap_down_s:
            return False
        return (now % self.flap_period_s) >= self.flap_period_s - self.flap_down_s


@dataclass
class Direction:
    """One way through the element: packets leave in order, each at its own time."""

    last_release: float = 0.0
    passed: int = 0
    dropped: int = 0
    rng: random.Random = field(default_factory=random.Random)


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def set_rate(interfaces: list[str], kbps: int) -> None:
    for dev in interfaces:
        if kbps <= 0:
            subprocess.run(["tc", "qdisc", "del", "dev", dev, "root"], check=False)
            continue
        burst = max(kbps * 1000 // 8 // 50, 16_000)  # 20 ms worth, at least 16 kB
        subprocess.run(
            [
                *("tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", f"{kbps}kbit"),
                *("burst", str(burst), "latency", "80ms"),
            ],
            check=True,
        )


class Element:
    def __init__(self, fd: int, site_nets: list[str], weather_file: Path, rate_devs: list[str]):
        self.fd = fd
        self.site_nets = [ipaddress.IPv4Network(n) for n in site_nets]
        self.weather_file = weather_file
        self.rate_devs = rate_devs
        self.weather = Weather()
        self.mtime = 0.0
        self.up = Direction(rng=random.Random(1))
        self.down = Direction(rng=random.Random(2))
        self.loop = asyncio.get_running_loop()
        self.rate_applied = -1

    def reload(self) -> None:
        try:
            mtime = self.weather_file.stat().st_mtime
        except FileNotFoundError:
            return
        if mtime == self.mtime:
            return
        self.mtime = mtime
        self.weather = Weather.read(self.weather_file)
        if self.weather.rate_kbps != self.rate_applied:
            set_rate(self.rate_devs, self.weather.rate_kbps)
            self.rate_applied = self.weather.rate_kbps

    def direction(self, packet: bytes) -> Direction:
        if len(packet) >= 20 and packet[0] >> 4 == 4:
            dst = ipaddress.IPv4Address(packet[16:20])
            if any(dst in n for n in self.site_nets):
                return self.down
        return self.up

    def on_readable(self) -> None:
        for _ in range(64):
            try:
                packet = os.read(self.fd, 65535)
            except BlockingIOError:
                return
            self.handle(packet)

    def handle(self, packet: bytes) -> None:
        w = self.weather
        way = self.direction(packet)
        now = time.monotonic()
        if w.down(time.time()) or (w.loss_percent and way.rng.random() * 100 < w.loss_percent):
            way.dropped += 1
            return
        delay = w.delay_ms + (way.rng.gauss(0, w.jitter_ms) if w.jitter_ms else 0.0)
        release = max(now + max(delay, 0.0) / 1000.0, way.last_release + 1e-6)
        way.last_release = release
        way.passed += 1
        if release <= now:
            self.write(packet)
        else:
            self.loop.call_at(self.loop.time() + (release - now), self.write, packet)

    def write(self, packet: bytes) -> None:
        try:
            os.write(self.fd, packet)
        except OSError:
            self.up.dropped += 0  # the kernel refused (interface going away): drop quietly

    async def watch(self, stats: Path) -> None:
        while True:
            self.reload()
            stats.write_text(
                json.dumps(
                    {
                        "weather": self.weather.name,
                        "up": {"passed": self.up.passed, "dropped": self.up.dropped},
                        "down": {"passed": self.down.passed, "dropped": self.down.dropped},
                    }
                ),
                encoding="utf-8",
            )
            await asyncio.sleep(0.25)


async def main_async(args: argparse.Namespace) -> None:
    fd = open_tun(args.tun)
    subprocess.run(["ip", "link", "set", args.tun, "up"], check=True)
    element = Element(fd, args.site_net, Path(args.weather), args.rate_dev)
    element.reload()
    loop = asyncio.get_running_loop()
    loop.add_reader(fd, element.on_readable)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.create_task(element.watch(Path(args.stats)))
    Path(args.ready).write_text("ready\n", encoding="utf-8")
    await stop.wait()
    watcher.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tun", required=True)
    parser.add_argument("--site-net", action="append", default=[], help="prefixes behind the site")
    parser.add_argument("--rate-dev", action="append", default=[], help="egress to rate-limit")
    parser.add_argument("--weather", required=True, help="JSON weather file (reread on change)")
    parser.add_argument("--stats", required=True)
    parser.add_argument("--ready", required=True)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
