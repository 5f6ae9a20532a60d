"""`rollout lab`: the lab twin of the sites (simulated devices over real SSH)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from rollout import audit
from rollout.cli.app import emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import format_option, repo_option
from rollout.errors import RolloutError
from rollout.inventory.model import Platform

lab_dir_option = click.option(
    "--lab-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the lab (default: .lab, or $ROLLOUT_LAB_DIR).",
)


def _wrap(exc: Exception) -> RolloutError:
    from rollout.lab.server import LabError

    if isinstance(exc, RolloutError):
        return exc
    if isinstance(exc, LabError):
        return RolloutError(str(exc))
    return RolloutError(f"{type(exc).__name__}: {exc}", "see the lab's log in its state folder")


@click.group()
def lab() -> None:
    """Start, inspect and stop the lab twin; inject faults into its devices."""


@lab.command("up")
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Lab processes (default: one per CPU).",
)
@click.option(
    "--base-port",
    type=click.IntRange(1024, 65000),
    default=None,
    help="First TCP port tried for the devices (default: ports the kernel picks, never busy).",
)
@click.option(
    "--minute-seconds",
    type=click.FloatRange(0.05, 60),
    default=60.0,
    show_default=True,
    help="Length of a device minute (revert timers), for tests.",
)
@click.option(
    "--network",
    is_flag=True,
    help="Also build the network lab of the sites (root): namespaces, WAN weather, hub, "
    "and each site's router as a linux_router over its own sshd, at day 0 "
    "(roll it out with `rollout site SITE --netlab`).",
)
@click.option(
    "--weather",
    default="clear",
    show_default=True,
    help="Weather profile the network lab starts in (with --network).",
)
@click.option(
    "--lab-id",
    "net_lab_id",
    default="",
    metavar="ID",
    help="The network lab's id (with --network): 0-4 characters a-z/0-9 in every namespace "
    "and link name (rl<ID>-hub ...), so that several labs can be up at once (default: none).",
)
@lab_dir_option
@repo_option
@format_option
def lab_up(
    sites: tuple[str, ...],
    workers: int | None,
    base_port: int | None,
    minute_seconds: float,
    network: bool,
    weather: str,
    net_lab_id: str,
    lab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Start simulated devices for the sites (all sites by default), in their day-0 state.

    With --network, the sites' conference path is built too (see `rollout netlab --help`).
    """
    from rollout.lab import manager
    from rollout.lab.day0 import lab_specs
    from rollout.targets import lab_dir as find
    from rollout.targets import netlab_dir

    net_state = None
    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, not sites)
        if network:
            from rollout.netlab.ns import require_root

            require_root("rollout lab up --network")
            from rollout.netlab.names import check_id

            check_id(net_lab_id)
            if weather not in ctx.inv.province.weather:
                raise RolloutError(
                    f"no weather profile {weather!r} in inventory/province.yml",
                    f"use one of: {', '.join(ctx.inv.province.weather)}",
                )
        specs = lab_specs(ctx.inv, chosen, ctx.secrets)
        options = manager.LabOptions(
            base_port=base_port, workers=workers, settings={"minute_seconds": minute_seconds}
        )
        state = manager.up(specs, find(ctx.root, lab_dir), options)
        audit.record(ctx.root, "lab-up", sites=chosen, devices=sorted(state.devices))
        if network:
            from rollout.netlab import lab as netlab

            try:
                net_state = netlab.up(
                    ctx.inv, chosen, netlab_dir(ctx.root), weather, ctx.secrets, lab_id=net_lab_id
                )
            except Exception:
                manager.down(state.state_dir)  # all or nothing
                raise
            audit.record(ctx.root, "netlab-up", sites=chosen, weather=weather)
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc), fmt)
    rows = [(d.name, d.platform, f"{d.host}:{d.port}") for d in state.devices.values()]
    if fmt == "json":
        emit_json(
            {
                "state_dir": str(state.state_dir),
                "devices": [{"name": n, "platform": p, "address": a} for n, p, a in rows],
                "network": None
                if net_state is None
                else {"state_dir": net_state.folder, "namespaces": net_state.namespaces},
            }
        )
    else:
        table(
            f"lab up: {len(rows)} devices ({state.state_dir})",
            ["device", "platform", "listens on"],
            rows,
        )
        if net_state is not None:
            click.echo(
                f"network lab up ({net_state.folder}): {len(net_state.namespaces)} namespaces, "
                f"weather {weather}; routers at day 0: rollout site SITE --netlab"
            )


@lab.command("status")
@lab_dir_option
@repo_option
@format_option
def lab_status(lab_dir: Path | None, repo: Path | None, fmt: str) -> int:
    """Show the lab's devices and whether each one answers."""
    from rollout.lab import manager
    from rollout.targets import lab_dir as find

    try:
        ctx = load(repo)
        status = manager.status(find(ctx.root, lab_dir))
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc), fmt)
    rows = [
        (
            d.name,
            d.platform,
            f"{d.host}:{d.port}",
            "up" if d.process_alive and d.port_open else "DOWN",
            ", ".join(f.kind for f in d.faults or ()) or "-",
        )
        for d in status.devices
    ]
    if fmt == "json":
        emit_json(
            {
                "running": status.running,
                "healthy": status.healthy,
                "problems": list(status.problems),
                "devices": [
                    dict(zip(("name", "platform", "address", "state", "faults"), r, strict=True))
                    for r in rows
                ],
            }
        )
    elif not status.running:
        click.echo(f"no lab is running in {status.state_dir}")
    else:
        table(f"lab {status.state_dir}", ["device", "platform", "address", "state", "faults"], rows)
        for problem in status.problems:
            click.secho(f"problem: {problem}", fg="red", err=True)
    return 0 if status.healthy else 1


@lab.command("down")
@lab_dir_option
@repo_option
def lab_down(lab_dir: Path | None, repo: Path | None) -> None:
    """Stop the lab and remove its processes and runtime files (also after a crash).

    A network lab in the repository's default folder (.netlab) is taken down too.
    """
    from rollout.lab import manager
    from rollout.targets import lab_dir as find
    from rollout.targets import netlab_dir

    net_done: list[str] = []
    try:
        ctx_root = load(repo).root
        net_folder = netlab_dir(ctx_root)
        network = (net_folder / "state.json").is_file()
        if network:
            from rollout.netlab.ns import require_root

            require_root("taking the network lab down")
        result = manager.down(find(ctx_root, lab_dir))
        audit.record(ctx_root, "lab-down", result="ok" if result.was_running else "not running")
        if network:
            from rollout.netlab import lab as netlab

            net_done = netlab.down(net_folder)
            audit.record(ctx_root, "netlab-down", result="ok")
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc))
    if result.was_running:
        stopped = len(result.terminated) + len(result.killed)
        click.echo(f"lab stopped ({stopped} processes) and cleaned: {result.state_dir}")
    else:
        click.echo(f"no lab was running; cleaned {result.state_dir}")
    if net_done:
        click.echo(f"network lab down: {len(net_done)} namespaces, processes and files removed")


@lab.command("fault")
@click.argument("device")
@click.argument("spec", metavar="FAULT")
@lab_dir_option
@repo_option
def lab_fault(device: str, spec: str, lab_dir: Path | None, repo: Path | None) -> None:
    """Inject a fault: FAULT is JSON, e.g. '{"kind": "slow", "seconds": 2}', or 'clear'.

    Kinds: unreachable, auth_fail, slow, drop_after_lines, reject_command, mgmt_cut_after_acl.
    """
    from rollout.lab.control import ControlClient
    from rollout.lab.faults import FaultSpecError, parse_fault
    from rollout.targets import lab_dir as find

    try:
        root = load(repo).root
        client = ControlClient(find(root, lab_dir))
        if spec == "clear":
            client.clear_fault(device)
        else:
            client.set_fault(device, parse_fault(json.loads(spec)))
        audit.record(root, "lab-fault", devices=[device], detail=spec)
    except json.JSONDecodeError as exc:
        fail(
            RolloutError(
                f"FAULT is not JSON ({exc.msg})", 'e.g. \'{"kind": "slow", "seconds": 2}\''
            )
        )
    except FaultSpecError as exc:
        fail(RolloutError(str(exc), "see `rollout lab fault --help` for the kinds"))
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc))
    click.echo(f"{device}: {spec}")


def _typed(conn: Any, line: str) -> str:
    """One exec line; a ``[confirm]`` question (``clear logging``, ``clear counters``: Cisco
    IOS Configuration Fundamentals Command Reference) is answered with Return, as by hand."""
    reply: str = conn.send_command(line, expect_string=r"\[confirm\]|#\s*$")
    if reply.rstrip().endswith("[confirm]"):
        reply += conn.send_command("", expect_string=r"#\s*$")
    return reply


@lab.command("send")
@click.argument("device")
@click.argument("lines", nargs=-1, required=True)
@click.option("--config", "config_mode", is_flag=True, help="Send the lines in configuration mode.")
@lab_dir_option
@repo_option
def lab_send(
    device: str,
    lines: tuple[str, ...],
    config_mode: bool,
    lab_dir: Path | None,
    repo: Path | None,
) -> None:
    """Type commands on a lab device over SSH, as an engineer would by hand.

    Handy to make an out-of-band change that `rollout drift` must catch, e.g.
    rollout lab send bao-thang-sw01 --config "snmp-server community public RO"
    """
    from rollout.targets import driver_for, managed_devices
    from rollout.targets import lab_dir as find

    try:
        ctx = load(repo)
        site = next((s for s, d in ctx.inv.devices() if d.hostname == device), None)
        if site is None:
            raise RolloutError(f"no device '{device}' in the inventory", "see rollout lab status")
        managed = next(
            m
            for m in managed_devices(ctx.inv, [site.slug], ctx.secrets, lab=find(ctx.root, lab_dir))
            if m.device.hostname == device
        )
        driver = driver_for(managed.target)
        try:
            conn = driver.conn  # type: ignore[attr-defined]
            if config_mode:
                output = conn.send_config_set(list(lines))
            else:
                ios = managed.device.platform is Platform.CISCO_IOS
                send = (lambda line: _typed(conn, line)) if ios else conn.send_command
                output = "\n".join(send(line) for line in lines)
        finally:
            driver.close()
        audit.record(
            ctx.root,
            "lab-send",
            sites=[site.slug],
            devices=[device],
            change=audit.change_hash(lines),
        )
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc))
    click.echo(ctx.secrets.redact(str(output)))


@lab.command("impair")
@click.argument("device")
@click.option("--rtt-ms", type=click.IntRange(0, 60000), default=None, help="Round-trip time.")
@click.option("--jitter-ms", type=click.IntRange(0, 10000), default=None, help="Mean jitter.")
@click.option(
    "--loss-percent", type=click.FloatRange(0, 100), default=None, help="Packet loss, each way."
)
@click.option(
    "--mos",
    type=click.FloatRange(1, 5),
    default=None,
    help="MOS a router reports for its codec-configured IP SLA operations.",
)
@click.option(
    "--operation",
    type=click.IntRange(1, 2147483647),
    default=None,
    help="Only this IP SLA operation of a router (default: all).",
)
@click.option("--timeout", "fail_ops", is_flag=True, help="The router's operations time out.")
@click.option(
    "--segment",
    type=click.Choice(("backbone", "access")),
    default=None,
    help="Router: where the path is worse. backbone (default): the IP SLA operations and "
    "pings beyond the provider's next hop; access: the access link, so pings to the next "
    "hop suffer too.",
)
@click.option("--clear", is_flag=True, help="Put the device back on a clean path.")
@lab_dir_option
@repo_option
def lab_impair(
    device: str,
    rtt_ms: int | None,
    jitter_ms: int | None,
    loss_percent: float | None,
    mos: float | None,
    operation: int | None,
    fail_ops: bool,
    segment: str | None,
    clear: bool,
    lab_dir: Path | None,
    repo: Path | None,
) -> None:
    """Make the lab's network worse for DEVICE: what its measurements report.

    On an IOS router: the result of its IP SLA operations (show ip sla statistics). On a codec:
    the jitter and loss of its calls' media (advnetstats, netstats). Unset figures stay clean,
    e.g. rollout lab impair bao-thang-rtr01 --loss-percent 5 --jitter-ms 60
    """
    from rollout.lab.control import ControlClient
    from rollout.lab.faults import FaultSpecError
    from rollout.lab.impair import parse_impairment
    from rollout.targets import lab_dir as find

    given = {
        "rtt_ms": rtt_ms,
        "jitter_ms": jitter_ms,
        "loss_percent": loss_percent,
        "mos": mos,
        "operation": operation,
    }
    fields: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if fail_ops:
        fields["timeout"] = True
    if segment is not None:
        fields["segment"] = segment
    try:
        if clear and fields:
            raise RolloutError("--clear takes no figures", "give either --clear or the figures")
        if not clear and not fields:
            raise RolloutError(
                "no figure given", "e.g. --loss-percent 5 --jitter-ms 60, or --clear"
            )
        impairment = None if clear else parse_impairment(fields)
        root = load(repo).root
        done = ControlClient(find(root, lab_dir)).impair(device, impairment)
        audit.record(
            root, "lab-impair", devices=[device], detail="clear" if clear else json.dumps(fields)
        )
    except FaultSpecError as exc:
        fail(RolloutError(str(exc), "see `rollout lab impair --help`"))
    except Exception as exc:  # lab errors load lazily; _wrap re-raises others
        fail(_wrap(exc))
    click.echo(f"{device}: {done}")


def _register() -> None:
    from rollout.cli.lab_condition import lab_condition

    lab.add_command(lab_condition)


_register()
