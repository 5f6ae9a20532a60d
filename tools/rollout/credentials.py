"""How rollout logs in to a device: user and password per platform, the codec's password before a
rotation, the linux_router admin key.

Names only come from the province file (``credentials:``), values from the vault. The labs stage
their devices with the same logins, so they read them here too.
"""

from __future__ import annotations

from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform
from rollout.secrets import Secrets

CODEC_USER = "admin"  # the Polycom Group Series' admin account (its fixed name)


def login(inv: Inventory, device: Device, secrets: Secrets) -> tuple[str, str]:
    """The device's login user and password: the codec's admin, else the NOC account."""
    cred = inv.province.credentials
    if device.platform is Platform.POLYCOM:
        return CODEC_USER, secrets[cred.codec_admin_password]
    return cred.admin_user, secrets[cred.admin_password]


def previous_password(inv: Inventory, device: Device, secrets: Secrets) -> str:
    """The codec's admin password before a rotation ("" when the vault holds none, or the
    same value as the intended one): tried only when the intended one is refused."""
    cred = inv.province.credentials
    name = cred.codec_admin_password_previous
    if device.platform is not Platform.POLYCOM or name not in set(secrets):
        return ""
    previous = secrets[name]
    return "" if previous == secrets[cred.codec_admin_password] else previous


def router_key(inv: Inventory, device: Device, secrets: Secrets) -> str:
    """A linux_router logs in with the vault's admin key when the province names one."""
    name = inv.province.credentials.linux_router_admin_key
    if device.platform is not Platform.LINUX_ROUTER or not name:
        return ""
    return secrets[name]


def admin_key(inv: Inventory, secrets: Secrets) -> str:
    """The linux_router admin's private key (vault text), or a RolloutError saying what to add."""
    name = inv.province.credentials.linux_router_admin_key
    if not name:
        raise RolloutError(
            "no key for the linux_router admin is configured",
            "name its vault variable in inventory/province.yml (credentials: "
            "linux_router_admin_key: vault_linux_router_admin_key) and put an ed25519 key there",
        )
    return secrets[name]
