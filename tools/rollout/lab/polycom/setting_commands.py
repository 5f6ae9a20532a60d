"""The settings commands: ``<name> get|set``, ``<name> <mode>`` and ``systemsetting``.

Which names exist and what they accept is data (`rollout.lab.polycom.specs`); this module
is the grammar around them and the replies (``<name> <value>`` or an error of
`rollout.lab.polycom.api`).
"""

from __future__ import annotations

from rollout.lab.polycom.api import ERR_ILLEGAL, ERR_MORE_PARAMS
from rollout.lab.polycom.specs import DNS_SLOTS, SYSTEMSETTINGS, Spec
from rollout.lab.polycom.state import CodecState
from rollout.lab.polycom.values import render, validate


def show(device: CodecState, label: str, spec: Spec) -> str:
    """``<label> <value>`` with the setting's value as the API prints it."""
    return f"{label} {render(device.settings[spec.key], spec)}"


def get_set(device: CodecState, spec: Spec, args: list[str]) -> str:
    if not args:
        return ERR_MORE_PARAMS
    verb = args[0].lower()
    if verb == "get" and len(args) == 1:
        return show(device, spec.key, spec)
    if verb != "set":
        return ERR_ILLEGAL
    if len(args) == 1:
        if not spec.clearable:
            return ERR_MORE_PARAMS
        device.set_setting(spec.key, "")
        return show(device, spec.key, spec)
    if len(args) > 2:
        return ERR_ILLEGAL
    value = validate(spec, args[1])
    if value is None:
        return ERR_ILLEGAL
    if spec.static_only and device.settings["dhcp"] != "off":
        return ERR_ILLEGAL  # unconfirmed reply; hdx-api: 'only when DHCP is off'
    device.set_setting(spec.key, value)
    return show(device, spec.key, spec)


def mode(device: CodecState, spec: Spec, args: list[str]) -> str:
    if not args:
        return ERR_MORE_PARAMS
    if len(args) > 1:
        return ERR_ILLEGAL
    if args[0].lower() == "get":
        return show(device, spec.key, spec)
    value = validate(spec, args[0])
    if value is None:
        return ERR_ILLEGAL
    device.set_setting(spec.key, value)
    return show(device, spec.key, spec)


def systemsetting(device: CodecState, args: list[str]) -> str:
    """``systemsetting get <name>`` or ``systemsetting <name> [value]``.

    ``systemsetting set <name> <value>`` is not the API's form: ``set`` is no setting
    name, so it is refused like any unknown name (reply text unconfirmed).
    """
    if not args:
        return ERR_MORE_PARAMS
    if args[0].lower() == "get":
        if len(args) != 2:
            return ERR_MORE_PARAMS if len(args) < 2 else ERR_ILLEGAL
        spec = SYSTEMSETTINGS.get(args[1].lower())
        if spec is None or spec.secret:
            return ERR_ILLEGAL
        return show(device, f"systemsetting {args[1].lower()}", spec)
    name = args[0].lower()
    spec = SYSTEMSETTINGS.get(name)
    if spec is None or spec.readonly or len(args) > 2:
        return ERR_ILLEGAL
    label = f"systemsetting {name}"
    if len(args) == 1:
        if not spec.clearable:
            return ERR_MORE_PARAMS
        value: str | None = ""
    else:
        value = validate(spec, args[1])
    if value is None:
        return ERR_ILLEGAL
    device.set_setting(spec.key, value)
    if spec.secret:
        return f"{label} ********" if value else f'{label} ""'
    return show(device, label, spec)


def dns(device: CodecState, args: list[str]) -> str:
    """``dns get <n>`` or ``dns set <n> [address]`` (n = 1..4; a bare ``set`` clears)."""
    if len(args) < 2:
        return ERR_MORE_PARAMS
    verb, slot = args[0].lower(), args[1]
    spec = DNS_SLOTS.get(slot)
    if spec is None or verb not in ("get", "set") or len(args) > 3:
        return ERR_ILLEGAL
    label = f"dns {slot}"
    if verb == "get":
        return ERR_ILLEGAL if len(args) > 2 else show(device, label, spec)
    value = validate(spec, args[2]) if len(args) == 3 else ""
    if value is None:
        return ERR_ILLEGAL
    device.set_setting(spec.key, value)
    return show(device, label, spec)


PASSWORD_CHANGED = "password changed"
"""The reply of a successful ``setpassword`` (unconfirmed: no public source shows it)."""


def setpassword(device: CodecState, args: list[str]) -> str:
    """``setpassword admin room "<current>" "<new>"`` (hdx-api SetPassword).

    A wrong current password is refused (the reply text is unconfirmed: the API's bad
    argument reply); the new password is what the next login needs. The values never
    appear in a reply. Only the ``admin`` account is simulated (hdx-api names no other).
    """
    if len(args) < 4:
        return ERR_MORE_PARAMS
    account, scope, current, new = args[0].lower(), args[1].lower(), *args[2:4]
    if len(args) > 4 or account != "admin" or scope != "room" or not new:
        return ERR_ILLEGAL
    if not device.change_password(current, new):
        return ERR_ILLEGAL
    return PASSWORD_CHANGED


# -- calls and status ----------------------------------------------------------------
