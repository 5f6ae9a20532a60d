"""The evidence history: insert, retention by age and by rows, `evidence_at` and its window,
the schema guard, local time without a zone."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rollout.diagnose.model import Fact, SiteEvidence, Unreached
from rollout.diagnose.store import (
    SCHEMA,
    Retention,
    evidence_at,
    latest,
    lookup,
    open_history,
    parse_time,
    utc_text,
)
from rollout.errors import RolloutError

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 in the province (UTC+7)


def evidence(site: str, at: datetime, crc: int = 0) -> SiteEvidence:
    return SiteEvidence(
        site=site,
        taken_at=at.isoformat(),
        facts=(
            Fact(
                f"{site}-sw01",
                "lan",
                "interface",
                "GigabitEthernet1/0/1",
                {"crc": crc, "duplex": "full", "role": "codec_port"},
                ("     0 input errors, 0 CRC, 0 frame",),
            ),
        ),
        unreached=(Unreached(f"{site}-cd01", "endpoint", "timed out", "timeout"),),
        seconds=1.25,
        light=True,
    )


def fill(db: Path, sites: list[str], rounds: int, every: timedelta, keep: Retention) -> int:
    rows = 0
    with open_history(db) as history:
        history.set_interval(every.total_seconds())
        for n in range(rounds):
            at = T0 + n * every
            rows = history.insert([evidence(s, at, crc=n) for s in sites], keep, now=at)
    return rows


def test_insert_round_trips_the_evidence(tmp_path: Path) -> None:
    db = tmp_path / "var" / "history.sqlite"
    fill(db, ["bac-ha", "sa-pa"], 3, timedelta(minutes=5), Retention())
    got = latest(db)
    assert sorted(got) == ["bac-ha", "sa-pa"]
    assert got["sa-pa"] == evidence("sa-pa", T0 + timedelta(minutes=10), crc=2)
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = [r[1] for r in raw.execute("PRAGMA index_list(evidence)")]
        assert "evidence_site_time" in indexes
        columns = [r[2] for r in raw.execute("PRAGMA index_info(evidence_site_time)")]
        assert columns == ["site", "taken_at"]


def test_retention_by_rows_per_site(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    rows = fill(db, ["bac-ha", "sa-pa"], 30, timedelta(minutes=5), Retention(86400 * 365, 4))
    assert rows == 8
    with open_history(db) as history:
        assert history.count("bac-ha") == 4
    # the newest are the ones kept
    assert latest(db)["bac-ha"].facts[0].values["crc"] == 29


def test_retention_by_age(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    # 25 rounds an hour apart, keep 6 h: the rows older than 6 h before the last insert go
    rows = fill(db, ["bac-ha"], 25, timedelta(hours=1), Retention(6 * 3600, 10_000))
    assert rows == 7
    with open_history(db) as history:
        oldest = history.db.execute("SELECT min(taken_at) FROM evidence").fetchone()[0]
    assert oldest == utc_text(T0 + timedelta(hours=18))


def test_evidence_at_inside_and_outside_the_window(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    fill(db, ["bac-ha"], 3, timedelta(minutes=5), Retention())  # 02:00, 02:05, 02:10 UTC
    # at 02:07 the 02:05 evidence answers
    got = evidence_at(db, "bac-ha", T0 + timedelta(minutes=7))
    assert got is not None and got.facts[0].values["crc"] == 1
    # exactly at a collection: that one
    got = evidence_at(db, "bac-ha", T0 + timedelta(minutes=10))
    assert got is not None and got.facts[0].values["crc"] == 2
    # 2 x 5 min after the last one: still inside; one second more: outside, with the reason
    assert evidence_at(db, "bac-ha", T0 + timedelta(minutes=20)) is not None
    late = T0 + timedelta(minutes=20, seconds=1)
    assert evidence_at(db, "bac-ha", late) is None
    assert "beyond the tolerance of 600 s" in lookup(db, "bac-ha", late).reason
    # before the history starts, and a site it does not hold
    assert "starts at" in lookup(db, "bac-ha", T0 - timedelta(seconds=1)).reason
    assert "holds nothing for sa-pa" in lookup(db, "sa-pa", T0).reason


def test_naive_time_is_the_province_local_time(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    fill(db, ["bac-ha"], 1, timedelta(minutes=5), Retention())
    at = parse_time("2026-12-01T09:00")
    assert at == T0
    assert parse_time("2026-12-01T02:00Z") == T0
    assert parse_time("2026-12-01T09:00+07:00") == T0
    assert evidence_at(db, "bac-ha", datetime(2026, 12, 1, 9, 0)) is not None
    # 09:00 UTC is 16:00 local: seven hours after the evidence, outside the window
    assert evidence_at(db, "bac-ha", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) is None
    with pytest.raises(RolloutError, match="not a time"):
        parse_time("yesterday morning")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    fill(db, ["bac-ha"], 1, timedelta(minutes=5), Retention())
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA + 1),))
    with pytest.raises(RolloutError, match=f"schema {SCHEMA + 1}") as err:
        evidence_at(db, "bac-ha", T0)
    assert "upgrade rollout" in err.value.fix
    with pytest.raises(RolloutError, match="schema"), open_history(db):
        pass


def test_missing_or_foreign_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RolloutError, match="no history at") as err:
        evidence_at(tmp_path / "none.sqlite", "bac-ha", T0)
    assert "rollout watch" in err.value.fix
    assert not (tmp_path / "none.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all, " * 100)
    with pytest.raises(RolloutError, match="cannot be read"):
        latest(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE t (x)")
    with pytest.raises(RolloutError, match="not a rollout history"):
        latest(other)


def test_retention_must_keep_something() -> None:
    with pytest.raises(RolloutError, match="keep something"):
        Retention(0, 10)
    with pytest.raises(RolloutError, match="keep something"):
        Retention(60, 0)


def test_the_fixed_local_zone_agrees_with_the_tz_database() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        zone = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no tz database on this machine")
    for month in range(1, 13):
        moment = datetime(2026, month, 1, 9, 0)
        assert parse_time(moment.isoformat()) == moment.replace(tzinfo=zone)


def test_a_round_that_cannot_be_written_is_reported_and_the_watch_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    warnings: list[str] = []
    now = datetime.now(UTC)  # the sink prunes by age against the clock
    with open_history(db) as history:
        sink = history.sink(Retention(), warnings.append)
        assert sink([evidence("bac-ha", now)]) == 1
        history.db.execute("PRAGMA busy_timeout = 0")
        other = sqlite3.connect(db)
        other.execute("BEGIN EXCLUSIVE")  # another writer holds the file
        try:
            assert sink([evidence("bac-ha", now + timedelta(seconds=1))]) == 1
        finally:
            other.rollback()
            other.close()
        assert len(warnings) == 1 and "was not written this round" in warnings[0]
        assert sink([evidence("bac-ha", now + timedelta(seconds=2))]) == 2
