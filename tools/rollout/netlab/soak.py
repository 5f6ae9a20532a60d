"""`rollout soak SITE`: conference-class samples under a weather schedule, kept in SQLite.

A soak is a list of (profile, seconds) segments. Each sample window runs the per-class probes
and stores one row per class; a window keeps to the clock (it measures for ``window`` seconds
less what the previous window spent starting the probes and waiting for late replies, about
1.5 s), so an 8 h schedule takes 8 h. Memory stays flat and the database grows by a few rows
per window (8 h at 10 s windows: about 14,000 rows). Progress is committed after
every window; ``--resume`` continues the last unfinished soak of the site where it stopped.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.inventory.loader import Inventory
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import NetlabState, set_weather
from rollout.netlab.verify import run_probes
from rollout.quality import judge

SCHEMA = """
CREATE TABLE IF NOT EXISTS soak (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, schedule TEXT NOT NULL,
    started REAL NOT NULL, done_s REAL NOT NULL DEFAULT 0, finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sample (
    soak INTEGER NOT NULL REFERENCES soak(id), offset_s REAL NOT NULL, at REAL NOT NULL,
    profile TEXT NOT NULL, class TEXT NOT NULL, delay_ms REAL, jitter_ms REAL,
    loss_percent REAL, mos REAL, breach TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sample_soak ON sample(soak, offset_s);
"""
UNITS = {"s": 1, "m": 60, "h": 3600}
MIN_PROBE_S = 1.0
"""The shortest measurement of a window, whatever its overhead."""


def seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not m:
        raise NetlabError(f"{text!r} is not a duration", "write e.g. 90s, 10m or 8h")
    return float(m.group(1)) * UNITS[m.group(2) or "s"]


def parse_schedule(
    schedule: str | None, profile: str | None, duration: str
) -> list[tuple[str, float]]:
    if schedule:
        out = []
        for part in schedule.split(","):
            name, _, length = part.partition(":")
            if not length:
                raise NetlabError(
                    f"schedule part {part!r} has no length", "write clear:10m,rain:10m"
                )
            out.append((name.strip(), seconds(length)))
        return out
    return [(profile or "clear", seconds(duration))]


def schedule_text(segments: list[tuple[str, float]]) -> str:
    return ",".join(f"{name}:{length:g}s" for name, length in segments)


def connect(db: Path) -> sqlite3.Connection:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA)
    return conn


@dataclass(frozen=True)
class Progress:
    soak: int
    offset_s: float
    profile: str
    breaches: int


def run(
    inv: Inventory,
    state: NetlabState,
    slug: str,
    segments: list[tuple[str, float]],
    db: Path,
    *,
    window: float = 10.0,
    resume: bool = False,
    on_window: Callable[[Progress], None] | None = None,
) -> int:
    for name, _ in segments:
        if name not in inv.province.weather:
            raise NetlabError(
                f"no weather profile {name!r} in inventory/province.yml",
                f"use one of: {', '.join(inv.province.weather)}",
            )
    conn = connect(db)
    text = schedule_text(segments)
    row = None
    if resume:
        row = conn.execute(
            "SELECT id, done_s FROM soak WHERE site=? AND schedule=? AND finished=0 "
            "ORDER BY id DESC LIMIT 1",
            (slug, text),
        ).fetchone()
    if row is None:
        cur = conn.execute(
            "INSERT INTO soak(site, schedule, started) VALUES (?, ?, ?)", (slug, text, time.time())
        )
        soak_id, done = int(cur.lastrowid or 0), 0.0
        conn.commit()
    else:
        soak_id, done = int(row[0]), float(row[1])
    t = inv.province.thresholds
    start_of = 0.0
    overhead = 0.0
    for name, length in segments:
        end_of = start_of + length
        if done >= end_of:
            start_of = end_of
            continue
        set_weather(inv, state, slug, name)
        while done < end_of:
            span = min(window, end_of - done)
            # Each window also costs the probe process's start and its wait for late replies:
            # measure for less by what the last window cost, so the schedule keeps to the clock.
            probing = max(span - overhead, min(span, MIN_PROBE_S))
            began = time.monotonic()
            results = run_probes(state, slug, probing)
            overhead = max(0.0, time.monotonic() - began - probing)
            now = time.time()
            breaches = 0
            for cls, r in results.items():
                check = judge(cls, r, t)
                breach = "" if check.ok else check.detail.split(" (")[0]
                breaches += bool(breach)
                conn.execute(
                    "INSERT INTO sample VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        soak_id,
                        done,
                        now,
                        name,
                        cls,
                        r["delay_ms"],
                        r["jitter_ms"],
                        r["loss_percent"],
                        r["mos"],
                        breach,
                    ),
                )
            done += span
            conn.execute("UPDATE soak SET done_s=? WHERE id=?", (done, soak_id))
            conn.commit()
            if on_window:
                on_window(Progress(soak_id, done, name, breaches))
        start_of = end_of
    conn.execute("UPDATE soak SET finished=1 WHERE id=?", (soak_id,))
    conn.commit()
    conn.close()
    return soak_id


def latest(db: Path, slug: str) -> int | None:
    if not db.is_file():
        return None
    conn = connect(db)
    row = conn.execute("SELECT max(id) FROM soak WHERE site=?", (slug,)).fetchone()
    conn.close()
    return int(row[0]) if row and row[0] is not None else None


def samples(db: Path, soak_id: int) -> list[dict[str, Any]]:
    conn = connect(db)
    conn.row_factory = sqlite3.Row
    rows = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM sample WHERE soak=? ORDER BY offset_s, class", (soak_id,)
        )
    ]
    conn.close()
    return rows


def summary(db: Path, soak_id: int) -> dict[str, Any]:
    conn = connect(db)
    meta = conn.execute(
        "SELECT site, schedule, started, done_s, finished FROM soak WHERE id=?", (soak_id,)
    ).fetchone()
    groups: dict[str, list[dict[str, Any]]] = {"profile": [], "hour": []}
    for key, expr in (("profile", "profile"), ("hour", "CAST(offset_s / 3600 AS INTEGER)")):
        for r in conn.execute(
            f"SELECT {expr}, class, count(*), avg(delay_ms), max(jitter_ms), avg(loss_percent), "
            "min(mos), sum(breach != '') FROM sample WHERE soak=? GROUP BY 1, 2 ORDER BY 1, 2",
            (soak_id,),
        ):
            groups[key].append(
                {
                    key: r[0],
                    "class": r[1],
                    "windows": r[2],
                    "delay_ms": round(r[3] or 0, 2),
                    "jitter_max_ms": round(r[4] or 0, 2),
                    "loss_percent": round(r[5] or 0, 3),
                    "mos_min": round(r[6] or 0, 2),
                    "breaches": r[7],
                }
            )
    conn.close()
    return {
        "soak": soak_id,
        "site": meta[0],
        "schedule": meta[1],
        "started": meta[2],
        "done_s": meta[3],
        "finished": bool(meta[4]),
        "by_profile": groups["profile"],
        "by_hour": groups["hour"],
    }
