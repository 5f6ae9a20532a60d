"""Endpoint, hub, cloud and access-list rules (docs/diagnose.md: "endpoint.*", "hub.*",
"cloud.*", "config.acl_blocks_media").

The codec's registration is split the way an engineer splits it: the registrar does not answer
the router's probe → the hub's service is down (``hub.registrar_down``); it answers, but the
codec is offline or points at another address than the intent's → the codec
(``endpoint.not_registered``)."""

from __future__ import annotations

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import Cause, SiteEvidence
from rollout.diagnose.rulebase import (
    HUB_LOAD_MAX,
    cause,
    dead,
    lossy_reach,
    num,
    quoted,
    reach,
    reach_summary,
    text,
    where,
)
from rollout.parsers.ios_show import AclEntry, entry_catches, is_catch_all

ACL_WORDS = ("access-list", "permit ", "deny ", "access-group")
"""Drift lines that belong to access lists (absorbed into config.acl_blocks_media)."""


def registration(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    offline = [f for f in ev.of("registration") if f.values.get("online") is False]
    registrar = reach(ev, "registrar")
    hub = reach(ev, "hub")
    if not offline:
        if dead(registrar) and not dead(hub):
            return [_registrar_down(x, [reach_summary(registrar), *quoted([registrar])], 0.7)]
        return []
    wrong = [
        f for f in offline if text(f, "expected") and text(f, "address") != text(f, "expected")
    ]
    figures = [
        f"{where(f)}: offline, registers with {text(f, 'address') or '(none)'}, "
        f"intended {text(f, 'expected') or '?'}"
        for f in offline
    ]
    if wrong:
        return [
            cause(
                "endpoint",
                "endpoint.not_registered",
                "the codec is not registered: it points at the wrong registrar address",
                [*figures, *([reach_summary(registrar)] if registrar else []), *quoted(wrong)],
                f"set the codec's gatekeeper/registrar back to the intent: rollout site {x.site} "
                f"--role codec (gatekeeper {x.registrars.get('gatekeeper', '?')}, SIP registrar "
                f"{x.registrars.get('sip', '?')})",
                0.9,
            )
        ]
    if dead(registrar) and not dead(hub):
        return [_registrar_down(x, [*figures, reach_summary(registrar), *quoted(offline)], 0.9)]
    if dead(registrar):
        return []  # the hub itself does not answer: a WAN cause says why
    return [
        cause(
            "endpoint",
            "endpoint.not_registered",
            "the codec is not registered although the registrar answers",
            [*figures, *([reach_summary(registrar)] if registrar else []), *quoted(offline)],
            "check the codec's H.323/SIP credentials and alias against the intent "
            f"(rollout plan {x.site} --role codec), then re-register it from its web UI",
            0.7 if registrar is not None else 0.5,
        )
    ]


def _registrar_down(x: Expectations, evidence: list[str], likelihood: float) -> Cause:
    return cause(
        "hub",
        "hub.registrar_down",
        f"the hub's registration service ({x.registrars.get('sip') or x.probes.get('registrar')}) "
        "does not answer",
        evidence,
        "at the hub: check the gatekeeper/SIP registrar server and its network port; every "
        "site's codec is affected",
        likelihood,
    )


def mcu(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    found, hub = reach(ev, "mcu"), reach(ev, "hub")
    if not dead(found) or found is None or dead(hub):
        return []
    return [
        cause(
            "hub",
            "hub.mcu_unreachable",
            f"the hub's MCU ({text(found, 'target')}) does not answer while the hub does",
            [reach_summary(found), *([reach_summary(hub)] if hub else []), *quoted([found])],
            "at the hub: check the MCU is up and its network port (conference VLAN); calls "
            "through the MCU fail for every site",
            0.85,
        )
    ]


def cloud(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    found, hub, hop = reach(ev, "cloud"), reach(ev, "hub"), reach(ev, "next_hop")
    if found is None or not lossy_reach(found) or lossy_reach(hop):
        return []
    return [
        cause(
            "cloud",
            "cloud.unreachable",
            f"the cloud meeting service ({text(found, 'target')}) is not reachable from the site",
            [reach_summary(found), *([reach_summary(hub)] if hub else []), *quoted([found])],
            "check the provider's Internet path to the service's prefixes and the service's "
            "status page; the codec through the MCU is the backup path",
            0.8 if dead(found) else 0.6,
        )
    ]


def call_rate(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    over = [
        f
        for f in ev.of("call_rate")
        if num(f, "budget_kbps") and num(f, "configured_kbps") > num(f, "budget_kbps")
    ]
    return [
        cause(
            "endpoint",
            "endpoint.call_rate_over_budget",
            f"the codec calls at {num(f, 'configured_kbps'):g} kbit/s, above the site's budget "
            f"of {num(f, 'budget_kbps'):g} kbit/s per call: calls overflow the video queue",
            [f"{where(f)}: call rate {num(f, 'configured_kbps'):g} kbit/s", *quoted([f])],
            f"set the call rate back to the intent: rollout site {x.site} --role codec",
            0.8,
        )
        for f in over
    ]


def call_quality(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """A call that is bad while nothing else explains it (weakest: a symptom, not a cause)."""
    bad = [
        f
        for f in ev.of("call")
        if num(f, "loss_percent") > x.loss_percent or num(f, "jitter_ms") > x.jitter_ms
    ]
    if not bad:
        return []
    return [
        cause(
            "endpoint",
            "endpoint.call_impaired",
            "the running call loses packets or jitters, and nothing on the site's path "
            "explains it: look at the far end",
            [
                f"{where(f)}: loss {num(f, 'loss_percent'):g} %, jitter {num(f, 'jitter_ms'):g} ms"
                for f in bad
            ]
            + quoted(bad),
            "diagnose the far end's site (or the MCU's port) the same way",
            0.3,
        )
    ]


def _entry(line: str) -> tuple[str, str]:
    """(sign, entry without its sequence number) of a drift line of an access list."""
    body = line.split(":", 1)[-1].strip()
    sign, words = body[:1], body[2:].split()
    if words and words[0].isdigit():
        words = words[1:]
    return sign, " ".join(words)


def _media_denies(x: Expectations, drift: list[str]) -> list[str]:
    """Drift lines that show a deny entry on the device catching conference media and not
    intended anywhere (an entry only renumbered appears as both ``-`` and ``+``)."""
    intended = {e for s, e in map(_entry, drift) if s == "+"}
    out = []
    for line in drift:
        sign, entry = _entry(line)
        if sign != "-" or not entry.startswith("deny ") or entry in intended:
            continue
        if is_catch_all(entry[5:]):
            continue
        ace = AclEntry("", 0, "deny", entry[5:], 0, entry)
        if any(entry_catches(ace, proto, lo, hi) for proto, lo, hi in x.media):
            out.append(line)
    return out


def acl_blocks_media(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """Deny entries with hits on media ports, or (no counters) a hand-added one in the drift."""
    hits = [f for f in ev.of("acl") if num(f, "denied_media") > 0]
    drift = [
        f"{f.device}: {line}"
        for f in ev.of("drift")
        for line in f.lines
        if any(w in line for w in ACL_WORDS)
    ]
    denies = _media_denies(x, drift)
    if not hits and not denies:
        return []
    return [
        cause(
            "config",
            "config.acl_blocks_media",
            "an access list denies conference media (a line added by hand)",
            [f"{where(f)}: {num(f, 'denied_media'):g} media packets denied" for f in hits]
            + quoted(hits, 6)
            + denies
            + drift,
            f"remove the line: rollout site {x.site} restores the lists from the flows table; "
            f"then find who changed it (rollout history {x.router or 'ROUTER'})",
            0.92 if hits else 0.85,
        )
    ]


def hub_load(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    full = [f for f in ev.of("link_load") if num(f, "load_percent") > HUB_LOAD_MAX]
    return [
        cause(
            "hub",
            "hub.link_congested",
            f"the hub's link ({f.subject}) is {num(f, 'load_percent'):g} % loaded",
            [f"{where(f)}: load {num(f, 'load_percent'):g} %", *quoted([f])],
            "at the hub: raise the hub's contracted rate or spread the meetings",
            0.55,
        )
        for f in full
    ]


RULES = (registration, mcu, cloud, call_rate, call_quality, acl_blocks_media, hub_load)
