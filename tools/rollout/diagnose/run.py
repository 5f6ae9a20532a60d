"""One call per question: diagnose a site now (read its devices), or at a past moment (from
the history `rollout watch` keeps)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rollout.diagnose.collect import collect_site
from rollout.diagnose.context import Where
from rollout.diagnose.expect import expectations
from rollout.diagnose.model import Diagnosis
from rollout.diagnose.rules import diagnose
from rollout.diagnose.store import lookup
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets

HISTORY_DB = Path("var/history.sqlite")
"""Where `rollout watch` keeps its evidence, under the repository."""
"""The history's module (rollout watch); loaded when a diagnosis asks the past."""


def diagnose_site(
    inv: Inventory,
    site: str,
    where: Where,
    secrets: Secrets,
    *,
    root: Path,
    light: bool = False,
    lab_dir: Path | None = None,
    netlab_dir: Path | None = None,
    notes: list[str] | None = None,
) -> Diagnosis:
    """Read the site's devices now and localise its fault (read-only)."""
    evidence = collect_site(
        inv,
        site,
        where,
        secrets,
        light=light,
        root=root,
        lab_dir=lab_dir,
        netlab_dir=netlab_dir,
        notes=notes,
    )
    return diagnose(evidence, expectations(inv, site))


def diagnose_at(inv: Inventory, site: str, db: Path, at: datetime) -> Diagnosis:
    """The same rules on the evidence the history holds for that moment."""
    found = lookup(db, site, at)
    evidence = found.evidence
    if evidence is None:
        raise RolloutError(
            f"the history {db} holds no evidence of {site} at {at.isoformat()}: {found.reason}",
            "pick a moment `rollout watch` was running, or diagnose now (leave out --at)",
        )
    return diagnose(evidence, expectations(inv, site), at=evidence.taken_at)
