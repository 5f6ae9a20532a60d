"""Opening a Netmiko session: host keys verified against the repository's known-hosts file."""

from __future__ import annotations

from typing import Any

from rollout.drivers.base import DeviceError, Target


def open_session(target: Target, device_type: str) -> Any:
    """Connect, or raise a DeviceError that says why (unreachable, auth, host key, timeout)."""
    from netmiko import ConnectHandler
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoBaseException,
        NetmikoTimeoutException,
    )
    from paramiko.ssh_exception import SSHException

    if device_type == "polycom_group_series":
        from rollout.drivers.polycom_api import register

        register()
    known = target.known_hosts
    params: dict[str, Any] = {
        "device_type": device_type,
        "host": target.host,
        "port": target.port,
        "username": target.username,
        "password": target.password,
        "conn_timeout": target.timeout,
        "auth_timeout": target.timeout,
        "banner_timeout": target.timeout,
        "read_timeout_override": None,
        "fast_cli": True,
        "ssh_strict": True,
        "system_host_keys": False,
        "alt_host_keys": known is not None,
        "alt_key_file": str(known) if known else "",
        "allow_agent": False,
        "use_keys": False,
    }
    step = "connect"
    try:
        return ConnectHandler(**params)
    except NetmikoAuthenticationException:
        raise DeviceError(
            target.name,
            step,
            "authentication failed",
            "check the device's credentials in the vault",
        ) from None
    except NetmikoTimeoutException:
        raise DeviceError(
            target.name,
            step,
            f"no answer from {target.host}:{target.port}",
            "check that the device is up and reachable from here",
        ) from None
    except SSHException as exc:
        text = str(exc)
        if "not found in known_hosts" in text or "host key" in text.lower():
            raise DeviceError(
                target.name,
                step,
                f"the host key of {target.host}:{target.port} is unknown or changed",
                "verify the device, then trust it explicitly (rollout lab up records lab keys)",
            ) from None
        raise DeviceError(target.name, step, f"SSH failed: {text}") from None
    except (NetmikoBaseException, OSError, EOFError, ValueError) as exc:
        raise DeviceError(target.name, step, f"cannot connect: {exc}") from None
