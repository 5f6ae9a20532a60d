"""What the hub sees of each lab site, kept in ``hubview.json`` for `rollout diagnose --netlab`.

The lab's stand-in for the hub's own monitoring (a NOC's probes and counters at the hub): a
process of the lab (``python -m rollout.netlab.hubview --folder F``, started by ``netlab up``)
that every ``PERIOD_S`` seconds, per site:

- sends marked probes from the codec's address (EF, AF41, CS3: the codec marks its own media
  and signalling) and unmarked ones from the room client's to the cloud stand-in (the router
  marks those), through the router and the provider, to the hub's probe responder, which
  echoes the ToS byte each probe arrived with (``rollout.netlab.responder``): the share that
  arrived with the class's DSCP is what the provider left of the marking;
- opens a SIP connection (the province's transport: a TCP handshake to port 5060; over UDP an
  OPTIONS request answered) from the codec's address to the registrar and to the MCU;
- reads the bytes the hub's interface towards the site received (the site's load at the hub).

Figures cover the last ``WINDOW`` rounds. The file is written atomically; the production reader
is ``rollout.diagnose.hubfile`` (it never imports this module: the file is the seam).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import socket
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rollout.inventory.model import DSCP_NAMES
from rollout.netlab import ns as nsh
from rollout.netlab.hub import CLOUD_PORT
from rollout.netlab.responder import HEADER, PROBE, REPLY, REPLY_TAIL
from rollout.netlab.sip import SIP_PORT
from rollout.netlab.state import NetlabState

HUBVIEW = "hubview.json"
PERIOD_S = 2.0
WINDOW = 3  # rounds kept: the figures cover about WINDOW * PERIOD_S seconds
PROBES = 10  # per class and round
PROBE_GAP_S = 0.02
REPLY_WAIT_S = 0.6
CONNECT_S = 1.0
SESSION_BASE = 0x80000000  # the responder's session ids; verify's never set the top bit
SOURCE_OFFSET = 40  # codec_udp.first + 40 + 2n (verify's probes use + 10..16, its flood + 30)
# class, DSCP name and value (RFC 2474 / RFC 2597 / RFC 3246 code points), size of a probe
CLASSES = (("EF", "ef", 46, 200), ("AF41", "af41", 34, 1000), ("CS3", "cs3", 24, 200))


@dataclass
class SiteWindow:
    dscp: dict[str, deque[tuple[int, int, int]]] = field(default_factory=dict)  # sent/arrived/ok
    reach: dict[str, deque[tuple[bool, float]]] = field(default_factory=dict)
    rx: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=WINDOW + 1))


def _probe_class(
    ns: str,
    source: tuple[str, int],
    dest: tuple[str, int],
    tos: int,
    size: int,
    session: int,
    expect: int,
) -> tuple[int, int, int]:
    """(sent, arrived back, arrived with DSCP expect) for PROBES probes of one class."""
    sock = nsh.socket_in(ns, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
        sock.bind(source)
        sock.setblocking(False)
        sent = arrived = marked = 0
        seen: set[int] = set()
        for seq in range(PROBES):
            payload = HEADER.pack(PROBE, session, seq, time.time())
            with contextlib.suppress(OSError):
                sock.sendto(payload + b"\0" * max(size - len(payload), 0), dest)
            sent += 1
            time.sleep(PROBE_GAP_S)
        deadline = time.monotonic() + REPLY_WAIT_S
        while time.monotonic() < deadline and len(seen) < sent:
            ready, _, _ = select.select([sock], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                break
            try:
                data = sock.recv(65535)
            except OSError:
                continue
            if len(data) < HEADER.size + REPLY_TAIL.size or data[:4] != REPLY:
                continue
            _m, got_session, seq, _t = HEADER.unpack_from(data)
            if got_session != session or seq in seen:
                continue
            seen.add(seq)
            _hub_time, tos_seen = REPLY_TAIL.unpack_from(data, HEADER.size)
            arrived += 1
            marked += int(tos_seen >> 2 == expect)
        return sent, arrived, marked
    finally:
        sock.close()


def _sip_reach(ns: str, source: str, dest: str, transport: str) -> tuple[bool, float]:
    """Whether the SIP service at dest answers (TCP: the handshake; UDP: any reply to an
    OPTIONS request, RFC 3261 section 11), and how long it took in ms."""
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    sock = nsh.socket_in(ns, kind)
    start = time.monotonic()
    try:
        sock.bind((source, 0))
        sock.settimeout(CONNECT_S)
        if transport == "tcp":
            sock.connect((dest, SIP_PORT))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 0, 0))
            return True, (time.monotonic() - start) * 1000
        port = sock.getsockname()[1]
        call = os.urandom(6).hex()
        options = (
            f"OPTIONS sip:{dest} SIP/2.0\r\nVia: SIP/2.0/UDP {source}:{port};branch=z9hG4bK{call}"
            f"\r\nMax-Forwards: 70\r\nFrom: <sip:hubview@{source}>;tag={call}\r\n"
            f"To: <sip:{dest}>\r\nCall-ID: {call}@{source}\r\nCSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendto(options.encode(), (dest, SIP_PORT))
        data = sock.recv(65535)
        return data.startswith(b"SIP/2.0 "), (time.monotonic() - start) * 1000
    except OSError:
        return False, 0.0
    finally:
        sock.close()


def _rx_bytes(hub: str, ifname: str) -> int:
    out = nsh.run(["ip", "-s", "-j", "link", "show", "dev", ifname], ns=hub, check=False)
    try:
        return int(json.loads(out)[0]["stats64"]["rx"]["bytes"])
    except (ValueError, LookupError, TypeError):
        return -1


def measure(state: NetlabState, slug: str, index: int, win: SiteWindow) -> dict[str, Any]:
    site, hub = state.sites[slug], state.hub
    lan = state.names.lan(slug)
    first = int(hub.get("codec_udp", "3230-3329").split("-")[0])
    probe = (hub["mcu"], int(hub["probe_port"]))
    streams = [
        (name, dscp, (site.codec, first + SOURCE_OFFSET + 2 * n), probe, value << 2, value, size)
        for n, (name, dscp, value, size) in enumerate(CLASSES)
    ]
    cloud_dscp = hub.get("cloud_dscp", "af41")  # the router marks the room client's flow
    cloud = (hub["cloud"], CLOUD_PORT)
    streams.append(
        ("cloud", cloud_dscp, (site.room_client, 0), cloud, 0, DSCP_NAMES[cloud_dscp], 1000)
    )
    out: dict[str, Any] = {"dscp": {}, "reach": {}}
    for n, (name, dscp, source, dest, tos, expect, size) in enumerate(streams):
        session = SESSION_BASE | (index << 8) | n
        sent, arrived, marked = _probe_class(lan, source, dest, tos, size, session, expect)
        win.dscp.setdefault(name, deque(maxlen=WINDOW)).append((sent, arrived, marked))
        rounds = win.dscp[name]
        total_arrived = sum(r[1] for r in rounds)
        ok = sum(r[2] for r in rounds)
        out["dscp"][name] = {
            "expected": dscp.upper(),
            "sent": sum(r[0] for r in rounds),
            "arrived": total_arrived,
            "arrived_marked_percent": round(100.0 * ok / total_arrived, 1) if total_arrived else 0,
        }
    for what in ("registrar", "mcu"):
        result = _sip_reach(lan, site.codec, hub[what], hub.get("transport", "udp"))
        win.reach.setdefault(what, deque(maxlen=WINDOW)).append(result)
        tries = win.reach[what]
        good = [ms for ok, ms in tries if ok]
        out["reach"][what] = {
            "target": hub[what],
            "probe": f"sip-{hub.get('transport', 'udp')}",
            "success_percent": round(100.0 * len(good) / len(tries), 1),
            "rtt_ms": round(sum(good) / len(good), 2) if good else 0.0,
        }
    win.rx.append((time.monotonic(), _rx_bytes(state.names.hub, f"s{index}")))
    (t0, b0), (t1, b1) = win.rx[0], win.rx[-1]
    kbps = round((b1 - b0) * 8 / 1000 / (t1 - t0)) if t1 > t0 and b0 >= 0 and b1 >= 0 else 0
    out["link_load"] = {
        "interface": f"s{index}",
        "in_kbps": kbps,
        "contract_kbps": site.rate_kbps,
        "load_percent": round(100.0 * kbps / site.rate_kbps, 1) if site.rate_kbps else 0,
    }
    return out


def write(folder: Path, sites: dict[str, Any]) -> None:
    now = time.time()
    data = {
        "taken_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
        "at": now,
        "period_s": PERIOD_S,
        "window_s": PERIOD_S * WINDOW,
        "sites": sites,
    }
    path = folder / HUBVIEW
    tmp = path.with_suffix(".hubview.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)


def run(folder: Path, ready: Path | None = None) -> None:
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    windows: dict[str, SiteWindow] = {}
    if ready is not None:
        ready.write_text("ready\n", encoding="utf-8")
    while running[0]:
        start = time.monotonic()
        state = NetlabState.read(folder)
        if state is None:
            return
        sites = {}
        for slug, site in state.sites.items():
            if not site.codec:
                continue
            try:
                sites[slug] = measure(
                    state, slug, site.index, windows.setdefault(slug, SiteWindow())
                )
            except (OSError, nsh.NetlabError, KeyError) as exc:
                sites[slug] = {"error": f"{type(exc).__name__}: {exc}"}
        write(folder, sites)
        time.sleep(max(PERIOD_S - (time.monotonic() - start), 0.1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", required=True, type=Path)
    parser.add_argument("--ready", type=Path, default=None)
    args = parser.parse_args()
    run(args.folder, args.ready)


if __name__ == "__main__":
    main()
