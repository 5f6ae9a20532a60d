"""Polycom RealPresence Group Series API: a Netmiko connection class and a keyed settings model.

The codec has no configuration file; its configuration is a set of API settings, each read
with a ``get`` command and written with a ``set`` command. We treat that set as a flat
mapping from *canonical keys* to values and diff it key by key:

==============================  ===========================================================
canonical key                   API
==============================  ===========================================================
``gatekeeperip``                ``gatekeeperip get`` / ``gatekeeperip set <addr>``
``h323name``                    ``h323name get`` / ``h323name set "<name>"``
``typeofservice``               ``typeofservice get`` / ``typeofservice diffserv``
``systemsetting.<name>``        ``systemsetting get <name>`` / ``systemsetting set <name> <v>``
``status.gatekeeper``           one line of ``status`` (read only, never drifts)
==============================  ===========================================================

`SETTINGS` is that table as data; everything else here (reading, writing, parsing, diffing)
is derived from it. The order of `SETTINGS` is the order settings are applied in, so that a
mode comes before the values that depend on it (``typeofservice`` before ``diffserv*``,
``usegatekeeper`` before ``gatekeeperip``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from netmiko.base_connection import BaseConnection
from netmiko.no_config import NoConfig
from netmiko.no_enable import NoEnable

__all__ = [
    "DEVICE_TYPE",
    "DRIFT_IGNORED_KEYS",
    "PROMPT_PATTERN",
    "SECRET_KEYS",
    "SETTINGS",
    "STATUS_KEYS",
    "Change",
    "Kind",
    "PolycomGroupSeriesSSH",
    "SettingSpec",
    "UnknownSettingError",
    "api_errors",
    "keyed_diff",
    "normalize",
    "parse_settings",
    "read_commands",
    "register",
    "settings_commands",
]

DEVICE_TYPE = "polycom_group_series"
PROMPT = "->"
PROMPT_PATTERN = r"->"
"""The API prompt is ``-> ``; Netmiko strips the trailing space."""

EMPTY_MARKERS = ('""', "<empty>")
"""How the API prints an empty value (text settings / numeric settings)."""


class Kind(Enum):
    """How a setting's value compares: text exactly, numbers by value, choices by name."""

    TEXT = "text"
    INT = "int"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One codec setting: its canonical key and the API commands behind it."""

    key: str
    read: str
    """Command that reads it (``gatekeeperip get``)."""
    reply: str
    """What the reply line starts with (``gatekeeperip``, ``systemsetting sipproxyserver``)."""
    write: str | None
    """Command template with ``{value}`` (None: read only)."""
    kind: Kind = Kind.TEXT
    choices: tuple[str, ...] = ()
    """Canonical spellings for CHOICE; for yes/no settings the 'on' spelling comes first."""
    status: bool = False
    """Operational status, not configuration: never written, ignored by drift."""
    secret: bool = False
    """Written but never read back (the API refuses to print it): ignored by drift."""
    quote: bool = False
    """Always quote the value when writing (names)."""


def _get_set(key: str, kind: Kind = Kind.TEXT, *choices: str, quote: bool = False) -> SettingSpec:
    return SettingSpec(key, f"{key} get", key, f"{key} set {{value}}", kind, choices, quote=quote)


def _mode(key: str, *choices: str) -> SettingSpec:
    return SettingSpec(key, f"{key} get", key, f"{key} {{value}}", Kind.CHOICE, choices)


def _system(name: str, kind: Kind = Kind.TEXT, *choices: str, secret: bool = False) -> SettingSpec:
    return SettingSpec(
        f"systemsetting.{name}",
        f"systemsetting get {name}",
        f"systemsetting {name}",
        f"systemsetting set {name} {{value}}",
        kind,
        choices,
        secret=secret,
    )


def _status(name: str) -> SettingSpec:
    return SettingSpec(f"status.{name}", "status", name, None, Kind.CHOICE, status=True)


_BOOL = ("True", "False")

SETTINGS: tuple[SettingSpec, ...] = (
    _get_set("systemname", quote=True),
    _get_set("h323name", quote=True),
    _get_set("e164ext"),
    _system("iph323enable", Kind.CHOICE, *_BOOL),
    _mode("usegatekeeper", "off", "specify", "auto"),
    _get_set("gatekeeperip"),
    _system("sipenable", Kind.CHOICE, *_BOOL),
    _system("siptransportprotocol", Kind.CHOICE, "Auto", "TCP", "UDP", "TLS"),
    _system("sipproxyserver"),
    _system("sipregistrarserver"),
    _system("sipusername"),
    _system("sippassword", secret=True),
    _system("maxrxbandwidth", Kind.INT),
    _system("maxtxbandwidth", Kind.INT),
    _get_set("maxtimeincall", Kind.INT),
    _mode("typeofservice", "ip-precedence", "diffserv"),
    _get_set("diffservaudio", Kind.INT),
    _get_set("diffservvideo", Kind.INT),
    _get_set("diffservfecc", Kind.INT),
    _get_set("ipprecaudio", Kind.INT),
    _get_set("ipprecvideo", Kind.INT),
    _get_set("ipprecfecc", Kind.INT),
    _mode("ntpmode", "auto", "off", "manual"),
    _get_set("ntpserver"),
    _mode("enablesnmp", "yes", "no"),
    _get_set("snmpcommunity"),
    _get_set("snmpadmin", quote=True),
    _get_set("snmplocation", quote=True),
    _get_set("snmpconsoleip"),
    _get_set("snmptrapversion", Kind.CHOICE, "v1", "v2c"),
    _mode("sshenable", "true", "false"),
    _system("telnetenabled", Kind.CHOICE, *_BOOL),
    _system("webenabled", Kind.CHOICE, *_BOOL),
    SettingSpec("systemsetting.model", "systemsetting get model", "systemsetting model", None),
    _status("gatekeeper"),
    _status("sipserver"),
    _status("inacall"),
)
"""Every setting we manage, in the order they are applied."""

_BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SETTINGS}
_BY_REPLY: dict[str, SettingSpec] = {spec.reply: spec for spec in SETTINGS if not spec.status}
_STATUS_BY_NAME: dict[str, SettingSpec] = {spec.reply: spec for spec in SETTINGS if spec.status}

STATUS_KEYS: frozenset[str] = frozenset(
    spec.key for spec in SETTINGS if spec.status or spec.write is None
)
"""Read-only keys (status lines, the model): reported, never written, never drift."""
SECRET_KEYS: frozenset[str] = frozenset(spec.key for spec in SETTINGS if spec.secret)
"""Write-only keys: pushed, never read back, never drift."""
DRIFT_IGNORED_KEYS: frozenset[str] = STATUS_KEYS | SECRET_KEYS

_TRUE_WORDS = frozenset({"true", "yes", "on", "1", "enable", "enabled"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0", "disable", "disabled"})
_ERROR_LINE = re.compile(r"^(error:.*|.* is not active|info: .*)$", re.IGNORECASE)


class UnknownSettingError(KeyError):
    """A key that is not in `SETTINGS` (or cannot be used that way)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One keyed difference: ``old`` is None when the running side lacks the key."""

    key: str
    old: str | None
    new: str


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------


def _spec(key: str) -> SettingSpec:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownSettingError(key) from None


def normalize(key: str, value: str) -> str:
    """``value`` in the spelling the codec prints for ``key`` (``yes`` → ``True``, ``007`` → ``7``).

    Keys we do not know are returned unchanged; values we cannot interpret too (the codec
    will then refuse them, which is the right place to fail).
    """
    spec = _BY_KEY.get(key)
    value = value.strip()
    if spec is None or value == "":
        return value
    if spec.kind is Kind.INT:
        return str(int(value)) if value.isdigit() else value
    if spec.kind is Kind.CHOICE and spec.choices:
        for choice in spec.choices:
            if value.lower() == choice.lower():
                return choice
        if len(spec.choices) == 2 and value.lower() in _TRUE_WORDS | _FALSE_WORDS:
            return spec.choices[0] if value.lower() in _TRUE_WORDS else spec.choices[1]
    return value


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if raw in EMPTY_MARKERS:
        return ""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _quote(value: str, always: bool) -> str:
    if '"' in value or "\n" in value or "\r" in value:
        raise ValueError(f"value cannot be sent through the API: {value!r}")
    if always or value == "" or any(ch.isspace() for ch in value):
        return f'"{value}"'
    return value


# --------------------------------------------------------------------------------------
# Commands and replies
# --------------------------------------------------------------------------------------


def read_commands(keys: Iterable[str]) -> list[str]:
    """The commands that read ``keys``, once each, in `SETTINGS` order.

    Status keys share one ``status`` command; secret keys cannot be read and are skipped.
    """
    wanted = {_spec(key).key for key in keys}
    commands: list[str] = []
    for spec in SETTINGS:
        if spec.key in wanted and not spec.secret and spec.read not in commands:
            commands.append(spec.read)
    return commands


def settings_commands(target: Mapping[str, str]) -> list[str]:
    """The commands that make the codec hold ``target``, in `SETTINGS` (dependency) order."""
    commands: list[str] = []
    unknown = sorted(set(target) - set(_BY_KEY))
    if unknown:
        raise UnknownSettingError(", ".join(unknown))
    for spec in SETTINGS:
        if spec.key not in target:
            continue
        if spec.write is None:
            raise UnknownSettingError(f"{spec.key} is read only")
        value = normalize(spec.key, target[spec.key])
        if value == "" and spec.kind is Kind.INT:
            # An empty number is cleared with a bare 'set' ('maxtimeincall set').
            commands.append(spec.write.format(value="").rstrip())
            continue
        commands.append(spec.write.format(value=_quote(value, spec.quote)))
    return commands


def parse_settings(text: str) -> dict[str, str]:
    """Turn API replies (any mix of ``get``/``set`` replies and ``status``) into keyed values.

    Prompt echoes (``-> ...``), errors, ``status end`` and lines that belong to no known
    setting are skipped; ``systemsetting <name> <value>`` lines are kept for any name.
    Values come back unquoted, with ``""``/``<empty>`` as the empty string.
    """
    result: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith(PROMPT) or _ERROR_LINE.match(line):
            continue
        head, _, rest = line.partition(" ")
        if head == "systemsetting":
            name, _, value = rest.strip().partition(" ")
            if name:
                result[f"systemsetting.{name.lower()}"] = _unquote(value)
            continue
        spec = _BY_REPLY.get(head)
        if spec is not None:
            result[spec.key] = _unquote(rest)
            continue
        status = _STATUS_BY_NAME.get(head)
        if status is not None and rest in ("online", "offline"):
            result[status.key] = rest
    return result


def api_errors(text: str) -> list[str]:
    """Error lines in API output: ``error: ...``, ``info: ...``, ``connection N is not active``."""
    return [line.strip() for line in text.splitlines() if _ERROR_LINE.match(line.strip())]


def keyed_diff(running: Mapping[str, str], target: Mapping[str, str]) -> list[Change]:
    """What must change for ``running`` to hold ``target``, key by key.

    Only keys present in ``target`` are compared (the codec has many more settings than we
    manage); status and secret keys are ignored. Values are compared after `normalize`, so
    ``yes`` equals ``True`` and ``046`` equals ``46``. Result order: `SETTINGS` order, then
    any other keys alphabetically.
    """
    order = {spec.key: index for index, spec in enumerate(SETTINGS)}
    changes: list[Change] = []
    for key in sorted(target, key=lambda k: (order.get(k, len(order)), k)):
        if key in DRIFT_IGNORED_KEYS:
            continue
        new = normalize(key, target[key])
        old = running.get(key)
        if old is None or normalize(key, old) != new:
            changes.append(Change(key, old, new))
    return changes


# --------------------------------------------------------------------------------------
# Netmiko connection class
# --------------------------------------------------------------------------------------


class PolycomGroupSeriesSSH(NoEnable, NoConfig, BaseConnection):
    """Netmiko session with the Group Series API over SSH (``-> `` prompt, no paging, no modes).

    Every setting is changed by a plain command at the prompt, so there is no configuration
    mode: `check_config_mode` is False and configuration goes through `send_command`.
    """

    def session_preparation(self) -> None:
        # The session opens with the whoami block, then the prompt.
        self._test_channel_read(pattern=PROMPT_PATTERN)
        self.set_base_prompt()

    def set_base_prompt(
        self,
        pri_prompt_terminator: str = PROMPT,
        alt_prompt_terminator: str = "",
        delay_factor: float = 1.0,
        pattern: str | None = None,
    ) -> str:
        prompt = self.find_prompt(delay_factor=delay_factor, pattern=pattern or PROMPT_PATTERN)
        if not prompt.endswith(pri_prompt_terminator):
            raise ValueError(f"Polycom API prompt not found: {prompt!r}")
        # The prompt has no hostname part: the whole "->" is the base prompt.
        self.base_prompt = pri_prompt_terminator
        return self.base_prompt

    def check_config_mode(
        self, check_string: str = "", pattern: str = "", force_regex: bool = False
    ) -> bool:
        return False

    def disable_paging(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def set_terminal_width(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def save_config(self, *args: Any, **kwargs: Any) -> str:
        # Settings are persistent as soon as they are set.
        return ""

    def cleanup(self, command: str = "exit") -> None:
        try:
            self.write_channel(command + self.RETURN)
        except OSError:  # the channel may already be gone
            return


def register() -> None:
    """Make ``ConnectHandler(device_type="polycom_group_series", ...)`` work (idempotent)."""
    dispatcher = importlib.import_module("netmiko.ssh_dispatcher")
    dispatcher.CLASS_MAPPER[DEVICE_TYPE] = PolycomGroupSeriesSSH
    if DEVICE_TYPE not in dispatcher.platforms:
        dispatcher.platforms.append(DEVICE_TYPE)
