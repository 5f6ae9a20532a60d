"""What most commands need first: the repository, the inventory, the secrets, and the sites
and devices the user meant (the one site selector of every command).

Scope as the user meant it: a broken site file stops only the commands that need that site.
The inventory is loaded tolerantly (``load_inventory(..., tolerant=True)``): a selection that
names (or, with --all, covers) a broken site goes on with the others, and the broken site is
*left out*; so are the devices a lab does not hold when a command runs on every site of a lab.
What was left out is recorded on the click context (``left_out``); ``RolloutGroup`` prints it
(or ``emit_json`` adds it as a ``left_out`` list) and the command exits 1.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rollout.cli.app import LEFT_OUT, SHOWN, repo_root
from rollout.errors import InvalidInventory, Problem, RolloutError
from rollout.scope import LeftOut, broken_site

if TYPE_CHECKING:
    from rollout.cli.options import Where
    from rollout.inventory.loader import Inventory
    from rollout.secrets import Secrets
    from rollout.targets import Managed


def note_left_out(items: Sequence[LeftOut]) -> None:
    """Record what the running command leaves out (it then exits 1 and says why)."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta.setdefault(LEFT_OUT, []).extend(items)


def left_out() -> list[LeftOut]:
    """What the running command has left out so far."""
    context = click.get_current_context(silent=True)
    return list(context.meta.get(LEFT_OUT, [])) if context is not None else []


def shown_left_out() -> None:
    """The command's output carries the left-out list itself (no separate text on stderr)."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[SHOWN] = True


def _scoped() -> None:
    """Mark the running command as one that selects sites: its JSON carries ``left_out``."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta.setdefault(LEFT_OUT, [])


@dataclass(frozen=True)
class Context:
    root: Path
    inv: Inventory
    secrets: Secrets

    def lab_dir(self, lab: bool, lab_dir: Path | None) -> Path | None:
        from rollout.targets import lab_dir as find

        return find(self.root, lab_dir) if (lab or lab_dir) else None

    def netlab_dir(self, netlab: bool, netlab_dir: Path | None) -> Path | None:
        from rollout.targets import netlab_dir as find

        return find(self.root, netlab_dir) if (netlab or netlab_dir) else None

    def managed(
        self,
        sites: list[str],
        where: Where,
        every: bool = False,
        timeout: float | None = None,
        *,
        roles: Sequence[str] = (),
        names: Sequence[str] = (),
        platforms: Sequence[str] = (),
    ) -> list[Managed]:
        """The sites' managed devices where the command talks to them.

        every (--all): against a lab, only the devices the lab holds; the others are left out
        (recorded: the command says which and exits 1). Named sites must be in the lab.
        timeout: seconds per device to connect or answer (None: the default).
        roles, names (globs), platforms: only these devices (all when empty); none matching
        is an error.
        """
        from rollout.targets import managed_devices

        lab = self.lab_dir(where.lab, where.lab_dir)
        netlab = self.netlab_dir(where.netlab, where.netlab_dir)
        if lab is None and netlab is None:
            self.require_live_ready(sites)
        left: list[LeftOut] = []
        devices = managed_devices(
            self.inv,
            sites,
            self.secrets,
            lab=lab,
            netlab=netlab,
            timeout=timeout,
            lab_only=every,
            left_out=left,
        )
        if roles or names or platforms:
            from rollout.drift.check import select

            devices = select(devices, platforms=platforms, roles=roles, names=names)
            left = [x for x in left if _matches(self.inv, x, roles, names, platforms)]
            if not devices:
                given = [f for f, v in (("--platform", platforms), ("--role", roles)) if v]
                given += ["--device"] if names else []
                raise RolloutError(
                    "no device matches the selection", f"check the sites and {', '.join(given)}"
                )
        note_left_out(left)
        return devices

    def require_live_ready(self, sites: list[str]) -> None:
        """Refuse a run against real devices on the lab vault, documentation addresses or
        placeholder codes (rollout.preflight), before any connection."""
        from rollout.preflight import require_live_ready

        require_live_ready(self.root, self.inv, sites)


def _matches(
    inv: Inventory,
    item: LeftOut,
    roles: Sequence[str],
    names: Sequence[str],
    platforms: Sequence[str],
) -> bool:
    """A left-out device that the device filters would have chosen (sites always count)."""
    import fnmatch

    if item.device is None or item.site not in inv.sites:
        return True
    device = next((d for d in inv.sites[item.site].devices if d.hostname == item.device), None)
    return device is not None and (
        (not platforms or device.platform.value in platforms)
        and (not roles or device.role.value in roles)
        and (not names or any(fnmatch.fnmatchcase(device.hostname, n) for n in names))
    )


def load(repo: Path | None) -> Context:
    """The repository, its inventory (tolerant: broken sites set aside) and the vault."""
    from rollout.inventory.loader import load_inventory
    from rollout.secrets import load_secrets

    root = repo_root(repo)
    inv = load_inventory(root, tolerant=True)
    return Context(root, inv, load_secrets(root))


def resolve_sites(
    inv: Inventory, sites: Sequence[str], all_sites: bool, *, what: str = "sites"
) -> tuple[list[str], list[str]]:
    """The selected sites that loaded, and those whose file is broken (nothing recorded).

    A named site that does not exist is an error naming its file, with the closest name.
    """
    known = sorted([*inv.sites, *inv.broken])
    if all_sites:
        wanted = known
    elif not sites:
        raise RolloutError(f"name the {what}", "give SITE... or --all")
    else:
        for slug in sites:
            if slug not in inv.sites and slug not in inv.broken:
                raise InvalidInventory([unknown_site(slug, known)])
        wanted = list(dict.fromkeys(sites))
    return [s for s in wanted if s in inv.sites], [s for s in wanted if s in inv.broken]


def select_sites(
    inv: Inventory, sites: Sequence[str], all_sites: bool, *, what: str = "sites"
) -> list[str]:
    """The sites the command works on: the named ones, or every site with all_sites.

    A selected site whose file is broken is left out (recorded: the command goes on with the
    others and exits 1); when every selected site is broken, their problems are the error.
    """
    _scoped()
    good, broken = resolve_sites(inv, sites, all_sites, what=what)
    if broken and not good:
        raise InvalidInventory([p for s in broken for p in inv.broken[s]])
    note_left_out([broken_site(s, inv.broken[s]) for s in broken])
    return good


def unknown_site(slug: str, known: Sequence[str]) -> Problem:
    """A site name with no file: where it would be, and the closest known name."""
    close = difflib.get_close_matches(slug, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        f"inventory/sites/{slug}.yml",
        "",
        f"no site '{slug}' in inventory/sites/",
        f"{hint}known sites: {', '.join(known) or '(none)'}",
    )


def chosen_devices(
    inv: Inventory, sites: Sequence[str], roles: Sequence[str], names: Sequence[str]
) -> dict[str, list[str]]:
    """Per site, the managed devices that --role and --device (globs) choose; only sites with
    one. None chosen at all is an error naming the filters."""
    import fnmatch

    from rollout.targets import MANAGED

    out: dict[str, list[str]] = {}
    for slug in sites:
        for d in inv.sites[slug].devices:
            if d.platform not in MANAGED or (roles and d.role.value not in roles):
                continue
            if names and not any(fnmatch.fnmatchcase(d.hostname, n) for n in names):
                continue
            out.setdefault(slug, []).append(d.hostname)
    if not out:
        raise RolloutError(
            f"no device of {', '.join(sites)} matches the selection",
            "check --role and --device (a hostname or a glob such as '*-sw01')",
        )
    return out
