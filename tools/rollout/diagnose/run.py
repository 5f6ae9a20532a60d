"""One call per question: diagnose a site now (read its devices), or at a past moment (from
the history `rollout watch` keeps)."""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from typing import Any

from rollout.diagnose.collect import collect_site
from rollout.diagnose.context import Where
from rollout.diagnose.expect import expectations
from rollout.diagnose.model import Diagnosis, SiteEvidence
from rollout.diagnose.rules import diagnose
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets

HISTORY_DB = Path("var/history.sqlite")
"""Where `rollout watch` keeps its evidence, under the repository."""
STORE = "rollout.diagnose.store"
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


def evidence_at(db: Path, site: str, at: datetime) -> SiteEvidence | None:
    """The stored evidence of the site nearest before ``at`` (rollout.diagnose.store)."""
    try:
        store: Any = importlib.import_module(STORE)
    except ModuleNotFoundError as exc:
        if exc.name != STORE:
            raise
        raise RolloutError(
            "this installation keeps no history (rollout.diagnose.store is missing)",
            "diagnose now instead: leave out --at",
        ) from None
    if not db.exists():
        raise RolloutError(f"no history at {db}", "start `rollout watch` first, or pass --db PATH")
    found: SiteEvidence | None = store.evidence_at(db, site, at)
    return found


def diagnose_at(inv: Inventory, site: str, db: Path, at: datetime) -> Diagnosis:
    """The same rules on the evidence the history holds for that moment."""
    evidence = evidence_at(db, site, at)
    if evidence is None:
        raise RolloutError(
            f"the history holds no evidence of {site} at or before {at.isoformat()} ({db})",
            "pick a moment `rollout watch` was running, or diagnose now (leave out --at)",
        )
    return diagnose(evidence, expectations(inv, site), at=evidence.taken_at)
