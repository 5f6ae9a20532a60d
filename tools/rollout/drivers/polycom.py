"""Polycom Group Series over its SSH API (Netmiko): keyed diff, settings pushed in windows.

The codec has no revert timer: a failed rollout puts back the settings read in the backup.
The configuration's text form is the API command list, the same form the template renders.

The admin password is the login. When the vault's intended one is refused and the vault holds
the previous one (`Target.previous_password`), the session logs in with that, the running text
says so (`ROTATION_DUE`) and the plan starts with the change (``setpassword``); the push sends
it first and goes on in a new session with the new password. A rollback never changes the
password back (docs/codec.md, "Secrets").
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rollout.drivers import polycom_api as api
from rollout.drivers.base import DeviceError, ErrorKind, Pending, Plan, Target
from rollout.drivers.session import open_session, session_lost

# Commands written at once in a push (one window, then its replies). The codec answers commands
# in order, each reply ending with its prompt (as the batched read relies on); how many lines a
# real codec's API takes ahead of its replies is unconfirmed (docs/performance.md, "The codec's
# push in windows").
PUSH_WINDOW = 8

# '<name> set <value>' (top-level commands) is turned into the reply form '<name> <value>';
# 'systemsetting <name> <value>' already is in it. The old wrong 'systemsetting set <name> <v>'
# (backups written before the syntax was corrected) still parses into the same key.
_SET = re.compile(r"^(systemsetting\s+)?(\S+)\s+set(?:\s+(.*))?$")


def parse_commands(text: str) -> dict[str, str]:
    """A command list ('h323name set "x"', 'usegatekeeper specify') as keyed settings."""
    replies = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SET.match(line)
        if match:
            prefix, name, value = match.groups()
            line = f"{prefix or ''}{name} {value or '<empty>'}"
        replies.append(line)
    return api.parse_settings("\n".join(replies))


ROTATION_DUE = "# admin password: the previous one logs in (the change is planned)"
"""First line of the running text while the codec takes only the vault's previous password."""
PASSWORD_COMMAND = "setpassword "
_PASSWORD_SHOWN = "setpassword admin room ******** ********"


def rotation_due(text: str) -> bool:
    """True when a running (or backup) text was read over the previous admin password."""
    return ROTATION_DUE in text.splitlines()


def _key_of(command: str) -> str:
    """The canonical key a write command sets ('' when it sets none we know)."""
    keys = list(parse_commands(command))
    return keys[0] if keys else ""


def _shown(command: str) -> str:
    """A command as it may be shown: a secret setting's value masked."""
    if command.startswith(PASSWORD_COMMAND):
        return _PASSWORD_SHOWN
    key = _key_of(command)
    if key in api.SECRET_KEYS:
        return " ".join([*command.split()[:2], "********"])
    return command


def _known_hosts_moved(target: Target, old: str, new: str, folder: Path) -> Path:
    """A known-hosts file where the entries for old:port are also entries for new:port."""

    def field(host: str) -> str:
        return host if target.port == 22 else f"[{host}]:{target.port}"

    moved = folder / "known_hosts"
    lines: list[str] = []
    if target.known_hosts is not None and target.known_hosts.is_file():
        for line in target.known_hosts.read_text(encoding="utf-8").splitlines():
            hosts, _, rest = line.partition(" ")
            if field(old) in hosts.split(","):
                lines.append(f"{field(new)} {rest}")
    moved.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return moved


def codec_session(target: Target) -> tuple[Any, bool]:
    """An API session, logged in with the intended admin password or, when the codec refuses
    it and the vault holds one, with the previous one (then True: a rotation is due).

    What any session with the codec should open (the driver; a reader such as diagnose may too),
    so that it still reaches a codec whose rotation has not been pushed yet."""
    previous = target.previous_password
    try:
        return open_session(target, api.DEVICE_TYPE), False
    except DeviceError as exc:
        if exc.kind is not ErrorKind.AUTH or not previous:
            raise
    try:
        return open_session(replace(target, password=previous), api.DEVICE_TYPE), True
    except DeviceError as exc:
        if exc.kind is ErrorKind.AUTH:
            raise DeviceError(
                target.name,
                "connect",
                "authentication failed with the intended admin password and with the previous one",
                "the codec holds neither vault value: set its admin password at the codec, "
                "or put the one it holds in the vault as the previous password",
                kind=ErrorKind.AUTH,
            ) from None
        raise


def managed_keys() -> list[str]:
    return [
        s.key for s in api.SETTINGS if s.key not in api.STATUS_KEYS and s.key not in api.SECRET_KEYS
    ]


def polycom_plan(device: str, running: str, intended: str) -> Plan:
    from rollout.inventory.model import Platform

    want = parse_commands(intended)
    if want.get("dhcp") == "client":  # the DHCP server owns address, mask, gateway, DNS then
        want = {k: v for k, v in want.items() if k not in api.DHCP_OWNED}
    have = parse_commands(running)
    changes = api.keyed_diff(have, want)
    commands = api.settings_commands({c.key: c.new for c in changes})
    return Plan(device=device, platform=Platform.POLYCOM, commands=tuple(commands))


def _complete(buffer: str, commands: list[str]) -> bool:
    """Every command answered: as many prompts as commands, the last after the last echo."""
    if buffer.count(f"{api.PROMPT} ") < len(commands) or not buffer.endswith(f"{api.PROMPT} "):
        return False
    last = buffer.rfind(commands[-1]) if commands else 0
    return last >= 0 and buffer.find(f"{api.PROMPT} ", last) >= 0


class PolycomDriver:
    """A Polycom Group Series codec over its SSH API.

    It holds no rollout lock (no drivers.base.DeviceLocking): its API has no file a marker
    could live in, and none is needed, since the lock of a site sits on the site's WAN router,
    which every rollout of the site goes through (docs/reliability.md, "Locks").
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self._conn: Any = None
        self._moved: tempfile.TemporaryDirectory[str] | None = None
        self._previous_login = False  # this session logged in with the previous password

    def connect(self) -> None:
        self._conn, self._previous_login = codec_session(self.target)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, EOFError):
                self._conn.disconnect()
            self._conn = None

    @property
    def conn(self) -> Any:
        if self._conn is None:
            self.connect()
        return self._conn

    def _run(self, step: str, commands: list[str]) -> str:
        """Write commands PUSH_WINDOW at a time, each window's replies read until its last
        prompt, stopping at the first window with a refused command (a command after it in
        the same window may have been applied: the rollback puts the backup back either way).

        One write per window instead of one `send_command` round trip per command (~35 ms
        each on the lab: Netmiko's echo check, then the prompt, each polled).
        """
        out = []
        for first in range(0, len(commands), PUSH_WINDOW):
            window = commands[first : first + PUSH_WINDOW]
            out.append(self._exchange(step, window, shown=_shown))
        return "\n".join(out)

    def _read(self, step: str, commands: list[str]) -> str:
        """Read-only commands in one write; replies are read until the last prompt.

        The API answers commands in order, each reply ending with the ``-> `` prompt, so one
        round trip replaces one per command (32 for a full read: ~1.1 s -> ~0.05 s).
        """
        return self._exchange(step, commands, shown=str)

    def _exchange(self, step: str, commands: list[str], *, shown: Callable[[str], str]) -> str:
        """Write commands in one write, read until every reply's prompt came back, and fail
        on the first reply that is an API error (the command named as ``shown`` gives it)."""
        from netmiko.exceptions import NetmikoBaseException

        deadline = time.monotonic() + self.target.timeout * max(1, len(commands) // 8)
        buffer = ""
        try:
            conn = self.conn
            conn.write_channel("".join(f"{c}{conn.RETURN}" for c in commands))
            while not _complete(buffer, commands):
                chunk = conn.read_channel()
                if chunk:
                    buffer += chunk.replace("\r\n", "\n")
                    continue
                if time.monotonic() > deadline:
                    raise DeviceError(
                        self.target.name,
                        step,
                        f"no complete answer within {self.target.timeout:g} s "
                        f"({buffer.count(api.PROMPT)} of {len(commands)} replies)",
                        "the codec is slow or overloaded; raise --timeout",
                        kind=ErrorKind.TIMEOUT,
                    )
                time.sleep(0.005)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(self.target.name, step, exc) from None
        replies = buffer[buffer.find(commands[0]) if commands else 0 :].split(f"{api.PROMPT} ")
        for command, reply in zip(commands, replies, strict=False):
            errors = api.api_errors(reply)
            if errors:
                raise DeviceError(
                    self.target.name,
                    step,
                    f"the codec refused {shown(command)!r}: {errors[0]}",
                    kind=ErrorKind.REFUSED,
                )
        return buffer

    def running_config(self) -> str:
        settings = api.parse_settings(
            self._read("read settings", api.read_commands(managed_keys()))
        )
        text = "\n".join(api.settings_commands(settings)) + "\n"
        return f"{ROTATION_DUE}\n{text}" if self._previous_login else text

    def plan(self, running: str, intended: str) -> Plan:
        """The settings that differ; first the password change when running was read over the
        previous password and intended was not (a rollback never changes it back)."""
        plan = polycom_plan(self.target.name, running, intended)
        previous = self.target.previous_password
        if not (rotation_due(running) and not rotation_due(intended) and previous):
            return plan
        try:
            change = api.password_command(previous, self.target.password)
        except ValueError:
            raise DeviceError(
                self.target.name,
                "plan",
                "the vault's codec admin password cannot be sent through the API "
                "(it holds a double quote or a line break)",
                "choose another value with `ansible-vault edit` and plan again",
            ) from None
        return replace(plan, commands=(change, *plan.commands))

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        """A password change first (then a new session), every other setting next, the network
        settings last, the address the very last.

        When the plan moves the codec to another address and this session runs over the old
        one, the address command is sent without waiting for its answer, and the driver
        reconnects to the new address (same host key) and reads the address back. A move
        the session cannot follow (it runs over neither address: NAT, a jump host) is refused
        before anything is sent.
        """
        commands = [c for c in plan.commands if not c.startswith(PASSWORD_COMMAND)]
        for change in [c for c in plan.commands if c.startswith(PASSWORD_COMMAND)]:
            self._rotate(change)
        network = [c for c in commands if _key_of(c) in api.NETWORK_KEYS]
        others = [c for c in commands if c not in network]
        move = self._address_move(network)
        self._run("push", others)
        if move is None:
            self._run("push network", network)
            return
        old, new = move
        address = network.pop()  # SETTINGS order: the address command is the last one
        self._run("push network", network)
        self._send_without_answer(address)
        self.close()
        self._follow(old, new)

    def _rotate(self, change: str) -> None:
        """Send the password change, then log in again: only the new password may open it."""
        self._run("push password", [change])
        self.close()
        self.connect()
        if self._previous_login:
            raise DeviceError(
                self.target.name,
                "verify password",
                "the codec answered the password change but still takes only the previous "
                "password (nothing else was sent)",
                "log in with the previous password and set the admin password at the codec",
                kind=ErrorKind.AUTH,
            )

    def _address_move(self, network: list[str]) -> tuple[str, str] | None:
        """(old, new) when the plan moves the address this session runs over; else None."""
        new = parse_commands("\n".join(network)).get(api.ADDRESS_KEY)
        if new is None:
            return None
        read = self._read("read address", api.read_commands([api.ADDRESS_KEY]))
        old = api.parse_settings(read).get(api.ADDRESS_KEY, "")
        host = self.target.host
        if new in (old, host):
            return None
        if host == old:
            return old, new
        raise DeviceError(
            self.target.name,
            "plan",
            f"the plan moves the codec from {old or 'no address'} to {new}, but this session "
            f"runs over {host}, which is neither: it could not follow the codec (nothing was sent)",
            f"reach the codec at its current address {old or '(see its screen)'}, or set {new} "
            "at the codec itself, then run the rollout again",
        )

    def _send_without_answer(self, command: str) -> None:
        from netmiko.exceptions import NetmikoBaseException

        try:
            self.conn.write_channel(command + self.conn.RETURN)
            time.sleep(0.2)
        except (NetmikoBaseException, OSError, EOFError):
            return  # the codec left the old address as it should

    def _follow(self, old: str, new: str) -> None:
        """Reconnect at the new address (the host key recorded for the old one) and verify."""
        # The moved known-hosts file lives as long as this driver (later steps reconnect).
        self._moved = tempfile.TemporaryDirectory(prefix="rollout-codec-")
        known = _known_hosts_moved(self.target, old, new, Path(self._moved.name))
        self.target = replace(self.target, host=new, known_hosts=known)
        deadline = time.monotonic() + self.target.timeout
        while True:
            try:
                self.connect()
                break
            except DeviceError as exc:
                if time.monotonic() > deadline:
                    raise DeviceError(
                        self.target.name,
                        "reconnect",
                        f"the codec took its new address {new} but does not answer there "
                        f"({exc.message})",
                        f"reach it at {new} from the management network, or at the site; "
                        "set mgmt_address in the site file to where it answers",
                        kind=exc.kind,
                    ) from None
                time.sleep(0.5)
        read = self._read("verify address", api.read_commands([api.ADDRESS_KEY]))
        got = api.parse_settings(read).get(api.ADDRESS_KEY, "")
        if got != new:
            raise DeviceError(
                self.target.name,
                "verify",
                f"the codec answers at {new} but reports the address {got or 'none'}",
                "check the codec's LAN settings at the site",
            )

    def confirm(self) -> None:
        """Nothing to confirm: the codec applies settings at once."""

    def rollback(self, backup: str) -> None:
        plan = self.plan(self.running_config(), backup)
        self.commit(plan, 0)  # the same order and address staging as a rollout

    def save(self) -> None:
        """Settings persist on the codec as they are set."""

    def pending(self) -> Pending | None:
        """Never: the codec has no revert timer (a set value is kept at once), so an
        unconfirmed change on it is known only from the rollout's journal."""
        return None

    def verify(self) -> None:
        """Verified: registered with the gatekeeper and the SIP registrar (its own status)."""
        missing = self.registration_problems()
        if missing:
            raise DeviceError(
                self.target.name,
                "verify",
                f"the codec is not registered: {', '.join(missing)}",
                "check the gatekeeper/registrar addresses and the path to the hub",
            )

    def registration_problems(self) -> list[str]:
        """What is not registered, from the codec's own status ('' when all is well)."""
        status = api.parse_settings(self._read("read status", api.read_commands(api.STATUS_KEYS)))
        problems = []
        for key, what in (("status.gatekeeper", "H.323 gatekeeper"), ("status.sipserver", "SIP")):
            value = status.get(key, "")
            if value and value.lower() not in {"online", "registered", "on", "up"}:
                problems.append(f"{what} {value}")
        return problems
