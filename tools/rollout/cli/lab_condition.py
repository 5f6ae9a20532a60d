"""`rollout lab condition`: network conditions in the lab twin (what devices then print)."""

from __future__ import annotations

from pathlib import Path

import click

from rollout import audit
from rollout.cli.app import emit_json, fail
from rollout.cli.context import load
from rollout.cli.options import format_option, repo_option
from rollout.errors import RolloutError

KINDS = (
    "port_errors",
    "duplex_mismatch",
    "link_flaps",
    "load",
    "provider_drops",
    "unreachable",
    "registrar_down",
    "media",
    "bleach",
)


def _offered(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, kbps = item.partition("=")
        try:
            out[name.strip().lower()] = float(kbps)
        except ValueError:
            sep = ""
        if not sep:
            raise RolloutError(f"--offered {item!r} is not DSCP=KBPS", "e.g. --offered af41=6000")
    return out


@click.command("condition")
@click.argument("device")
@click.argument("kind", required=False, type=click.Choice(KINDS))
@click.option(
    "--interface",
    default=None,
    help="Interface (default: the switch's codec port, the router's WAN interface).",
)
@click.option(
    "--crc-per-second",
    type=click.FloatRange(0.001, 100000),
    default=5.0,
    show_default=True,
    help="port_errors: CRC errors a second.",
)
@click.option(
    "--count",
    type=click.IntRange(1, 1000),
    default=3,
    show_default=True,
    help="link_flaps: how many times the link goes down and up.",
)
@click.option(
    "--seconds",
    type=click.FloatRange(1, 86400),
    default=30.0,
    show_default=True,
    help="link_flaps: over how many seconds from now.",
)
@click.option(
    "--offered",
    multiple=True,
    metavar="DSCP=KBPS",
    help="load, provider_drops: traffic offered to the WAN per DSCP (ef, af41, cs3, "
    "default...); default: the site's calls plus bulk filling the link.",
)
@click.option(
    "--contract-kbps",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="load: the provider's policer (default: the site's wan.rate_kbps); "
    "provider_drops: the contract actually enforced (default: 70 % of it).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(("mcu", "registrar", "cloud", "next_hop", "hub")),
    help="unreachable: what stops answering (repeatable).",
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    metavar="PREFIX",
    help="unreachable: an IPv4 prefix that stops answering (repeatable).",
)
@click.option(
    "--clear",
    is_flag=True,
    help="Take KIND (or every condition) off DEVICE and the devices the condition spans.",
)
@click.option("--list", "show", is_flag=True, help="List the conditions DEVICE holds.")
@click.option(
    "--lab-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the lab (default: .lab, or $ROLLOUT_LAB_DIR).",
)
@repo_option
@format_option
def lab_condition(
    device: str,
    kind: str | None,
    interface: str | None,
    crc_per_second: float,
    count: int,
    seconds: float,
    offered: tuple[str, ...],
    contract_kbps: int | None,
    targets: tuple[str, ...],
    prefixes: tuple[str, ...],
    clear: bool,
    show: bool,
    lab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Impose a network condition in the lab twin; devices show it in their own output.

    \b
    KIND (DEVICE is a lab device of the site; the condition lands where it belongs):
      port_errors     CRC/input errors grow on --interface (--crc-per-second)
      duplex_mismatch the port runs Half-duplex 100Mb/s: collisions, late collisions
      link_flaps      --count flaps over --seconds: log lines, lost carrier, resets
      load            traffic per DSCP on the WAN (--offered, --contract-kbps): the
                      shaper and queues drop what exceeds (show policy-map interface)
      provider_drops  the provider polices below the shaper (--contract-kbps):
                      SLA and ping loss, no drops in our queues
      unreachable     --target mcu|registrar|cloud|next_hop|hub, --prefix P: ping and
                      IP SLA fail
      registrar_down  the codec loses its registration; pings to the registrar fail
      media           the site's calls flow: ACL hit counters
      bleach          the site's traffic reaches the hub with DSCP 0 (hub's input
                      policy / ACL counters)
    Examples: rollout lab condition bao-thang-sw01 duplex_mismatch;
    rollout lab condition bao-thang-rtr01 unreachable --target mcu;
    rollout lab condition bao-thang-rtr01 --clear
    """
    from rollout.lab.control import ControlClient
    from rollout.lab.faults import FaultSpecError
    from rollout.lab.site_conditions import Options, plan
    from rollout.targets import lab_dir as find

    done: list[dict[str, str]] = []
    try:
        ctx = load(repo)
        client = ControlClient(find(ctx.root, lab_dir))
        if show:
            emit_json({"device": device, "conditions": client.conditions(device)})
            return
        if not clear and kind is None:
            raise RolloutError("no KIND given", f"use one of: {', '.join(KINDS)}, or --clear")
        opts = Options(
            interface,
            crc_per_second,
            count,
            seconds,
            _offered(offered),
            contract_kbps,
            targets,
            prefixes,
        )
        if clear:
            names = _clear_targets(ctx.inv, device, kind, opts)
            held = {d.name for d in client.devices()}  # the hub may not be in this lab
            for name, what in [(n, w) for n, w in names if n in held or n == device]:
                done.append({"device": name, "applied": client.clear_condition(name, what)})
        else:
            assert kind is not None
            for name, cond in plan(ctx.inv, device, kind, opts):
                done.append({"device": name, "applied": client.set_condition(name, cond)})
        audit.record(
            ctx.root,
            "lab-condition",
            devices=sorted({d["device"] for d in done}),
            detail=f"{'clear ' if clear else ''}{kind or 'all'}",
        )
    except FaultSpecError as exc:
        fail(RolloutError(str(exc), "see `rollout lab condition --help`"), fmt)
    except Exception as exc:  # lab errors load lazily
        from rollout.lab.server import LabError

        if isinstance(exc, RolloutError):
            fail(exc, fmt)
        if isinstance(exc, LabError):
            fail(RolloutError(str(exc)), fmt)
        raise
    if fmt == "json":
        emit_json({"results": done})
    else:
        for row in done:
            click.echo(f"{row['device']}: {row['applied']}")


def _clear_targets(
    inv: object, device: str, kind: str | None, opts: object
) -> list[tuple[str, str | None]]:
    """Devices (and kinds) to clear: the plan's devices for KIND, else the whole site
    and the hub router's bleach and media."""
    from rollout.inventory.loader import Inventory
    from rollout.inventory.model import Platform, Role
    from rollout.lab.site_conditions import Options, plan

    assert isinstance(inv, Inventory) and isinstance(opts, Options)
    if kind is not None:
        try:
            pairs = plan(inv, device, kind, opts)
        except RolloutError:
            return [(device, kind)]
        return sorted({(name, cond.kind) for name, cond in pairs})
    slug = next(s.slug for s, d in inv.devices() if d.hostname == device)
    out: list[tuple[str, str | None]] = [
        (d.hostname, None)
        for d in inv.sites[slug].devices
        if d.platform in (Platform.CISCO_IOS, Platform.POLYCOM)
    ]
    hub = next((d for d in inv.sites[inv.province.hub].devices if d.role is Role.WAN_ROUTER), None)
    if hub is not None and slug != inv.province.hub:
        out += [(hub.hostname, "bleach"), (hub.hostname, "media")]
    return out
