"""`rollout`: the entry point. Commands are thin: parse, call the library, format."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import click

from rollout import __version__
from rollout.cli.app import RolloutGroup, emit_json, fail, repo_root, table
from rollout.cli.options import format_option, repo_option, sites_argument
from rollout.errors import RolloutError


@click.group(cls=RolloutGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rollout")
def cli() -> None:
    """Bring a video-conference site up like the pilot, and keep every site that way.

    Exit codes: 0 ok, 1 error (also usage errors), 2 changes or drift found.
    """


@cli.command()
@sites_argument
@repo_option
@format_option
def validate(sites: tuple[str, ...], all_sites: bool, repo: Path | None, fmt: str) -> None:
    """Check the province and site files (all sites, or the given ones).

    Every problem names the file, the line, the field and the fix. A flow the routers' access
    lists do not carry (both ways) is named with the list and the row that opens it.
    """
    from rollout.cli.context import resolve_sites
    from rollout.errors import InvalidInventory
    from rollout.inventory.loader import load_inventory

    try:
        root = repo_root(repo)
        if not sites or all_sites:
            inv = load_inventory(root)  # the whole province: every problem of every file
            chosen = list(inv.sites)
        else:
            try:
                inv = load_inventory(root, tolerant=True)
            except InvalidInventory as exc:  # the province (or the hub) itself is broken
                wanted = {f"inventory/sites/{s}.{ext}" for s in sites for ext in ("yml", "yaml")}
                wanted.add("inventory/province.yml")
                kept = [p for p in exc.problems if p.file in wanted]
                raise InvalidInventory(kept or exc.problems) from None
            chosen, broken = resolve_sites(inv, sites, False)
            if broken:
                raise InvalidInventory([p for s in broken for p in inv.broken[s]])
        from rollout.coverage import flow_problems  # every flow carried by the access lists
        from rollout.secrets import load_secrets

        gaps = flow_problems(inv, chosen, load_secrets(root))
        if gaps:
            raise InvalidInventory(gaps)
        from rollout.cli.security import lint_problems  # the security baseline is part of it

        findings = lint_problems(root, chosen)
        if findings:
            raise RolloutError(
                f"{len(findings)} security baseline findings:\n  " + "\n  ".join(findings),
                "fix the templates or the vault; `rollout lint` lists them",
            )
        from rollout.preflight import live_problems  # what a live run would refuse

        warnings = live_problems(root, inv, chosen)
    except RolloutError as exc:
        fail(exc, fmt)
    devices = sum(len(inv.sites[s].devices) for s in chosen)
    _report_ok(chosen, fmt, devices=devices, warnings=warnings)


def _report_ok(
    chosen: list[str], fmt: str, devices: int | None = None, warnings: list[Any] | None = None
) -> None:
    warned = [
        {"file": w.file, "field": w.path, "message": w.message, "fix": w.fix, "line": w.line}
        for w in warnings or []
    ]
    if fmt == "json":
        emit_json(
            {"ok": True, "sites": chosen, "devices": devices, "problems": [], "warnings": warned}
        )
    else:
        for w in warnings or []:
            click.secho(
                f"warning (live runs refuse this): {w.location()}: {w.message}",
                fg="yellow",
                err=True,
            )
            click.echo(f"  fix: {w.fix}", err=True)
        extra = f", {devices} devices" if devices is not None else ""
        click.echo(f"ok: {len(chosen)} site{'s' if len(chosen) != 1 else ''}{extra}, no problems")


@cli.command()
@sites_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder for the rendered files (one per device, under a folder per site).",
)
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Keep vault values in the files (mode 0600); by default they are redacted.",
)
@repo_option
@format_option
def render(
    sites: tuple[str, ...],
    all_sites: bool,
    out: Path,
    with_secrets: bool,
    repo: Path | None,
    fmt: str,
) -> None:
    """Render every device's full configuration from the templates."""
    from rollout.cli.context import load, select_sites
    from rollout.render import redacted, render_sites, write_rendered

    try:
        if not sites and not all_sites:
            raise RolloutError("name the sites to render", "give SITE... or --all")
        ctx = load(repo)
        inv, secrets = ctx.inv, ctx.secrets
        chosen = select_sites(inv, sites, all_sites)
        items = render_sites(inv, chosen, secrets)
        if not with_secrets:
            items = redacted(items, secrets)
        target = out if out.is_absolute() else Path.cwd() / out
        paths = write_rendered(items, target)
    except RolloutError as exc:
        fail(exc, fmt)
    except OSError as exc:
        fail(RolloutError(f"cannot write to {out}: {exc.strerror}", "choose a writable --out"), fmt)
    if fmt == "json":
        emit_json({"ok": True, "files": [str(p) for p in paths]})
    else:
        click.echo(f"rendered {len(paths)} devices of {len(chosen)} sites into {out}/")


@cli.command("new-site")
@click.argument("unit")
@click.option("--from", "source", required=True, metavar="SITE", help="Site to clone (the pilot).")
@click.option(
    "--name",
    default=None,
    help="Optional check: the unit's name (with or without diacritics) must be the official one.",
)
@click.option(
    "--code",
    default=None,
    help="Optional check: the unit's code must be the official one (it is filled in anyway).",
)
@click.option("--wan-rate", default=None, metavar="RATE", help="Contracted WAN rate: 10M, 4096k.")
@click.option(
    "--calls",
    type=click.IntRange(0, 64),
    default=None,
    help="Simultaneous video calls the site must carry (default: as the source).",
)
@repo_option
@format_option
def new_site(
    unit: str,
    source: str,
    name: str | None,
    code: str | None,
    wan_rate: str | None,
    calls: int | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Create the site of an official unit as a clone of a site, with new addresses.

    UNIT is a commune-level unit of the province in the official register, by name (with or
    without diacritics: "Xã Y Tý", "Y Ty"), by code (02701) or by slug (y-ty); the site file
    inventory/sites/<slug>.yml gets the official name and code. The whole province is
    validated with the new site before the file is written; an existing site is never
    overwritten.
    """
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.newsite import new_site, parse_rate, request_for_unit, write_site

    try:
        root = repo_root(repo)
        inv = load_inventory(root)
        req = request_for_unit(
            inv,
            unicodedata.normalize("NFC", unit.strip()),
            source,
            name=unicodedata.normalize("NFC", name.strip()) if name else None,
            code=code,
            wan_rate_kbps=parse_rate(wan_rate) if wan_rate else None,
            video_calls=calls,
        )
        created = new_site(inv, req)
        write_site(created)
    except RolloutError as exc:
        fail(exc, fmt)
    site, addr = created.site, created.addresses
    rows = [
        ("file", str(created.path.relative_to(root))),
        ("code", site.code),
        ("level", site.level.value),
        ("LAN block", addr.block),
        *[(f"VLAN {vid} {vname}", net) for vname, (vid, net) in addr.vlans.items()],
        ("loopback", addr.loopback),
        ("WAN link", addr.wan_link),
        ("WAN rate", f"{site.wan.rate_kbps} kbit/s"),
        *[(d.hostname, d.mgmt_address) for d in site.devices],
    ]
    if fmt == "json":
        emit_json({"ok": True, "site": site.model_dump(mode="json"), "file": rows[0][1]})
    else:
        table(f"new site {site.slug} ({site.name})", ["what", "allocated"], rows)


def _register() -> None:
    from rollout.cli.bench import bench
    from rollout.cli.devices import backup, rollback
    from rollout.cli.drift import COMMANDS as DRIFT_COMMANDS
    from rollout.cli.lab import lab
    from rollout.cli.netlab import COMMANDS as NETLAB_COMMANDS
    from rollout.cli.plan import plan
    from rollout.cli.recover import recover
    from rollout.cli.security import COMMANDS as SECURITY_COMMANDS
    from rollout.cli.site import site
    from rollout.cli.units import sync_register
    from rollout.cli.watch import watch

    for command in (
        plan,
        site,
        *DRIFT_COMMANDS,
        backup,
        rollback,
        recover,
        lab,
        *NETLAB_COMMANDS,
        *SECURITY_COMMANDS,
        bench,
        sync_register,
        watch,
    ):
        cli.add_command(command)
    from rollout.cli.diagnose import diagnose

    cli.add_command(diagnose)


_register()


def main() -> None:
    cli.main(prog_name="rollout")


if __name__ == "__main__":
    main()
