"""The audit line and the driver session of one step on one device."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rollout import audit
from rollout.drivers.base import Driver
from rollout.engine import journal
from rollout.engine.facts import where
from rollout.errors import RolloutError
from rollout.targets import Managed, driver_for


class Step:
    """What an audited step found: its change hash and a detail, filled in as it runs."""

    def __init__(self) -> None:
        self.change = ""
        self.detail = ""
        self.facts: dict[str, object] = {}
        """What the step did, for the site's journal (a backup path, whether lines were sent)."""


JOURNALED = frozenset({"backup", "push", "verify", "confirm", "save", "rollback"})
"""The steps a site's open journal records, before (start) and after (done/failed) each."""


@contextmanager
def audited(m: Managed, action: str, **extra: object) -> Iterator[Step]:
    """Append one audit line for a step on one device: ok with its change, or the error."""
    step = Step()
    journaled = action in JOURNALED
    if journaled:
        journal.step(m.root, m.site.slug, m.device.hostname, action, "start")

    def record(result: str, detail: str) -> None:
        audit.record(
            m.root,
            action,
            sites=[m.site.slug],
            devices=[m.device.hostname],
            result=result,
            change=step.change,
            detail=detail,
            target=where(m.target),
            **extra,
        )

    started = time.time()
    try:
        yield step
    except BaseException as exc:
        why = str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
        record("failed", why)
        if journaled:
            journal.step(m.root, m.site.slug, m.device.hostname, action, "failed", error=why)
        raise
    record("ok", step.detail)
    if journaled:
        facts = dict(step.facts)
        minutes = extra.get("revert_minutes")
        if action == "push" and facts.get("changed") and isinstance(minutes, int):
            facts["revert_deadline"] = round(started + minutes * m.target.minute_seconds, 1)
        journal.step(m.root, m.site.slug, m.device.hostname, action, "done", **facts)


@contextmanager
def session(m: Managed, driver: Driver | None = None) -> Iterator[Driver]:
    """The device's driver for one step, closed afterwards whatever happens; or the session
    given (one a caller holds across several steps: it closes it)."""
    if driver is not None:
        yield driver
        return
    opened = driver_for(m.target)
    try:
        yield opened
    finally:
        opened.close()
