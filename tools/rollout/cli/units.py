"""`rollout sync-register`: the inventory against the official register of units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rollout.cli.app import Exit, emit_json, fail, repo_root, table
from rollout.cli.options import format_option, repo_option
from rollout.errors import RolloutError

if TYPE_CHECKING:
    from rollout.inventory.newsite import NewSite
    from rollout.inventory.sync import GoneSite
    from rollout.register import Unit


@click.command("sync-register")
@click.option(
    "--check",
    is_flag=True,
    help="Only compare: write nothing; exit 2 when the register and the inventory differ.",
)
@click.option(
    "--from",
    "source",
    default=None,
    metavar="SITE",
    help="Site to clone for each missing unit (the pilot); needed unless --check.",
)
@click.option("--wan-rate", default=None, metavar="RATE", help="Contracted WAN rate: 10M, 4096k.")
@click.option(
    "--calls",
    type=click.IntRange(0, 64),
    default=None,
    help="Simultaneous video calls each new site must carry (default: as the source).",
)
@repo_option
@format_option
def sync_register(
    check: bool,
    source: str | None,
    wan_rate: str | None,
    calls: int | None,
    repo: Path | None,
    fmt: str,
) -> int:
    """Make one site for every unit of the province in the official register.

    Lists the units that have no site and the sites whose unit is gone (a district, a code
    that is no unit of the province: never removed here, see docs/province.md). Without
    --check, creates the missing sites as clones of --from (official name and code, addresses
    allocated), all validated with the whole province before any file is written.

    Exit codes: 0 the inventory has a site for every unit and no other; 2 they differ (with
    --check: nothing was written; without: sites whose unit is gone remain); 1 error.
    """
    from rollout.inventory.loader import load_inventory
    from rollout.inventory.newsite import parse_rate, write_site
    from rollout.inventory.sync import create_missing, register_diff

    try:
        root = repo_root(repo)
        inv = load_inventory(root, check=False)
        diff = register_diff(inv)
        made: list[NewSite] = []
        if not check and diff.missing:
            if source is None:
                raise RolloutError(
                    f"{len(diff.missing)} units have no site and no site to clone was named",
                    "give --from SITE (the pilot, e.g. --from bao-thang), or --check to compare",
                )
            made = create_missing(
                inv,
                diff.missing,
                source,
                wan_rate_kbps=parse_rate(wan_rate) if wan_rate else None,
                video_calls=calls,
            )
            for new in made:
                write_site(new)
    except RolloutError as exc:
        fail(exc, fmt)
    missing = [] if made else list(diff.missing)
    differ = bool(missing or diff.gone)
    if fmt == "json":
        payload: dict[str, Any] = {
            "ok": not differ,
            "province": {"code": diff.province.code, "name": diff.province.name},
            "units": len(diff.units),
            "missing": [{"code": u.code, "name": u.name, "slug": u.slug} for u in missing],
            "gone": [asdict(g) for g in diff.gone],
            "created": [
                {
                    "slug": n.site.slug,
                    "code": n.site.code,
                    "name": n.site.name,
                    "file": str(n.path.relative_to(root)),
                    "block": n.addresses.block,
                    "loopback": n.addresses.loopback,
                    "wan_link": n.addresses.wan_link,
                }
                for n in made
            ],
        }
        emit_json(payload)
    else:
        _show(diff.province.name, len(diff.units), missing, diff.gone, made, root)
    return int(Exit.CHANGES if differ else Exit.OK)


def _show(
    province: str,
    units: int,
    missing: Sequence[Unit],
    gone: Sequence[GoneSite],
    made: Sequence[NewSite],
    root: Path,
) -> None:
    if made:
        created = [
            (n.site.code, n.site.name, str(n.path.relative_to(root)), n.addresses.block)
            for n in made
        ]
        table(f"created {len(made)} sites", ["code", "unit", "file", "LAN block"], created)
    if missing:
        rows = [(u.code, u.name, u.slug) for u in missing]
        table(f"{len(missing)} units without a site", ["code", "unit", "slug"], rows)
    if gone:
        retired = [(g.file, g.code, g.name, g.reason) for g in gone]
        table(f"{len(gone)} sites whose unit is gone", ["file", "code", "name", "why"], retired)
        click.echo(
            "fix: re-code each to the unit that took over its building, or retire it "
            "(docs/province.md)"
        )
    if not missing and not gone:
        click.echo(f"ok: {province} has {units} units in the register, one site each")
