"""`show ip sla statistics` as typed records, through our TextFSM template."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.parsers.textfsm_table import parse_records

TEMPLATE = "cisco_ios_show_ip_sla_statistics"


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class MinAvgMax:
    """A ``Min/Avg/Max`` triple in milliseconds."""

    min: float
    avg: float
    max: float

    @classmethod
    def of(cls, lo: str, avg: str, hi: str) -> MinAvgMax | None:
        values = [_float(v) for v in (lo, avg, hi)]
        if any(v is None for v in values):
            return None
        return cls(*(v or 0.0 for v in values))


@dataclass(frozen=True, slots=True)
class SlaOperation:
    """One operation of ``show ip sla statistics``; None where the output has no figure."""

    operation_id: int
    kind: str
    return_code: str
    latest_rtt_ms: int | None
    successes: int | None
    failures: int | None
    rtt_count: int | None = None
    rtt: MinAvgMax | None = None
    one_way_samples: int = 0
    latency_sd: MinAvgMax | None = None
    latency_ds: MinAvgMax | None = None
    jitter_sd: MinAvgMax | None = None
    jitter_ds: MinAvgMax | None = None
    loss_sd: int | None = None
    loss_ds: int | None = None
    skipped: int = 0
    late: int = 0
    over_threshold: int | None = None
    icpif: int | None = None
    mos: float | None = None

    @property
    def ok(self) -> bool:
        return self.return_code == "OK"

    @property
    def has_jitter_figures(self) -> bool:
        """True for jitter operations (RTT, jitter and loss per direction were printed)."""
        return self.rtt_count is not None and self.jitter_sd is not None

    @property
    def delay_ms(self) -> float:
        """One-way delay: the worse direction when one-way samples exist, else RTT / 2."""
        if self.one_way_samples and self.latency_sd and self.latency_ds:
            return max(self.latency_sd.avg, self.latency_ds.avg)
        if self.rtt is not None and self.rtt_count:
            return self.rtt.avg / 2
        return (self.latest_rtt_ms or 0) / 2

    @property
    def jitter_ms(self) -> float:
        """Mean inter-packet delay variation, the worse direction."""
        return max((j.avg for j in (self.jitter_sd, self.jitter_ds) if j is not None), default=0.0)

    @property
    def lost(self) -> int:
        return (self.loss_sd or 0) + (self.loss_ds or 0) + self.skipped

    @property
    def loss_percent(self) -> float:
        """Packets lost (either way, or never answered) in percent of the packets sent."""
        sent = (self.rtt_count or 0) + self.lost
        return 100.0 * self.lost / sent if sent else 0.0


def parse_ip_sla_statistics(text: str) -> list[SlaOperation]:
    """Every operation in the output of ``show ip sla statistics [N]``, in output order."""
    out = []
    for r in parse_records(TEMPLATE, text):
        out.append(
            SlaOperation(
                operation_id=int(r["operation_id"]),
                kind=r["type"] or "unknown",
                return_code=r["return_code"] or "Unknown",
                latest_rtt_ms=_int(r["latest_rtt"]),
                successes=_int(r["successes"]),
                failures=_int(r["failures"]),
                rtt_count=_int(r["rtt_count"]),
                rtt=MinAvgMax.of(r["rtt_min"], r["rtt_avg"], r["rtt_max"]),
                one_way_samples=_int(r["one_way_samples"]) or 0,
                latency_sd=MinAvgMax.of(
                    r["sd_latency_min"], r["sd_latency_avg"], r["sd_latency_max"]
                ),
                latency_ds=MinAvgMax.of(
                    r["ds_latency_min"], r["ds_latency_avg"], r["ds_latency_max"]
                ),
                jitter_sd=MinAvgMax.of(r["sd_jitter_min"], r["sd_jitter_avg"], r["sd_jitter_max"]),
                jitter_ds=MinAvgMax.of(r["ds_jitter_min"], r["ds_jitter_avg"], r["ds_jitter_max"]),
                loss_sd=_int(r["loss_sd"]),
                loss_ds=_int(r["loss_ds"]),
                skipped=_int(r["skipped"]) or 0,
                late=_int(r["late_arrival"]) or 0,
                over_threshold=_int(r["rtt_over_threshold"]),
                icpif=_int(r["icpif"]),
                mos=_float(r["mos"]),
            )
        )
    return out
