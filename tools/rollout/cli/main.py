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


def _select(inventory_sites: list[str], sites: tuple[str, ...], all_sites: bool) -> list[str]:
    if all_sites or not sites:
        return inventory_sites
    unknown = [s for s in sites if s not in inventory_sites]
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], inventory_sites, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise RolloutError(
            f"no site '{unknown[0]}' in inventory/sites/",
            f"{hint}known sites: {', '.join(inventory_sites)}",
        )
    return list(dict.fromkeys(sites))


@cli.command()
@sites_argument
@repo_option
@format_option
def validate(sites: tuple[str, ...], all_sites: bool, repo: Path | None, fmt: str) -> None:
    """Check the province and site files (all sites, or the given ones).

    Every problem names the file, the line, the field and the fix. A flow the routers' access
    lists do not carry (both ways) is named with the list and the row that opens it.
    """
    from rollout.errors import InvalidInventory
    from rollout.inventory.loader import load_inventory, site_files

    try:
        root = repo_root(repo)
        if sites and not all_sites:
            files, _ = site_files(root)
            _select([f.stem for f in files], sites, False)
        try:
            inv = load_inventory(root)
        except InvalidInventory as exc:
            if sites and not all_sites:
                wanted = {f"inventory/sites/{s}.{ext}" for s in sites for ext in ("yml", "yaml")}
                wanted.add("inventory/province.yml")
                kept = [p for p in exc.problems if p.file in wanted]
                if not kept:
                    _report_ok(list(dict.fromkeys(sites)), fmt)
                    return
                raise InvalidInventory(kept) from None
            raise
        chosen = _select(list(inv.sites), sites, all_sites)
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
    from rollout.inventory.loader import load_inventory
    from rollout.render import redacted, render_sites, write_rendered
    from rollout.secrets import load_secrets

    try:
        if not sites and not all_sites:
            raise RolloutError("name the sites to render", "give SITE... or --all")
        root = repo_root(repo)
        inv = load_inventory(root)
        chosen = _select(list(inv.sites), sites, all_sites)
        secrets = load_secrets(root)
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
@click.argument("slug")
@click.option("--from", "source", required=True, metavar="SITE", help="Site to clone (the pilot).")
@click.option("--name", required=True, help='Unit name with diacritics, e.g. "Bát Xát".')
@click.option("--code", default=None, help="GSO code of the unit (3 digits district, 5 commune).")
@click.option("--wan-rate", default=None, metavar="RATE", help="Contracted WAN rate: 10M, 4096k.")
@click.option(
    "--calls",
    type=click.IntRange(0, 64),
    default=None,
    help="Simultaneous video calls the site must carry (default: as the source).",
)
@click.option(
    "--level",
    type=click.Choice(["district", "commune"]),
    default=None,
    help="Administrative level (default: that of the source site).",
)
@repo_option
@format_option
def new_site(
    slug: str,
    source: str,
    name: str,
    code: str | None,
    wan_rate: str | None,
    calls: int | None,
    level: str | None,
    repo: Path | None,
    fmt: str,
) -> None:
    """Create inventory/sites/SLUG.yml as a clone of a site, with new addresses.

    The whole province is validated with the new site before the file is written;
    an existing site is never overwritten.
    """
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.model import Level
    from rollout.inventory.newsite import NewSiteRequest, new_site, parse_rate, write_site

    try:
        root = repo_root(repo)
        inv = load_inventory(root)
        req = NewSiteRequest(
            slug=slug,
            source=source,
            name=unicodedata.normalize("NFC", name.strip()),
            code=code,
            wan_rate_kbps=parse_rate(wan_rate) if wan_rate else None,
            level=Level(level) if level else None,
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
    from rollout.cli.devices import backup, plan, rollback
    from rollout.cli.drift import COMMANDS as DRIFT_COMMANDS
    from rollout.cli.lab import lab
    from rollout.cli.netlab import COMMANDS as NETLAB_COMMANDS
    from rollout.cli.recover import recover
    from rollout.cli.security import COMMANDS as SECURITY_COMMANDS
    from rollout.cli.site import site

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
    ):
        cli.add_command(command)


_register()


def main() -> None:
    cli.main(prog_name="rollout")


if __name__ == "__main__":
    main()
