"""The watch scheduler with fake collectors: a slow site is skipped, never queued twice; rows
and memory stay bounded over many rounds; a failing collector does not end the watch; a
signal stops it. No assertion on how long anything took."""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rollout.cli.watch import stop_on_signals
from rollout.diagnose.model import Fact, SiteEvidence
from rollout.diagnose.store import Retention, open_history
from rollout.diagnose.watch import RoundReport, Watch, parse_duration
from rollout.errors import RolloutError

SITES = ["bac-ha", "sa-pa", "bat-xat"]


def light(site: str) -> SiteEvidence:
    return SiteEvidence(
        site,
        datetime.now(UTC).isoformat(),
        (Fact(f"{site}-rt01", "wan", "interface", "Gi0/0", {"crc": 0, "status": "up"}),),
        light=True,
    )


class Fake:
    """A collector: instant for most sites, blocked until released for the slow ones."""

    def __init__(
        self, slow: frozenset[str] = frozenset(), broken: frozenset[str] = frozenset()
    ) -> None:
        self.slow = slow
        self.broken = broken
        self.release = threading.Event()
        self.entered = threading.Event()
        self.calls: Counter[str] = Counter()
        self.running: Counter[str] = Counter()
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, site: str) -> SiteEvidence:
        with self.lock:
            self.calls[site] += 1
            self.running[site] += 1
            self.most = max(self.most, self.running[site])
        try:
            if site in self.broken:
                raise RolloutError(f"{site}: no route to the router")
            if site in self.slow:
                self.entered.set()
                self.release.wait()
            return light(site)
        finally:
            with self.lock:
                self.running[site] -= 1


def kept(batch: list[SiteEvidence]) -> int:
    return len(batch)


def test_a_site_slower_than_the_interval_is_skipped_not_queued() -> None:
    fake = Fake(slow=frozenset({"sa-pa"}))
    watch = Watch(SITES, fake, kept, every=60, workers=2, timeout=0.0)
    first = watch.round(window=0.05)
    assert first.started == 3
    assert fake.entered.wait(30)
    reports = [watch.round(window=0.05) for _ in range(6)]
    assert fake.calls["sa-pa"] == 1  # never queued again while it runs
    assert all(r.skipped >= 1 for r in reports)
    # sa-pa counted late once, not every round (a quick site may be late once too: timeout 0)
    assert 1 <= sum(r.late for r in [first, *reports]) <= len(SITES)
    assert watch.state["sa-pa"].late
    assert watch.state["sa-pa"].busy
    fake.release.set()
    for _ in range(50):  # its result frees the site; then it takes its turn again
        if watch.round(window=30).started == 3:
            break
    # A round counts a site started when it hands it to a worker; the worker's call comes
    # after: wait for the collections in flight before counting them.
    assert watch.finish(grace=30) == 0
    assert fake.calls["sa-pa"] == 2
    assert fake.most == 1  # no site ever collected twice at once


def alive() -> int:
    """SiteEvidence objects reachable in the process."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is SiteEvidence)


def test_rows_and_memory_stay_bounded_over_many_rounds(tmp_path: Path) -> None:
    fake = Fake()
    before = alive()
    with open_history(tmp_path / "h.sqlite") as history:
        watch = Watch(
            SITES,
            fake,
            lambda batch: history.insert(batch, Retention(7 * 86400, 5)),
            every=60,
            workers=3,
        )
        counts = []
        for _ in range(120):
            report = watch.round(window=30)
            counts.append(report.rows)
        assert max(counts) == 5 * len(SITES)
        assert history.count() == 5 * len(SITES)
    assert sum(fake.calls.values()) >= 100 * len(SITES)
    assert len(watch.state) == len(SITES)
    assert watch._todo.qsize() == 0 and watch._done.qsize() == 0
    assert alive() - before <= len(SITES)  # the latest per site, no growing list
    assert set(watch.snapshot().latest) == set(SITES)


def test_a_failing_collector_is_counted_and_the_watch_goes_on() -> None:
    fake = Fake(broken=frozenset({"bat-xat"}))
    watch = Watch(SITES, fake, kept, every=60, workers=2)
    reports = [watch.round(window=30) for _ in range(3)]
    assert [r.failed for r in reports] == [1, 1, 1]
    assert [r.done for r in reports] == [2, 2, 2]
    snap = watch.snapshot()
    assert snap.failed == {"bat-xat": "bat-xat: no route to the router"}
    assert set(snap.latest) == {"bac-ha", "sa-pa"}
    assert "1 failed" in reports[0].line()


def test_round_robin_starts_one_site_further_each_round() -> None:
    order: list[str] = []
    lock = threading.Lock()

    def collect(site: str) -> SiteEvidence:
        with lock:
            order.append(site)
        return light(site)

    watch = Watch(SITES, collect, kept, every=60, workers=1)
    for _ in range(3):
        watch.round(window=30)
    assert order == [*SITES, *SITES[1:], SITES[0], SITES[2], *SITES[:2]]


def test_sigterm_stops_the_loop_and_abandons_what_hangs() -> None:
    fake = Fake(slow=frozenset({"sa-pa"}))

    def collect(site: str) -> SiteEvidence:
        if site == "bac-ha":
            os.kill(os.getpid(), signal.SIGTERM)
        return fake(site)

    watch = Watch(SITES, collect, kept, every=3600, workers=3)
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(watch):
        watch.run(grace=0.1)  # would otherwise wait an hour for the next round
    assert watch.stop.is_set()
    assert watch.rounds == 1
    assert watch.busy() == 1  # sa-pa still blocked: abandoned (a daemon thread)
    assert signal.getsignal(signal.SIGTERM) is before
    fake.release.set()


def test_once_runs_one_round() -> None:
    fake = Fake()
    watch = Watch(SITES, fake, kept, every=3600, workers=2)
    seen: list[RoundReport] = []
    watch.run(once=True, progress=seen.append)
    assert [r.number for r in seen] == [1]
    assert seen[0].done == 3
    for worker in watch._threads:  # the pool ends with the watch
        worker.join(30)
        assert not worker.is_alive()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("30s", 30.0), ("5m", 300.0), ("2h", 7200.0), ("7d", 604800.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "5 minutes", "-5m", "1w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(RolloutError, match="not a duration"):
        parse_duration(text, "--every")


def test_a_round_does_not_wait_for_a_late_collection() -> None:
    fake = Fake(slow=frozenset({"sa-pa"}))
    watch = Watch(SITES, fake, kept, every=3600, workers=3, timeout=0.0)
    report = watch.round()  # the window is an hour: it ends because sa-pa is late
    assert report.late >= 1  # (with a zero timeout a quick site may be late too)
    assert watch.state["sa-pa"].busy and watch.state["sa-pa"].late
    fake.release.set()
    assert watch.finish(grace=30) == 0
    assert set(watch.snapshot().latest) == set(SITES)


def test_for_a_duration_runs_the_rounds_that_start_within_it() -> None:
    now = [1000.0]
    pauses: list[float] = []

    def pause(seconds: float) -> bool:
        pauses.append(seconds)
        now[0] += seconds
        return False

    watch = Watch(SITES, Fake(), kept, every=10, workers=2, clock=lambda: now[0], pause=pause)
    watch.run(duration=35)
    assert watch.rounds == 4  # rounds at 0, 10, 20 and 30 s; the one at 40 s is past the end
    assert len(pauses) == 3
