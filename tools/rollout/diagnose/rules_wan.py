"""WAN rules: the access link, the provider's backbone, our QoS on the way out (docs/diagnose.md,
"wan.*", "config.qos_removed").

How a senior engineer splits a lossy path, and so do these rules:

- loss to the provider's next hop (and so to the hub): the access link (``wan.access_loss``);
- the next hop clean, loss to the hub only: beyond the access link, the provider's backbone
  (``wan.backbone_loss``);
- loss while our shaper drops nothing and the offered load sits near the shaper's rate, or a
  shaper configured above the contracted rate: the provider polices the excess
  (``wan.provider_drops``);
- the service policy missing from the WAN interface: our QoS was removed
  (``config.qos_removed``), ranked above a congested link it explains.
"""

from __future__ import annotations

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import Cause, Fact, SiteEvidence
from rollout.diagnose.rulebase import (
    DSCP_MIN_PERCENT,
    FLAP_RECENT_S,
    FLAPS_MIN,
    NEAR_SHAPER,
    PROVIDER_GAP,
    PROVIDER_MIN_KBPS,
    cause,
    jittery_reach,
    lossy_reach,
    lossy_sla,
    num,
    quoted,
    reach,
    reach_summary,
    sla_summary,
    text,
    where,
)

QOS_WORDS = ("service-policy", "policy-map", "shape ", "class-map", "priority", "bandwidth")
"""Drift lines that belong to the QoS policy (absorbed into config.qos_removed)."""


def wan_port(ev: SiteEvidence) -> Fact | None:
    return next((f for f in ev.of("interface") if f.segment == "wan"), None)


def link_down(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    f = wan_port(ev)
    if f is None or (text(f, "status") == "up" and text(f, "protocol") == "up"):
        return []
    return [
        cause(
            "wan",
            "wan.link_down",
            f"the WAN link ({f.subject}) is down",
            [f"{where(f)}: {text(f, 'status')}, line protocol {text(f, 'protocol')}", *quoted([f])],
            "call the provider with the circuit id; check the router's WAN cable and the "
            "provider's CPE power",
            0.97,
        )
    ]


FLAP_STABLE_LIKELIHOOD = 0.5
"""A link that flapped within the window but is stable now: below what fails at this moment."""


def link_flaps(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    f = wan_port(ev)
    if f is None:
        return []
    moving = num(f, "carrier_transitions_delta") >= 1 or num(f, "resets_delta") >= 1
    if num(f, "flaps") < FLAPS_MIN and not moving:
        return []
    age = f.values.get("last_flap_s")
    stable = not moving and isinstance(age, int | float) and age > FLAP_RECENT_S
    when = f", the last {age:g} s ago" if isinstance(age, int | float) else ""
    return [
        cause(
            "wan",
            "wan.link_flaps",
            f"the WAN link ({f.subject}) keeps going down and up",
            [
                f"{where(f)}: {num(f, 'flaps'):g} link-down events in 15 min{when}, "
                f"{num(f, 'resets'):g} interface resets, "
                f"{num(f, 'carrier_transitions'):g} carrier transitions",
                *quoted([f], 8),
            ],
            "open a ticket with the provider (link flapping, times from the log); meanwhile "
            "check the WAN cable/SFP and the CPE's power",
            FLAP_STABLE_LIKELIHOOD if stable else 0.88,
        )
    ]


def flapping_now(ev: SiteEvidence, x: Expectations) -> bool:
    """The WAN link flaps at this moment (not only in the log's past)."""
    return any(c.likelihood > FLAP_STABLE_LIKELIHOOD for c in link_flaps(ev, x))


def provider_gap(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """What the router sends against what the hub receives from the site (the hub's side):
    a gap while our own queues drop nothing is the provider dropping below our shaper."""
    port = wan_port(ev)
    hub = next((f for f in ev.of("link_load") if "in_kbps" in f.values), None)
    if port is None or hub is None or _our_drops(ev) or flapping_now(ev, x):
        return []
    if "out_kbps" not in port.values or _policy_missing(ev):
        return []  # without our shaper the provider's policer is the expected consequence
    sent, arrived = num(port, "out_kbps"), num(hub, "in_kbps")
    if sent < PROVIDER_MIN_KBPS or arrived >= sent * (1 - PROVIDER_GAP):
        return []
    lost = 100.0 * (sent - arrived) / sent
    return [
        cause(
            "wan",
            "wan.provider_drops",
            f"the provider drops {lost:.0f} % of what the site sends: {sent:g} kbit/s leave "
            f"the router, {arrived:g} kbit/s reach the hub, our queues drop nothing",
            [
                f"{where(port)}: output {sent:g} kbit/s (shaper {x.shape_kbps} kbit/s)",
                f"{where(hub)}: input from the site {arrived:g} kbit/s",
                *quoted([port, hub], 4),
            ],
            "ask the provider to check the policer on the circuit against the contract "
            f"({x.contract_kbps} kbit/s), with both figures",
            0.85,
        )
    ]


def _drift_lines(ev: SiteEvidence, device: str, words: tuple[str, ...]) -> list[str]:
    return [
        f"{f.device}: {line}"
        for f in ev.of("drift", device)
        for line in f.lines
        if any(w in line for w in words)
    ]


def _policy_missing(ev: SiteEvidence) -> bool:
    return any(text(f, "attached") != text(f, "expected") for f in ev.of("service_policy"))


def _symptoms(ev: SiteEvidence, x: Expectations) -> list[str]:
    """Loss, jitter or drops on the way out: what a missing QoS policy shows as."""
    out = [sla_summary(f) for f in lossy_sla(ev, x)]
    port = wan_port(ev)
    if port is not None and num(port, "output_drops_delta") > 0:
        out.append(f"{where(port)}: +{num(port, 'output_drops_delta'):g} output drops")
    hub_in = next((f for f in ev.of("link_load") if "in_kbps" in f.values), None)
    if port is not None and hub_in is not None:
        sent, arrived = num(port, "out_kbps"), num(hub_in, "in_kbps")
        if sent >= PROVIDER_MIN_KBPS and arrived < sent * (1 - PROVIDER_GAP):
            out.append(
                f"{where(port)}: {sent:g} kbit/s sent unshaped, {arrived:g} kbit/s reach the "
                "hub (the provider's policer drops the rest, whatever its class)"
            )
    hub = reach(ev, "hub")
    if lossy_reach(hub) and hub is not None:
        out.append(reach_summary(hub))
    return out


def qos_removed(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    words = (*QOS_WORDS, f"interface {x.wan_interface}")
    drift = _drift_lines(ev, x.router, words) if x.router else []
    policies = [f for f in ev.of("service_policy") if text(f, "expected")]
    missing = [f for f in policies if text(f, "attached") != text(f, "expected")]
    if not missing and not (drift and not policies):
        return []
    symptoms = _symptoms(ev, x)
    figures = [
        f"{where(f)}: service-policy output {text(f, 'attached') or '(none)'}, "
        f"intended {text(f, 'expected')}"
        for f in missing
    ]
    return [
        cause(
            "config",
            "config.qos_removed",
            f"the QoS policy {x.policy} was removed from the WAN interface by hand",
            [*figures, *symptoms, *quoted(missing), *drift],
            f"restore it: rollout site {x.site} (or `service-policy output {x.policy}` on "
            f"{x.wan_interface}); then find who changed it (rollout history {x.router})",
            0.95 if symptoms else 0.8,
        )
    ]


def _offered_kbps(ev: SiteEvidence, x: Expectations) -> float:
    """The load offered to the shaper: the parent class, else the sum of the classes."""
    classes = ev.of("policy_class")
    parent = [f for f in classes if text(f, "policy") == x.policy]
    if parent:
        return max(num(f, "offered_kbps") for f in parent)
    return sum(num(f, "offered_kbps") for f in classes)


def _our_drops(ev: SiteEvidence) -> float:
    return sum(num(f, "drop_kbps") for f in ev.of("policy_class"))


def shaper_over_contract(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    out = []
    for f in ev.of("shaper"):
        shape, contract = num(f, "shape_kbps"), num(f, "contract_kbps") or x.contract_kbps
        if not contract or shape <= contract:
            continue
        loss = [sla_summary(s) for s in lossy_sla(ev, x)]
        out.append(
            cause(
                "wan",
                "wan.provider_drops",
                f"the shaper sends {shape:g} kbit/s, above the contracted {contract:g} kbit/s: "
                "the provider drops the excess, whatever its class",
                [
                    f"{where(f)}: shape {shape:g} kbit/s > contract {contract:g} kbit/s",
                    *loss,
                    *quoted([f]),
                    *_drift_lines(ev, f.device, ("shape ",)),
                ],
                f"set the shaper back to {x.shape_kbps} kbit/s: rollout site {x.site}",
                0.9 if loss else 0.8,
            )
        )
    return out


def path_loss(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """Loss or jitter on the path, localised by the next-hop probe."""
    sla = lossy_sla(ev, x)
    hop, hub = reach(ev, "next_hop"), reach(ev, "hub")
    port = wan_port(ev)
    if port is not None and text(port, "status") != "up":
        return []  # wan.link_down says it
    if flapping_now(ev, x):
        return []  # a flapping link loses packets at each flap
    if congestion(ev, x):
        return []  # our own queues drop: the probes cross them too
    if any(num(f, "shape_kbps") > (num(f, "contract_kbps") or 1e12) for f in ev.of("shaper")):
        return []  # wan.provider_drops (shaper over the contract) explains the loss
    if _policy_missing(ev):
        return []  # config.qos_removed explains it
    hub_bad = lossy_reach(hub) or jittery_reach(hub, x)
    lossy = bool(sla) or hub_bad or lossy_reach(hop) or jittery_reach(hop, x)
    if not lossy:
        return []
    evidence = [sla_summary(f) for f in sla] + [reach_summary(h) for h in (hop, hub) if h]
    evidence += quoted(sla[:1], 6) + quoted([h for h in (hop, hub) if h])
    # A full link (the offered load at the shaper's rate) that loses packets while our own
    # queues drop nothing: the provider polices below what we send. Checked before the next
    # hop, which a policer on the access circuit makes lossy too.
    offered, drops = _offered_kbps(ev, x), _our_drops(ev)
    if hop is not None and x.shape_kbps and offered >= NEAR_SHAPER * x.shape_kbps and not drops:
        return [
            cause(
                "wan",
                "wan.provider_drops",
                "the provider drops traffic below the contracted rate: our shaper drops "
                f"nothing while {offered:g} kbit/s are offered (shaper {x.shape_kbps})",
                [f"offered {offered:g} kbit/s, our drops 0 kbit/s", *evidence],
                f"ask the provider to check the policer on the circuit against the contract "
                f"({x.contract_kbps} kbit/s)",
                0.85,
            )
        ]
    if (lossy_reach(hop) or jittery_reach(hop, x)) and hop is not None:
        return [
            cause(
                "wan",
                "wan.access_loss",
                "loss on the access link: the provider's next hop already drops packets",
                [reach_summary(hop), *(reach_summary(h) for h in [hub] if h is not None)]
                + [sla_summary(f) for f in sla]
                + quoted([hop]),
                "open a ticket with the provider for the access circuit (loss to its own edge "
                f"{text(hop, 'target')}); check the WAN cable, SFP and CPE on site",
                0.9,
            )
        ]
    if not sla and not hub_bad:
        return []
    if hop is None:
        return [
            cause(
                "wan",
                "wan.path_loss",
                "loss or jitter on the path to the hub (no next-hop probe to split access "
                "link from backbone: a light check)",
                evidence,
                f"run a full diagnosis (rollout diagnose {x.site}) to split the link from the "
                "backbone",
                0.6,
            )
        ]
    return [
        cause(
            "wan",
            "wan.backbone_loss",
            "loss or jitter beyond the access link: the provider's next hop is clean, the "
            "path to the hub is not",
            evidence,
            "open a ticket with the provider for its backbone between the site and the hub, "
            "with the IP SLA figures",
            0.8,
        )
    ]


def congestion(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """Our own queues drop in conference classes: more traffic than the contract carries."""
    dropping = [
        f
        for f in ev.of("policy_class")
        if num(f, "drop_kbps") > 0 and f.subject not in ("class-default", x.policy)
    ]
    port = wan_port(ev)
    if not dropping:
        return []
    return [
        cause(
            "wan",
            "wan.congestion",
            "the WAN link is full: our queues drop conference traffic",
            [
                f"{where(f)}: offered {num(f, 'offered_kbps'):g} kbit/s, "
                f"drops {num(f, 'drop_kbps'):g} kbit/s"
                for f in dropping
            ]
            + ([f"{where(port)}: out {num(port, 'out_kbps'):g} kbit/s"] if port else [])
            + quoted(dropping),
            "find what fills the link (NetFlow/top talkers); fewer simultaneous calls or a "
            "higher contracted rate",
            0.6,
        )
    ]


def dscp_bleached(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    bleached = [
        f
        for f in ev.of("dscp")
        if num(f, "packets") > 0 and num(f, "arrived_marked_percent", 100) < DSCP_MIN_PERCENT
    ]
    if not bleached:
        return []
    return [
        cause(
            "wan",
            "wan.dscp_bleached",
            "the provider clears our DSCP marks: conference traffic reaches the hub unmarked",
            [
                f"{where(f)}: {num(f, 'arrived_marked_percent'):g} % of {num(f, 'packets'):g} "
                f"packets arrived marked {text(f, 'expected')}"
                for f in bleached
            ]
            + quoted(bleached),
            "ask the provider to trust (not re-mark) DSCP on the circuit, as the contract's "
            "QoS annex says",
            0.85,
        )
    ]


RULES = (
    link_down,
    link_flaps,
    qos_removed,
    shaper_over_contract,
    path_loss,
    congestion,
    provider_gap,
    dscp_bleached,
)
