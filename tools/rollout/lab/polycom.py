"""Simulated Polycom RealPresence Group Series codec: its API shell (SSH port 22).

The Group Series API is line oriented: one command per line, one or more reply lines,
then the prompt ``-> ``. After login the session prints the same self description as
``whoami`` ("Hi, my name is : ...", "Here is what I know about myself:", ...). Settings
are read with ``get`` and written with a plain command; the reply is the setting's name
followed by its current value::

    -> gatekeeperip get
    gatekeeperip 10.10.0.5
    -> systemsetting get sipregistrarserver
    systemsetting sipregistrarserver 10.10.0.6
    -> systemsetting sipregistrarserver 10.10.0.7
    systemsetting sipregistrarserver 10.10.0.7
    -> h323name set "Bao Thang"
    h323name "Bao Thang"
    -> systemsetting set sipenable True
    error: command has illegal parameters
    -> foo
    error: command not found

Every command's syntax and reply form is taken from public sources, cited per setting in
the ``source`` column of the tables below (keys of `SOURCES`), never from what rollout's
template sends; docs/codec.md lists what no source confirms. Values with spaces are quoted,
an empty text value prints as ``""`` and an empty number (``maxtimeincall``) as
``<empty>``. ``callinfo all``, ``advnetstats``, ``netstats`` and ``status`` copy the shapes
recorded from real systems (the Group Series driver in `SOURCES`).

State is split in two: `PolycomDevice` holds what survives a session (settings, calls,
registration, the admin password, the simulated link quality); `PolycomSession` is one API
session (the `DeviceShell` the SSH server drives). Creating a device is cheap: one dict
copy, no I/O, no randomness until a call is made.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone

from rollout.lab.shell import Reply

__all__ = [
    "ERR_ILLEGAL",
    "ERR_MORE_PARAMS",
    "ERR_NOT_FOUND",
    "FACTORY_DEFAULTS",
    "PROMPT",
    "Call",
    "DeviceEvent",
    "LinkQuality",
    "PolycomDevice",
    "PolycomSession",
    "PolycomSnapshot",
    "split_args",
]

PROMPT = "-> "
# Error replies. 'not found' and 'needs more parameters' are matched by a public Group Series
# driver (SOURCES["gs-avispl"]); the 'illegal parameters' text is unconfirmed (docs/codec.md).
ERR_NOT_FOUND = "error: command not found"
ERR_ILLEGAL = "error: command has illegal parameters"
ERR_MORE_PARAMS = "error: command needs more parameters to execute successfully"

SOURCES: Mapping[str, str] = {
    "gs-avispl": "AVISPL/dal-codecs-singlecodecs-polycom-realpresence-groupseries "
    "PolycomGroupSeries.java (Group Series SSH driver: replies and errors)",
    "g7500-x30": "Symphony adapter com.insightsystems.dal.poly.x30 (G7500 API reference)",
    "mividas-hdx": "Python provider PolyHDXProviderAPI (systemsetting get sipusername, ...)",
    "hdx-api": "incu6us/POLYCOM polycom-api/src/main/java/polycom/api/commands/*.java "
    "(HDX API wrappers with the Integrator's Reference text)",
    "vs-api": "AI4AV spec admin/polycom-vs4000 (ViewStation API guide)",
    "gs-ai4av": "AI4AV spec admin/polycom-group-series (Group Series integrator reference)",
    "unconfirmed": "no public source found (docs/codec.md 'Unconfirmed')",
}
"""Where each simulated behaviour comes from (the ``source`` column of the tables)."""
NOT_IN_CALL = "system is not in a call"

CONFIG_CHANGED = "config-changed"
CALL_CHANGED = "call-changed"

# Local time shown by whoami: the province runs on ICT (UTC+7).
_ICT = timezone(timedelta(hours=7))


# --------------------------------------------------------------------------------------
# Settings: what each one accepts and how it prints
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spec:
    """One persistent setting of the codec."""

    key: str
    """Canonical key (``gatekeeperip``, ``systemsetting.sipproxyserver``, ...)."""
    kind: str = "text"
    """``text`` (no spaces unless ``spaces``), ``int`` (``low..high``) or ``choice``."""
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()
    spaces: bool = False
    """Free text that may contain spaces (names, locations)."""
    clearable: bool = True
    """``set`` without a value clears the setting."""
    empty: str = '""'
    """How an empty value prints: ``""`` for text, ``<empty>`` for numbers."""
    digits: bool = False
    """Text limited to dial digits (E.164 extensions)."""
    readonly: bool = False
    secret: bool = False
    """Can be set but never read back (passwords)."""
    source: str = "unconfirmed"
    """Key of `SOURCES`: the public source of the command and its reply."""
    address: bool = False
    """An IPv4 address (dotted quad)."""
    static_only: bool = False
    """Refused while DHCP is on ('can only be changed when DHCP is off', hdx-api IpAddress)."""


def _text(
    key: str, *, spaces: bool = False, digits: bool = False, source: str = "unconfirmed"
) -> _Spec:
    return _Spec(key, "text", spaces=spaces, digits=digits, source=source)


def _int(
    key: str, low: int, high: int, *, clearable: bool = False, source: str = "unconfirmed"
) -> _Spec:
    return _Spec(
        key, "int", low=low, high=high, clearable=clearable, empty="<empty>", source=source
    )


def _choice(key: str, *choices: str, source: str = "unconfirmed") -> _Spec:
    return _Spec(key, "choice", choices=choices, clearable=False, source=source)


def _address(key: str, *, static_only: bool = False) -> _Spec:
    return _Spec(key, "text", address=True, static_only=static_only, source="hdx-api")


# Commands of the form ``<name> get`` / ``<name> set [value]``.
_GET_SET: dict[str, _Spec] = {
    spec.key: spec
    for spec in (
        _text("systemname", spaces=True, source="hdx-api"),
        _text("h323name", spaces=True, source="mividas-hdx"),
        _text("e164ext", digits=True, source="mividas-hdx"),
        _text("gatekeeperip", source="gs-avispl"),
        _int("maxtimeincall", 0, 2880, clearable=True, source="vs-api"),
        # 'tcpports set [{1024..49150}]' / 'udpports set ...': the base of the fixed range.
        _int("tcpports", 1024, 49150, source="hdx-api"),
        _int("udpports", 1024, 49150, source="hdx-api"),
        _int("diffservaudio", 0, 63, source="hdx-api"),
        _int("diffservvideo", 0, 63, source="hdx-api"),
        _int("diffservfecc", 0, 63, source="hdx-api"),
        _int("ipprecaudio", 0, 7, source="hdx-api"),
        _int("ipprecvideo", 0, 7, source="hdx-api"),
        _int("ipprecfecc", 0, 7, source="hdx-api"),
        _text("ntpserver", source="hdx-api"),
        _text("snmpadmin", spaces=True, source="vs-api"),
        _text("snmpcommunity", source="vs-api"),
        _text("snmpconsoleip", source="vs-api"),
        _text("snmplocation", spaces=True, source="vs-api"),
        _choice("snmptrapversion", "v1", "v2c"),
        _address("ipaddress", static_only=True),
        _address("subnetmask"),
        _address("defaultgateway", static_only=True),
    )
}

# Commands of the form ``<name> <get|value>`` (the value is the verb).
_MODES: dict[str, _Spec] = {
    spec.key: spec
    for spec in (
        _choice("typeofservice", "ipprecedence", "diffserv", source="hdx-api"),
        _choice("usegatekeeper", "off", "specify", "auto", source="vs-api"),
        _choice("ntpmode", "auto", "off", "manual", source="hdx-api"),
        _choice("enablesnmp", "yes", "no", source="vs-api"),
        _choice("sshenable", "true", "false", source="gs-ai4av"),
        _choice(
            "encryption",
            "yes",
            "no",
            "requiredvideocallsonly",
            "requiredallcalls",
            source="hdx-api",
        ),
        _choice("usefixedports", "yes", "no", source="hdx-api"),
        _choice("dhcp", "off", "client", source="hdx-api"),
    )
}

# ``systemsetting get <name>`` reads, ``systemsetting <name> <value>`` writes; both answer
# ``systemsetting <name> <value>`` (gs-avispl, g7500-x30, mividas-hdx). Booleans print as
# True/False (the case is unconfirmed: docs/codec.md).
_SYSTEMSETTINGS: dict[str, _Spec] = {
    spec.key.removeprefix("systemsetting."): spec
    for spec in (
        _choice("systemsetting.iph323enable", "True", "False", source="g7500-x30"),
        _choice("systemsetting.sipenable", "True", "False", source="g7500-x30"),
        _text("systemsetting.sipproxyserver", source="mividas-hdx"),
        _text("systemsetting.sipregistrarserver", source="gs-avispl"),
        _text("systemsetting.sipusername", source="mividas-hdx"),
        _Spec("systemsetting.sippassword", "text", secret=True),
        _choice("systemsetting.siptransportprotocol", "Auto", "TCP", "UDP", "TLS"),
        _int("systemsetting.maxrxbandwidth", 64, 6144),
        _int("systemsetting.maxtxbandwidth", 64, 6144),
        _choice("systemsetting.telnetenabled", "True", "False", source="gs-ai4av"),
        _Spec("systemsetting.model", "text", spaces=True, readonly=True, source="mividas-hdx"),
    )
}

MODEL = "RealPresence Group 500"
SOFTWARE_VERSION = "6.2.2.6-662011"

FACTORY_DEFAULTS: Mapping[str, str] = {
    "systemname": "Group Series",
    "h323name": "Group Series",
    "e164ext": "",
    "gatekeeperip": "",
    "usegatekeeper": "off",
    "maxtimeincall": "",
    "typeofservice": "ipprecedence",
    "diffservaudio": "0",
    "diffservvideo": "0",
    "diffservfecc": "0",
    "ipprecaudio": "4",
    "ipprecvideo": "4",
    "ipprecfecc": "3",
    "ntpmode": "auto",
    "ntpserver": "",
    "enablesnmp": "no",
    "snmpadmin": "",
    "snmpcommunity": "public",
    "snmpconsoleip": "",
    "snmplocation": "",
    "snmptrapversion": "v2c",
    "sshenable": "true",
    "encryption": "yes",
    "usefixedports": "no",
    "tcpports": "3230",
    "udpports": "3230",
    "dhcp": "client",
    "ipaddress": "",
    "subnetmask": "",
    "defaultgateway": "",
    "systemsetting.iph323enable": "True",
    "systemsetting.sipenable": "True",
    "systemsetting.sipproxyserver": "",
    "systemsetting.sipregistrarserver": "",
    "systemsetting.sipusername": "",
    "systemsetting.sippassword": "",
    "systemsetting.siptransportprotocol": "Auto",
    "systemsetting.maxrxbandwidth": "6144",
    "systemsetting.maxtxbandwidth": "6144",
    "systemsetting.telnetenabled": "True",
    "systemsetting.model": MODEL,
}
"""Settings of a codec fresh from a factory reset, by canonical key (DHCP client, no fixed
ports, encryption when available; these defaults are unconfirmed: docs/codec.md)."""

_DIAL_TYPES = ("h323", "sip", "ip", "h320", "isdn", "gateway")


def _is_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


_DIGITS = re.compile(r"[0-9*#]*")


def _render(value: str, spec: _Spec) -> str:
    """A value as the API prints it."""
    if value == "":
        return spec.empty
    if any(ch.isspace() for ch in value):
        return f'"{value}"'
    return value


def split_args(line: str) -> list[str] | None:
    """Split an API line into words; ``"..."`` groups words. None if a quote is unbalanced."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            in_word = True
        elif ch.isspace() and not quoted:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(ch)
            in_word = True
    if quoted:
        return None
    if in_word:
        words.append("".join(current))
    return words


# --------------------------------------------------------------------------------------
# Device state
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkQuality:
    """What the simulated network does to the codec's media (drives ``advnetstats``)."""

    jitter_ms: float = 2.0
    loss_pct: float = 0.0
    """Packet loss in percent of media packets, both directions."""


@dataclass(slots=True)
class Call:
    """One connected call."""

    call_id: int
    number: str
    speed: int
    protocol: str
    samples: int = 0
    """How many ``advnetstats`` samples were taken (each stands for 5 s of call)."""


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """Something that changed on a device; listeners receive it synchronously."""

    kind: str
    """``config-changed`` (a setting changed) or ``call-changed`` (a call came or went)."""
    key: str = ""
    old: str = ""
    new: str = ""


@dataclass(frozen=True, slots=True)
class PolycomSnapshot:
    """Everything `PolycomDevice.restore` needs to go back in time (tests)."""

    settings: Mapping[str, str]
    calls: tuple[Call, ...]
    password: str
    link: LinkQuality
    registrar_reachable: bool
    next_call_id: int
    total_calls: int


Listener = Callable[[DeviceEvent], None]


class PolycomDevice:
    """The persistent side of a simulated Group Series codec.

    ``settings`` maps canonical keys (see `FACTORY_DEFAULTS`) to values as the API prints
    them. Registration is derived: the gatekeeper is online when H.323 is enabled, a
    gatekeeper is in use (``usegatekeeper specify`` with an address, or ``auto``) and
    ``registrar_reachable`` is True; the SIP server likewise with ``sipenable`` and a
    registrar address.
    """

    __slots__ = (
        "_listeners",
        "_next_call_id",
        "_password",
        "calls",
        "ip_address",
        "link",
        "registrar_reachable",
        "serial",
        "settings",
        "total_calls",
    )

    def __init__(
        self,
        name: str = "Group Series",
        *,
        password: str | None = None,
        serial: str = "8213160AE8F2CV",
        ip_address: str = "127.0.0.1",
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.settings: dict[str, str] = dict(FACTORY_DEFAULTS)
        self.settings["systemname"] = name
        self.settings["h323name"] = name
        if settings:
            unknown = set(settings) - set(FACTORY_DEFAULTS)
            if unknown:
                raise KeyError(f"unknown Polycom settings: {sorted(unknown)}")
            self.settings.update(settings)
        self.serial = serial
        self.ip_address = ip_address
        # A Group Series leaves the factory with the admin password set to its serial number.
        self._password = serial if password is None else password
        self.calls: list[Call] = []
        self.link = LinkQuality()
        self.registrar_reachable = True
        self.total_calls = 0
        self._next_call_id = 43
        self._listeners: list[Listener] = []

    # -- authentication and sessions -----------------------------------------------------

    def check_password(self, user: str, password: str) -> bool:
        """True when ``user``/``password`` may open an API session (the ``admin`` account)."""
        user_ok = hmac.compare_digest(user.encode(), b"admin")
        password_ok = hmac.compare_digest(password.encode(), self._password.encode())
        return user_ok and password_ok

    def set_password(self, password: str) -> None:
        self._password = password

    def session(self) -> PolycomSession:
        """A new API session on this device."""
        return PolycomSession(self)

    def new_session(self) -> PolycomSession:
        """Same as `session` (the name the lab SSH server asks for)."""
        return PolycomSession(self)

    # -- events --------------------------------------------------------------------------

    def add_listener(self, callback: Listener) -> None:
        """Call ``callback`` for every `DeviceEvent` (``config-changed``, ``call-changed``)."""
        self._listeners.append(callback)

    def _emit(self, event: DeviceEvent) -> None:
        for callback in tuple(self._listeners):
            callback(event)

    # -- settings ------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.settings["systemname"]

    def set_setting(self, key: str, value: str) -> None:
        """Change one setting (validated by the caller) and tell the listeners."""
        old = self.settings[key]
        if old == value:
            return
        self.settings[key] = value
        self._emit(DeviceEvent(CONFIG_CHANGED, key, old, value))

    def set_link_quality(self, *, jitter_ms: float = 2.0, loss_pct: float = 0.0) -> None:
        """Make the simulated network better or worse for the calls' statistics."""
        self.link = LinkQuality(jitter_ms=jitter_ms, loss_pct=loss_pct)

    def gatekeeper_online(self) -> bool:
        use = self.settings["usegatekeeper"]
        in_use = use == "auto" or (use == "specify" and self.settings["gatekeeperip"] != "")
        h323 = self.settings["systemsetting.iph323enable"] == "True"
        return h323 and in_use and self.registrar_reachable

    def sipserver_online(self) -> bool:
        sip = self.settings["systemsetting.sipenable"] == "True"
        registrar = self.settings["systemsetting.sipregistrarserver"] != ""
        return sip and registrar and self.registrar_reachable

    # -- calls ---------------------------------------------------------------------------

    def dial(self, speed: int, number: str, protocol: str) -> Call:
        call = Call(self._next_call_id, number, speed, protocol)
        self._next_call_id += 1
        self.total_calls += 1
        self.calls.append(call)
        self._emit(DeviceEvent(CALL_CHANGED, str(call.call_id), "", "connected"))
        return call

    def hangup(self, call_id: int | None = None) -> None:
        gone = [c for c in self.calls if call_id is None or c.call_id == call_id]
        self.calls = [c for c in self.calls if c not in gone]
        for call in gone:
            self._emit(DeviceEvent(CALL_CHANGED, str(call.call_id), "connected", ""))

    # -- test support --------------------------------------------------------------------

    def snapshot(self) -> PolycomSnapshot:
        return PolycomSnapshot(
            settings=dict(self.settings),
            calls=tuple(replace(c) for c in self.calls),
            password=self._password,
            link=self.link,
            registrar_reachable=self.registrar_reachable,
            next_call_id=self._next_call_id,
            total_calls=self.total_calls,
        )

    def restore(self, snapshot: PolycomSnapshot) -> None:
        self.settings = dict(snapshot.settings)
        self.calls = [replace(c) for c in snapshot.calls]
        self._password = snapshot.password
        self.link = snapshot.link
        self.registrar_reachable = snapshot.registrar_reachable
        self._next_call_id = snapshot.next_call_id
        self.total_calls = snapshot.total_calls


# --------------------------------------------------------------------------------------
# Session (the API shell)
# --------------------------------------------------------------------------------------

Handler = Callable[["PolycomSession", list[str]], str]


@dataclass(slots=True)
class PolycomSession:
    """One API session: the `DeviceShell` served over SSH."""

    device: PolycomDevice
    closed: bool = field(default=False)

    def banner(self) -> str:
        return self._whoami()

    def prompt(self) -> str:
        return PROMPT

    def handle(self, line: str) -> Reply:
        words = split_args(line.strip())
        if words is None:
            return Reply(ERR_ILLEGAL)
        if not words:
            return Reply("")
        command = words[0].lower()
        if command in ("exit", "bye"):
            self.closed = True
            return Reply("", close=True)
        handler = _COMMANDS.get(command)
        if handler is not None:
            return Reply(handler(self, words[1:]))
        if command in _GET_SET:
            return Reply(self._get_set(_GET_SET[command], words[1:]))
        if command in _MODES:
            return Reply(self._mode(_MODES[command], words[1:]))
        return Reply(ERR_NOT_FOUND)

    def exec_command(self, command: str) -> Reply:
        reply = self.handle(command)
        return Reply(reply.output, close=True)

    # -- settings commands ---------------------------------------------------------------

    def _value(self, spec: _Spec) -> str:
        return self.device.settings[spec.key]

    def _show(self, label: str, spec: _Spec) -> str:
        return f"{label} {_render(self._value(spec), spec)}"

    def _validate(self, spec: _Spec, raw: str) -> str | None:
        """The value to store for ``raw``, or None when the API would refuse it."""
        if spec.kind == "int":
            if not raw.isdigit():
                return None
            number = int(raw)
            if spec.clearable and number == 0:
                return ""
            if not spec.low <= number <= spec.high:
                return None
            return str(number)
        if spec.kind == "choice":
            for choice in spec.choices:
                if raw.lower() == choice.lower():
                    return choice
            return None
        if spec.address:
            return raw if _is_ipv4(raw) else None
        if spec.digits and not _DIGITS.fullmatch(raw):
            return None
        if not spec.spaces and any(ch.isspace() for ch in raw):
            return None
        return raw

    def _get_set(self, spec: _Spec, args: list[str]) -> str:
        if not args:
            return ERR_MORE_PARAMS
        verb = args[0].lower()
        if verb == "get" and len(args) == 1:
            return self._show(spec.key, spec)
        if verb != "set":
            return ERR_ILLEGAL
        if len(args) == 1:
            if not spec.clearable:
                return ERR_MORE_PARAMS
            self.device.set_setting(spec.key, "")
            return self._show(spec.key, spec)
        if len(args) > 2:
            return ERR_ILLEGAL
        value = self._validate(spec, args[1])
        if value is None:
            return ERR_ILLEGAL
        if spec.static_only and self.device.settings["dhcp"] != "off":
            return ERR_ILLEGAL  # unconfirmed reply; hdx-api: 'only when DHCP is off'
        self.device.set_setting(spec.key, value)
        return self._show(spec.key, spec)

    def _mode(self, spec: _Spec, args: list[str]) -> str:
        if not args:
            return ERR_MORE_PARAMS
        if len(args) > 1:
            return ERR_ILLEGAL
        if args[0].lower() == "get":
            return self._show(spec.key, spec)
        value = self._validate(spec, args[0])
        if value is None:
            return ERR_ILLEGAL
        self.device.set_setting(spec.key, value)
        return self._show(spec.key, spec)

    def _systemsetting(self, args: list[str]) -> str:
        """``systemsetting get <name>`` or ``systemsetting <name> [value]``.

        ``systemsetting set <name> <value>`` is not the API's form: ``set`` is no setting
        name, so it is refused like any unknown name (reply text unconfirmed).
        """
        if not args:
            return ERR_MORE_PARAMS
        if args[0].lower() == "get":
            if len(args) != 2:
                return ERR_MORE_PARAMS if len(args) < 2 else ERR_ILLEGAL
            spec = _SYSTEMSETTINGS.get(args[1].lower())
            if spec is None or spec.secret:
                return ERR_ILLEGAL
            return self._show(f"systemsetting {args[1].lower()}", spec)
        name = args[0].lower()
        spec = _SYSTEMSETTINGS.get(name)
        if spec is None or spec.readonly or len(args) > 2:
            return ERR_ILLEGAL
        label = f"systemsetting {name}"
        if len(args) == 1:
            if not spec.clearable:
                return ERR_MORE_PARAMS
            value: str | None = ""
        else:
            value = self._validate(spec, args[1])
        if value is None:
            return ERR_ILLEGAL
        self.device.set_setting(spec.key, value)
        if spec.secret:
            return f"{label} ********" if value else f'{label} ""'
        return self._show(label, spec)

    # -- calls and status ----------------------------------------------------------------

    def _dial(self, args: list[str]) -> str:
        if not args:
            return ERR_MORE_PARAMS
        if args[0].lower() != "manual":
            return ERR_ILLEGAL
        if len(args) < 3:
            return ERR_MORE_PARAMS
        if len(args) > 4:
            return ERR_ILLEGAL
        speed_text, number = args[1], args[2]
        protocol = args[3].lower() if len(args) == 4 else "h323"
        if not speed_text.isdigit() or not 64 <= int(speed_text) <= 6144:
            return ERR_ILLEGAL
        if protocol not in _DIAL_TYPES or number == "":
            return ERR_ILLEGAL
        self.device.dial(int(speed_text), number, protocol)
        return "dialing manual"

    def _hangup(self, args: list[str]) -> str:
        if not args:
            return ERR_MORE_PARAMS
        what = args[0].lower()
        if what == "all" and len(args) == 1:
            self.device.hangup()
            return "hanging up all"
        if what == "video" and len(args) <= 2:
            if len(args) == 2:
                if not args[1].isdigit():
                    return ERR_ILLEGAL
                self.device.hangup(int(args[1]))
            else:
                self.device.hangup()
            return "hanging up video"
        return ERR_ILLEGAL

    def _callinfo(self, args: list[str]) -> str:
        if not args:
            return ERR_MORE_PARAMS
        if args != ["all"] and not (args[0] == "callid" and len(args) == 2):
            return ERR_ILLEGAL
        calls = self.device.calls
        if args[0] == "callid":
            calls = [c for c in calls if str(c.call_id) == args[1]]
        if not calls:
            return NOT_IN_CALL
        lines = ["callinfo begin"]
        lines += [
            f"callinfo:{c.call_id}::{c.number}:{c.speed}:connected:notmuted:outgoing:videocall"
            for c in calls
        ]
        lines.append("callinfo end")
        return "\n".join(lines)

    def _connection(self, args: list[str]) -> tuple[int, Call | None] | None:
        if len(args) > 1 or (args and not args[0].isdigit()):
            return None
        index = int(args[0]) if args else 0
        calls = self.device.calls
        return index, calls[index] if index < len(calls) else None

    def _advnetstats(self, args: list[str]) -> str:
        found = self._connection(args)
        if found is None:
            return ERR_ILLEGAL
        index, call = found
        if call is None:
            return f"connection {index} is not active"
        call.samples += 1
        stats = _media_stats(call, self.device.link)
        return (
            f"call:{index} tar:{stats.audio} K rar:{stats.audio} K "
            f"tvr:{stats.video} K rvr:{stats.video} K\n"
            f"tvru:{stats.video_used_tx} K rvru:{stats.video_used_rx} K "
            f"tvfr:{stats.fps_tx} rvfr:{stats.fps_rx} vfe:0\n"
            f"tapl:{stats.tapl} rapl:{stats.rapl} taj:{stats.taj} ms raj:{stats.raj} ms "
            f"tvpl:{stats.tvpl} rvpl:{stats.rvpl}\n"
            f"tvj:{stats.tvj} ms rvj:{stats.rvj} ms dc:Disabled rsid:{call.number} ccaps:---"
        )

    def _netstats(self, args: list[str]) -> str:
        found = self._connection(args)
        if found is None:
            return ERR_ILLEGAL
        index, call = found
        if call is None:
            return f"connection {index} is not active"
        stats = _media_stats(call, self.device.link)
        lost = stats.tapl + stats.tvpl
        percent = 100.0 * lost / stats.sent if stats.sent else 0.0
        protocol = "SIP" if call.protocol == "sip" else "H.323"
        return (
            f"call:{index} txrate:{call.speed} K rxrate:{call.speed} K "
            f"pktloss:{lost} %pktloss:{percent:.1f} %\n"
            f"tvp:H.264 rvp:H.264 tvf:1280x720 rvf:1280x720 tap:G.722.1C rap:G.722.1C "
            f"tcp:{protocol} rcp:{protocol}"
        )

    def _status(self, args: list[str]) -> str:
        if args:
            return ERR_ILLEGAL
        device = self.device

        def state(flag: bool) -> str:
            return "online" if flag else "offline"

        lines = [
            f"inacall {state(bool(device.calls))}",
            "autoanswerp2p offline",
            "remotecontrol online",
            "microphones online",
            "visualboard offline",
            "globaldirectory offline",
            "ipnetwork online",
            f"gatekeeper {state(device.gatekeeper_online())}",
            f"sipserver {state(device.sipserver_online())}",
            "logthreshold offline",
            "meetingpassword offline",
            "rpms offline",
            "status end",
        ]
        return "\n".join(lines)

    def _whoami(self) -> str:
        device = self.device
        settings = device.settings
        now = datetime.now(UTC).astimezone(_ICT).strftime("%a, %d %b %Y %H:%M:%S %z")
        ntp = {"auto": "Auto", "off": "Off", "manual": "Manual"}[settings["ntpmode"]]
        lines = [
            f"Hi, my name is : {device.name}",
            "Here is what I know about myself:",
            f"Model:               {MODEL}",
            f"Serial Number:       {device.serial}",
            f"Software Version:    {SOFTWARE_VERSION}",
            "Build Information:   662011",
            f"Contact Number:      {settings['e164ext']}".rstrip(),
            "Time In Last Call:   0:00:00",
            "Total Time In Calls: 0:00:00",
            f"Total Calls:         {device.total_calls}",
            f"SNTP Time Service:   {ntp}",
            f"Local Time is:       {now}",
            f"IP Video Number:     {settings['ipaddress'] or device.ip_address}",
            f"H323 Enabled:        {settings['systemsetting.iph323enable']}",
            "HTTP Enabled:        True",
            f"SNMP Enabled:        {'True' if settings['enablesnmp'] == 'yes' else 'False'}",
        ]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _MediaStats:
    audio: int
    video: int
    video_used_tx: int
    video_used_rx: int
    fps_tx: int
    fps_rx: int
    tapl: int
    rapl: int
    tvpl: int
    rvpl: int
    taj: int
    raj: int
    tvj: int
    rvj: int
    sent: int
    """Media packets sent so far (audio and video), the base of ``netstats``' loss share."""


def _media_stats(call: Call, link: LinkQuality) -> _MediaStats:
    """Plausible per-call counters from the call rate, elapsed samples and link quality.

    Deterministic: the same call, sample count and link always give the same numbers.
    Packet loss counters are cumulative (5 s of media per sample); jitter tracks the link.
    """
    audio = 64 if call.speed >= 256 else 32
    video = max(call.speed - audio, 0)
    seconds = max(call.samples, 1) * 5
    audio_pps, video_pps = 50, max(video * 1000 // 8 // 1100, 1)
    lost = link.loss_pct / 100.0
    wobble = (call.call_id + call.samples) % 3  # small, repeatable variation
    degrade = 1.0 - min(lost * 5.0, 0.5)
    fps = 30 if lost < 0.01 else 25 if lost < 0.05 else 15
    return _MediaStats(
        audio=audio,
        video=video,
        video_used_tx=int(video * 0.94 * degrade),
        video_used_rx=int(video * 0.91 * degrade),
        fps_tx=fps,
        fps_rx=fps - (1 if wobble == 2 else 0),
        tapl=round(audio_pps * seconds * lost),
        rapl=round(audio_pps * seconds * lost * 1.1),
        tvpl=round(video_pps * seconds * lost),
        rvpl=round(video_pps * seconds * lost * 1.1),
        taj=round(link.jitter_ms) + wobble % 2,
        raj=round(link.jitter_ms * 1.1) + wobble % 2,
        tvj=round(link.jitter_ms * 1.3) + wobble,
        rvj=round(link.jitter_ms * 1.5) + wobble,
        sent=(audio_pps + video_pps) * seconds,
    )


def _bind(method: Callable[[PolycomSession, list[str]], str]) -> Handler:
    return method


_COMMANDS: dict[str, Handler] = {
    "systemsetting": _bind(PolycomSession._systemsetting),
    "dial": _bind(PolycomSession._dial),
    "hangup": _bind(PolycomSession._hangup),
    "callinfo": _bind(PolycomSession._callinfo),
    "advnetstats": _bind(PolycomSession._advnetstats),
    "netstats": _bind(PolycomSession._netstats),
    "status": _bind(PolycomSession._status),
    "whoami": lambda session, args: ERR_ILLEGAL if args else session._whoami(),
    "serialnum": lambda session, args: (
        ERR_ILLEGAL if args else f"serialnum {session.device.serial}"
    ),
}
