"""What `rollout diagnose` reads and what it concludes, as plain data.

The contract between the collectors (which read devices), the rules (which localise a fault),
the history (which keeps evidence for ``diagnose --at``) and the metrics (Prometheus text):

- a `Fact` is one observation on one device: what was checked, about what, its figures and
  the device's own lines that show it;
- an `Unreached` is a device that could not be read (itself evidence: it names the segment
  the failure points to);
- `SiteEvidence` is everything gathered for one site at one moment; it round-trips through
  JSON (`to_json` / `from_json`), so the history stores it as is and the rules run on a stored
  copy exactly as on a fresh one;
- a `Cause` is one ranked conclusion, a `Diagnosis` the whole answer. ``Diagnosis.to_json``
  is the documented, stable shape of ``rollout diagnose --format json`` (docs/diagnose.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, get_args

Segment: TypeAlias = Literal["config", "lan", "wan", "endpoint", "hub", "cloud"]
SEGMENTS: tuple[Segment, ...] = get_args(Segment)
"""Where a fault can sit, from the site outward (the order a report lists them in)."""

Verdict: TypeAlias = Literal["healthy", "fault"]
Value: TypeAlias = float | int | str | bool

LIGHT = "light"
"""A check cheap enough for `rollout watch` (counters, registration, probes' last result)."""
FULL = "full"
"""A check only `rollout diagnose` runs (drift against the repository, test probes)."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One observation on one device.

    ``check`` names what was looked at (``interface``, ``policy_class``, ``sla``,
    ``registration``, ``call``, ``drift``, ``reach``, ``dscp``, ...), ``subject`` the thing
    (``GigabitEthernet1/0/1``, ``VOICE``, ``op 10``, ``gatekeeper``); ``values`` holds the
    figures under stable snake_case keys (``crc``, ``late_collisions``, ``duplex``,
    ``drops``, ``loss_percent``, ``online`` ...); ``lines`` the device's own output lines
    that show them (quoted as evidence).
    """

    device: str
    segment: Segment
    check: str
    subject: str
    values: Mapping[str, Value] = field(default_factory=dict)
    lines: tuple[str, ...] = ()
    weight: str = LIGHT

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "segment": self.segment,
            "check": self.check,
            "subject": self.subject,
            "values": dict(self.values),
            "lines": list(self.lines),
            "weight": self.weight,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fact:
        return cls(
            device=str(data["device"]),
            segment=_segment(data["segment"]),
            check=str(data["check"]),
            subject=str(data["subject"]),
            values=dict(data.get("values", {})),
            lines=tuple(str(x) for x in data.get("lines", ())),
            weight=str(data.get("weight", LIGHT)),
        )


@dataclass(frozen=True, slots=True)
class Unreached:
    """A device that could not be read, and the segment that failure points to."""

    device: str
    segment: Segment
    error: str
    kind: str = ""
    """The `rollout.drivers.base.ErrorKind` value when the session said (``unreachable``...)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "segment": self.segment,
            "error": self.error,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Unreached:
        return cls(
            str(data["device"]),
            _segment(data["segment"]),
            str(data["error"]),
            str(data.get("kind", "")),
        )


@dataclass(frozen=True, slots=True)
class SiteEvidence:
    """Everything read for one site at one moment (``taken_at``: ISO 8601, UTC)."""

    site: str
    taken_at: str
    facts: tuple[Fact, ...] = ()
    unreached: tuple[Unreached, ...] = ()
    seconds: float = 0.0
    light: bool = False
    """True when only the `LIGHT` checks were run (`rollout watch`)."""

    def of(self, check: str, device: str | None = None) -> tuple[Fact, ...]:
        """The facts of one check (on one device)."""
        return tuple(
            f for f in self.facts if f.check == check and (device is None or f.device == device)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "taken_at": self.taken_at,
            "seconds": round(self.seconds, 3),
            "light": self.light,
            "facts": [f.to_json() for f in self.facts],
            "unreached": [u.to_json() for u in self.unreached],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SiteEvidence:
        return cls(
            site=str(data["site"]),
            taken_at=str(data["taken_at"]),
            facts=tuple(Fact.from_json(f) for f in data.get("facts", ())),
            unreached=tuple(Unreached.from_json(u) for u in data.get("unreached", ())),
            seconds=float(data.get("seconds", 0.0)),
            light=bool(data.get("light", False)),
        )


@dataclass(frozen=True, slots=True)
class Cause:
    """One conclusion: where, what (one line), the evidence that shows it, what to do.

    ``code`` is a stable identifier of the cause (``lan.duplex_mismatch``,
    ``wan.access_loss`` ...; docs/diagnose.md lists them with their runbook) and
    ``likelihood`` (0..1) orders the causes of one diagnosis.
    """

    segment: Segment
    code: str
    cause: str
    evidence: tuple[str, ...]
    fix: str
    likelihood: float

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "code": self.code,
            "cause": self.cause,
            "evidence": list(self.evidence),
            "fix": self.fix,
            "likelihood": round(self.likelihood, 3),
        }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The answer for one site: ``fault`` when any cause was found, causes most likely first."""

    site: str
    causes: tuple[Cause, ...]
    seconds: float
    at: str | None = None
    """When the evidence was taken, for an answer from the history (``diagnose --at``)."""

    @property
    def verdict(self) -> Verdict:
        return "fault" if self.causes else "healthy"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "site": self.site,
            "verdict": self.verdict,
            "causes": [c.to_json() for c in self.causes],
            "seconds": round(self.seconds, 3),
        }
        if self.at is not None:
            out["at"] = self.at
        return out


def _segment(value: object) -> Segment:
    if value not in SEGMENTS:
        raise ValueError(f"segment must be one of {', '.join(SEGMENTS)}, not {value!r}")
    return value
