"""The latest evidence of every site in the Prometheus text format (``prometheus_client``).

A custom collector turns each site's latest `SiteEvidence` into metric families at scrape time
(nothing is kept between scrapes but a small cache of verdicts, one per site):

- every numeric value of a fact becomes a gauge ``rollout_<check>_<key>`` with the labels
  ``site``, ``device``, ``subject`` (plus the fact's identifying strings of `LABEL_KEYS`, such
  as an interface's ``role``); booleans are 0/1;
- the other strings of a fact become one info metric ``rollout_<check>_info`` (value 1, the
  strings as labels), the usual Prometheus form for text states;
- per site: ``rollout_site_up`` (1 when the last collection read every device),
  ``rollout_site_unreached_devices``, ``rollout_collect_seconds``,
  ``rollout_evidence_timestamp_seconds`` (when the evidence was taken, Unix time),
  ``rollout_collect_failed`` (1 when the last try failed as a whole) and, when the rules are
  there to say, ``rollout_site_fault`` (1 when they find a cause).

Names and labels follow the exposition format (metric ``[a-zA-Z_:][a-zA-Z0-9_:]*``, label
``[a-zA-Z_][a-zA-Z0-9_]*``, no leading ``__``): https://prometheus.io/docs/instrumenting/exposition_formats/
and https://prometheus.io/docs/concepts/data_model/. Two facts that would give one series
twice keep the first (what Prometheus itself ingests of a duplicated series, counting the rest
in ``prometheus_target_scrapes_sample_duplicate_timestamp_total``:
https://github.com/prometheus/prometheus/pull/12933).

Served over HTTP by ``prometheus_client.start_http_server`` (127.0.0.1 unless told otherwise)
or written to a file with an atomic replace for node_exporter's textfile collector
(``prometheus_client.write_to_textfile``).
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

from rollout.diagnose.model import Fact, SiteEvidence
from rollout.diagnose.watch import Snapshot
from rollout.errors import RolloutError

PREFIX = "rollout"
BASE_LABELS = ("site", "device", "subject")

LABEL_KEYS: dict[str, tuple[str, ...]] = {
    "interface": ("role",),
    "policy_class": ("policy", "direction"),
    "sla": ("cls",),
}
"""String values that identify a fact's series (a class appears in two directions; an SLA
operation probes one class): they label every gauge of that check, not the info metric."""

SITE_GAUGES: dict[str, str] = {
    "site_up": "1 when the last collection of the site read every device, else 0",
    "site_unreached_devices": "Devices of the site that could not be read in the last collection",
    "collect_seconds": "Seconds the last collection of the site took",
    "evidence_timestamp_seconds": "When the latest evidence of the site was taken (Unix time)",
    "collect_failed": "1 when the last try to collect the site failed as a whole",
    "site_fault": "1 when the diagnosis rules find a cause in the latest evidence, else 0",
}
"""The per-site gauges (``rollout_<key>``, label ``site``) and their help texts."""

FaultOf = Callable[[SiteEvidence], bool | None]

_BAD = re.compile(r"[^a-zA-Z0-9_]")


def metric_name(*parts: str) -> str:
    """A valid metric name from parts (invalid characters become ``_``)."""
    return _BAD.sub("_", "_".join((PREFIX, *parts)))


def label_name(key: str) -> str:
    """A valid label name for a fact's key, never one of the base labels."""
    name = _BAD.sub("_", key).lstrip("_") or "value"
    if name[0].isdigit() or name in BASE_LABELS:
        name = f"value_{name}"
    return name


def rules_judge(expect: Callable[[str], object] | None = None) -> FaultOf | None:
    """The rules' verdict as a `FaultOf`, or None when the rules are not installed.

    Calls ``rollout.diagnose.rules.diagnose(evidence, expectations)`` (``expect(site)`` gives
    the site's expectations; without ``expect``, ``diagnose(evidence)``) and reads its causes
    (a `Diagnosis` or a sequence of `Cause`). Evidence the rules cannot judge (they raise)
    gives None: the metric is left out for that site rather than guessed.
    """
    try:
        rules = importlib.import_module("rollout.diagnose.rules")
    except ImportError:
        return None
    judge: Any = getattr(rules, "diagnose", None)
    if not callable(judge):
        return None

    def fault_of(evidence: SiteEvidence) -> bool | None:
        try:
            answer = judge(evidence) if expect is None else judge(evidence, expect(evidence.site))
        except Exception:  # the rules cannot judge this evidence: say nothing rather than guess
            return None
        return bool(getattr(answer, "causes", answer))

    return fault_of


@dataclass
class _Families:
    """The families of one scrape, created on first use."""

    gauges: dict[str, GaugeMetricFamily]
    infos: dict[str, InfoMetricFamily]
    seen: set[tuple[str, tuple[str, ...]]]

    def gauge(
        self, name: str, doc: str, labels: tuple[str, ...], values: tuple[str, ...], value: float
    ) -> None:
        if (name, values) in self.seen:
            return
        self.seen.add((name, values))
        family = self.gauges.get(name)
        if family is None:
            family = self.gauges[name] = GaugeMetricFamily(name, doc, labels=list(labels))
        family.add_metric(list(values), value)

    def info(self, name: str, doc: str, values: tuple[str, ...], strings: dict[str, str]) -> None:
        key = (f"{name}_info", values)
        if key in self.seen:
            return
        self.seen.add(key)
        family = self.infos.get(name)
        if family is None:
            family = self.infos[name] = InfoMetricFamily(name, doc, labels=list(BASE_LABELS))
        family.add_metric(list(values), strings)


class EvidenceCollector(Collector):
    """Metric families from the latest snapshot, built at each scrape."""

    def __init__(self, source: Callable[[], Snapshot], fault_of: FaultOf | None = None):
        self.source = source
        self.fault_of = fault_of
        self._verdicts: dict[str, tuple[str, bool | None]] = {}
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        snapshot = self.source()
        out = _Families({}, {}, set())
        for site in sorted(snapshot.latest):
            evidence = snapshot.latest[site]
            for fact in evidence.facts:
                _fact_metrics(out, site, fact)
        yield from out.gauges.values()
        yield from out.infos.values()
        yield from self._site_metrics(snapshot)

    def _site_metrics(self, snapshot: Snapshot) -> Iterator[Metric]:
        family = {
            key: GaugeMetricFamily(metric_name(key), doc, labels=["site"])
            for key, doc in SITE_GAUGES.items()
        }
        for site in sorted({*snapshot.latest, *snapshot.failed}):
            evidence = snapshot.latest.get(site)
            broken = site in snapshot.failed
            family["collect_failed"].add_metric([site], 1.0 if broken else 0.0)
            ok = evidence is not None and not evidence.unreached and not broken
            family["site_up"].add_metric([site], 1.0 if ok else 0.0)
            if evidence is None:
                continue
            family["site_unreached_devices"].add_metric([site], float(len(evidence.unreached)))
            family["collect_seconds"].add_metric([site], float(evidence.seconds))
            moment = _epoch(evidence.taken_at)
            if moment is not None:
                family["evidence_timestamp_seconds"].add_metric([site], moment)
            verdict = self._verdict(site, evidence)
            if verdict is not None:
                family["site_fault"].add_metric([site], 1.0 if verdict else 0.0)
        # Every per-site family is exposed, even empty, except the fault: without the rules
        # there is no verdict, and an empty family would read as "no fault anywhere".
        yield from (f for key, f in family.items() if key != "site_fault" or f.samples)

    def _verdict(self, site: str, evidence: SiteEvidence) -> bool | None:
        """The rules' verdict on this evidence, computed once per new evidence of the site."""
        if self.fault_of is None:
            return None
        with self._lock:
            cached = self._verdicts.get(site)
            if cached is not None and cached[0] == evidence.taken_at:
                return cached[1]
        verdict = self.fault_of(evidence)
        with self._lock:
            self._verdicts[site] = (evidence.taken_at, verdict)
        return verdict


def _fact_metrics(out: _Families, site: str, fact: Fact) -> None:
    ident = LABEL_KEYS.get(fact.check, ())
    labels = (*BASE_LABELS, *(label_name(k) for k in ident))
    values = (site, fact.device, fact.subject, *(str(fact.values.get(k, "")) for k in ident))
    strings: dict[str, str] = {}
    for key, value in sorted(fact.values.items()):
        if isinstance(value, bool):
            number: float | None = 1.0 if value else 0.0
        elif isinstance(value, int | float):
            number = float(value)
        else:
            number = None
            if key not in ident:
                strings[label_name(key)] = str(value)
        if number is not None:
            out.gauge(
                metric_name(fact.check, key),
                f"{key} of the {fact.check} check on each device (latest collection)",
                labels,
                values,
                number,
            )
    if strings:
        out.info(
            metric_name(fact.check),
            f"Text values of the {fact.check} check on each device (latest collection)",
            values[: len(BASE_LABELS)],
            strings,
        )


def _epoch(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def registry_for(
    source: Callable[[], Snapshot], fault_of: FaultOf | None = None
) -> CollectorRegistry:
    """A registry holding only the evidence collector (no process or platform metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(EvidenceCollector(source, fault_of))
    return registry


def snapshot_of(latest: Mapping[str, SiteEvidence]) -> Callable[[], Snapshot]:
    """A source for a fixed set of evidence (the history's latest, for a one-off export)."""
    frozen = Snapshot(dict(latest))
    return lambda: frozen


class Server:
    """The metrics endpoint: ``/metrics`` (any path) over HTTP; `close` stops it."""

    def __init__(self, registry: CollectorRegistry, port: int, address: str = "127.0.0.1"):
        try:
            self.httpd, self.thread = start_http_server(port, addr=address, registry=registry)
        except OSError as exc:
            raise RolloutError(
                f"cannot serve metrics on {address}:{port}: {exc.strerror or exc}",
                "choose another --metrics-port (or --metrics-address)",
            ) from None
        self.address = address
        self.port = int(self.httpd.server_port)

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/metrics"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def write_file(registry: CollectorRegistry, path: Path) -> None:
    """Write the metrics to ``path`` (temporary file, then an atomic replace)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), registry)
    except OSError as exc:
        raise RolloutError(
            f"cannot write the metrics to {path}: {exc.strerror or exc}", "check --metrics-file"
        ) from None
