"""Polycom RealPresence Group Series API: a Netmiko connection class and a keyed settings model.

The codec has no configuration file; its configuration is a set of API settings, each read
with a ``get`` command and written with a plain command. We treat that set as a flat
mapping from *canonical keys* to values and diff it key by key:

==============================  ===========================================================
canonical key                   API (read / write / reply)
==============================  ===========================================================
``gatekeeperip``                ``gatekeeperip get`` / ``gatekeeperip set <addr>`` /
                                ``gatekeeperip <addr>``
``typeofservice``               ``typeofservice get`` / ``typeofservice diffserv`` /
                                ``typeofservice diffserv``
``systemsetting.<name>``        ``systemsetting get <name>`` / ``systemsetting <name> <v>`` /
                                ``systemsetting <name> <v>``
``dns.<n>`` (n = 1..4)          ``dns get <n>`` / ``dns set <n> <addr>`` (bare ``set``
                                clears the slot) / ``dns <n> <addr>``
``status.gatekeeper``           one line of ``status`` (read only, never drifts)
==============================  ===========================================================

The admin password is no setting: it is the login. Its rotation (``setpassword``,
`password_command`) is planned by the driver from which password logged in
(docs/codec.md, "Secrets").

`SETTINGS` is that table as data, with the public source of every command next to it
(`SOURCES`); everything else here (reading, writing, parsing, diffing) is derived from it.
The order of `SETTINGS` is the order settings are applied in: a mode comes before the
values that depend on it (``typeofservice`` before ``diffserv*``, ``usegatekeeper`` before
``gatekeeperip``, ``usefixedports`` before the port bases), and the network settings come
last, the codec's own address the very last (`NETWORK_KEYS`, docs/codec.md "Staging").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

# The Netmiko side (prompt, connection class) lives in polycom_ssh; named here too, where the
# callers have always found them.
from rollout.drivers.polycom_ssh import (
    DEVICE_TYPE,
    PROMPT,
    PROMPT_PATTERN,
    PolycomGroupSeriesSSH,
    register,
)

__all__ = [
    "ADDRESS_KEY",
    "DEVICE_TYPE",
    "DHCP_OWNED",
    "DNS_KEYS",
    "DNS_SLOTS",
    "DRIFT_IGNORED_KEYS",
    "NETWORK_KEYS",
    "PROMPT",
    "PROMPT_PATTERN",
    "SECRET_KEYS",
    "SETTINGS",
    "SOURCES",
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
    "password_command",
    "read_commands",
    "register",
    "settings_commands",
]

EMPTY_MARKERS = ('""', "<empty>")
"""How the API prints an empty value (text settings / numeric settings)."""


class Kind(Enum):
    """How a setting's value compares: text exactly, numbers by value, choices by name."""

    TEXT = "text"
    INT = "int"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One codec setting: its canonical key, the API commands behind it and their source."""

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
    source: str = ""
    """Key of `SOURCES`: where the command's syntax and reply form are documented."""
    companions: tuple[str, ...] = ()
    """For a secret: the keys it belongs with; it is pushed whenever one of them changes
    (its own value cannot be read back, so this is the only moment we know it matters)."""
    bare_clear: bool = False
    """An empty value is written as the bare command (``dns set 2``), not as ``""``."""


SOURCES: dict[str, str] = {
    "gs-avispl": (
        "AVISPL/dal-codecs-singlecodecs-polycom-realpresence-groupseries, "
        "src/main/java/com/avispl/dal/communicator/polycom/groupseries/PolycomGroupSeries.java "
        "(Group Series SSH driver: 'gatekeeperip get' -> 'gatekeeperip <addr>', "
        "'systemsetting get sipregistrarserver' -> 'systemsetting sipregistrarserver <addr>', "
        "'error: command not found', 'error: command needs more parameters to execute "
        "successfully')"
    ),
    "g7500-x30": (
        "public Symphony adapter for the Poly G7500 (class com.insightsystems.dal.poly.x30, "
        "citing the G7500 command line API reference guide): 'systemsetting get iph323enable', "
        "'systemsetting get sipenable', 'systemsetting get sipregistrarserver'"
    ),
    "mividas-hdx": (
        "public Python provider for Poly HDX/Group Series (endpoint/ext_api, PolyHDXProviderAPI): "
        "'systemsetting get sipusername' -> 'systemsetting sipusername <v>', "
        "'systemsetting get model', 'h323name get', 'e164ext get', 'systemname get'"
    ),
    "hdx-api": (
        "incu6us/POLYCOM, polycom-api/src/main/java/polycom/api/commands/ (HDX API command "
        "wrappers with the Integrator's Reference text; the Group Series API keeps these "
        "commands): classes SystemName, GateKeeperIp, TypeOfService, DiffServAudio/Video/Fecc, "
        "NtpMode, EnableSnmp, Encryption, UseFixedPorts, TcpPorts, UdpPorts, Dhcp, IpAddress, "
        "SubnetMask, DefaultGateway, Dns ('dns get {1..4}', 'dns set {1..4} <addr>'), "
        "SetPassword ('setpassword admin room <current> <new>'), EnableSnmp/EnableRsvp/"
        "EnablePvec (the 'enable<feature> yes|no|get' family)"
    ),
    "vs-api": (
        "AI4AV public spec admin/polycom-vs4000 (from the ViewStation EX/FX/VS4000 API guide, "
        "the same API family): 'maxtimeincall set', 'usegatekeeper off|specify|auto|get', "
        "'snmpadmin set', 'snmpcommunity set', 'enablesnmp yes|no|get'"
    ),
    "gs-ai4av": (
        "AI4AV public spec admin/polycom-group-series (from the Group Series integrator "
        "reference, kaas.hpcloud.hp.com pdf_9122356 / pdf_9126112): sshenable, telnetenabled, "
        "whoami"
    ),
    "unconfirmed": "no public source found; see docs/codec.md 'Unconfirmed'",
}
"""Public sources of the API facts in `SETTINGS` (docs/codec.md has the full table)."""


def _get_set(
    key: str, kind: Kind = Kind.TEXT, *choices: str, quote: bool = False, source: str
) -> SettingSpec:
    return SettingSpec(
        key, f"{key} get", key, f"{key} set {{value}}", kind, choices, quote=quote, source=source
    )


def _mode(key: str, *choices: str, source: str) -> SettingSpec:
    return SettingSpec(
        key, f"{key} get", key, f"{key} {{value}}", Kind.CHOICE, choices, source=source
    )


def _system(
    name: str,
    kind: Kind = Kind.TEXT,
    *choices: str,
    secret: bool = False,
    source: str,
    companions: tuple[str, ...] = (),
) -> SettingSpec:
    return SettingSpec(
        f"systemsetting.{name}",
        f"systemsetting get {name}",
        f"systemsetting {name}",
        f"systemsetting {name} {{value}}",
        kind,
        choices,
        secret=secret,
        source=source,
        companions=companions,
    )


def _dns(slot: int) -> SettingSpec:
    # hdx-api Dns: 'dns get {1..4}' reads a slot, 'dns set {1..4} "xxx.xxx.xxx.xxx"' writes
    # it; the reply 'dns <n> <addr>' and the bare 'dns set <n>' clearing a slot follow the
    # family's get/set rule (unconfirmed for dns: docs/codec.md).
    return SettingSpec(
        f"dns.{slot}",
        f"dns get {slot}",
        f"dns {slot}",
        f"dns set {slot} {{value}}",
        source="hdx-api",
        bare_clear=True,
    )


def _status(name: str) -> SettingSpec:
    return SettingSpec(
        f"status.{name}", "status", name, None, Kind.CHOICE, status=True, source="gs-avispl"
    )


_BOOL = ("True", "False")
_SIP_ACCOUNT = (
    "systemsetting.sipenable",
    "systemsetting.sipproxyserver",
    "systemsetting.sipregistrarserver",
    "systemsetting.sipusername",
)

SETTINGS: tuple[SettingSpec, ...] = (
    _get_set("systemname", quote=True, source="hdx-api"),
    _get_set("h323name", quote=True, source="mividas-hdx"),
    _get_set("e164ext", source="mividas-hdx"),
    _system("iph323enable", Kind.CHOICE, *_BOOL, source="g7500-x30"),
    _mode("usegatekeeper", "off", "specify", "auto", source="vs-api"),
    _get_set("gatekeeperip", source="gs-avispl"),
    _system("sipenable", Kind.CHOICE, *_BOOL, source="g7500-x30"),
    _system("siptransportprotocol", Kind.CHOICE, "Auto", "TCP", "UDP", "TLS", source="unconfirmed"),
    _system("sipproxyserver", source="mividas-hdx"),
    _system("sipregistrarserver", source="gs-avispl"),
    _system("sipusername", source="mividas-hdx"),
    _system("sippassword", secret=True, source="unconfirmed", companions=_SIP_ACCOUNT),
    _system("maxrxbandwidth", Kind.INT, source="unconfirmed"),
    _system("maxtxbandwidth", Kind.INT, source="unconfirmed"),
    _get_set("maxtimeincall", Kind.INT, source="vs-api"),
    _mode(
        "encryption", "yes", "no", "requiredvideocallsonly", "requiredallcalls", source="hdx-api"
    ),
    _mode("usefixedports", "yes", "no", source="hdx-api"),
    _get_set("tcpports", Kind.INT, source="hdx-api"),
    _get_set("udpports", Kind.INT, source="hdx-api"),
    _mode("typeofservice", "ipprecedence", "diffserv", source="hdx-api"),
    _get_set("diffservaudio", Kind.INT, source="hdx-api"),
    _get_set("diffservvideo", Kind.INT, source="hdx-api"),
    _get_set("diffservfecc", Kind.INT, source="hdx-api"),
    _get_set("ipprecaudio", Kind.INT, source="hdx-api"),
    _get_set("ipprecvideo", Kind.INT, source="hdx-api"),
    _get_set("ipprecfecc", Kind.INT, source="hdx-api"),
    _mode("ntpmode", "auto", "off", "manual", source="hdx-api"),
    _get_set("ntpserver", source="hdx-api"),
    _mode("enablesnmp", "yes", "no", source="vs-api"),
    _get_set("snmpcommunity", source="vs-api"),
    _get_set("snmpadmin", quote=True, source="vs-api"),
    _get_set("snmplocation", quote=True, source="vs-api"),
    _get_set("snmpconsoleip", source="vs-api"),
    _get_set("snmptrapversion", Kind.CHOICE, "v1", "v2c", source="unconfirmed"),
    _mode("sshenable", "true", "false", source="gs-ai4av"),
    _system("telnetenabled", Kind.CHOICE, *_BOOL, source="gs-ai4av"),
    SettingSpec(
        "systemsetting.model",
        "systemsetting get model",
        "systemsetting model",
        None,
        source="mividas-hdx",
    ),
    # The network settings: last, the address the very last (docs/codec.md "Staging").
    # 802.1Q tagging: the name is unconfirmed ('enable<feature> yes|no' of hdx-api EnableSnmp).
    _mode("enablevlan", "yes", "no", source="unconfirmed"),
    _get_set("vlanid", Kind.INT, source="unconfirmed"),  # used only with tagging on
    _mode("dhcp", "off", "client", source="hdx-api"),
    # The LAN's resolvers: after 'dhcp off' (a DHCP server hands them out otherwise).
    *(_dns(slot) for slot in range(1, 5)),
    _get_set("subnetmask", source="hdx-api"),
    _get_set("defaultgateway", source="hdx-api"),
    _get_set("ipaddress", source="hdx-api"),
    _status("gatekeeper"),
    _status("sipserver"),
    _status("inacall"),
)
"""Every setting we manage, in the order they are applied."""

ADDRESS_KEY = "ipaddress"
"""The codec's own LAN address: changing it moves the API session (applied last, staged)."""
DNS_SLOTS = 4
"""The codec holds up to four DNS servers (hdx-api Dns: 'A server identification number
{1..4} is required')."""
DNS_KEYS: tuple[str, ...] = tuple(f"dns.{slot}" for slot in range(1, DNS_SLOTS + 1))
NETWORK_KEYS: frozenset[str] = frozenset(
    {"enablevlan", "vlanid", "dhcp", *DNS_KEYS, "subnetmask", "defaultgateway", ADDRESS_KEY}
)
"""Settings that change how the codec is reached: applied after every other setting."""
DHCP_OWNED: frozenset[str] = frozenset({*DNS_KEYS, "subnetmask", "defaultgateway", ADDRESS_KEY})
"""What a DHCP server hands out: not compared while the intended state is ``dhcp client``."""

_BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SETTINGS}
_BY_REPLY: dict[str, SettingSpec] = {spec.reply: spec for spec in SETTINGS if not spec.status}
_STATUS_BY_NAME: dict[str, SettingSpec] = {spec.reply: spec for spec in SETTINGS if spec.status}

STATUS_KEYS: frozenset[str] = frozenset(
    spec.key for spec in SETTINGS if spec.status or spec.write is None
)
"""Read-only keys (status lines, the model): reported, never written, never drift."""
SECRET_KEYS: frozenset[str] = frozenset(spec.key for spec in SETTINGS if spec.secret)
"""Write-only keys: pushed with their companions, never read back, never drift."""
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
        if value == "" and (spec.kind is Kind.INT or spec.bare_clear):
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
        slot, _, after = rest.partition(" ")
        indexed = _BY_REPLY.get(f"{head} {slot}")
        if indexed is not None:  # 'dns 1 <addr>'
            result[indexed.key] = _unquote(after)
            continue
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


def password_command(current: str, new: str) -> str:
    """The admin password change: ``setpassword admin room "<current>" "<new>"``.

    hdx-api SetPassword ('setpassword admin room <current> <new>', the HDX's local admin
    account); on the Group Series the command and its reply are unconfirmed (docs/codec.md).
    Both values are quoted like any API value; a value the API cannot carry is refused.
    """
    return f"setpassword admin room {_quote(current, True)} {_quote(new, True)}"


def api_errors(text: str) -> list[str]:
    """Error lines in API output: ``error: ...``, ``info: ...``, ``connection N is not active``."""
    return [line.strip() for line in text.splitlines() if _ERROR_LINE.match(line.strip())]


def keyed_diff(running: Mapping[str, str], target: Mapping[str, str]) -> list[Change]:
    """What must change for ``running`` to hold ``target``, key by key.

    Only keys present in ``target`` are compared (the codec has many more settings than we
    manage); status keys are ignored. Values are compared after `normalize`, so ``yes``
    equals ``True`` and ``046`` equals ``46``. A secret cannot be read back: it is part of
    the result (``old`` None) exactly when one of its companions changes, so a converged
    codec plans nothing and a new SIP account is pushed with its password. Result order:
    `SETTINGS` order, then any other keys alphabetically.
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
    changed = {change.key for change in changes}
    for key in SECRET_KEYS & set(target):
        if changed & set(_BY_KEY[key].companions):
            changes.append(Change(key, None, target[key]))
    changes.sort(key=lambda c: (order.get(c.key, len(order)), c.key))
    return changes
