"""Drift at fleet scale: which devices no longer match the repository, read-only.

`check` reads every device on a bounded thread pool (one SSH session each), compares it with
its intended configuration through the driver's own plan (so drift means exactly "a rollout
would send these lines"), and returns one `DeviceDrift` per device. A device that cannot be
read is a result with a `kind` (unreachable, auth, timeout, host_key, error), never an
exception; transient failures (unreachable, timeout) are retried.

Noise (time stamps, `Last configuration change`, `ntp clock-period`, certificate blobs, the
codec's read-only status keys) is data: `NOISE` below, built from the drivers' own tables.
Approved local exceptions live in an allow-list file (`inventory/drift-allow.yml`): lines
they cover stay in the report (state `allowed`) but do not fail the run; an expired entry
fails validation, so that nothing stays approved by being forgotten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from rollout.drivers.base import DeviceError, Plan
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.secrets import Secrets
from rollout.targets import Managed, driver_for

ALLOW_FILE = Path("inventory/drift-allow.yml")


class State(StrEnum):
    CLEAN = "clean"
    DRIFT = "drift"
    ALLOWED = "allowed"
    ERROR = "error"


class Kind(StrEnum):
    """Why a device could not be checked."""

    UNREACHABLE = "unreachable"
    AUTH = "auth"
    TIMEOUT = "timeout"
    HOST_KEY = "host_key"
    ERROR = "error"


RETRIED = frozenset({Kind.UNREACHABLE, Kind.TIMEOUT})
"""Kinds worth another attempt; a refused login or a changed host key is not."""


# -- noise, as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseRule:
    platform: Platform
    pattern: str
    why: str


def _noise_table() -> tuple[NoiseRule, ...]:
    from rollout.drivers import ios_rules, polycom_api

    ios = [NoiseRule(Platform.CISCO_IOS, p, why) for p, why in ios_rules.NOISE_RULES]
    ios.append(NoiseRule(Platform.CISCO_IOS, r"\s+certificate\s.*", "certificate blob (to 'quit')"))
    codec = [
        NoiseRule(
            Platform.POLYCOM,
            re.escape(key),
            "read-only status of the codec"
            if key in polycom_api.STATUS_KEYS
            else "write-only key (never read back)",
        )
        for key in sorted(polycom_api.DRIFT_IGNORED_KEYS)
    ]
    return (*ios, *codec)


NOISE: tuple[NoiseRule, ...] = _noise_table()


def filter_noise(platform: Platform | None, text: str) -> str:
    """The configuration text without the lines the noise table names (for history diffs)."""
    if platform is Platform.CISCO_IOS:
        from rollout.drivers import ios_rules

        return ios_rules.clean(text)
    if platform is Platform.POLYCOM:
        from rollout.drivers.polycom import parse_commands

        rules = [re.compile(f"^{r.pattern}$") for r in NOISE if r.platform is Platform.POLYCOM]
        kept = []
        for line in text.splitlines():
            keys = list(parse_commands(line))
            if not line.strip() or (keys and all(any(r.match(k) for r in rules) for k in keys)):
                continue
            kept.append(f"{line}\n")
        return "".join(kept)
    return text


# -- allow-list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    device: str
    """Device hostname, or a glob (`*-sw01`)."""
    lines: tuple[re.Pattern[str], ...]
    reason: str
    expires: dt.date

    def covers(self, device: str, line: str) -> bool:
        return fnmatch.fnmatchcase(device, self.device) and any(
            p.search(line) or p.search(line.strip()) for p in self.lines
        )


@dataclass(frozen=True)
class AllowList:
    entries: tuple[Allowance, ...] = ()
    path: Path | None = None

    def reason(self, device: str, line: str) -> str | None:
        for entry in self.entries:
            if entry.covers(device, line):
                return f"{entry.reason} (until {entry.expires.isoformat()})"
        return None


def load_allow_list(path: Path, *, today: dt.date | None = None) -> AllowList:
    """Read and validate the allow-list; a missing file is an empty list.

    Every entry needs device, lines (regular expressions), reason and expires (a date).
    Expired entries and bad regular expressions fail with the file, entry and fix.
    """
    import yaml

    today = today or dt.date.today()
    if not path.exists():
        return AllowList((), path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RolloutError(f"{path}: cannot read the drift allow-list ({exc})") from None
    raw = data.get("allow") if isinstance(data, dict) else None
    if raw is None:
        raw = []
    if not isinstance(raw, list) or (isinstance(data, dict) and set(data) - {"allow"}):
        raise RolloutError(
            f"{path}: expected a mapping with one key, allow: a list of entries",
            "allow: [{device: SITE-sw01, lines: ['^regex$'], reason: why, expires: 2027-01-31}]",
        )
    problems: list[str] = []
    entries: list[Allowance] = []
    for n, item in enumerate(raw, 1):
        where = f"{path}: entry {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a mapping")
            continue
        unknown = set(item) - {"device", "lines", "reason", "expires"}
        missing = {"device", "lines", "reason", "expires"} - set(item)
        if unknown or missing:
            problems.append(
                f"{where}: "
                + "; ".join(
                    [f"unknown key {k!r}" for k in sorted(unknown)]
                    + [f"missing {k!r}" for k in sorted(missing)]
                )
            )
            continue
        expires = item["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                expires = None
        if not isinstance(expires, dt.date):
            problems.append(f"{where}: expires must be a date (YYYY-MM-DD)")
            continue
        lines = item["lines"] if isinstance(item["lines"], list) else [item["lines"]]
        compiled = []
        for text in lines:
            try:
                compiled.append(re.compile(str(text)))
            except re.error as exc:
                problems.append(f"{where}: lines: {text!r} is not a regular expression ({exc})")
        reason = str(item["reason"] or "").strip()
        if not reason:
            problems.append(f"{where}: reason must say why the deviation is approved")
        if expires < today:
            problems.append(
                f"{where} ({item['device']}: {reason or 'no reason'}) expired on "
                f"{expires.isoformat()}; renew it with a new date, or repair the device "
                "and remove the entry"
            )
        entries.append(Allowance(str(item["device"]), tuple(compiled), reason, expires))
    if problems:
        raise RolloutError(
            "the drift allow-list is not valid:\n  " + "\n  ".join(problems),
            f"edit {path}",
        )
    return AllowList(tuple(entries), path)


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line a rollout would send; `allowed` holds the allow-list reason when approved."""

    text: str
    allowed: str | None = None


@dataclass(frozen=True)
class DeviceDrift:
    device: str
    site: str
    platform: str
    role: str
    state: State
    lines: tuple[Line, ...] = ()
    kind: Kind | None = None
    error: str = ""
    fix: str = ""
    seconds: float = 0.0
    attempts: int = 1
    unmanaged: tuple[str, ...] = ()
    """Running lines outside the scope rollout owns (never drift, only reported)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "site": self.site,
            "platform": self.platform,
            "role": self.role,
            "state": self.state.value,
            "kind": self.kind.value if self.kind else None,
            "lines": [{"line": x.text, "allowed": x.allowed} for x in self.lines],
            "error": self.error,
            "fix": self.fix,
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
            "unmanaged_count": len(self.unmanaged),
            "unmanaged": list(self.unmanaged),
        }


@dataclass
class Report:
    devices: list[DeviceDrift]
    seconds: float
    workers: int
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {s.value: 0 for s in State}
        for d in self.devices:
            self.counts[d.state.value] += 1

    @property
    def exit_code(self) -> int:
        """0 clean (allowed deviations included), 2 drift, 1 any device not checked."""
        if self.counts[State.ERROR]:
            return 1
        return 2 if self.counts[State.DRIFT] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {
                **self.counts,
                "devices": len(self.devices),
                "seconds": round(self.seconds, 3),
                "workers": self.workers,
                "exit_code": self.exit_code,
            },
            "devices": [d.to_json() for d in self.devices],
        }


def classify(exc: DeviceError | RolloutError) -> Kind:
    """The kind of a failure, from the driver's message (the drivers name what happened)."""
    text = str(exc).lower()
    step = getattr(exc, "step", "")
    if "host key" in text or "known-hosts" in text:
        return Kind.HOST_KEY
    if "authentication" in text:
        return Kind.AUTH
    if "no tcp connection" in text or "connection refused" in text:
        return Kind.UNREACHABLE
    if any(w in text for w in ("timed out", "timeout", "no answer", "no complete answer")):
        return Kind.TIMEOUT
    if "pattern not detected" in text or "banner" in text:
        return Kind.TIMEOUT
    if step == "connect" or any(w in text for w in ("connection refused", "reset by peer")):
        return Kind.UNREACHABLE
    if "session failed" in text and ("socket" in text or "closed" in text or "eof" in text):
        return Kind.UNREACHABLE
    return Kind.ERROR


def _apply_allow(device: str, plan: Plan, allow: AllowList) -> tuple[State, tuple[Line, ...]]:
    """Lines with their allowance; a section header is allowed when all its children are."""
    commands = list(plan.commands)
    reasons: list[str | None] = [allow.reason(device, c) for c in commands]
    for i, command in enumerate(commands):
        if command.startswith(" ") or reasons[i] is not None:
            continue
        children = []
        for j in range(i + 1, len(commands)):
            if not commands[j].startswith(" "):
                break
            children.append(j)
        if children and all(reasons[j] is not None for j in children):
            reasons[i] = reasons[children[0]]
    lines = tuple(Line(c, r) for c, r in zip(commands, reasons, strict=True))
    if not lines:
        return State.CLEAN, lines
    if all(x.allowed is not None for x in lines):
        return State.ALLOWED, lines
    return State.DRIFT, lines


def check_one(
    inv: Inventory, secrets: Secrets, m: Managed, allow: AllowList, *, retries: int = 1
) -> DeviceDrift:
    """One device: read, compare, classify. Never raises for device trouble."""
    from rollout.render import render_device

    base = DeviceDrift(
        m.device.hostname, m.site.slug, m.device.platform.value, m.device.role.value, State.CLEAN
    )
    start = time.monotonic()
    try:
        intended = render_device(inv, m.site, m.device, secrets).text
    except RolloutError as exc:
        return replace(base, state=State.ERROR, kind=Kind.ERROR, error=exc.message, fix=exc.fix)
    attempt = 0
    while True:
        attempt += 1
        driver = None
        try:
            driver = driver_for(m.target)
            running = driver.running_config()
            plan = driver.plan(running, intended)
        except RolloutError as exc:
            kind = classify(exc)
            if kind in RETRIED and attempt <= retries:
                time.sleep(min(0.2 * attempt, 1.0))
                continue
            return replace(
                base,
                state=State.ERROR,
                kind=kind,
                error=secrets.redact(exc.message),
                fix=exc.fix,
                seconds=time.monotonic() - start,
                attempts=attempt,
            )
        except Exception as exc:  # a driver bug must stay this device's problem
            return replace(
                base,
                state=State.ERROR,
                kind=Kind.ERROR,
                error=secrets.redact(f"{type(exc).__name__}: {exc}"),
                seconds=time.monotonic() - start,
                attempts=attempt,
            )
        finally:
            if driver is not None:
                driver.close()
        if m.device.platform is Platform.CISCO_IOS:
            from rollout.drivers.ios_rules import WRITE_ONLY

            # Write-only lines ride along with any real change; on their own they are no drift.
            plan = replace(
                plan, commands=tuple(c for c in plan.commands if not WRITE_ONLY.match(c))
            )
        state, lines = _apply_allow(m.device.hostname, plan, allow)
        lines = tuple(replace(x, text=secrets.redact(x.text)) for x in lines)
        return replace(
            base,
            state=state,
            lines=lines,
            seconds=time.monotonic() - start,
            attempts=attempt,
            unmanaged=tuple(secrets.redact(x) for x in plan.unmanaged),
        )


def select(
    devices: Sequence[Managed],
    *,
    platforms: Sequence[str] = (),
    roles: Sequence[str] = (),
    names: Sequence[str] = (),
) -> list[Managed]:
    """Devices whose platform and role are among those given (all when none), names by glob."""
    return [
        m
        for m in devices
        if (not platforms or m.device.platform.value in platforms)
        and (not roles or m.device.role.value in roles)
        and (not names or any(fnmatch.fnmatchcase(m.device.hostname, n) for n in names))
    ]


def warm(inv: Inventory, secrets: Secrets, devices: Sequence[Managed]) -> None:
    """Render one device of each template before the pool starts.

    Jinja2 compiles a template (and what it extends or includes) on first use and caches it;
    threads that start together all miss the cache and compile it each (a router template
    costs ~35 ms cold, ~2 ms warm). A failure here is left to that device's own check.
    """
    from rollout.drivers.ios_same import rules
    from rollout.render import render_device, template_name

    rules()
    first: dict[str, Managed] = {}
    for m in devices:
        first.setdefault(template_name(m.device), m)
    for m in first.values():
        with contextlib.suppress(Exception):
            render_device(inv, m.site, m.device, secrets)


def check(
    inv: Inventory,
    secrets: Secrets,
    devices: Sequence[Managed],
    *,
    allow: AllowList | None = None,
    workers: int = 32,
    retries: int = 1,
    progress: Callable[[DeviceDrift], None] | None = None,
) -> Report:
    """Drift of every device, in the order given, on a pool of `workers` threads."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from rollout import audit
    from rollout.ops import preload

    allow = allow or AllowList()
    preload()
    start = time.monotonic()
    warm(inv, secrets, devices)
    results: dict[str, DeviceDrift] = {}
    if devices:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(devices)))) as pool:
            futures = [
                pool.submit(check_one, inv, secrets, m, allow, retries=retries) for m in devices
            ]
            for future in as_completed(futures):
                result = future.result()
                results[result.device] = result
                if progress is not None:
                    progress(result)
    report = Report(
        [results[m.device.hostname] for m in devices], time.monotonic() - start, workers
    )
    root = devices[0].root if devices else None
    audit.record(
        root,
        "drift",
        sites=sorted({m.site.slug for m in devices}),
        devices=[d.device for d in report.devices if d.state is not State.CLEAN],
        result="ok" if report.exit_code != 1 else "failed",
        detail=", ".join(f"{n} {s}" for s, n in report.counts.items() if n),
    )
    return report


# -- formats ----------------------------------------------------------------------------------


def _detail(d: DeviceDrift) -> str:
    if d.state is State.ERROR:
        return d.error
    if not d.lines:
        return ""
    first = next((x for x in d.lines if not x.allowed), d.lines[0])
    more = f" (+{len(d.lines) - 1} more)" if len(d.lines) > 1 else ""
    return f"{first.text.strip()}{more}"


def markdown(report: Report) -> str:
    c = report.counts
    out = [
        "# Drift report",
        "",
        f"{len(report.devices)} devices in {report.seconds:.1f} s: "
        f"{c['clean']} clean, {c['drift']} drift, {c['allowed']} allowed, {c['error']} error.",
        "",
        "| device | site | platform | state | kind | detail | s |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for d in report.devices:
        out.append(
            f"| {d.device} | {d.site} | {d.platform} | {d.state.value} | "
            f"{d.kind.value if d.kind else ''} | {cell(_detail(d))} | {d.seconds:.2f} |"
        )
    for d in report.devices:
        if d.lines:
            out += ["", f"## {d.device} ({d.state.value})", "", "```"]
            out += [x.text + (f"    # allowed: {x.allowed}" if x.allowed else "") for x in d.lines]
            out.append("```")
    return "\n".join(out) + "\n"


def html(report: Report) -> str:
    from html import escape

    c = report.counts
    rows = "\n".join(
        f'<tr class="{d.state.value}"><td>{escape(d.device)}</td><td>{escape(d.site)}</td>'
        f"<td>{escape(d.platform)}</td><td>{d.state.value}</td>"
        f"<td>{d.kind.value if d.kind else ''}</td><td>{escape(_detail(d))}</td>"
        f"<td>{d.seconds:.2f}</td></tr>"
        for d in report.devices
    )
    details = "\n".join(
        f"<h2>{escape(d.device)} ({d.state.value})</h2><pre>"
        + "\n".join(
            escape(x.text) + (f"    # allowed: {escape(x.allowed)}" if x.allowed else "")
            for x in d.lines
        )
        + "</pre>"
        for d in report.devices
        if d.lines
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 2px 8px; text-align: left; }}
tr.drift {{ background: #fff3cd; }} tr.error {{ background: #f8d7da; }}
tr.allowed {{ background: #e2e3e5; }}
</style></head><body>
<h1>Drift report</h1>
<p>{len(report.devices)} devices in {report.seconds:.1f} s: {c["clean"]} clean,
{c["drift"]} drift, {c["allowed"]} allowed, {c["error"]} error.</p>
<table><tr><th>device</th><th>site</th><th>platform</th><th>state</th><th>kind</th>
<th>detail</th><th>s</th></tr>
{rows}
</table>
{details}
</body></html>
"""


def table_rows(report: Report) -> list[tuple[str, ...]]:
    return [
        (
            d.device,
            d.state.value,
            d.kind.value if d.kind else "",
            _detail(d),
            str(len(d.unmanaged)),
            f"{d.seconds:.2f}",
        )
        for d in report.devices
    ]
