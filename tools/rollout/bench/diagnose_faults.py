"""The faults `rollout bench diagnose` injects into the lab twin, one entry each.

Each fault is driven through the lab's own CLI (`rollout lab fault | impair | condition | send`),
so the bench sees the twin exactly as an engineer does: a hand change is a configuration line
typed on the device, a network condition is `rollout lab condition`. An entry names how to
inject (with a random severity) and clear it, and the segment and cause code a right diagnosis
names first (docs/diagnose.md, "Fault matrix").
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import RolloutError


@dataclass(frozen=True)
class Site:
    """What the injections need to know of a site."""

    slug: str
    router: str
    switch: str
    codec: str
    wan_interface: str
    contract_kbps: int
    shape_kbps: int
    codec_udp: tuple[int, int]
    registrar: str = ""
    """The SIP registrar's address as the codec's intent sets it."""
    call_rate_kbps: int = 0
    """The codec's call rate as its intent sets it."""


@dataclass
class Lab:
    """The rollout CLI in the bench's repository copy, against its lab."""

    root: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(Path(sys.executable).parent / "rollout"), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def must(self, *args: str) -> None:
        proc = self.run(*args)
        if proc.returncode != 0:
            raise RolloutError(
                f"rollout {' '.join(args)} failed ({proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[-400:]}"
            )

    def config(self, device: str, *lines: str) -> None:
        self.must("lab", "send", device, "--config", *lines)


Inject = Callable[[Lab, Site, random.Random], str]
Clear = Callable[[Lab, Site], None]


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Inject  # returns the severity, as a short text
    clear: Clear
    segment: str
    code: str
    needs: str = ""
    """A module whose presence the fault's evidence needs (a collector); '' for none."""


def _loss(lab: Lab, s: Site, rng: random.Random) -> str:
    loss = round(rng.uniform(2.0, 20.0), 1)
    lab.must("lab", "impair", s.router, "--loss-percent", str(loss))
    return f"loss {loss} %"


def _jitter(lab: Lab, s: Site, rng: random.Random) -> str:
    jitter = rng.randint(40, 200)
    lab.must("lab", "impair", s.router, "--jitter-ms", str(jitter))
    return f"jitter {jitter} ms"


def _unimpair(lab: Lab, s: Site) -> None:
    lab.must("lab", "impair", s.router, "--clear")


def _no_policy(lab: Lab, s: Site, rng: random.Random) -> str:
    lab.config(s.router, f"interface {s.wan_interface}", "no service-policy output WAN-SHAPER")
    return "service-policy removed"


def _policy_back(lab: Lab, s: Site) -> None:
    lab.config(s.router, f"interface {s.wan_interface}", "service-policy output WAN-SHAPER")


def _shaper_up(lab: Lab, s: Site, rng: random.Random) -> str:
    factor = round(rng.uniform(1.2, 3.0), 2)
    bps = int(s.contract_kbps * factor) * 1000
    lab.config(s.router, "policy-map WAN-SHAPER", "class class-default", f"shape average {bps}")
    return f"shaper {factor}x the contract"


def _shaper_back(lab: Lab, s: Site) -> None:
    bps = s.shape_kbps * 1000
    lab.config(s.router, "policy-map WAN-SHAPER", "class class-default", f"shape average {bps}")


ACL_SEQ = 5
"""The sequence number the hand-added deny takes (before the list's first entry, 10)."""


def _deny_media(lab: Lab, s: Site, rng: random.Random) -> str:
    first, last = s.codec_udp
    lo = rng.randint(first, last)
    hi = rng.randint(lo, last)
    lab.config(
        s.router, "ip access-list extended WAN-IN", f"{ACL_SEQ} deny udp any any range {lo} {hi}"
    )
    return f"deny udp {lo}-{hi}"


def _allow_media(lab: Lab, s: Site) -> None:
    lab.config(s.router, "ip access-list extended WAN-IN", f"no {ACL_SEQ}")


def _down(role: str) -> Inject:
    def inject(lab: Lab, s: Site, rng: random.Random) -> str:
        mode = rng.choice(["refuse", "blackhole"])
        spec = json.dumps({"kind": "unreachable", "mode": mode})
        lab.must("lab", "fault", getattr(s, role), spec)
        return mode

    return inject


def _up(role: str) -> Clear:
    def clear(lab: Lab, s: Site) -> None:
        lab.must("lab", "fault", getattr(s, role), "clear")

    return clear


def _access_loss(lab: Lab, s: Site, rng: random.Random) -> str:
    loss = round(rng.uniform(3.0, 20.0), 1)
    lab.must("lab", "impair", s.router, "--loss-percent", str(loss), "--segment", "access")
    return f"access loss {loss} %"


def _condition(kind: str, device: str, *options: str) -> Inject:
    """`rollout lab condition DEVICE KIND OPTIONS...` on the site's device of that role."""

    def inject(lab: Lab, s: Site, rng: random.Random) -> str:
        lab.must("lab", "condition", getattr(s, device), kind, *options)
        return kind

    return inject


def _clear_conditions(lab: Lab, s: Site) -> None:
    lab.must("lab", "condition", s.router, "--clear")


def _port_errors(lab: Lab, s: Site, rng: random.Random) -> str:
    rate = round(rng.uniform(2.0, 200.0), 1)
    lab.must("lab", "condition", s.switch, "port_errors", "--crc-per-second", str(rate))
    return f"{rate} CRC/s"


def _flaps(lab: Lab, s: Site, rng: random.Random) -> str:
    count = rng.randint(2, 8)
    lab.must("lab", "condition", s.router, "link_flaps", "--count", str(count), "--seconds", "2")
    return f"{count} flaps"


def _flaps_over(lab: Lab, s: Site) -> None:
    """The flaps stop; the engineer who fixed the link clears the log (`clear logging`), or
    diagnose keeps reporting the flaps of the last 15 minutes, as it should."""
    _clear_conditions(lab, s)
    lab.must("lab", "send", s.router, "clear logging")


def _congested_no_qos(lab: Lab, s: Site, rng: random.Random) -> str:
    _no_policy(lab, s, rng)
    factor = round(rng.uniform(1.2, 2.5), 2)
    bulk = int(s.contract_kbps * factor)
    lab.must("lab", "condition", s.router, "load", "--offered", f"default={bulk}")
    return f"policy removed, {factor}x the contract offered"


def _congested_back(lab: Lab, s: Site) -> None:
    _clear_conditions(lab, s)
    _policy_back(lab, s)


def _provider_drops(lab: Lab, s: Site, rng: random.Random) -> str:
    share = rng.uniform(0.4, 0.85)
    contract = max(int(s.shape_kbps * share), 64)
    lab.must("lab", "condition", s.router, "provider_drops", "--contract-kbps", str(contract))
    return f"provider polices at {contract} kbit/s"


def _unreachable(target: str) -> Inject:
    return _condition("unreachable", "router", "--target", target)


def _wrong_registrar(lab: Lab, s: Site, rng: random.Random) -> str:
    address = f"10.{rng.randint(100, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    lab.must("lab", "send", s.codec, f"systemsetting sipregistrarserver {address}")
    return f"registrar {address}"


def _registrar_back(lab: Lab, s: Site) -> None:
    lab.must("lab", "send", s.codec, f"systemsetting sipregistrarserver {s.registrar}")


def _call_rate_up(lab: Lab, s: Site, rng: random.Random) -> str:
    rate = rng.choice([r for r in (3072, 4096, 6144) if r > s.call_rate_kbps] or [6144])
    for way in ("maxtxbandwidth", "maxrxbandwidth"):
        lab.must("lab", "send", s.codec, f"systemsetting {way} {rate}")
    return f"call rate {rate} kbit/s"


def _call_rate_back(lab: Lab, s: Site) -> None:
    for way in ("maxtxbandwidth", "maxrxbandwidth"):
        lab.must("lab", "send", s.codec, f"systemsetting {way} {s.call_rate_kbps}")


CODEC = "rollout.diagnose.collect_codec"


FAULTS: tuple[Fault, ...] = (
    # Loss beyond the access link: the routers' IP SLA results suffer, the next hop answers.
    Fault("backbone loss", _loss, _unimpair, "wan", "wan.backbone_loss"),
    Fault("backbone jitter", _jitter, _unimpair, "wan", "wan.backbone_loss"),
    # Loss on the access link: the provider's next hop loses echoes too.
    Fault("access link loss", _access_loss, _unimpair, "wan", "wan.access_loss"),
    Fault("qos policy removed", _no_policy, _policy_back, "config", "config.qos_removed"),
    Fault(
        "congested, qos removed", _congested_no_qos, _congested_back, "config", "config.qos_removed"
    ),
    Fault("provider drops", _provider_drops, _clear_conditions, "wan", "wan.provider_drops"),
    Fault(
        "dscp bleached",
        _condition("bleach", "router"),
        _clear_conditions,
        "wan",
        "wan.dscp_bleached",
    ),
    Fault("codec port errors", _port_errors, _clear_conditions, "lan", "lan.port_errors"),
    Fault(
        "codec port duplex mismatch",
        _condition("duplex_mismatch", "switch"),
        _clear_conditions,
        "lan",
        "lan.duplex_mismatch",
    ),
    Fault("wan link flaps", _flaps, _flaps_over, "wan", "wan.link_flaps"),
    Fault("mcu unreachable", _unreachable("mcu"), _clear_conditions, "hub", "hub.mcu_unreachable"),
    Fault(
        "cloud unreachable", _unreachable("cloud"), _clear_conditions, "cloud", "cloud.unreachable"
    ),
    Fault(
        "registrar down",
        _condition("registrar_down", "router"),
        _clear_conditions,
        "hub",
        "hub.registrar_down",
        needs=CODEC,
    ),
    Fault(
        "codec registrar address wrong",
        _wrong_registrar,
        _registrar_back,
        "endpoint",
        "endpoint.not_registered",
        needs=CODEC,
    ),
    Fault(
        "codec call rate over budget",
        _call_rate_up,
        _call_rate_back,
        "endpoint",
        "endpoint.call_rate_over_budget",
        needs=CODEC,
    ),
    Fault("shaper above the contract", _shaper_up, _shaper_back, "wan", "wan.provider_drops"),
    Fault("acl blocks media", _deny_media, _allow_media, "config", "config.acl_blocks_media"),
    Fault("switch unreachable", _down("switch"), _up("switch"), "lan", "lan.device_unreachable"),
    Fault("router unreachable", _down("router"), _up("router"), "wan", "wan.device_unreachable"),
    Fault(
        "codec unreachable",
        _down("codec"),
        _up("codec"),
        "endpoint",
        "endpoint.device_unreachable",
        needs="rollout.diagnose.collect_codec",
    ),
)
