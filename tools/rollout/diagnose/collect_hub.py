"""The hub's side of a site: what arrives there, read where the hub can tell.

From a site's own devices nobody can see whether its DSCP marks survive the provider. The
hub can: its WAN-IN list counts each site's codec media to the MCU apart, the entry for
EF-marked packets first, then the rest of that media (`rollout.intent.router.dscp_watch_aces`).
Media counted on the second entry while the first stays still is media that left the site
marked (the codec marks its audio EF, templates/polycom) and arrived unmarked.

``show access-lists WAN-IN`` is read twice, `INTERVAL` seconds apart: the counters are
cumulative (``(N matches)``, Cisco IOS Security Command Reference, "show access-lists"), so
only what grows between the readings is the present. No media between the readings (no call)
is no evidence: no fact.

In the network lab the hub's monitor writes the same figures, and more (SIP answers of the
registrar and the MCU, the load of the hub's link), into a file (`rollout.diagnose.hubfile`).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from rollout.diagnose.context import CollectContext
from rollout.diagnose.model import Fact
from rollout.drivers.base import DeviceError
from rollout.drivers.session import open_session, session_lost
from rollout.errors import RolloutError
from rollout.intent.router import dscp_watch_aces
from rollout.inventory.model import Role
from rollout.parsers.ios_show import parse_access_lists
from rollout.targets import Managed

ACL = "WAN-IN"
INTERVAL = 3.0
"""Seconds between the two readings: a call's audio is 50 packets a second (20 ms frames)."""


def _codec_lines(ctx: CollectContext, site: str) -> tuple[str, str] | None:
    """The site's two dscp-watch entries (marked, the rest) as the hub's config holds them."""
    codecs = [d for d in ctx.inv.sites[site].devices if d.role is Role.CODEC]
    if not codecs:
        return None
    host = f"host {codecs[0].mgmt_address} "
    mine = [a.line() for a in dscp_watch_aces(ctx.inv) if a.source.startswith(host)]
    return (mine[0], mine[1]) if len(mine) == 2 else None


def _counts(text: str, lines: tuple[str, str]) -> tuple[int, int, list[str]] | None:
    found = {f"{e.action} {e.text}": e for e in parse_access_lists(text) if e.acl == ACL}
    marked, rest = found.get(lines[0]), found.get(lines[1])
    if marked is None or rest is None:
        return None
    return marked.matches, rest.matches, [marked.line, rest.line]


def hub_acl_facts(ctx: CollectContext, hub: Managed, site: str) -> list[Fact]:
    """The ``dscp`` fact of the site's codec media as the hub's WAN-IN counted it."""
    lines = _codec_lines(ctx, site)
    if lines is None:
        return []
    from netmiko.exceptions import NetmikoBaseException

    conn: Any = open_session(hub.target, "cisco_ios")
    try:
        readings = []
        for i in range(2):
            if i:
                time.sleep(INTERVAL)
            try:
                text: str = conn.send_command(
                    f"show access-lists {ACL}", read_timeout=3 * hub.target.timeout
                )
            except (NetmikoBaseException, OSError, EOFError) as exc:
                raise session_lost(hub.device.hostname, "diagnose", exc) from None
            got = _counts(text, lines)
            if got is None:  # the hub's list has no entries for this site (an older config)
                ctx.notes.append(f"{hub.device.hostname}: {ACL} does not count {site} apart")
                return []
            readings.append(got)
    finally:
        with contextlib.suppress(OSError, EOFError):
            conn.disconnect()
    (m0, r0, _), (m1, r1, shown) = readings
    marked, rest = max(m1 - m0, 0), max(r1 - r0, 0)
    if marked + rest == 0:
        return []
    return [
        Fact(
            hub.device.hostname,
            "wan",
            "dscp",
            "EF",
            {
                "expected": "EF",
                "packets": marked + rest,
                "marked_packets": marked,
                "arrived_marked_percent": 100.0 if marked else 0.0,
            },
            tuple(shown),
        )
    ]


def hub_facts(
    ctx: CollectContext, site: str, hub: Managed | None, hubview: Path | None
) -> list[Fact]:
    """The hub's side of ``site``: the network lab's hub file, else the hub router's list.

    A hub that cannot be read is a note, not the site's fault (the hub has its own diagnosis).
    """
    if hubview is not None:
        from rollout.diagnose.hubfile import hub_facts as from_file

        return from_file(hubview, site)
    if hub is None or site == ctx.inv.province.hub:
        return []
    try:
        return hub_acl_facts(ctx, hub, site)
    except (DeviceError, RolloutError) as exc:
        ctx.notes.append(f"{hub.device.hostname}: not read ({ctx.secrets.redact(exc.message)})")
        return []
