"""What a codec keeps between API sessions: settings, password, registration, calls.

`CodecState` is the setting store (validated by the caller, every change announced to the
listeners as a `DeviceEvent`), the derived registration state shown by ``status``, and the
connected calls. Creating one is cheap: one dict copy, no I/O, no randomness.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from rollout.lab.polycom.specs import FACTORY_DEFAULTS

CONFIG_CHANGED = "config-changed"
CALL_CHANGED = "call-changed"


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
    """Everything `CodecState.restore` needs to go back in time (tests)."""

    settings: Mapping[str, str]
    calls: tuple[Call, ...]
    password: str
    link: LinkQuality
    registrar_reachable: bool
    next_call_id: int
    total_calls: int
    registrars: frozenset[str] | None = None


Listener = Callable[[DeviceEvent], None]


class CodecState:
    """The persistent side of a simulated Group Series codec (no sessions: `PolycomDevice`).

    ``settings`` maps canonical keys (see `FACTORY_DEFAULTS`) to values as the API prints
    them. Registration is derived, never stored: the gatekeeper is online when H.323 is
    enabled, a gatekeeper is in use (``usegatekeeper specify`` with an address, or ``auto``),
    ``registrar_reachable`` is True and the configured address is one the lab says exists
    (``registrars``; None, the default, accepts any address); the SIP server likewise with
    ``sipenable`` and its ``sipregistrarserver`` address. So a registrar that is down
    (`set_registrar_reachable`) and an address changed by hand to one where no registrar
    answers (`set_registrars` plus a setting change) both show ``offline`` in ``status``.
    """

    __slots__ = (
        "_listeners",
        "_next_call_id",
        "_password",
        "calls",
        "ip_address",
        "link",
        "registrar_reachable",
        "registrars",
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
        self.registrars: frozenset[str] | None = None
        self.total_calls = 0
        self._next_call_id = 43
        self._listeners: list[Listener] = []

    # -- authentication -------------------------------------------------------------------

    def check_password(self, user: str, password: str) -> bool:
        """True when ``user``/``password`` may open an API session (the ``admin`` account)."""
        user_ok = hmac.compare_digest(user.encode(), b"admin")
        password_ok = hmac.compare_digest(password.encode(), self._password.encode())
        return user_ok and password_ok

    def set_password(self, password: str) -> None:
        self._password = password

    def change_password(self, current: str, new: str) -> bool:
        """The admin password becomes ``new`` when ``current`` is right (False: unchanged)."""
        if not hmac.compare_digest(current.encode(), self._password.encode()):
            return False
        self._password = new
        return True

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

    # -- registration (set by the lab: `rollout.lab` faults) -----------------------------

    def set_registrar_reachable(self, reachable: bool) -> None:
        """The hub's gatekeeper/registrar service up (True) or down (False) for this codec."""
        self.registrar_reachable = reachable

    def set_registrars(self, addresses: Iterable[str] | None) -> None:
        """The addresses where a gatekeeper/registrar answers (None: any address does).

        The codec registers only with an address in this set, so an address changed by hand
        to one outside it leaves the codec unregistered while the service itself is up.
        """
        self.registrars = None if addresses is None else frozenset(addresses)

    def pin_registrars(self) -> frozenset[str]:
        """Only the addresses the codec is set to now answer (its gatekeeper and registrar).

        What the lab calls before it changes an address by hand: the old address keeps
        answering, the new one does not. Returns the pinned set.
        """
        keys = ("gatekeeperip", "systemsetting.sipregistrarserver")
        self.set_registrars(self.settings[k] for k in keys if self.settings[k])
        return self.registrars or frozenset()

    def _answers(self, address: str) -> bool:
        return self.registrar_reachable and (self.registrars is None or address in self.registrars)

    def gatekeeper_online(self) -> bool:
        use = self.settings["usegatekeeper"]
        address = self.settings["gatekeeperip"]
        h323 = self.settings["systemsetting.iph323enable"] == "True"
        if not h323:
            return False
        if use == "auto":  # discovery: any gatekeeper the lab runs answers
            return self.registrar_reachable and (self.registrars is None or bool(self.registrars))
        return use == "specify" and address != "" and self._answers(address)

    def sipserver_online(self) -> bool:
        sip = self.settings["systemsetting.sipenable"] == "True"
        registrar = self.settings["systemsetting.sipregistrarserver"]
        return sip and registrar != "" and self._answers(registrar)

    def call_rate_kbps(self) -> int:
        """The highest rate the codec places or accepts a call at (its max tx bandwidth)."""
        return int(self.settings["systemsetting.maxtxbandwidth"] or 0)

    def set_call_rate(self, kbps: int) -> None:
        """Set the codec's call rate by hand (both directions), as an operator at the codec
        would: announced as a `CONFIG_CHANGED` event like any setting change."""
        if not 64 <= kbps <= 6144:
            raise ValueError(f"call rate {kbps} kbit/s is outside 64..6144")
        self.set_setting("systemsetting.maxtxbandwidth", str(kbps))
        self.set_setting("systemsetting.maxrxbandwidth", str(kbps))

    # -- calls ---------------------------------------------------------------------------

    def dial(self, speed: int, number: str, protocol: str) -> Call:
        call = Call(self._next_call_id, number, speed, protocol)
        self._next_call_id += 1
        self.total_calls += 1
        self.calls.append(call)
        self._emit(DeviceEvent(CALL_CHANGED, str(call.call_id), "", "connected"))
        return call

    def start_call(self, number: str, *, speed: int | None = None, protocol: str = "sip") -> Call:
        """A conference call from the far end (the hub's MCU) connects, as a meeting would.

        ``speed`` defaults to the codec's configured call rate and never exceeds it: the
        codec negotiates a call down to its maximum (the HDX administrator's guide,
        "Maximum Speed for Receiving Calls": "the call is re-negotiated at the speed specified
        in this field", manualsdump.com/en/manuals/polycom-1model/126251/40; that the Group
        Series does the same is unconfirmed, docs/codec.md).
        """
        limit = self.call_rate_kbps() or 6144
        return self.dial(min(speed or limit, limit), number, protocol)

    def stop_call(self, call_id: int | None = None) -> None:
        """The far end ends the call (every call when ``call_id`` is None)."""
        self.hangup(call_id)

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
            registrars=self.registrars,
        )

    def restore(self, snapshot: PolycomSnapshot) -> None:
        self.settings = dict(snapshot.settings)
        self.calls = [replace(c) for c in snapshot.calls]
        self._password = snapshot.password
        self.link = snapshot.link
        self.registrar_reachable = snapshot.registrar_reachable
        self._next_call_id = snapshot.next_call_id
        self.total_calls = snapshot.total_calls
        self.registrars = snapshot.registrars
