"""One plan -> apply -> re-plan round trip of the IOS driver on the simulator, as data.

Used by tests/drivers/test_ios_roundtrip_public.py over the public corpus in
tests/data/ios-public/ (see its SOURCE.md). A round trip from config A to config B:

1. A is the simulated device's running config (``IosDevice.from_config``);
2. the driver plans A -> B (``ios_plan``, the code `rollout plan` and `rollout site` use);
3. the plan is typed into the device's CLI line by line in config mode, as Netmiko's
   ``send_config_set`` does (``apply`` of tests/drivers/test_ios_driver_corpus.py);
4. ``show running-config`` is read back and planned again: one step converges when the
   second plan is empty and the device refused no line.

Banners are compared with the intent: after the round trip each banner must read as in B
(a banner the pair does not change must not change).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rollout.drivers.base import DeviceError, Plan
from rollout.drivers.cisco_ios import ios_plan
from rollout.drivers.ios_rules import ERROR_PATTERN
from rollout.lab.ios.config import is_physical
from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.session import IosSession

INTERFACE = re.compile(r"^interface (\S+)\s*$", re.M)
BANNER = re.compile(r"^banner (\S+) ?(.*)$")
REFUSAL = re.compile(ERROR_PATTERN)


@dataclass(frozen=True)
class Config:
    """One corpus file: its family (folder), name and text."""

    family: str
    name: str
    text: str

    @property
    def key(self) -> str:
        return f"{self.family}/{self.name}"

    @property
    def ports(self) -> frozenset[str]:
        """The physical ports the file shows: the device's hardware."""
        return frozenset(p for p in INTERFACE.findall(self.text) if is_physical(p))


def load_corpus(folder: Path) -> dict[str, Config]:
    configs = [
        Config(p.parent.name, p.stem, p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*/*.cfg"))
    ]
    return {c.key: c for c in configs}


def same_shape(source: Config, target: Config) -> bool:
    """B fits A's hardware: every physical port B configures exists on A.

    A real device refuses ``interface <port>`` for a port it does not have (hardware cannot
    be created by configuration), so a pair whose target names ports the source device lacks
    is not a round trip the driver can be asked to do.
    """
    return target.ports <= source.ports


def select_pairs(
    corpus: dict[str, Config], *, cross_limit: int = 200, seed: int = 20
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(pairs to run, pairs not run), both sorted.

    Every same-family pair of the same shape runs; of the cross-family pairs of the same
    shape at most ``cross_limit`` run, a sample fixed by ``seed``. Pairs of different shape
    and cross-family pairs left out of the sample are the pairs not run.
    """
    run: list[tuple[str, str]] = []
    cross: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for a, b in itertools.permutations(sorted(corpus), 2):
        if not same_shape(corpus[a], corpus[b]):
            skipped.append((a, b))
        elif corpus[a].family == corpus[b].family:
            run.append((a, b))
        else:
            cross.append((a, b))
    if len(cross) > cross_limit:
        kept = set(random.Random(seed).sample(cross, cross_limit))
        skipped += [pair for pair in cross if pair not in kept]
        cross = sorted(kept)
    return sorted(run + cross), sorted(skipped)


def banners(text: str) -> dict[str, str]:
    """Banner kind -> body, whatever delimiter the text uses (``^C`` as shown, or one char)."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        m = BANNER.match(line)
        if m is None:
            continue
        kind, rest = m.groups()
        delim = "^C" if rest.startswith("^C") else rest[:1]
        if not delim:
            continue
        body = rest[len(delim) :]
        parts: list[str] = []
        while delim not in body:
            parts.append(body)
            body = next(lines, delim)
        parts.append(body[: body.index(delim)])
        out[kind] = "\n".join(x.rstrip() for x in parts).strip("\n")
    return out


@dataclass
class Outcome:
    """What one round trip A -> B did."""

    source: str
    target: str
    plan: tuple[str, ...] = ()
    refused: list[str] = field(default_factory=list)
    left: tuple[str, ...] = ()
    error: str = ""
    handled: bool = False
    banners_wrong: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def pair(self) -> str:
        return f"{self.source} -> {self.target}"

    @property
    def escaped(self) -> bool:
        return bool(self.error) and not self.handled

    @property
    def converged(self) -> bool:
        return not self.error and not self.refused and not self.left and not self.banners_wrong

    def describe(self) -> str:
        if self.error:
            return f"{self.pair}: {'handled' if self.handled else 'ESCAPED'} {self.error}"
        parts = [self.pair + ":"]
        if self.refused:
            parts.append(f"refused {self.refused[:3]}")
        if self.left:
            parts.append(f"re-planned {list(self.left[:6])}")
        for kind, (want, got) in self.banners_wrong.items():
            parts.append(f"banner {kind} want {want!r} got {got!r}")
        return " ".join(parts)


class DriverDevice(IosDevice):
    """A simulated device whose sessions log in as the driver does: privilege 15.

    Many public configs define local users; a session without a user would then start at
    privilege 1, where ``configure terminal`` is refused. The driver's account is a
    privilege-15 user (see the SSH round trip in tests/drivers/test_ios_driver_corpus.py).
    """

    def session(self, username: str = "", privilege: int | None = None) -> IosSession:
        return super().session(username, 15 if privilege is None else privilege)


Apply = Callable[[IosDevice, tuple[str, ...]], list[str]]
Prepare = Callable[[str, str], str]


def line_by_line(apply: Apply) -> Apply:
    """``apply`` fed one terminal line at a time, as a live session delivers a plan.

    A plan command may span lines (a banner goes as one unit); over SSH the device receives
    its lines one by one, because the session splits the byte stream at CR/LF
    (tools/rollout/lab/server/channel.py, ``_feed``) as a real terminal line discipline does.
    """

    def typed(device: IosDevice, commands: tuple[str, ...]) -> list[str]:
        return apply(device, tuple(line for c in commands for line in c.split("\n")))

    return typed


def round_trip(source: Config, target: Config, apply: Apply, prepare: Prepare) -> Outcome:
    """Plan A -> B, type the plan, read back, plan again; never raises.

    The banners are compared as soon as the device has been read back, so a round trip whose
    second plan raises still reports what the device shows.
    """
    out = Outcome(source.key, target.key)
    intended = prepare(source.text, target.text)
    device = DriverDevice.from_config(source.text)
    try:
        out.plan = guarded(out, lambda: ios_plan("dut", device.running_config(), intended))
        if out.error:
            return out
        # Only what the driver's session treats as a refusal (its Netmiko error_pattern);
        # informational replies such as a banner's 'Enter TEXT message' are not errors.
        out.refused = [e for e in apply(device, out.plan) if REFUSAL.search(e)]
        after = device.running_config()
        want, got = banners(target.text), banners(after)
        for kind in sorted(set(want) | set(got)):
            if want.get(kind) != got.get(kind):
                out.banners_wrong[kind] = (want.get(kind), got.get(kind))
        out.left = guarded(out, lambda: ios_plan("dut", after, intended))
        return out
    except Exception as exc:  # the simulator's own failures are recorded, not raised
        out.error = f"simulator {type(exc).__name__}: {exc}"
        return out
    finally:
        device.close()


def guarded(out: Outcome, plan: Callable[[], Plan]) -> tuple[str, ...]:
    """The plan's commands; an exception is recorded on ``out`` (DeviceError as handled)."""
    try:
        return plan().commands
    except DeviceError as exc:
        out.error, out.handled = f"DeviceError: {exc}", True
    except Exception as exc:  # every other exception escapes the driver: recorded as data
        out.error = f"{type(exc).__name__}: {exc}"
    return ()


@dataclass(frozen=True)
class Summary:
    pairs: int
    converged: int
    handled: int
    escaped: int
    banners: int
    skipped: int

    @property
    def failures(self) -> int:
        return self.pairs - self.converged

    @property
    def rate(self) -> float:
        return self.converged / self.pairs if self.pairs else 0.0

    def line(self) -> str:
        return (
            f"IOS public corpus round trip: pairs={self.pairs} converged={self.converged} "
            f"({self.rate:.1%}) handled-errors={self.handled} escaped={self.escaped} "
            f"banner-changes={self.banners} failures={self.failures} "
            f"not-run={self.skipped}"
        )


def summarise(outcomes: Iterable[Outcome], skipped: int) -> Summary:
    items = list(outcomes)
    return Summary(
        pairs=len(items),
        converged=sum(o.converged for o in items),
        handled=sum(o.handled for o in items),
        escaped=sum(o.escaped for o in items),
        banners=sum(bool(o.banners_wrong) for o in items),
        skipped=skipped,
    )
