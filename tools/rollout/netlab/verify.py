"""`rollout verify SITE --netlab`: prove the conference paths of a lab site, and the QoS proof.

Checks, each with a verdict and a cause:
- the router runs what was pushed (QoS classes and filters, ACL chains, routes);
- backup path: SIP registration and a call to the MCU through the hub's proxy (sipp, Record-Route
  honoured) over the province's SIP transport, with RTP both ways between the codec's fixed
  media ports and a port of the MCU's media range (the MCU's sipp echoes it);
- time: an NTP answer from the NOC's NTP server to the codec's and the switch's addresses;
- every flow of the site's flows table, both ways, and a sample of traffic no row allows dropped
  per chain (``flowcheck``);
- main path: a flow to the cloud-service stand-in, which must arrive marked by the router;
- per class (EF, AF41, CS3, default): one-way delay, jitter, loss and E-model MOS from
  timestamped probes sent behind the router, judged against the province's thresholds.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.inventory.loader import Inventory
from rollout.inventory.model import DSCP_NAMES
from rollout.netlab import ns as nsh
from rollout.netlab.flowcheck import FlowReport
from rollout.netlab.flowsite import check_site
from rollout.netlab.hub import CLOUD_PORT, NTP_PORT
from rollout.netlab.ns import NetlabError
from rollout.netlab.probes import Stream
from rollout.netlab.responder import ntp_request, parse_ntp_reply
from rollout.netlab.router import driver
from rollout.netlab.sip import sipp_call, uac_scenario
from rollout.netlab.state import NetlabState
from rollout.quality import Check, Outcome, judge

CLASSES = (
    ("EF", "ef", 200, 50.0),
    ("AF41", "af41", 1000, 100.0),
    ("CS3", "cs3", 200, 20.0),
    ("default", "default", 200, 50.0),
)
CONFERENCE = ("EF", "AF41", "CS3", "cloud")
NTP_TIMEOUT_S = 2.0


def codec_ports(state: NetlabState) -> tuple[int, list[int], int]:
    """The codec's UDP ports the lab sends from, all inside its fixed media range (the only
    source ports the flows table opens from it to the MCU): RTP, one per class probe, the flood."""
    first, last = (int(x) for x in state.hub.get("codec_udp", "3230-3329").split("-"))
    rtp, probes, flood = first, [first + 10 + 2 * n for n in range(len(CLASSES))], first + 30
    if flood > last:
        raise NetlabError(
            f"the codec's media range {first}-{last} has no room for the lab's probes",
            "inventory/province.yml: media: codec_udp: a range of at least 31 ports",
        )
    return rtp, probes, flood


def streams(state: NetlabState, slug: str, cloud_tos: int = 0) -> list[Stream]:
    """Per class, timestamped probes from the codec's media ports to the responder at the MCU
    (inside the MCU's media range: the codec's media flow carries them, the class is the DSCP);
    the room client's flow to the cloud service, unmarked (the router marks it)."""
    site, hub = state.sites[slug], state.hub
    _rtp, sources, _flood = codec_ports(state)
    probe = int(hub["probe_port"])
    out = [
        Stream(name, DSCP_NAMES[dscp] << 2, site.codec, sport, hub["mcu"], probe, size, pps)
        for sport, (name, dscp, size, pps) in zip(sources, CLASSES, strict=True)
    ]
    out.append(
        Stream("cloud", cloud_tos, site.room_client, 3250, hub["cloud"], CLOUD_PORT, 1000, 50.0)
    )
    return out


def run_probes(state: NetlabState, slug: str, seconds: float) -> dict[str, dict[str, Any]]:
    spec = {
        "streams": [s.__dict__ for s in streams(state, slug)],
        "seconds": seconds,
        "session": zlib.crc32(f"{slug}{time.time()}".encode()) & 0x7FFF0000,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        out = nsh.run(
            [sys.executable, "-m", "rollout.netlab.probes", "measure", f.name],
            ns=state.names.lan(slug),
        )
    finally:
        Path(f.name).unlink(missing_ok=True)
    result: dict[str, dict[str, Any]] = json.loads(out)
    return result


SIP_USER_UNKNOWN = "codec"
"""The SIP user of a lab made before the codec's number was recorded (its state has none)."""


def sip_call(
    state: NetlabState, slug: str, hold_s: float, codec_port: int = 3230
) -> tuple[Check, Check]:
    """SIP registration and call from the codec's address over the lab's SIP transport; RTP
    (G.711 size, EF) during the hold, from the codec's media port to the MCU's."""
    site, hub = state.sites[slug], state.hub
    mcu_port = int(hub["mcu_media"])
    transport = hub.get("transport", "udp")
    folder = Path(state.folder)
    scenario = folder / f"uac-{slug}.xml"
    scenario.write_text(uac_scenario(codec_port, int(hold_s * 1000)), encoding="utf-8")
    rtp_spec = folder / f"rtp-{slug}.json"
    rtp_spec.write_text(
        json.dumps(
            {
                "streams": [
                    Stream(
                        "rtp", 0xB8, site.codec, codec_port, hub["mcu"], mcu_port, 172, 50.0
                    ).__dict__
                ],
                "seconds": max(hold_s - 1.0, 1.0),
                "session": 1,
            }
        )
    )
    rtp = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            state.names.lan(slug),
            sys.executable,
            "-c",
            "import sys,json;from rollout.netlab.probes import *;"
            "spec=json.load(open(sys.argv[1]));"
            "print(json.dumps([r.__dict__['received_back'] for r in "
            "measure([Stream(**s) for s in spec['streams']], spec['seconds'], 0, False)]))",
            str(rtp_spec),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    call = sipp_call(
        state.names.lan(slug),
        scenario,
        site.codec,
        hub["registrar"],
        site.e164 or SIP_USER_UNKNOWN,
        int(hold_s) + 15,
        folder / f"sipp-{slug}.log",
        transport,
    )
    out, _err = rtp.communicate(timeout=hold_s + 30)
    try:
        echoed = int(json.loads(out.strip().splitlines()[-1])[0])
    except (ValueError, IndexError):
        echoed = 0
    sent = int(max(hold_s - 1.0, 1.0) * 50)
    rtp_ok = echoed >= 0.9 * sent
    return (
        Check("backup path: SIP register + call to the MCU", call.ok, call.detail),
        Check(
            "backup path: RTP both ways",
            rtp_ok,
            f"{echoed} of {sent} RTP packets came back from the MCU's media port "
            f"({site.codec}:{codec_port} -> {hub['mcu']}:{mcu_port})",
        ),
    )


def ntp_answer(ns: str, source: str, port: int, server: str) -> str | None:
    """Ask an NTP server from an address (and port; 0: any) in a namespace; the answer's
    description, or None when none came."""
    sock = nsh.socket_in(ns, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((source, port))
        request = ntp_request(time.time())
        sent = int.from_bytes(request[40:48], "big")
        sock.sendto(request, (server, NTP_PORT))
        deadline = time.monotonic() + NTP_TIMEOUT_S
        while (wait := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                break
            data, (address, sport) = sock.recvfrom(2048)
            reply = parse_ntp_reply(data)
            if reply and address == server and sport == NTP_PORT and reply["origin"] == sent:
                return f"stratum {reply['stratum']} answer from {server}:{NTP_PORT}"
        return None
    finally:
        sock.close()


def ntp_checks(state: NetlabState, slug: str) -> list[Check]:
    """An NTP answer to the codec's and the switch's addresses from the first NTP server."""
    site = state.sites[slug]
    servers = [a for a in state.hub.get("ntp", "").split(",") if a]
    if not servers:
        return []
    # The switch (Cisco IOS) sends from the NTP port itself (RFC 5905 section 9.1: both ports
    # 123); which source port the codec uses is not documented (docs/verify.md: unconfirmed).
    clients = [("codec", site.codec, 0), ("switch", site.switch, NTP_PORT)]
    out = []
    for name, address, port in clients:
        if not address:
            continue
        answer = ntp_answer(state.names.lan(slug), address, port, servers[0])
        detail = answer or f"no NTP answer from {servers[0]} within {NTP_TIMEOUT_S:g} s"
        out.append(Check(f"time: NTP answers the {name} ({address})", answer is not None, detail))
    return out


def flow_checks(report: FlowReport) -> list[Check]:
    """One check per flow, one per chain for the traffic no row allows."""
    out = [Check(f"flow {f.name}", f.ok, f.detail(), judged=not f.unplaced) for f in report.flows]
    chains: dict[str, list[str]] = {}
    ok: dict[str, bool] = {}
    for d in report.drops:
        chains.setdefault(d.chain, []).append(d.text())
        ok[d.chain] = ok.get(d.chain, True) and d.ok
    out += [
        Check(f"unlisted traffic dropped at {name}", ok[name], "; ".join(texts))
        for name, texts in chains.items()
    ]
    return out


def flow_rows(report: FlowReport) -> list[dict[str, Any]]:
    """The flows' results for verify.json: per flow, the first failure's direction and chain."""
    rows = []
    for f in report.flows:
        bad = f.failures
        rows.append(
            {
                "flow": f.name,
                "ok": f.ok,
                "tested": not f.unplaced,
                "direction": bad[0].direction if bad else "",
                "chain": bad[0].chain if bad else "",
                "samples": [s.text() for s in f.samples],
            }
        )
    return rows


def verify(inv: Inventory, state: NetlabState, slug: str, seconds: float = 8.0) -> Outcome:
    outcome = Outcome(slug)
    problems = driver(inv, state, slug).live_problems()
    outcome.checks.append(
        Check(
            "router runs its rendered configuration",
            not problems,
            "; ".join(problems) if problems else "QoS classes, filters, ACLs and routes match",
        )
    )
    outcome.checks.extend(sip_call(state, slug, hold_s=3.0, codec_port=codec_ports(state)[0]))
    outcome.checks.extend(ntp_checks(state, slug))
    report = check_site(inv, state, slug)
    outcome.checks.extend(flow_checks(report))
    outcome.flows = flow_rows(report)
    results = run_probes(state, slug, seconds)
    outcome.classes = results
    t = inv.province.thresholds
    for name, r in results.items():
        check = judge(name, r, t)
        if name == "cloud":
            want = DSCP_NAMES[inv.province.cloud.dscp] << 2
            marked = r["tos_seen"] == want
            check = Check(
                "main path: flow to the cloud service",
                check.ok and marked,
                f"{check.detail}; arrived with ToS 0x{max(r['tos_seen'], 0):02x}"
                + ("" if marked else f", expected 0x{want:02x} (router marking missing)"),
            )
        outcome.checks.append(check)
    _name_causes(outcome)
    return outcome


def _name_causes(outcome: Outcome) -> None:
    """When a path fails, point at the router's own deviations first."""
    router = outcome.checks[0]
    if not router.ok:
        for check in outcome.checks[1:]:
            if not check.ok:
                check.detail += f" — likely cause: {router.detail}"


@dataclass
class Proof:
    site: str
    flood_kbps: int
    with_qos: dict[str, dict[str, Any]]
    without_qos: dict[str, dict[str, Any]]
    checks_with: list[Check]
    checks_without: list[Check]

    @property
    def ok(self) -> bool:
        judged = [c for c in self.checks_with if c.judged]
        return all(c.ok for c in judged) and not all(c.ok for c in self.checks_without if c.judged)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "ok": self.ok,
            "flood_kbps": self.flood_kbps,
            "with_qos": self.with_qos,
            "without_qos": self.without_qos,
            "checks_with": [c.__dict__ for c in self.checks_with],
            "checks_without": [c.__dict__ for c in self.checks_without],
        }


def _flooded(state: NetlabState, slug: str, kbps: int, seconds: float) -> dict[str, dict[str, Any]]:
    site, hub = state.sites[slug], state.hub
    flood = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            state.names.lan(slug),
            sys.executable,
            "-m",
            "rollout.netlab.probes",
            "flood",
            f"{site.codec}:{codec_ports(state)[2]}",
            f"{hub['mcu']}:{hub['sink_port']}",
            str(kbps),
            str(seconds + 2),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)  # let the queues fill
        return run_probes(state, slug, seconds)
    finally:
        flood.wait(timeout=seconds + 30)


def qos_proof(
    inv: Inventory, state: NetlabState, slug: str, seconds: float = 6.0, factor: float = 3.0
) -> Proof:
    """The conference classes under a flood of factor x the contracted rate, with the rendered
    QoS and with the WAN interface's qdisc removed; the QoS is put back afterwards."""
    site = state.sites[slug]
    kbps = int(site.rate_kbps * factor)
    drv = driver(inv, state, slug)
    t = inv.province.thresholds
    with_qos = _flooded(state, slug, kbps, seconds)
    nsh.run(["tc", "qdisc", "del", "dev", site.wan_ifname, "root"], ns=drv.ns, check=False)
    try:
        without = _flooded(state, slug, kbps, seconds)
    finally:
        drv.apply()

    def checks(results: dict[str, dict[str, Any]]) -> list[Check]:
        out = []
        for name, r in results.items():
            c = judge(name, r, t)
            c.judged = name in CONFERENCE
            out.append(c)
        return out

    return Proof(slug, kbps, with_qos, without, checks(with_qos), checks(without))
