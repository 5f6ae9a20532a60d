"""What a command was asked to cover and could not: sites whose file is broken, devices a lab
does not hold. Commands report these (text or a ``left_out`` JSON list) and exit 1, so that
"all" never silently means "the ones that worked"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rollout.errors import Problem


@dataclass(frozen=True)
class LeftOut:
    """A site (device None) or one device of it that a command left out, and why."""

    site: str
    device: str | None
    reason: str
    fix: str = ""
    problems: tuple[Problem, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site,
            "device": self.device,
            "reason": self.reason,
            "fix": self.fix,
            "problems": [p.as_dict() for p in self.problems],
        }

    def lines(self) -> list[str]:
        """The text for people: what was left out and why, each problem with its fix."""
        what = f"site {self.site}" if self.device is None else f"{self.device} (site {self.site})"
        out = [f"left out: {what}: {self.reason}"]
        for p in self.problems:
            out.append(f"  {p.location()}: {p.message}")
            if p.fix:
                out.append(f"    fix: {p.fix}")
        if self.fix:
            out.append(f"  fix: {self.fix}")
        return out


def broken_site(slug: str, problems: tuple[Problem, ...]) -> LeftOut:
    """A site whose file (or a rule it breaks) keeps it out of every command but validate."""
    files = sorted({p.file for p in problems})
    return LeftOut(
        slug,
        None,
        f"{', '.join(files)} has {len(problems)} problem{'s' if len(problems) != 1 else ''}",
        f"fix the file (rollout validate {slug} lists every problem)",
        problems,
    )


def report_lines(items: Sequence[LeftOut]) -> list[str]:
    """What was left out, for people: one entry per site (its devices grouped by reason)."""
    out: list[str] = []
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for item in items:
        if item.device is None:
            out += item.lines()
        else:
            grouped.setdefault((item.site, item.reason, item.fix), []).append(item.device)
    for (site, reason, fix), devices in grouped.items():
        count = f"{len(devices)} device{'s' if len(devices) != 1 else ''}"
        out.append(f"left out: site {site}: {count} {reason} ({', '.join(devices)})")
        if fix:
            out.append(f"  fix: {fix}")
    return out
