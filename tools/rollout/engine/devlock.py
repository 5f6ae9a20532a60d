"""The lock of a site held ON the site's devices, so that two controllers (two clones, two
machines, the CLI and a bare ansible-playbook) never roll out the same site at once.

Where: one marker per site, on the site's WAN router (every rollout of a site goes through it;
a Cisco router's flash or a linux_router's folder holds a marker, a codec cannot); when the run
does not reach the router, on the first other device that can hold one (the LAN switch).
What: one line, ``rollout-lock/1`` then ``key=value`` fields (user, host, pid, since, site,
token, command last), written by the driver (drivers.base.DeviceLocking) atomically.
Stale: the holder's host is this machine and its pid is gone, or the marker is older than
STALE_AFTER with no revert timer pending (a pending revert timer counts as held: a change
waits for its confirm). A stale lock is taken over only with ``take_over`` (the CLI's
``--take-over``, Ansible's ``site_rollout_take_over``), and the takeover is audited.
The local lock (rollout.lock, var/locks) stays: it guards one checkout cheaply.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rollout import audit
from rollout.drivers.base import DeviceLocking, Driver
from rollout.engine.audited import session
from rollout.errors import RolloutError
from rollout.inventory.model import Platform, Role
from rollout.lock import pid_alive
from rollout.targets import Managed

VERSION = "rollout-lock/1"
STALE_AFTER = timedelta(hours=4)
"""A marker older than this, with no revert timer pending, is stale. A site's rollout takes
minutes; the longest revert timer IOS takes is 120 minutes (``revert timer 1-120``); four hours
leave room for both and for a slow verify."""
TORN_WAIT = 5.0
"""Seconds a marker without its holder line is given to get it (its writer is between mkdir
and the write) before it counts as a torn marker."""
_FIELDS = ("user", "host", "pid", "since", "site", "token", "command")
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._@:/+,=-]")


class DeviceLockHeld(RolloutError):
    """Another run holds the site's lock on its device (or a stale one needs --take-over)."""


@dataclass(frozen=True)
class DeviceHolder:
    """Who holds a site's lock: written on the device, read back by every other run."""

    site: str
    user: str
    host: str
    pid: int
    since: str
    token: str
    command: str = ""

    def describe(self) -> str:
        return f"{self.user}@{self.host} (pid {self.pid}, since {self.since}, `{self.command}`)"

    def encode(self) -> str:
        values = {f: _UNSAFE.sub("_", str(getattr(self, f))) for f in _FIELDS}
        return VERSION + " " + " ".join(f"{f}={values[f]}" for f in _FIELDS)

    def age(self, now: datetime) -> timedelta | None:
        try:
            start = datetime.strptime(self.since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return now - start


def decode(text: str) -> DeviceHolder | None:
    """The holder of a marker line; None when the line is not one (torn, foreign)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if not line.startswith(VERSION + " "):
        return None
    rest = line[len(VERSION) + 1 :]
    head, sep, command = rest.partition(" command=")
    fields = dict(p.split("=", 1) for p in head.split() if "=" in p)
    try:
        return DeviceHolder(
            fields["site"],
            fields["user"],
            fields["host"],
            int(fields["pid"]),
            fields["since"],
            fields["token"],
            command if sep else "",
        )
    except (KeyError, ValueError):
        return None


def me(site: str, command: str, token: str, pid: int | None = None) -> DeviceHolder:
    """This run as a holder (pid: the process whose life the lock follows; this one)."""
    user, _, host = audit.who().partition("@")
    return DeviceHolder(site, user, host, pid or os.getpid(), audit.now(), token, command)


def new_token() -> str:
    return secrets.token_hex(6)


def stale_reason(holder: DeviceHolder | None, pending: bool, now: datetime) -> str:
    """Why the lock is stale, or "" when it is held.

    Stale: its holder ran on this machine and its process is gone; or, with no revert timer
    pending (a pending timer counts as held: a change waits for its confirm), the marker is
    older than STALE_AFTER or has no holder line (its writer died while taking it).
    """
    here = holder is not None and holder.host == socket.gethostname() and holder.pid > 0
    if holder is not None and here and not pid_alive(holder.pid):
        return f"its process {holder.pid} no longer runs on {holder.host}"
    if pending:
        return ""
    if holder is None:
        return "the marker has no holder line (its writer died while taking it)"
    age = holder.age(now)
    if age is not None and age > STALE_AFTER:
        hours = STALE_AFTER.total_seconds() / 3600
        return f"it is older than {hours:g} hours and no revert timer is pending"
    return ""


def lock_device(managed: Sequence[Managed], site: str) -> Managed | None:
    """The device of the run that holds the site's lock: its WAN router, else the first other
    device whose platform holds a marker (cisco_ios, linux_router)."""
    mine = [m for m in managed if m.site.slug == site]
    lockable = [m for m in mine if m.target.platform in (Platform.CISCO_IOS, Platform.LINUX_ROUTER)]
    routers = [m for m in lockable if m.device.role is Role.WAN_ROUTER]
    chosen = routers or lockable
    return chosen[0] if chosen else None


@dataclass(frozen=True)
class Taken:
    """A lock this run took (or already had: ``fresh`` False), and the stale one it replaced."""

    managed: Managed
    holder: DeviceHolder
    fresh: bool
    replaced: DeviceHolder | None = None
    replaced_reason: str = ""


def take(
    m: Managed,
    holder: DeviceHolder,
    *,
    take_over: bool = False,
    driver: Driver | None = None,
) -> Taken | None:
    """Take the site's lock on m; None when m's driver holds no marker. driver: a session
    to m the caller holds (the site transaction's), else one of its own.

    Raises DeviceLockHeld naming the holder when another run holds it, or when it is stale and
    take_over is not given.
    """
    with session(m, driver) as conn:
        if not isinstance(conn, DeviceLocking):
            return None
        return _take(conn, m, holder, take_over)


def _take(driver: DeviceLocking, m: Managed, holder: DeviceHolder, take_over: bool) -> Taken:
    device = m.device.hostname
    replaced: DeviceHolder | None = None
    reason = ""
    for _attempt in range(4):
        if driver.take_lock(holder.encode()):
            if replaced is None and not take_over and driver.revert_pending():
                driver.release_lock()
                raise DeviceLockHeld(
                    f"site {holder.site}: a change on {device} waits for its confirm "
                    "(a revert timer is pending: `show archive config rollback timer`); "
                    "nothing was done",
                    "let it be confirmed or revert by itself; if no run of yours is "
                    f"behind it: rollout site {holder.site} --take-over",
                )
            return Taken(m, holder, True, replaced, reason)
        text = _settled(driver)
        if text is None:
            continue  # released meanwhile: try again
        found = decode(text)
        if found is not None and found.token == holder.token:
            return Taken(m, holder, False)
        reason = stale_reason(found, driver.revert_pending(), datetime.now(UTC))
        who = found.describe() if found else "an unfinished marker"
        if not reason:
            raise DeviceLockHeld(
                f"site {holder.site} is being rolled out by {who} (lock on {device}); "
                "nothing was done",
                f"wait for that run to end; `rollout audit --site {holder.site}` shows it",
            )
        if not take_over:
            raise DeviceLockHeld(
                f"site {holder.site}: the lock on {device} held by {who} looks stale "
                f"({reason}); nothing was done",
                f"check with its owner, then take it over: rollout site {holder.site} --take-over",
            )
        driver.release_lock()
        replaced = found or replace(holder, user="?", host="?", pid=0, command="")
    raise DeviceLockHeld(f"could not take the lock of {holder.site} on {device}", "try again")


def _settled(driver: DeviceLocking) -> str | None:
    """The marker's text, waiting a little for one whose writer has not written it yet."""
    deadline = time.monotonic() + TORN_WAIT
    while True:
        text = driver.lock_holder()
        if text != "" or time.monotonic() >= deadline:
            return text
        time.sleep(0.2)


def release(m: Managed, token: str, *, driver: Driver | None = None) -> bool:
    """Remove the site's marker on m if this run (token) holds it; True when removed."""
    with session(m, driver) as conn:
        if not isinstance(conn, DeviceLocking):
            return False
        found = decode(conn.lock_holder() or "")
        if found is None or found.token != token:
            return False
        conn.release_lock()
        return True


def audit_takeover(root: Path | None, taken: Taken) -> None:
    if taken.replaced is None:
        return
    audit.record(
        root,
        "device-lock-takeover",
        sites=[taken.holder.site],
        devices=[taken.managed.device.hostname],
        result="ok",
        detail=f"stale lock of {taken.replaced.describe()}: {taken.replaced_reason}",
    )


LOCK_WORKERS = 16
"""Sites whose locks are taken (and released) at once: a take never waits for another
holder (it succeeds or is refused at once), so the order cannot deadlock two runs; one
device session each, the province's 100 sites in a few seconds rather than one by one."""


def take_all(
    managed: Sequence[Managed],
    sites: Sequence[str],
    command: str,
    token: str,
    take_over: bool,
    *,
    pid: int | None = None,
) -> list[tuple[str, Managed, Taken | None, BaseException | None]]:
    """Every site's lock, taken in parallel; per site (sorted) what came back or the error.
    pid: the process whose life the locks follow (default this one)."""
    import netmiko  # noqa: F401  (imported once before the threads; see collect_devices)

    targets = [(site, m) for site in sorted(set(sites)) if (m := lock_device(managed, site))]
    if not targets:
        return []

    def one(site: str, m: Managed) -> tuple[Taken | None, BaseException | None]:
        try:
            return take(m, me(site, command, token, pid), take_over=take_over), None
        except (RolloutError, OSError) as exc:
            return None, exc

    with ThreadPoolExecutor(max_workers=min(LOCK_WORKERS, len(targets))) as pool:
        futures = [(site, m, pool.submit(one, site, m)) for site, m in targets]
        return [(site, m, *f.result()) for site, m, f in futures]


def release_all(held: Sequence[Taken], token: str) -> None:
    """Remove every lock held (in parallel); a failure is audited, never raised."""

    def one(taken: Taken) -> None:
        try:
            release(taken.managed, token)
        except RolloutError as exc:
            audit.record(
                taken.managed.root,
                "device-unlock",
                sites=[taken.holder.site],
                devices=[taken.managed.device.hostname],
                result="failed",
                detail=str(exc),
            )

    if held:
        with ThreadPoolExecutor(max_workers=min(LOCK_WORKERS, len(held))) as pool:
            list(pool.map(one, held))


@contextmanager
def hold(
    managed: Sequence[Managed],
    sites: Sequence[str],
    command: str,
    *,
    take_over: bool = False,
    on_takeover: Callable[[Taken], None] | None = None,
) -> Iterator[str]:
    """Hold every site's device lock (taken at once, `LOCK_WORKERS` sites in parallel; a take
    never waits, so two runs never deadlock); yields the run's token (the Ansible tasks find
    the lock theirs with it). Released on the way out; when any site's lock is refused, the
    locks already taken are released and the first refusal (in site order) is raised."""
    token = new_token()
    held: list[Taken] = []
    try:
        refused: BaseException | None = None
        for _site, m, taken, error in take_all(managed, sites, command, token, take_over):
            if error is not None:
                refused = refused or error
                continue
            if taken is None:
                continue
            held.append(taken)
            audit_takeover(m.root, taken)
            if taken.replaced is not None and on_takeover is not None:
                on_takeover(taken)
        if refused is not None:
            raise refused
        yield token
    finally:
        release_all(held, token)
