"""The evidence history: what `rollout watch` gathered, kept in one SQLite file.

One row per site and collection (``site``, ``taken_at`` in UTC, ``light``, ``seconds`` and the
evidence as the JSON of `SiteEvidence.to_json`), indexed on (site, taken_at). Retention is
enforced on every insert batch: rows older than ``keep`` go, and no site keeps more than
``max_rows`` rows (its newest). The ``meta`` table holds the schema version and the watch
interval, from which `evidence_at` takes its tolerance (``TOLERANCE_ROUNDS`` × the interval):
evidence older than that before the asked moment does not answer for it.

The file is in WAL mode, so ``rollout diagnose --at`` reads it while a watch writes. Readers
open it read-only and never create it.

Times: stored as ISO 8601 UTC with microseconds (fixed width, so text order is time order).
A time given without a zone (``--at 2026-12-01T09:00``) is the province's local time,
Asia/Ho_Chi_Minh (UTC+7, no daylight saving since 1975; the IANA tz database's ``asia`` file);
with a zone it is taken as given.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from rollout.diagnose.model import SiteEvidence
from rollout.errors import RolloutError

SCHEMA = 1
"""The history's schema version (meta key ``schema``). A newer one is refused."""

DEFAULT_DB = Path("var/history.sqlite")
"""Where the history lives, under the repository's top folder (``--db`` to change)."""

DEFAULT_INTERVAL = 300.0
"""Seconds between rounds assumed when the history does not say (``rollout watch --every``)."""

TOLERANCE_ROUNDS = 2
"""How many watch intervals a stored evidence may precede the asked moment and still answer."""

LOCAL_ZONE = timezone(timedelta(hours=7), "ICT")
"""The province's local time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving)."""

_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS evidence ("
    " id INTEGER PRIMARY KEY,"
    " site TEXT NOT NULL,"
    " taken_at TEXT NOT NULL,"
    " light INTEGER NOT NULL,"
    " seconds REAL NOT NULL,"
    " evidence TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS evidence_site_time ON evidence (site, taken_at)",
)


@dataclass(frozen=True, slots=True)
class Retention:
    """How much history to keep: by age (seconds) and by rows per site."""

    keep_seconds: float = 7 * 86400.0
    max_rows: int = 2016

    def __post_init__(self) -> None:
        if self.keep_seconds <= 0 or self.max_rows < 1:
            raise RolloutError(
                "the history must keep something",
                "give --keep above 0 (such as 7d) and --max-rows of 1 or more",
            )


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer of the history for one site at one moment: evidence, or why there is none."""

    evidence: SiteEvidence | None
    reason: str = ""


def utc_text(moment: datetime) -> str:
    """A timezone-aware moment as the stored text (UTC, microseconds, fixed width)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in the history")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str, *, local: timezone = LOCAL_ZONE) -> datetime:
    """An ISO 8601 time; without a zone it is the province's local time (UTC+7).

    ``Z`` is accepted for UTC. Bad text is a `RolloutError` naming the expected form.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise RolloutError(
            f"'{text}' is not a time",
            "give an ISO 8601 time such as 2026-12-01T09:00 (local time, UTC+7) "
            "or 2026-12-01T02:00Z",
        ) from None
    return moment.replace(tzinfo=local) if moment.tzinfo is None else moment


def _taken(evidence: SiteEvidence) -> str:
    """The evidence's moment as stored text; an unreadable ``taken_at`` is refused."""
    try:
        moment = parse_time(evidence.taken_at, local=UTC)
    except RolloutError as exc:
        raise RolloutError(
            f"evidence of {evidence.site} has taken_at {evidence.taken_at!r}, not a time",
            "collectors stamp evidence with an ISO 8601 UTC time",
        ) from exc
    return utc_text(moment)


class History:
    """One open history file. Use as a context manager (`open_history`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    # -- writing -------------------------------------------------------------------------
    def set_interval(self, seconds: float) -> None:
        """Record the watch interval (the tolerance of `evidence_at` follows it)."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('interval', ?)", (str(seconds),)
            )

    def insert(
        self,
        batch: Iterable[SiteEvidence],
        retention: Retention,
        now: datetime | None = None,
    ) -> int:
        """Store a batch and enforce the retention; the number of rows kept afterwards."""
        rows = [
            (e.site, _taken(e), int(e.light), float(e.seconds), json.dumps(e.to_json()))
            for e in batch
        ]
        moment = now if now is not None else datetime.now(UTC)
        with self.db:
            self.db.executemany(
                "INSERT INTO evidence (site, taken_at, light, seconds, evidence)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._prune(retention, moment, sorted({r[0] for r in rows}))
        return self.count()

    def sink(
        self, retention: Retention, warn: Callable[[str], None]
    ) -> Callable[[list[SiteEvidence]], int]:
        """`insert` for a long-running watch: a round that cannot be written (the file locked
        by another writer past the busy timeout, the disk full) is reported through ``warn``
        and lost, and the watch goes on; the rows kept as last known."""
        kept = [self.count()]

        def insert(batch: list[SiteEvidence]) -> int:
            try:
                kept[0] = self.insert(batch, retention)
            except sqlite3.OperationalError as exc:
                warn(f"the history {self.path} was not written this round: {exc}")
            return kept[0]

        return insert

    def _prune(self, retention: Retention, now: datetime, sites: Sequence[str]) -> None:
        oldest = utc_text(now - timedelta(seconds=retention.keep_seconds))
        self.db.execute("DELETE FROM evidence WHERE taken_at < ?", (oldest,))
        for site in sites:
            self.db.execute(
                "DELETE FROM evidence WHERE site = ? AND id NOT IN"
                " (SELECT id FROM evidence WHERE site = ?"
                "  ORDER BY taken_at DESC, id DESC LIMIT ?)",
                (site, site, retention.max_rows),
            )

    # -- reading -------------------------------------------------------------------------
    def count(self, site: str | None = None) -> int:
        if site is None:
            row = self.db.execute("SELECT count(*) FROM evidence").fetchone()
        else:
            row = self.db.execute(
                "SELECT count(*) FROM evidence WHERE site = ?", (site,)
            ).fetchone()
        return int(row[0])

    def interval(self) -> float:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'interval'").fetchone()
        return float(row[0]) if row else DEFAULT_INTERVAL

    def lookup(self, site: str, at: datetime) -> Lookup:
        """The latest evidence of ``site`` at or before ``at``, within the tolerance."""
        when = utc_text(at)
        row = self.db.execute(
            "SELECT taken_at, evidence FROM evidence WHERE site = ? AND taken_at <= ?"
            " ORDER BY taken_at DESC, id DESC LIMIT 1",
            (site, when),
        ).fetchone()
        tolerance = TOLERANCE_ROUNDS * self.interval()
        if row is None:
            first = self.db.execute(
                "SELECT min(taken_at) FROM evidence WHERE site = ?", (site,)
            ).fetchone()[0]
            if first is None:
                return Lookup(None, f"the history {self.path} holds nothing for {site}")
            return Lookup(
                None, f"the history of {site} in {self.path} starts at {first}, after {when}"
            )
        taken = datetime.fromisoformat(row[0])
        gap = (at - taken).total_seconds()
        if gap > tolerance:
            return Lookup(
                None,
                f"the latest evidence of {site} before {when} is from {row[0]}, {gap:.0f} s "
                f"earlier: beyond the tolerance of {tolerance:.0f} s "
                f"({TOLERANCE_ROUNDS} × the watch interval)",
            )
        return Lookup(SiteEvidence.from_json(json.loads(row[1])))

    def latest(self) -> dict[str, SiteEvidence]:
        """Each site's newest evidence."""
        rows = self.db.execute(
            "SELECT e.site, e.evidence FROM evidence e WHERE e.id = ("
            " SELECT id FROM evidence WHERE site = e.site ORDER BY taken_at DESC, id DESC LIMIT 1)"
        ).fetchall()
        return {str(site): SiteEvidence.from_json(json.loads(text)) for site, text in rows}


def _check_schema(db: sqlite3.Connection, path: Path, *, writable: bool) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        if not writable:
            raise RolloutError(
                f"{path} is not a rollout history (no meta table)",
                "point --db at the file `rollout watch` writes",
            )
        for statement in _DDL:
            db.execute(statement)
        with db:
            db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA),))
        return
    row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else 0
    if version > SCHEMA:
        raise RolloutError(
            f"the history {path} has schema {version}; this rollout reads up to {SCHEMA}",
            "upgrade rollout, or give another --db",
        )
    if version < 1:
        raise RolloutError(
            f"{path} has no readable schema version in its meta table",
            "point --db at the file `rollout watch` writes, or move this one aside",
        )


@contextmanager
def open_history(path: Path, *, writable: bool = True) -> Iterator[History]:
    """Open (a writer creates it, and its folder) the history file; closed on exit.

    A reader (``writable=False``) never creates the file: a missing one is a `RolloutError`.
    A file that is not SQLite, or of a newer schema, is a `RolloutError`.
    """
    if not writable and not path.is_file():
        raise RolloutError(f"no history at {path}", "run `rollout watch` first, or give --db")
    try:
        if writable:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10, check_same_thread=False)
        else:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", timeout=10, uri=True)
    except (OSError, sqlite3.Error) as exc:
        raise RolloutError(f"cannot open the history {path}: {exc}", "check --db") from None
    try:
        db.execute("PRAGMA busy_timeout = 10000")
        if writable:
            db.execute("PRAGMA journal_mode = WAL")
        _check_schema(db, path, writable=writable)
        yield History(db, path)
    except sqlite3.DatabaseError as exc:
        raise RolloutError(
            f"the history {path} cannot be read: {exc}",
            "point --db at the file `rollout watch` writes, or move this one aside",
        ) from None
    finally:
        db.close()


def lookup(db: Path, site: str, at: datetime) -> Lookup:
    """`evidence_at` with the reason when there is no answer."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_ZONE)
    with open_history(db, writable=False) as history:
        return history.lookup(site, at)


def evidence_at(db: Path, site: str, at: datetime) -> SiteEvidence | None:
    """The latest evidence of ``site`` at or before ``at``, within ``TOLERANCE_ROUNDS`` × the
    watch interval; None beyond it (`lookup` says why). A naive ``at`` is local time (UTC+7).

    A missing or unreadable history, or one of a newer schema, is a `RolloutError`.
    """
    return lookup(db, site, at).evidence


def latest(db: Path) -> dict[str, SiteEvidence]:
    """Each site's newest evidence in the history."""
    with open_history(db, writable=False) as history:
        return history.latest()
