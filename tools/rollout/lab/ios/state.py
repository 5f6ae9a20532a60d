"""Shared state of one simulated IOS router or switch (what every session sees)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self

from rollout.hardware import MODELS
from rollout.lab.ios import passwords
from rollout.lab.ios.config import ConfigTree, Node, default_children, is_physical
from rollout.lab.ios.editor import parse_config
from rollout.lab.ios.network import NetworkModel
from rollout.lab.ios.render import render_body
from rollout.lab.ios.rules import NUMBERED_ACL_TRAINS, OLD_FORM_TRAINS, TRAIN_FORMS
from rollout.lab.ios.users import UserEntry, parse_user

Listener = Callable[[str, "DeviceState"], None]
"""Called with an event name and the device: ``config-changed``, ``saved``, ``reverted``,
``confirmed``, ``archived``, ``replaced``. Revert timers fire on a timer thread."""

EVENTS = ("config-changed", "saved", "reverted", "confirmed", "archived", "replaced")
NVRAM_SIZE = 262136
FLASH_SIZE = 256487424


def _utcnow() -> datetime:
    return datetime.now(UTC)


def ios_time(ts: datetime) -> str:
    """``10:00:00 UTC Mon Jan 1 2024`` as IOS prints it."""
    return f"{ts:%H:%M:%S} UTC {ts:%a %b} {ts.day} {ts.year}"


@dataclass(slots=True)
class FlashFile:
    content: str
    mtime: datetime


@dataclass(frozen=True, slots=True)
class SlaResult:
    """What the simulated network does to one IP SLA operation.

    ``show ip sla statistics`` derives every figure from these (packet counts, one-way
    latency, loss periods, over-threshold counts, and ICPIF/MOS for an operation configured
    with a ``codec``), so the output stays self-consistent. ``mos`` overrides the voice score
    the simulator would compute.
    """

    rtt_ms: int = 12
    jitter_ms: int = 1
    loss_percent: float = 0.0
    mos: float | None = None
    successes: int = 5
    failures: int = 0
    return_code: str = "OK"


class DeviceState:
    """One simulated device: running/startup config, flash, archive, users, revert timer.

    Construction is cheap: the configuration text is parsed on first use.
    """

    def __init__(
        self,
        config: str = "",
        *,
        model: str = "CISCO2911/K9",
        lab_password: str | None = None,
        now: Callable[[], datetime] = _utcnow,
        minute_seconds: float = 60.0,
        serial: str = "FTX1840AL0K",
        saved: bool = True,
    ) -> None:
        self.model = model
        self.serial = serial
        self.lab_password = lab_password
        self.now = now
        self.minute_seconds = minute_seconds
        self.lock = threading.RLock()
        self.boot_time = now()
        self._text: str | None = config
        self._tree: ConfigTree | None = None
        self.load_errors: list[str] = []
        self.startup: str | None = None
        self._startup_pending = saved
        self.flash: dict[str, FlashFile] = {}
        self.flash_dirs: set[str] = set()
        """Directories made with mkdir (rollout.lab.ios.exec_lock); files in them: 'dir/name'."""
        self.archive: list[str] = []
        self._archive_next = 0
        self._listeners: list[Listener] = []
        self._revert: tuple[str, threading.Timer, float] | None = None
        self.revert_shown: tuple[datetime, float, str] | None = None
        """What ``show archive config rollback timer`` prints of the pending revert: when it
        was (re)configured, its minutes and the user who started it."""
        self.sla_results: dict[str, SlaResult] = {}
        self.network = NetworkModel(now)
        """The lab's conditions on this device and its counters (rollout.lab.ios.network)."""
        self.last_change: tuple[datetime, str] | None = None
        self.generation = 0
        """Bumped whenever the running config is replaced as a whole (revert, replace)."""

    @classmethod
    def from_config(
        cls,
        text: str,
        *,
        model: str = "CISCO2911/K9",
        lab_password: str | None = None,
        now: Callable[[], datetime] = _utcnow,
        minute_seconds: float = 60.0,
        saved: bool = True,
    ) -> Self:
        """A device whose running (and, with ``saved``, startup) config is ``text``."""
        return cls(
            text,
            model=model,
            lab_password=lab_password,
            now=now,
            minute_seconds=minute_seconds,
            saved=saved,
        )

    # ------------------------------------------------------------ state

    @property
    def tree(self) -> ConfigTree:
        if self._tree is None:
            with self.lock:
                if self._tree is None:
                    tree, self.load_errors = parse_config(
                        self._text or "", *_hardware_tables(self.model)
                    )
                    self._tree = tree
                    self._text = None
                    if self._startup_pending:
                        self.startup = self._config_file(tree)
        return self._tree

    @property
    def hostname(self) -> str:
        return self.tree.hostname

    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        self._listeners.remove(callback)

    def emit(self, event: str) -> None:
        if event in ("config-changed", "reverted", "replaced"):
            self.network.sample(self.tree)  # the traffic follows the new config from now
        for cb in list(self._listeners):
            cb(event, self)

    def touched(self, user: str) -> None:
        """Record a configuration change (for ``! Last configuration change``)."""
        self.last_change = (self.now(), user)

    # ------------------------------------------------------------ rendering

    def running_config(self) -> str:
        """``show running-config`` text."""
        return "\n".join(self.running_config_lines())

    def running_config_lines(self) -> list[str]:
        body = self._body_lines(self.tree)
        size = sum(len(line) + 1 for line in body)
        return ["Building configuration...", "", f"Current configuration : {size} bytes", *body]

    def _body_lines(self, tree: ConfigTree) -> list[str]:
        head = ["!"]
        if self.last_change is not None:
            ts, user = self.last_change
            head += [f"! Last configuration change at {ios_time(ts)} by {user}", "!"]
        return [*head, *render_body(tree), "!", "end"]

    def _config_file(self, tree: ConfigTree) -> str:
        return "\n".join(self._body_lines(tree)) + "\n"

    def config_file(self) -> str:
        """The running config as a file (what ``copy running-config`` writes)."""
        return self._config_file(self.tree)

    # ------------------------------------------------------------ users

    def users(self) -> list[UserEntry]:
        out = []
        for node in self.tree.top("username"):
            entry = parse_user(node.tokens())
            if entry is not None:
                out.append(entry)
        return out

    def user(self, name: str) -> UserEntry | None:
        return next((u for u in self.users() if u.name == name), None)

    def check_password(self, user: str, password: str) -> bool:
        """SSH password authentication against the configured ``username`` lines."""
        with self.lock:
            entry = self.user(user)
            if entry is None:
                return bool(
                    self.lab_password is not None
                    and not self.users()
                    and password == self.lab_password
                )
            ok = passwords.verify(entry.kind, entry.secret, password)
            if ok is None:
                return self.lab_password is not None and password == self.lab_password
            return ok

    def enable_required(self) -> bool:
        return bool(self.tree.top("enable secret") or self.tree.top("enable password"))

    def check_enable(self, password: str) -> bool:
        for prefix in ("enable secret", "enable password"):
            for node in self.tree.top(prefix):
                toks = node.tokens()[2:]
                if toks and toks[0] == "level":
                    toks = toks[2:]
                kind, secret = (toks[0], toks[1]) if len(toks) > 1 else ("", toks[0])
                ok = passwords.verify(kind, secret, password)
                if ok is None:
                    ok = self.lab_password is not None and password == self.lab_password
                return ok
        return True

    # ------------------------------------------------------------ flash / archive

    @staticmethod
    def flash_name(url: str) -> str | None:
        for prefix in ("flash:", "flash0:", "bootflash:", "disk0:"):
            if url.startswith(prefix):
                return url[len(prefix) :].lstrip("/")
        return None

    def read_url(self, url: str) -> str | None:
        if url in {"nvram:startup-config", "startup-config"}:
            return self.startup
        if url in {"system:running-config", "running-config"}:
            return self.config_file()
        name = self.flash_name(url)
        if name is not None and name in self.flash:
            return self.flash[name].content
        return None

    def write_flash(self, name: str, content: str) -> None:
        self.flash[name] = FlashFile(content, self.now())

    def archive_settings(self) -> tuple[str | None, int, bool]:
        node = self.tree.find("archive")
        path: str | None = None
        maximum = 10
        write_memory = False
        if node is not None and node.children is not None:
            for c in node.children:
                toks = c.tokens()
                if toks[0] == "path" and len(toks) > 1:
                    path = toks[1]
                elif toks[0] == "maximum" and len(toks) > 1 and toks[1].isdigit():
                    maximum = int(toks[1])
                elif toks[0] == "write-memory":
                    write_memory = True
        return path, maximum, write_memory

    def next_archive_name(self, *, timestamp: bool = True) -> str | None:
        path, _maximum, _wm = self.archive_settings()
        if path is None:
            return None
        ts = self.now()
        stamp = f"{ts:%b}-{ts.day:>2}-{ts:%H-%M-%S}.{ts.microsecond // 1000:03d}".replace(" ", "-")
        name = path.replace("$h", self.hostname)
        name = name.replace("$t", stamp if timestamp else "<timestamp>")
        return f"{name}-{self._archive_next}"

    def archive_config(self) -> str | None:
        """``archive config``: snapshot the running config; None without ``archive path``."""
        with self.lock:
            url = self.next_archive_name()
            if url is None:
                return None
            _path, maximum, _wm = self.archive_settings()
            self._archive_next += 1
            fname = self.flash_name(url)
            if fname is not None:
                self.write_flash(fname, self.config_file())
            self.archive.append(url)
            if len(self.archive) > maximum:
                old = self.archive.pop(0)
                old_name = self.flash_name(old)
                if old_name is not None:
                    self.flash.pop(old_name, None)
            self.emit("archived")
            return url

    # ------------------------------------------------------------ save / replace

    def save(self) -> None:
        """``write memory``."""
        with self.lock:
            self.startup = self.config_file()
            if self.archive_settings()[2]:
                self.archive_config()
            self.emit("saved")

    def replace(self, text: str, *, event: str = "replaced") -> None:
        """Replace the running config with a complete configuration file."""
        with self.lock:
            old = self.tree
            new, _errors = parse_config(
                text, old.port_order, old.port_defaults, old.old_forms, old.numbered_acls
            )
            names = {c.text for c in new.root.children or ()}
            for c in old.root.children or ():
                toks = c.tokens()
                if toks[0] == "interface" and is_physical(toks[1]) and c.text not in names:
                    node = Node(c.text, c.mode, c.order)
                    node.children = default_children(old.physical_defaults(toks[1]), "config-if")
                    children = new.root.children
                    assert children is not None
                    idx = len(children)
                    while idx > 0 and children[idx - 1].order > node.order:
                        idx -= 1
                    children.insert(idx, node)
            new.learned_negations.update(old.learned_negations)
            new.version = old.version + 1
            self._tree = new
            self.generation += 1
            self.touched("console")
            self.emit(event)

    # ------------------------------------------------------------ revert timer

    @property
    def revert_pending(self) -> bool:
        return self._revert is not None

    def revert_remaining(self) -> float:
        """Seconds (real time) before the pending revert fires; 0 when none is pending."""
        if self._revert is None:
            return 0.0
        return max(0.0, self._revert[2] - time.monotonic())

    def start_revert(self, minutes: float, user: str = "console") -> str | None:
        """Archive the running config and arm the revert timer; None without an archive."""
        with self.lock:
            if self._revert is not None:
                self.set_revert_timer(minutes)
                return self._revert[0]
            url = self.archive_config()
            if url is None:
                return None
            self._arm(url, minutes)
            self.revert_shown = (self.now(), minutes, user)
            return url

    def _arm(self, url: str, minutes: float) -> None:
        seconds = minutes * self.minute_seconds
        timer = threading.Timer(seconds, self._fire, args=(url,))
        timer.daemon = True
        self._revert = (url, timer, time.monotonic() + seconds)
        timer.start()

    def set_revert_timer(self, minutes: float) -> bool:
        with self.lock:
            if self._revert is None:
                return False
            url, timer, _deadline = self._revert
            timer.cancel()
            self._arm(url, minutes)
            user = self.revert_shown[2] if self.revert_shown else "console"
            self.revert_shown = (self.now(), minutes, user)
            return True

    def confirm(self) -> bool:
        """``configure confirm``: keep the changes; False when nothing was pending."""
        with self.lock:
            if self._revert is None:
                return False
            self._revert[1].cancel()
            self._revert = None
            self.revert_shown = None
            self.emit("confirmed")
            return True

    def revert_now(self) -> bool:
        with self.lock:
            if self._revert is None:
                return False
            url, timer, _deadline = self._revert
            timer.cancel()
            self._rollback(url)
            return True

    def _fire(self, url: str) -> None:
        with self.lock:
            if self._revert is None or self._revert[0] != url:
                return
            self._rollback(url)

    def _rollback(self, url: str) -> None:
        self._revert = None
        self.revert_shown = None
        text = self.read_url(url)
        if text is not None:
            self.replace(text, event="reverted")

    def close(self) -> None:
        """Cancel timers (tests, server shutdown)."""
        with self.lock:
            if self._revert is not None:
                self._revert[1].cancel()
                self._revert = None

    # ------------------------------------------------------------ IP SLA

    def set_sla_result(self, operation: int | str, result: SlaResult) -> None:
        """What the network does to an operation (``"*"``: every operation without its own)."""
        self.sla_results[str(operation)] = result

    def sla_result(self, operation: str) -> SlaResult:
        """The result ``show ip sla statistics`` reports for ``operation``."""
        return self.sla_results.get(operation) or self.sla_results.get("*") or SlaResult()


def _hardware_tables(
    model: str,
) -> tuple[dict[str, int], dict[str, tuple[str, ...]], tuple[int, ...], bool]:
    """Port order, reset state, train spellings and ACL numbering of a supported model."""
    hw = MODELS.get(model)
    if hw is None:
        return {}, {}, (), False
    order = {name: i for i, name in enumerate(hw.ports)}
    defaults = {name: hw.port_defaults(name) or () for name in hw.ports}
    old = (hw.os.value, hw.role) in OLD_FORM_TRAINS
    numbered = (hw.os.value, hw.version) in NUMBERED_ACL_TRAINS
    return order, defaults, tuple(range(len(TRAIN_FORMS))) if old else (), numbered
