"""Verify one Cisco/Polycom site over SSH: the router's IP SLA probes and a codec test call.

Read-only on the router; on the codec only a test call (hung up again). Sessions go through
`rollout.drivers.session.open_session` (host keys verified), to the live devices or, with
``lab``, to the lab twin. An unreachable device is an error (exit 1), a bad path a failed
check (exit 2).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from rollout.drivers.base import DeviceError
from rollout.drivers.session import open_session
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform, Role
from rollout.quality import Outcome
from rollout.secrets import Secrets
from rollout.sla.call import Dial, check_call, place_test_call
from rollout.sla.probes import COMMAND, Probe, check_router
from rollout.targets import Managed, managed_devices


def _session_reader(managed: Managed, device_type: str) -> tuple[Any, Any]:
    """An open Netmiko session and a function sending one command over it."""
    from netmiko.exceptions import NetmikoBaseException

    target = managed.target
    conn = open_session(target, device_type)

    def send(command: str, **kwargs: Any) -> str:
        try:
            reply: str = conn.send_command(command, read_timeout=target.timeout, **kwargs)
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise DeviceError(target.name, command, f"the session failed ({exc})") from None
        return reply

    return conn, send


def _close(conn: Any) -> None:
    with contextlib.suppress(OSError, EOFError):
        conn.disconnect()


def probes_of(inv: Inventory, managed: Managed, secrets: Secrets) -> list[Probe]:
    """The IP SLA probes the intent configures on the site's router."""
    from rollout.intent import IosRouterIntent, device_intent

    intent = device_intent(inv, managed.site, managed.device, secrets)
    operations = intent.sla if isinstance(intent, IosRouterIntent) else ()
    return [Probe.from_intent(op) for op in operations]


def dial_of(inv: Inventory, managed: Managed) -> Dial:
    """The hub's MCU as the codec dials it (SIP through the registrar the codec uses)."""
    mcu = next((s for s in inv.province.services.values() if s.kind == "mcu"), None)
    if mcu is None:
        raise RolloutError(
            "the province file lists no MCU service to place the test call to",
            "add a service of kind mcu to inventory/province.yml",
        )
    rate = int(getattr(managed.device, "call_rate_kbps", 0) or 2048)
    return Dial(str(mcu.address), rate, "sip")


def verify_site(
    inv: Inventory, slug: str, secrets: Secrets, *, lab: Path | None, hold_s: float
) -> Outcome:
    """Both paths of one site, judged against the province's thresholds."""
    devices = managed_devices(inv, [slug], secrets, lab=lab)
    router = next((m for m in devices if m.device.role is Role.WAN_ROUTER), None)
    codec = next((m for m in devices if m.device.platform is Platform.POLYCOM), None)
    if router is None or router.device.platform is not Platform.CISCO_IOS:
        raise RolloutError(
            f"site {slug} has no Cisco IOS WAN router to read IP SLA probes from",
            "a linux_router site is proven in the network lab: rollout verify SITE --netlab",
        )
    t = inv.province.thresholds
    outcome = Outcome(slug)
    probes = probes_of(inv, router, secrets)
    conn, send = _session_reader(router, "cisco_ios")
    try:
        output = send(COMMAND)
    finally:
        _close(conn)
    checks, classes = check_router(output, probes, t)
    outcome.checks.extend(checks)
    outcome.classes.update(classes)
    if codec is not None:
        from rollout.drivers.polycom_api import DEVICE_TYPE

        dial = dial_of(inv, codec)
        conn, send = _session_reader(codec, DEVICE_TYPE)

        def api(command: str) -> str:
            return str(send(command, expect_string=r"->", auto_find_prompt=False))

        try:
            connected, media, net = place_test_call(codec.target.name, api, dial, hold_s)
        finally:
            _close(conn)
        checks, figures = check_call(dial, connected, media, net, t)
        outcome.checks.extend(checks)
        outcome.classes.update(figures)
    return outcome
