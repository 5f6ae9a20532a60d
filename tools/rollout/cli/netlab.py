"""`rollout netlab up|status|down|plan|push`, `rollout verify`, `rollout soak`, `rollout report`:
the network lab and the proofs of a site. Thin: parse, call rollout.netlab, format."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from rollout.cli.app import Exit, emit_json, fail, table
from rollout.cli.context import load, select_sites
from rollout.cli.options import format_option, lab_options, repo_option
from rollout.errors import RolloutError

netlab_dir_option = click.option(
    "--netlab-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the network lab (default: .netlab, or $ROLLOUT_NETLAB_DIR).",
)


lab_id_option = click.option(
    "--lab-id",
    default="",
    metavar="ID",
    help="The lab's id, 0-4 characters a-z/0-9, in every namespace and link name "
    "(rl<ID>-hub ...), so that several labs can be up at once (default: none, rl-hub ...).",
)


def _folder(root: Path, option: Path | None) -> Path:
    if option is not None:
        return option
    env = os.environ.get("ROLLOUT_NETLAB_DIR")
    return Path(env) if env else root / ".netlab"


def _state(folder: Path) -> Any:
    from rollout.netlab.state import NetlabState

    state = NetlabState.read(folder)
    if state is None:
        raise RolloutError(
            f"no network lab is up (no state in {folder})", "start it: rollout netlab up SITE"
        )
    return state


def _one_site(state: Any, slug: str) -> None:
    if slug not in state.sites:
        raise RolloutError(
            f"site {slug} is not in the network lab ({', '.join(state.sites)})",
            f"rollout netlab down; rollout netlab up {slug}",
        )


@click.group()
def netlab() -> None:
    """The network lab: hub, WAN weather, linux_router and LAN hosts in namespaces (root)."""


@netlab.command("up")
@click.argument("sites", nargs=-1, required=True, metavar="SITE...")
@click.option("--weather", default="clear", show_default=True, help="Weather profile to start in.")
@click.option("--day0", is_flag=True, help="Leave the routers unconfigured (no push).")
@lab_id_option
@netlab_dir_option
@repo_option
@format_option
def up(
    sites: tuple[str, ...],
    weather: str,
    day0: bool,
    lab_id: str,
    netlab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Build the lab for the sites and push each router's rendered configuration.

    Each router gets a management sshd (key login with the vault's linux_router admin key,
    host key in the lab's known_hosts); the push goes over it, as `rollout site --netlab` does.
    """
    from rollout.netlab import lab, router

    try:
        ctx = load(repo)
        chosen = select_sites(ctx.inv, sites, False)
        folder = _folder(ctx.root, netlab_dir)
        state = lab.up(ctx.inv, chosen, folder, weather, ctx.secrets, lab_id=lab_id)
        pushed = (
            {}
            if day0
            else {s: len(router.push(ctx.inv, folder, s, ctx.secrets).added) for s in chosen}
        )
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"ok": True, "namespaces": state.namespaces, "pushed_lines": pushed})
    else:
        table("network lab up", ["namespace"], [[n] for n in state.namespaces])
        for slug, lines in pushed.items():
            click.echo(f"{slug}: router configured ({lines} lines), weather {weather}")


@netlab.command("status")
@netlab_dir_option
@repo_option
@format_option
def status(netlab_dir: Path | None, repo: Path | None, fmt: str) -> None:
    """What the lab runs: namespaces and processes, alive or not."""
    from rollout.cli.app import repo_root
    from rollout.netlab import lab

    try:
        info = lab.status(_folder(repo_root(repo), netlab_dir))
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json(info)
        return
    if not info["up"]:
        click.echo("no network lab is up")
        return
    rows = [["lab id", info["lab_id"] or "(none)", f"management {info['mgmt_block']}"]]
    rows += [
        ["namespace", n, "present" if ok else "MISSING"] for n, ok in info["namespaces"].items()
    ]
    rows += [["process", n, "running" if ok else "DEAD"] for n, ok in info["processes"].items()]
    rows += [["fault", f"{f['site']} {f['kind']}", f["detail"]] for f in info.get("faults", [])]
    table("network lab", ["kind", "name", "state"], rows)


@netlab.command("fault")
@click.argument("site")
@click.argument("kind", required=False)
@click.option("--severity", type=float, default=None, help="The fault's figure (see KIND).")
@click.option("--clear", "clear_", is_flag=True, help="Undo the site's faults (of KIND only).")
@netlab_dir_option
@repo_option
@format_option
def fault(
    site: str,
    kind: str | None,
    severity: float | None,
    clear_: bool,
    netlab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Impose a fault on a lab site with real packets, or --clear it.

    KIND and --severity: loss (percent each way on the access link, 5), jitter (ms, 40),
    qos-removed (x the contracted rate flooded, 1.5), provider-drops (percent of the router's
    shaper the provider delivers, 70), dscp-bleach (percent bleached, 100), registrar-down,
    mcu-unreachable, media-blocked, link-flaps (down/up cycles, 3), cloud-unreachable, healthy
    (clears the site's faults). `rollout netlab status` lists the active ones.
    """
    from rollout.netlab import faults
    from rollout.netlab.ns import require_root

    try:
        require_root()
        ctx = load(repo)
        state = _state(_folder(ctx.root, netlab_dir))
        _one_site(state, site)
        if clear_:
            done = [f.as_dict() for f in faults.clear(state, site, kind)]
        elif kind is None:
            raise RolloutError(
                "give a fault KIND or --clear", "e.g. rollout netlab fault SITE loss"
            )
        else:
            imposed = faults.impose(ctx.inv, state, site, kind, severity)
            done = [imposed.as_dict()] if imposed is not None else []
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"ok": True, "cleared" if clear_ else "imposed": done})
        return
    verb = "cleared" if clear_ or kind == "healthy" else "imposed"
    for f in done:
        click.echo(f"{verb}: {f['site']} {f['kind']}: {f['detail']}")
    if not done:
        click.echo(f"{site}: no fault to clear" if clear_ else f"{site}: healthy")


@netlab.command("down")
@click.option(
    "--force",
    is_flag=True,
    help="Also remove the lab's namespaces and links the state does not list "
    "(those named for its id: the state's, else --lab-id; never another lab's).",
)
@lab_id_option
@netlab_dir_option
@repo_option
@format_option
def down(force: bool, lab_id: str, netlab_dir: Path | None, repo: Path | None, fmt: str) -> None:
    """Stop every process and remove every namespace and file the lab made (also after a crash)."""
    from rollout.cli.app import repo_root
    from rollout.netlab import lab
    from rollout.netlab.ns import require_root

    try:
        require_root()
        done = lab.down(_folder(repo_root(repo), netlab_dir), force=force, lab_id=lab_id)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"ok": True, "done": done})
    else:
        click.echo("\n".join(done) or "nothing to remove")


@netlab.command("plan")
@click.argument("site")
@netlab_dir_option
@repo_option
@format_option
def plan(site: str, netlab_dir: Path | None, repo: Path | None, fmt: str) -> None:
    """Diff of the lab router's files against the rendered intent (exit 2 when any)."""
    from rollout.netlab import router

    try:
        ctx = load(repo)
        folder = _folder(ctx.root, netlab_dir)
        _one_site(_state(folder), site)
        the_plan = router.plan(ctx.inv, folder, site, ctx.secrets)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json(
            {
                "device": the_plan.device,
                "changed": the_plan.changed,
                "diff": list(the_plan.commands),
            }
        )
    else:
        click.echo("\n".join(the_plan.commands) or f"{the_plan.device}: no changes")
    raise SystemExit(Exit.CHANGES if the_plan.changed else Exit.OK)


@netlab.command("push")
@click.argument("site")
@click.option("--revert-minutes", type=click.IntRange(1, 120), default=5, show_default=True)
@netlab_dir_option
@repo_option
@format_option
def push(
    site: str, revert_minutes: int, netlab_dir: Path | None, repo: Path | None, fmt: str
) -> None:
    """Push the rendered configuration to the lab router: backup, push with the revert timer,
    verify, confirm, save (a failed verify leaves it unconfirmed for the revert timer)."""
    from rollout.netlab import router

    try:
        ctx = load(repo)
        folder = _folder(ctx.root, netlab_dir)
        _one_site(_state(folder), site)
        the_plan = router.push(ctx.inv, folder, site, ctx.secrets, revert_minutes)
    except RolloutError as exc:
        fail(exc, fmt)
    click.echo(
        f"{the_plan.device}: {len(the_plan.added)} lines added, "
        f"{len(the_plan.removed)} removed, confirmed"
    )


def _show_checks(title: str, checks: list[dict[str, Any]]) -> None:
    table(
        title,
        ["check", "result", "detail"],
        [
            [
                c["name"],
                "pass" if c["ok"] else ("FAIL" if c.get("judged", True) else "fail (info)"),
                c["detail"],
            ]
            for c in checks
        ],
    )


@click.command()
@click.argument("site")
@click.option("--netlab", "use_netlab", is_flag=True, help="Prove the site in the network lab.")
@click.option(
    "--qos-proof", is_flag=True, help="Also flood the WAN at 3x and compare with/without QoS."
)
@click.option(
    "--seconds",
    type=click.FloatRange(1, 3600),
    default=8.0,
    show_default=True,
    help="Probe time per measurement (network lab); test-call hold time (devices).",
)
@netlab_dir_option
@lab_options
@repo_option
@format_option
def verify(
    site: str,
    use_netlab: bool,
    qos_proof: bool,
    seconds: float,
    netlab_dir: Path | None,
    lab: bool,
    lab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Prove a site's conference paths; exit 0 pass, 2 fail, 1 error.

    Without --netlab: the WAN router's IP SLA probes per class and a short test call from the
    codec to the MCU, on the live devices or (--lab) on the lab twin.
    Results are kept in var/proof/SITE/ for `rollout report`.
    """
    from rollout.netlab import verify as v
    from rollout.netlab.report import proof_dir

    proof = None
    try:
        if use_netlab and lab:
            raise RolloutError("--netlab and --lab exclude each other", "give one of them")
        ctx = load(repo)
        from rollout.cli.options import Where
        from rollout.cli.recover import report_unfinished

        report_unfinished(ctx, [site], Where(lab, lab_dir, use_netlab, netlab_dir), fmt)
        if use_netlab:
            state = _state(_folder(ctx.root, netlab_dir))
            _one_site(state, site)
            outcome = v.verify(ctx.inv, state, site, seconds)
            proof = v.qos_proof(ctx.inv, state, site, seconds) if qos_proof else None
        else:
            if qos_proof:
                raise RolloutError("--qos-proof needs the network lab", "add --netlab")
            from rollout.sla.site import verify_site
            from rollout.targets import lab_dir as find

            select_sites(ctx.inv, (site,), False)
            where = find(ctx.root, lab_dir) if lab else None
            if where is None:  # the live devices: a real test call, so the live preflight first
                ctx.require_live_ready([site])
            outcome = verify_site(ctx.inv, site, ctx.secrets, lab=where, hold_s=seconds)
    except RolloutError as exc:
        fail(exc, fmt)
    folder = proof_dir(ctx.root, site)
    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"verify": outcome.as_dict()}
    (folder / "verify.json").write_text(json.dumps(outcome.as_dict(), indent=2))
    if proof is not None:
        result["qos_proof"] = proof.as_dict()
        (folder / "qos-proof.json").write_text(json.dumps(proof.as_dict(), indent=2))
    ok = outcome.ok and (proof is None or proof.ok)
    if fmt == "json":
        emit_json({"ok": ok, **result})
    else:
        _show_checks(
            f"verify {site}: {'PASS' if outcome.ok else 'FAIL'}",
            [c.__dict__ for c in outcome.checks],
        )
        if proof is not None:
            rows = []
            for name, a in proof.with_qos.items():
                b = proof.without_qos[name]
                rows.append(
                    [
                        name,
                        f"{a['loss_percent']:.2f} / {b['loss_percent']:.2f}",
                        f"{a['delay_ms']:.1f} / {b['delay_ms']:.1f}",
                        f"{a['jitter_ms']:.1f} / {b['jitter_ms']:.1f}",
                        f"{a['mos']:.2f} / {b['mos']:.2f}",
                    ]
                )
            table(
                f"QoS proof {site}, flood {proof.flood_kbps} kbit/s: "
                f"{'PASS' if proof.ok else 'FAIL'} (with QoS / without)",
                ["class", "loss %", "delay ms", "jitter ms", "MOS"],
                rows,
            )
    raise SystemExit(Exit.OK if ok else Exit.CHANGES)


@click.command()
@click.argument("site")
@click.option("--duration", default="1h", show_default=True, help="e.g. 90s, 10m, 8h.")
@click.option("--profile", default=None, help="Weather profile for the whole soak.")
@click.option(
    "--schedule", default=None, help="Profiles in turn, e.g. clear:10m,rain:10m,storm:10m."
)
@click.option(
    "--window",
    type=click.FloatRange(1, 600),
    default=10.0,
    show_default=True,
    help="Seconds per sample window.",
)
@click.option("--resume", is_flag=True, help="Continue the last unfinished soak of this schedule.")
@netlab_dir_option
@repo_option
@format_option
def soak(
    site: str,
    duration: str,
    profile: str | None,
    schedule: str | None,
    window: float,
    resume: bool,
    netlab_dir: Path | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Sample the conference classes under weather profiles into SQLite; exit 2 on breaches."""
    from rollout.netlab import soak as s
    from rollout.netlab.report import proof_dir

    try:
        ctx = load(repo)
        state = _state(_folder(ctx.root, netlab_dir))
        _one_site(state, site)
        segments = s.parse_schedule(schedule, profile, duration)
        db = proof_dir(ctx.root, site) / "soak.sqlite"

        def progress(p: s.Progress) -> None:
            if fmt != "json":
                click.echo(f"{p.offset_s / 60:6.1f} min  {p.profile:<14} breaches: {p.breaches}")

        soak_id = s.run(
            ctx.inv, state, site, segments, db, window=window, resume=resume, on_window=progress
        )
        summary = s.summary(db, soak_id)
    except RolloutError as exc:
        fail(exc, fmt)
    breaches = sum(g["breaches"] for g in summary["by_profile"] if g["class"] != "default")
    if fmt == "json":
        emit_json(summary)
    else:
        table(
            f"soak {site} #{soak_id}: per profile",
            [
                "profile",
                "class",
                "windows",
                "delay ms",
                "max jitter ms",
                "loss %",
                "min MOS",
                "breaches",
            ],
            [list(g.values()) for g in summary["by_profile"]],
        )
    raise SystemExit(Exit.CHANGES if breaches else Exit.OK)


@click.command()
@click.argument("site")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for report.html and report.json (default: var/proof/SITE).",
)
@repo_option
@format_option
def report(site: str, out: Path | None, repo: Path | None, fmt: str) -> None:
    """Write the acceptance report (one self-contained HTML file, and JSON).

    Exit 2 when the site is not accepted.
    """
    from rollout.netlab import report as r

    try:
        ctx = load(repo)
        select_sites(ctx.inv, (site,), False)
        html_path, json_path, data = r.write(ctx.inv, site, out)
    except RolloutError as exc:
        fail(exc, fmt)
    if fmt == "json":
        emit_json({"ok": data["verdict"], "html": str(html_path), "json": str(json_path)})
    else:
        click.echo(
            f"{html_path}\n{json_path}\nverdict: "
            f"{'ACCEPTED' if data['verdict'] else 'NOT ACCEPTED'}"
        )
    raise SystemExit(Exit.OK if data["verdict"] else Exit.CHANGES)


COMMANDS = (netlab, verify, soak, report)
