"""Cisco IOS over SSH (Netmiko): plan with hier_config, commit with archive revert timer."""

from __future__ import annotations

import contextlib
import re
from typing import Any, NamedTuple

from rollout.drivers import ios_canon, ios_refuse, ios_rules, ios_scope, ios_sections, ios_sla
from rollout.drivers.base import DeviceError, ErrorKind, Pending, Plan, Target
from rollout.drivers.ios_lock import IosLock
from rollout.drivers.ios_same import same_config
from rollout.drivers.ios_sections import Node, render
from rollout.drivers.session import open_session, send_config_lines, session_lost


def ios_plan(
    device: str, running: str, intended: str, login_user: str = "", *, whole: bool = False
) -> Plan:
    """The commands that bring an IOS device's owned configuration to the intended one.

    Both texts are parsed the way IOS merges them (ios_sections), put in the form IOS shows
    (ios_canon), and the running one cut to the scope rollout owns (ios_scope): the rest is
    reported in `Plan.unmanaged`, never touched. A plan that would send a refused change
    (ios_refuse) or leave configuration mode stops with a DeviceError.

    With ``whole`` (a rollback to a backup of the same device) nothing is cut: the intended
    text is the device's whole former configuration, so every line since added goes too.
    """
    from rollout.inventory.model import Platform

    c = compared(device, running, intended, whole=whole)
    run_text, want_text = c.running, c.intended
    have_banners, want_banners, unmanaged = c.running_banners, c.intended_banners, c.unmanaged
    if same_config(run_text, want_text):
        # hier_config would build the same two trees and find nothing to send (a converged
        # device, the nightly case): skip building them (tools/rollout/drivers/ios_same.py).
        commands: list[str] = []
    else:
        commands = remediation(run_text, want_text, intended, device)
        commands = ios_rules.set_defaults(commands, c.defaults)
    changed_banners = banner_commands(have_banners, want_banners)
    if changed_banners and not commands:
        commands = changed_banners + ios_rules.write_only(intended)
    else:
        commands += changed_banners
    intent_lines = {line.strip() for line in want_text.splitlines()}
    commands = ios_refuse.replaced(commands, intent_lines)
    ios_refuse.check(device, commands, intent_lines, login_user)
    check_modes(device, commands)
    return Plan(
        device=device,
        platform=Platform.CISCO_IOS,
        commands=tuple(commands),
        unmanaged=tuple(unmanaged),
    )


LINE = re.compile(r"^line (?:con|console|aux|vty) ")


class Compared(NamedTuple):
    """The two texts hier_config compares (merged, canonical, scoped) and what is set apart."""

    running: str
    intended: str
    running_banners: dict[str, str]
    intended_banners: dict[str, str]
    unmanaged: list[str]
    defaults: set[tuple[str, str]]
    """The defaults the intent sets and the comparison hides (ios_canon.hidden_defaults)."""


def compared(device: str, running: str, intended: str, *, whole: bool = False) -> Compared:
    """Both configurations as the planner compares them (see ios_plan)."""
    want, have = _trees(device, intended, running)
    defaults = ios_canon.hidden_defaults(_merged(intended))
    unmanaged: list[str] = []
    if not whole:
        have, unmanaged = ios_scope.split(have, want)
    else:
        # A terminal line cannot be deleted (ios_refuse): one the backup does not show is
        # reset to its defaults instead, as an empty section of the intended tree.
        shown = {n.text for n in want}
        want = want + [Node(n.text) for n in have if LINE.match(n.text) and n.text not in shown]
    want = ios_canon.satisfied(want, have)
    have = ios_canon.silent_off(have, want)
    want_banners, want = _banners(want)
    have_banners, have = _banners(have)
    return Compared(render(have), render(want), have_banners, want_banners, unmanaged, defaults)


def _merged(text: str) -> list[Node]:
    """The text merged as IOS merges it (no canonical form); [] when it cannot be parsed
    (_trees reports why)."""
    try:
        return ios_sections.parse(ios_rules.clean(text))
    except ios_sections.BannerError:
        return []


def _trees(device: str, intended: str, running: str) -> tuple[list[Node], list[Node]]:
    trees = []
    for what, text in (("intended", intended), ("running", running)):
        try:
            trees.append(ios_canon.canonical_tree(ios_sections.parse(ios_rules.clean(text))))
        except ios_sections.BannerError as exc:
            raise DeviceError(
                device,
                "plan",
                f"the {what} configuration has {exc}",
                "end the banner with the delimiter it starts with (banner motd ^C ... ^C)",
            ) from None
    return trees[0], trees[1]


def _banners(nodes: list[Node]) -> tuple[dict[str, str], list[Node]]:
    """The banners (kind -> shown text) apart from the other sections."""
    banners: dict[str, str] = {}
    rest: list[Node] = []
    for node in nodes:
        if node.is_banner:
            kind, _body = ios_sections.banner_body(node.text)
            banners[kind] = node.text
        else:
            rest.append(node)
    return banners, rest


DELIMITERS = "#%@~&$|"
"""Delimiters a banner may be typed with: the first one its text does not hold."""


def banner_commands(have: dict[str, str], want: dict[str, str]) -> list[str]:
    """Each changed banner as ONE command (embedded newlines: Netmiko sends it as typed)."""
    out: list[str] = []
    for kind in sorted(have.keys() | want.keys()):
        if have.get(kind) == want.get(kind):
            continue
        if kind not in want:
            out.append(f"no banner {kind}")
            continue
        _kind, body = ios_sections.banner_body(want[kind])
        delim = next((d for d in DELIMITERS if d not in body), None)
        if delim is None:
            raise DeviceError(
                "",
                "plan",
                f"banner {kind} holds every delimiter character ({DELIMITERS})",
                "remove one of them from the banner text",
            )
        out.append(f"banner {kind} {delim}{body}{delim}")
    return out


def remediation(run_text: str, want_text: str, intended: str, device: str = "") -> list[str]:
    """hier_config's commands from the cleaned running text to the cleaned intended text."""
    from hier_config import Platform as HPlatform
    from hier_config import WorkflowRemediation, get_hconfig

    try:
        run = get_hconfig(HPlatform.CISCO_IOS, run_text)
        want = get_hconfig(HPlatform.CISCO_IOS, want_text)
        lines = WorkflowRemediation(run, want).remediation_config.lines(sectional_exiting=True)
        commands = list(lines)
    except Exception as exc:  # hier_config's own exceptions have no common base
        where = str(exc).strip() or type(exc).__name__
        raise DeviceError(
            device,
            "plan",
            f"the configuration could not be compared ({type(exc).__name__}: {where})",
            "check the intended configuration for a line IOS would not accept as written "
            "(a section entered twice with conflicting lines, an unterminated banner)",
        ) from None
    commands = ios_rules.whole_numbered_acls(ios_rules.fix_negations(commands), want_text)
    commands = ios_rules.drop_replaced_negations(commands)
    commands = ios_rules.restore_defaults(commands, want_text)
    commands = ios_sla.restart_scheduled(commands, run_text, want_text)
    if commands:
        # IOS never shows these lines, so they never diff; assert them with any real change.
        commands += ios_rules.write_only(intended)
    return commands


EXIT_OPENS = {
    "exit-address-family": "address-family",
    "exit-peer-policy": "template peer-policy",
    "exit-peer-session": "template peer-session",
    "exit-af-topology": "topology",
    "exit-af-interface": "af-interface",
    "exit-sf-topology": "topology",
    "exit-sf-interface": "sf-interface",
    "exit-service-family": "service-family",
}


def check_modes(device: str, commands: list[str]) -> None:
    """Every exit line closes the sub-mode the plan just entered; none leaves config mode.

    A line at level L (two spaces of indentation per level, hier_config's output) runs in the
    mode entered by the last line at level L-1; a line at a lower level falls back to that
    parent mode, as IOS does with a command the current sub-mode does not know. An exit line
    at level L must therefore close the mode at depth exactly L, and never at level 0.
    """
    depth = 0
    headers: dict[int, str] = {}
    last = -1
    for command in commands:
        if "\n" in command:  # a banner: one global command
            depth, last = 0, 0
            continue
        text = command.strip()
        level = (len(command) - len(command.lstrip(" "))) // 2
        if ios_sections.EXITS.match(command):
            opener = headers.get(level - 1, "")
            wanted = EXIT_OPENS.get(text)
            if level == 0 or level != depth or (wanted and not opener.startswith(wanted)):
                raise DeviceError(
                    device,
                    "plan",
                    f"the plan's line {text!r} at level {level} would not close the mode "
                    f"entered by {opener!r} (it would leave configuration mode or the section)",
                    "report this plan: it is a planner bug",
                )
            depth = level - 1
            last = -1
            continue
        if level > depth and not (level == depth + 1 and last == depth):
            raise DeviceError(
                device,
                "plan",
                f"the plan's line {text!r} is not under the section it belongs to",
                "report this plan: it is a planner bug",
            )
        depth = level
        headers[level] = text
        last = level


def split_archive(commands: list[str]) -> tuple[list[str], list[str]]:
    """The top-level 'archive' section (with its children) apart from the other commands."""
    archive: list[str] = []
    rest: list[str] = []
    inside = False
    for line in commands:
        if not line.startswith(" "):
            inside = line == "archive"
        (archive if inside else rest).append(line)
    return archive, rest


ROLLBACK_TIMER_FIELDS = re.compile(
    r"^\s*(?P<key>Time configured[^:]*|Timer type|Timer value|User):\s*(?P<value>.*?)\s*$",
    re.MULTILINE,
)
"""``show archive config rollback timer`` (Cisco IOS Configuration Fundamentals Command
Reference, sample output: "Time configured(or reconfigured): 22:50:48 UTC Sat Feb 21 2009",
"Timer type: absolute timer", "Timer value: 2 min", "User: console"; nothing pending:
"%No Rollback Confirmed Change pending"); the same fields NAPALM reads
(napalm-automation/napalm, napalm/ios/ios.py, ``_get_pending_commits``)."""


def rollback_timer(output: str, minute_seconds: float = 60.0) -> Pending | None:
    """The pending revert timer the output shows, None when none is pending.

    The deadline is "Time configured" plus "Timer value" minutes (an absolute timer; an idle
    timer restarts with each key press, so its deadline is a lower bound), by the device's
    clock; None when the time cannot be read (an unknown time zone name).
    """
    if "No Rollback Confirmed Change pending" in output:
        return None
    fields = {
        m["key"].split("(")[0].strip(): m["value"] for m in ROLLBACK_TIMER_FIELDS.finditer(output)
    }
    if not fields:
        return None
    minutes = re.match(r"(\d+)", fields.get("Timer value", ""))
    deadline = None
    when = re.match(
        r"(\d+):(\d+):(\d+)(?:\.\d+)?\s+UTC\s+\w+\s+(\w+)\s+(\d+)\s+(\d{4})",
        fields.get("Time configured", ""),
    )
    if when and minutes:
        from datetime import UTC, datetime

        try:
            at = datetime.strptime(
                f"{when[6]} {when[4]} {when[5]} {when[1]}:{when[2]}:{when[3]}", "%Y %b %d %H:%M:%S"
            ).replace(tzinfo=UTC)
            deadline = at.timestamp() + int(minutes[1]) * minute_seconds
        except ValueError:
            deadline = None
    detail = ", ".join(f"{k.lower()} {v}" for k, v in fields.items())
    return Pending(deadline, detail)


class CiscoIosDriver:
    """One Netmiko session with an IOS router or switch."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._conn: Any = None

    def connect(self) -> None:
        self._conn = open_session(self.target, "cisco_ios")

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

    @property
    def _long(self) -> float:
        """Read timeout of long commands (a whole config): three connect timeouts."""
        return 3 * self.target.timeout

    def _send(self, step: str, command: str, **kwargs: Any) -> str:
        from netmiko.exceptions import NetmikoBaseException

        try:
            output: str = self.conn.send_command(command, **kwargs)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(self.target.name, step, exc) from None
        if any(marker in output for marker in ("% Invalid", "% Incomplete", "% Ambiguous")):
            raise DeviceError(
                self.target.name,
                step,
                f"the device rejected {command!r}: {output.strip()}",
                kind=ErrorKind.REFUSED,
            )
        return output

    def running_config(self) -> str:
        step, command = "read running config", "show running-config"
        if self._conn is not None:
            return self._send(step, command, read_timeout=self._long)
        # A new session: Netmiko learnt the prompt while opening it, and by default looks for
        # it again before every command (one more round trip). Read up to that prompt instead,
        # at the start of a line (Netmiko keeps at most 16 characters of it).
        prompt = re.escape(self.conn.base_prompt)
        return self._send(
            step, command, read_timeout=self._long, expect_string=rf"(?:^|[\r\n]){prompt}\S*[>#]"
        )

    def plan(self, running: str, intended: str) -> Plan:
        return ios_plan(self.target.name, running, intended, self.target.username)

    def _configure(self, step: str, commands: list[str], mode: str) -> None:
        from netmiko.exceptions import ConfigInvalidException, NetmikoBaseException

        try:
            if any("\n" in c for c in commands):
                # A banner is one command with embedded newlines: the device answers it with
                # its own prompt ("Enter TEXT message"), not an echo and a prompt per line.
                self.conn.send_config_set(
                    commands,
                    config_mode_command=mode,
                    error_pattern=ios_rules.ERROR_PATTERN,
                    read_timeout=self._long,
                    cmd_verify=False,
                )
            else:
                self.conn.config_mode(mode)
                send_config_lines(
                    self.conn,
                    commands,
                    error_pattern=ios_rules.ERROR_PATTERN,
                    line_timeout=self._long,
                )
                self.conn.exit_config_mode()
            # A changed hostname changes the prompt: learn it again for the next command.
            self.conn.set_base_prompt()
        except ConfigInvalidException as exc:
            raise DeviceError(
                self.target.name,
                step,
                f"the device rejected a line: {str(exc).strip()}",
                kind=ErrorKind.REFUSED,
            ) from None
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(
                self.target.name, step, exc, "the session failed while configuring"
            ) from None

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        if not plan.commands:
            return
        archive, rest = split_archive(list(plan.commands))
        if archive:
            # The revert timer needs an archive path: configure the archive first, on its own.
            self._configure("push archive", archive, "configure terminal")
        if rest:
            self._configure("push", rest, f"configure terminal revert timer {revert_minutes}")

    def confirm(self) -> None:
        self._send("confirm", "configure confirm")

    def rollback(self, backup: str) -> None:
        # A pending revert timer restores the archived config at once; then converge exactly.
        from netmiko.exceptions import NetmikoBaseException

        try:
            self.conn.send_command(
                "configure revert now", expect_string=r"#", read_timeout=self._long
            )
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(self.target.name, "rollback", exc) from None
        # The whole backup, not the owned scope of it: a family the backup does not use (the
        # site's access lists on a day-0 backup) would be unmanaged and stay otherwise.
        plan = ios_plan(self.target.name, self.running_config(), backup, whole=True)
        if plan.commands:
            self._configure("rollback", list(plan.commands), "configure terminal")
            left = ios_plan(self.target.name, self.running_config(), backup, whole=True)
            if left.commands:
                raise DeviceError(
                    self.target.name,
                    "rollback",
                    f"{len(left.commands)} lines still differ from the backup after the "
                    f"rollback (first: {left.commands[0].strip()!r})",
                    "compare by hand (`rollout plan`); the backup is kept",
                    kind=ErrorKind.REFUSED,
                )
        self.save()

    def save(self) -> None:
        self._send("save", "write memory", expect_string=r"#", read_timeout=self._long)

    def pending(self) -> Pending | None:
        """The pending revert timer, from ``show archive config rollback timer``."""
        return rollback_timer(
            self._send("pending", "show archive config rollback timer"),
            self.target.minute_seconds,
        )

    def verify(self) -> None:
        """Nothing beyond the plan: IOS runs the configuration it shows (no lines left)."""

    # --- the rollout lock marker (DeviceLocking; rollout.drivers.ios_lock) ----------------------
    @property
    def _lock(self) -> IosLock:
        return IosLock(self.target.name, self.conn, self._long)

    def take_lock(self, marker: str) -> bool:
        return self._lock.take(marker)

    def lock_holder(self) -> str | None:
        return self._lock.holder()

    def release_lock(self) -> None:
        self._lock.release()

    def revert_pending(self) -> bool:
        return self._lock.revert_pending()
