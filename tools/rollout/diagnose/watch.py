"""`rollout watch`: the light evidence of every site, on a schedule, bounded.

Each round every site takes its turn (round-robin: the round starts one site further along
than the previous one, so a slow start of the list never always favours the same sites). A
fixed pool of worker threads collects; a site whose previous collection is still running (or
still waiting for a worker) is *skipped* this round and counted, never queued twice, so
nothing piles up when devices are slow. A collection running past the per-site timeout is
counted as *late* and no longer waited for; its site stays skipped until it ends, and what it
brings then is still kept (it is real evidence, stamped with its own time).

Memory stays bounded: per site only the latest evidence, the state of its collection and its
last error; counters are integers. The rows on disk are bounded by the history's retention.

Workers are daemon threads: on stop (SIGINT/SIGTERM in the CLI) the scheduler waits up to a
grace period for the collections in flight, keeps what they brought, and abandons the rest.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rollout.diagnose.model import SiteEvidence
from rollout.errors import RolloutError

Collect = Callable[[str], SiteEvidence]
"""Reads one site's light evidence (wired to ``collect_site(..., light=True)`` by the CLI)."""

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(text: str, option: str = "duration") -> float:
    """Seconds from ``90``, ``30s``, ``5m``, ``2h`` or ``7d``; a `RolloutError` otherwise."""
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise RolloutError(
            f"{option} '{text}' is not a duration",
            "give a positive number with s, m, h or d (such as 30s, 5m, 7d)",
        )
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


Sink = Callable[[list[SiteEvidence]], int]
"""Where a round's evidence goes (the history), every round (the batch may be empty: retention
by age still runs); returns the rows kept afterwards."""


@dataclass
class SiteState:
    """What the scheduler holds about one site (bounded: no lists)."""

    latest: SiteEvidence | None = None
    error: str = ""
    busy: bool = False
    started: float | None = None
    """When a worker took it up (None: waiting for a worker)."""
    late: bool = False


@dataclass(frozen=True, slots=True)
class RoundReport:
    """One round, as the progress line shows it."""

    number: int
    started: int
    done: int
    skipped: int
    unreachable: int
    failed: int
    late: int
    rows: int
    seconds: float

    def line(self) -> str:
        return (
            f"round {self.number}: {self.done} done, {self.skipped} skipped (still collecting), "
            f"{self.unreachable} with unreachable devices, {self.failed} failed, "
            f"{self.late} late; {self.rows} rows kept ({self.seconds:.1f} s)"
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The latest figures: each site's newest evidence and the sites whose last try failed."""

    latest: Mapping[str, SiteEvidence]
    failed: Mapping[str, str] = field(default_factory=dict)


class Watch:
    """The scheduler. `run` loops; `round` is one turn of every site (tests drive it)."""

    def __init__(
        self,
        sites: Iterable[str],
        collect: Collect,
        sink: Sink,
        *,
        every: float,
        workers: int,
        timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        pause: Callable[[float], bool] | None = None,
    ) -> None:
        """``clock`` (monotonic seconds) and ``pause`` (wait up to N seconds between rounds;
        True when stopped) are the real ones unless a test gives its own."""
        self.sites = list(dict.fromkeys(sites))
        if not self.sites:
            raise RolloutError("no site to watch", "give SITE... or --all")
        self.collect = collect
        self.sink = sink
        self.every = every
        self.timeout = timeout if timeout is not None else every
        self.clock = clock
        self.stop = threading.Event()
        self.pause = pause if pause is not None else self.stop.wait
        self.state = {s: SiteState() for s in self.sites}
        self.rounds = 0
        self.rows = 0
        self._lock = threading.Lock()
        self._todo: queue.Queue[str | None] = queue.Queue()
        self._done: queue.Queue[tuple[str, SiteEvidence | None, str]] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"watch-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    # -- workers -------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            site = self._todo.get()
            if site is None:  # the watch is over
                return
            with self._lock:
                self.state[site].started = self.clock()
            try:
                self._done.put((site, self.collect(site), ""))
            except RolloutError as exc:
                self._done.put((site, None, exc.message))
            except Exception as exc:  # a collector's bug must not end the watch
                self._done.put((site, None, f"{type(exc).__name__}: {exc}"))

    # -- one round -----------------------------------------------------------------------
    def round(self, window: float | None = None) -> RoundReport:
        """Give every idle site its turn; wait until they end, the window (default: the
        interval) passes or the watch is stopped; store what came back."""
        begin = self.clock()
        self.rounds += 1
        offset = (self.rounds - 1) % len(self.sites)
        order = self.sites[offset:] + self.sites[:offset]
        batch: list[SiteEvidence] = []
        failed = self._drain(batch, 0.0)  # what ended since the last round frees its site
        started: set[str] = set()
        skipped = 0
        with self._lock:
            for site in order:
                state = self.state[site]
                if state.busy:
                    skipped += 1
                    continue
                state.busy, state.late, state.started = True, False, None
                started.add(site)
                self._todo.put(site)
        deadline = begin + (self.every if window is None else window)
        late = 0
        while not self.stop.is_set() and self._waiting(started):
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            failed += self._drain(batch, min(remaining, 0.2))
            late += self._mark_late()
        late += self._mark_late()
        self.rows = self.sink(batch)  # also when empty: retention by age goes on
        unreachable = sum(1 for e in batch if e.unreached)
        return RoundReport(
            self.rounds,
            len(started),
            len(batch),
            skipped,
            unreachable,
            failed,
            late,
            self.rows,
            self.clock() - begin,
        )

    def _drain(self, batch: list[SiteEvidence], wait: float) -> int:
        """Take the finished collections (waiting up to ``wait`` for the first); failures."""
        failed = 0
        try:
            item = self._done.get(timeout=wait) if wait > 0 else self._done.get_nowait()
        except queue.Empty:
            return 0
        while True:
            site, evidence, error = item
            with self._lock:
                state = self.state[site]
                state.busy = False
                if evidence is not None:
                    state.latest, state.error = evidence, ""
                    batch.append(evidence)
                else:
                    state.error = error
                    failed += 1
            try:
                item = self._done.get_nowait()
            except queue.Empty:
                return failed

    def _waiting(self, started: set[str]) -> bool:
        """Whether a site of this round is still worth waiting for: queued for a worker, or
        collecting and not yet past the per-site timeout."""
        now = self.clock()
        with self._lock:
            for site in started:
                state = self.state[site]
                if state.busy and (state.started is None or now - state.started <= self.timeout):
                    return True
        return False

    def _mark_late(self) -> int:
        """Count (once each) the collections running past the per-site timeout."""
        now = self.clock()
        late = 0
        with self._lock:
            for state in self.state.values():
                began = state.started
                if (
                    state.busy
                    and not state.late
                    and began is not None
                    and now - began > self.timeout
                ):
                    state.late = True
                    late += 1
        return late

    # -- the loop ------------------------------------------------------------------------
    def run(
        self,
        *,
        once: bool = False,
        duration: float | None = None,
        rounds: int | None = None,
        progress: Callable[[RoundReport], None] | None = None,
        grace: float = 5.0,
    ) -> None:
        """Rounds every interval until stopped, ``duration`` seconds passed, ``rounds`` ran,
        or (``once``) after one round that waits up to the timeout for every site."""
        end = None if duration is None else self.clock() + duration
        while not self.stop.is_set():
            begin = self.clock()
            report = self.round(self.timeout if once else None)
            if progress is not None:
                progress(report)
            if once or (rounds is not None and self.rounds >= rounds):
                break
            if end is not None and begin + self.every >= end:
                break  # the next round would start after the end: nothing more to do
            wait = self.every - (self.clock() - begin)
            if wait > 0 and self.pause(wait):
                break
        self.finish(grace)

    def finish(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for the collections in flight, keep what they bring,
        abandon the rest (daemon threads); the number abandoned. The watch is over: no round
        after this."""
        batch: list[SiteEvidence] = []
        deadline = self.clock() + grace
        while self.busy() and self.clock() < deadline:
            self._drain(batch, min(0.2, max(0.0, deadline - self.clock())))
        self._drain(batch, 0.0)
        if batch:
            self.rows = self.sink(batch)
        for _ in self._threads:  # idle workers end now, busy ones after their collection
            self._todo.put(None)
        return self.busy()

    def busy(self) -> int:
        with self._lock:
            return sum(1 for s in self.state.values() if s.busy)

    def snapshot(self) -> Snapshot:
        """Each site's latest evidence and last error (a copy: safe from another thread)."""
        with self._lock:
            latest = {s: st.latest for s, st in self.state.items() if st.latest is not None}
            failed = {s: st.error for s, st in self.state.items() if st.error}
        return Snapshot(latest, failed)
