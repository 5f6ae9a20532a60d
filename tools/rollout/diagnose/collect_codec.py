"""The codec's side of a diagnosis: registration, running calls, configured call rate.

Read-only and safe during a meeting: one API session over SSH
(`rollout.drivers.session.open_session`, the production Netmiko class of
`rollout.drivers.polycom_api`), and only reading commands (`READS`, the ``get`` forms,
``status``, ``callinfo all``, ``advnetstats N``, ``netstats N``). It never dials, hangs up or
sets anything: each command is checked against `READS` and `_PER_CALL` before it is sent.

Facts (segment ``endpoint``; docs/diagnose.md has the vocabulary):

- ``registration``, subject ``gatekeeper`` and ``sip``: ``online`` (the codec's own
  ``status`` line ``gatekeeper online|offline`` / ``sipserver online|offline``), ``address``
  (``gatekeeperip get`` / ``systemsetting get sipregistrarserver``), ``expected`` (the
  intent's address), ``enabled`` (``systemsetting get iph323enable`` / ``sipenable``);
- ``call``, subject the call id of ``callinfo all``: ``state``, ``rate_kbps`` (the call's
  speed), ``loss_percent`` (``netstats N`` ``%pktloss``), ``jitter_ms`` (the worst of the
  audio and video jitter of ``advnetstats N``), ``lost_packets`` (audio and video, both
  directions), ``protocol`` (``netstats`` ``tcp:``), ``number`` (the far end);
- ``call_rate``, subject the device: ``configured_kbps`` (the higher of
  ``systemsetting maxtxbandwidth``/``maxrxbandwidth``), ``budget_kbps`` (`call_budget`),
  ``planned_kbps`` (the site's ``conference.call_rate_kbps``), ``video_class_kbps``.

Reply forms and sources: docs/codec.md (gs-avispl and g7500-x30 read ``status``,
``gatekeeperip get``, ``systemsetting get sipregistrarserver``, ``callinfo all``,
``advnetstats``, ``netstats`` exactly like this).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from rollout.diagnose.model import Fact, Segment, Value
from rollout.drivers.base import DeviceError
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Codec, Site
from rollout.inventory.model.base import shaped_rate_kbps
from rollout.parsers.polycom_stats import (
    CallInfo,
    parse_advnetstats,
    parse_callinfo,
    parse_netstats,
)
from rollout.secrets import Secrets
from rollout.targets import Managed

SEGMENT: Segment = "endpoint"

READS: tuple[str, ...] = (
    "status",
    "systemsetting get iph323enable",
    "usegatekeeper get",
    "gatekeeperip get",
    "systemsetting get sipenable",
    "systemsetting get sipregistrarserver",
    "systemsetting get maxtxbandwidth",
    "systemsetting get maxrxbandwidth",
    "callinfo all",
)
"""What is read once per session, in this order (per call: ``advnetstats N``, ``netstats N``)."""

_PER_CALL = re.compile(r"^(advnetstats|netstats) \d+$")
"""The per-call reads (connection index); with `READS`, all this module ever sends."""

Send = Callable[[str], str]
"""Sends one API command and returns its reply (the prompt excluded)."""


class CodecCollectContext(Protocol):
    """What the codec collector needs from `rollout diagnose`'s collection context
    (``rollout.diagnose.context.CollectContext`` has these and more)."""

    @property
    def inv(self) -> Inventory: ...

    @property
    def secrets(self) -> Secrets: ...

    @property
    def light(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Budget:
    """The most one video call of the site may use, and where it comes from (kbit/s)."""

    budget_kbps: int
    planned_kbps: int
    video_class_kbps: int
    calls: int


def call_budget(inv: Inventory, site: Site) -> Budget:
    """The site's per-call budget: the planned rate, capped by the video class's share.

    The WAN shaper sends at ``qos.shape_percent`` of ``wan.rate_kbps``; the video class gets
    its ``percent`` of that (`rollout.inventory.checks` and the router's QoS policy use the
    same rule). Each of ``conference.simultaneous_video_calls`` (at least one) needs its rate
    plus ``qos.call_overhead``; so a call may use at most
    ``video_class_kbps / (calls * call_overhead)``, and never more than the site's planned
    ``conference.call_rate_kbps``.
    """
    qos = inv.province.qos
    video = next(c for c in qos.classes if c.name == qos.video_class)
    video_kbps = shaped_rate_kbps(site.wan.rate_kbps, qos.shape_percent) * video.percent // 100
    calls = max(site.conference.simultaneous_video_calls, 1)
    fits = int(video_kbps // (calls * qos.call_overhead))
    planned = site.conference.call_rate_kbps
    return Budget(min(planned, fits), planned, video_kbps, calls)


@dataclass(frozen=True, slots=True)
class Expected:
    """Where the intent says the codec registers."""

    gatekeeper: str
    registrar: str


def expected_of(inv: Inventory, managed: Managed, secrets: Secrets) -> Expected:
    """The gatekeeper and registrar addresses of the codec's intent (`rollout.intent`)."""
    from rollout.intent.polycom import polycom_codec_intent

    dev = managed.device
    if not isinstance(dev, Codec):
        raise RolloutError(
            f"{dev.hostname} is not a codec (role {dev.role.value})",
            "the codec collector reads Polycom codecs only",
        )
    intent = polycom_codec_intent(inv, managed.site, dev, secrets)
    return Expected(intent.gatekeeper, intent.registrar)


# -- replies to facts (pure) ----------------------------------------------------------------


def _lines(reply: str, *heads: str) -> tuple[str, ...]:
    return tuple(
        line.strip()
        for line in reply.splitlines()
        if line.strip() and any(line.strip().startswith(h) for h in heads)
    )


def registration_facts(device: str, replies: Mapping[str, str], expected: Expected) -> list[Fact]:
    """``registration`` facts from the replies to `READS` (keyed by command)."""
    from rollout.drivers.polycom_api import normalize, parse_settings

    settings = parse_settings("\n".join(replies.get(c, "") for c in READS))
    status = replies.get("status", "")
    facts = []
    for subject, item, enable, address_key, want in (
        ("gatekeeper", "gatekeeper", "iph323enable", "gatekeeperip", expected.gatekeeper),
        ("sip", "sipserver", "sipenable", "systemsetting.sipregistrarserver", expected.registrar),
    ):
        enable_key = f"systemsetting.{enable}"
        enabled = normalize(enable_key, settings.get(enable_key, "")) == "True"
        values: dict[str, Value] = {
            "online": settings.get(f"status.{item}", "") == "online",
            "address": settings.get(address_key, ""),
            "expected": want,
            "enabled": enabled,
        }
        if subject == "gatekeeper":
            values["mode"] = settings.get("usegatekeeper", "")
        lines = (
            _lines(status, f"{item} ")
            + _lines(replies.get(_read_of(address_key), ""), address_key.replace(".", " "))
            + _lines(replies.get(f"systemsetting get {enable}", ""), f"systemsetting {enable}")
        )
        facts.append(Fact(device, SEGMENT, "registration", subject, values, lines))
    return facts


def _read_of(key: str) -> str:
    name = key.removeprefix("systemsetting.")
    return f"systemsetting get {name}" if key.startswith("systemsetting.") else f"{key} get"


def call_fact(device: str, info: CallInfo, callinfo: str, advnetstats: str, netstats: str) -> Fact:
    """One ``call`` fact: the call's line of ``callinfo all`` and its statistics replies."""
    media = parse_advnetstats(advnetstats)
    net = parse_netstats(netstats)
    values: dict[str, Value] = {
        "state": info.state,
        "rate_kbps": info.speed_kbps,
        "number": info.number,
    }
    if media is not None:
        values["jitter_ms"] = max(media.audio_jitter_ms, media.video_jitter_ms)
        values["audio_jitter_ms"] = media.audio_jitter_ms
        values["video_jitter_ms"] = media.video_jitter_ms
        values["lost_packets"] = media.tapl + media.rapl + media.tvpl + media.rvpl
    if net is not None:
        values["loss_percent"] = net.loss_percent
    protocol = _word(netstats, "tcp")
    if protocol:
        values["protocol"] = protocol
    lines = _lines(callinfo, f"callinfo:{info.call_id}:") + tuple(
        line.strip() for line in (advnetstats + "\n" + netstats).splitlines() if ":" in line
    )
    return Fact(device, SEGMENT, "call", info.call_id, values, lines)


def _word(text: str, key: str) -> str:
    for word in text.split():
        if word.startswith(f"{key}:"):
            return word.partition(":")[2]
    return ""


def call_rate_fact(device: str, replies: Mapping[str, str], budget: Budget) -> Fact | None:
    """The ``call_rate`` fact (None when the codec shows no call rate setting)."""
    from rollout.drivers.polycom_api import parse_settings

    rates = []
    lines: list[str] = []
    for name in ("maxtxbandwidth", "maxrxbandwidth"):
        reply = replies.get(f"systemsetting get {name}", "")
        value = parse_settings(reply).get(f"systemsetting.{name}", "")
        if value.isdigit():
            rates.append(int(value))
            lines.extend(_lines(reply, f"systemsetting {name}"))
    if not rates:
        return None
    values: dict[str, Value] = {
        "configured_kbps": max(rates),
        "budget_kbps": budget.budget_kbps,
        "planned_kbps": budget.planned_kbps,
        "video_class_kbps": budget.video_class_kbps,
    }
    return Fact(device, SEGMENT, "call_rate", device, values, tuple(lines))


# -- the session ----------------------------------------------------------------------------


def reading_only(send: Send) -> Send:
    def guarded(command: str) -> str:
        if command not in READS and not _PER_CALL.match(command):
            raise ValueError(f"not a reading command: {command!r}")
        return send(command)

    return guarded


def read_codec(device: str, send: Send, expected: Expected, budget: Budget) -> list[Fact]:
    """Every codec fact, read through ``send`` (commands: `READS`, then per call)."""
    send = reading_only(send)
    replies = {command: send(command) for command in READS}
    facts = registration_facts(device, replies, expected)
    callinfo = replies["callinfo all"]
    for index, info in enumerate(parse_callinfo(callinfo)):
        advnetstats, netstats = send(f"advnetstats {index}"), send(f"netstats {index}")
        facts.append(call_fact(device, info, callinfo, advnetstats, netstats))
    rate = call_rate_fact(device, replies, budget)
    if rate is not None:
        facts.append(rate)
    return facts


def _session(managed: Managed) -> tuple[Any, Send]:
    from netmiko.exceptions import NetmikoBaseException

    from rollout.drivers.polycom_api import DEVICE_TYPE, PROMPT_PATTERN
    from rollout.drivers.session import open_session, session_lost

    target = managed.target
    conn = open_session(target, DEVICE_TYPE)

    def send(command: str) -> str:
        try:
            reply: str = conn.send_command(
                command,
                expect_string=PROMPT_PATTERN,
                auto_find_prompt=False,
                read_timeout=target.timeout,
            )
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise session_lost(target.name, f"read {command!r}", exc) from None
        return reply

    return conn, send


def collect(ctx: CodecCollectContext, managed: Managed) -> list[Fact]:
    """The codec's facts over one API session (a `Collector` of `rollout diagnose`).

    Raises `DeviceError` when the codec cannot be read (the caller records an `Unreached`).
    """
    expected = expected_of(ctx.inv, managed, ctx.secrets)
    budget = call_budget(ctx.inv, managed.site)
    conn, send = _session(managed)
    try:
        return read_codec(managed.device.hostname, send, expected, budget)
    finally:
        with contextlib.suppress(OSError, EOFError, DeviceError):
            conn.disconnect()
