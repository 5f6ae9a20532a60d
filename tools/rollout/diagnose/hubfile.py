"""The hub's side of a site as facts, from a file the hub's monitoring keeps.

`rollout diagnose` cannot see from a site's devices what the hub receives: whether the DSCP
marks survive the provider, whether the registrar and the MCU answer SIP, how loaded the hub's
link to the site is. Whatever watches the hub writes those figures to a JSON file; this module
only reads it (production never imports a lab). The network lab keeps one,
``<netlab folder>/hubview.json`` (written every 2 s by its hub monitor), so
``diagnose --netlab`` passes ``netlab_dir / HUBVIEW``.

The file (``taken_at`` ISO 8601 UTC, ``at`` Unix seconds, ``window_s`` the time the figures
cover)::

    {"taken_at": ..., "at": ..., "window_s": 6.0, "sites": {"<slug>": {
        "dscp": {"EF": {"expected": "EF", "sent": 30, "arrived": 30,
                        "arrived_marked_percent": 100.0}, ...},
        "reach": {"registrar": {"target": "10.16.0.21", "probe": "sip-tcp",
                                "success_percent": 100.0, "rtt_ms": 31.3}, "mcu": {...}},
        "link_load": {"interface": "s1", "in_kbps": 105, "contract_kbps": 10000,
                      "load_percent": 1.1}}}}

Facts (device ``HUB_DEVICE``): ``dscp`` (wan) per class: expected, arrived_marked_percent,
packets (probes arrived), sent; ``reach`` (hub) for registrar and mcu: target, probe,
success_percent, rtt_ms; ``link_load`` (hub) for the hub's interface towards the site:
load_percent, in_kbps, contract_kbps.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from rollout.diagnose.model import Fact, Value

HUBVIEW = "hubview.json"
HUB_DEVICE = "hub"
MAX_AGE_S = 30.0  # older figures are not the present: no facts


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def hub_facts(
    path: Path, site: str, *, max_age_s: float = MAX_AGE_S, now: float | None = None
) -> list[Fact]:
    """The hub-side facts of a site from the file at path; [] when the file is missing, stale
    (older than max_age_s) or holds nothing for the site."""
    data = read(path)
    if data is None:
        return []
    now = time.time() if now is None else now
    if now - float(data.get("at", 0)) > max_age_s:
        return []
    entry = data.get("sites", {}).get(site)
    if not isinstance(entry, dict) or "error" in entry:
        return []
    window = f"hub view over {data.get('window_s', 0):g} s to {data.get('taken_at', '?')}"
    facts: list[Fact] = []
    for cls, d in sorted(entry.get("dscp", {}).items()):
        values: dict[str, Value] = {
            "expected": str(d["expected"]),
            "arrived_marked_percent": float(d["arrived_marked_percent"]),
            "packets": int(d["arrived"]),
            "sent": int(d["sent"]),
        }
        line = (
            f"{cls}: {d['arrived']} of {d['sent']} probes arrived, "
            f"{d['arrived_marked_percent']:g} % marked {d['expected']} ({window})"
        )
        facts.append(Fact(HUB_DEVICE, "wan", "dscp", cls, values, (line,)))
    for what, d in sorted(entry.get("reach", {}).items()):
        values = {
            "target": str(d["target"]),
            "probe": str(d.get("probe", "")),
            "success_percent": float(d["success_percent"]),
            "rtt_ms": float(d["rtt_ms"]),
        }
        line = f"{what} {d['target']}: {d['success_percent']:g} % of {d.get('probe')} answered"
        facts.append(Fact(HUB_DEVICE, "hub", "reach", what, values, (f"{line} ({window})",)))
    load = entry.get("link_load")
    if isinstance(load, dict):
        values = {
            "load_percent": float(load["load_percent"]),
            "in_kbps": int(load["in_kbps"]),
            "contract_kbps": int(load["contract_kbps"]),
        }
        line = f"{load['interface']}: {load['in_kbps']} kbit/s in from {site} ({window})"
        facts.append(Fact(HUB_DEVICE, "hub", "link_load", str(load["interface"]), values, (line,)))
    return facts
