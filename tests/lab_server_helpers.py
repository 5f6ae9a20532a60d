"""Helpers shared by the lab SSH server tests (SSH clients against lab devices)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import paramiko
from netmiko import BaseConnection, ConnectHandler

from rollout.lab.server import DeviceInfo

USER = "admin"
PASSWORD = "lab-pass"


def netmiko_connect(info: DeviceInfo, **kwargs: Any) -> BaseConnection:
    params: dict[str, Any] = {
        "device_type": "cisco_ios",
        "host": info.host,
        "port": info.port,
        "username": USER,
        "password": PASSWORD,
        "conn_timeout": 5,
        "auth_timeout": 5,
        "banner_timeout": 5,
    }
    params.update(kwargs)
    return ConnectHandler(**params)


def paramiko_client(info: DeviceInfo, **kwargs: Any) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    params: dict[str, Any] = {
        "username": USER,
        "password": PASSWORD,
        "look_for_keys": False,
        "allow_agent": False,
        "timeout": 5,
    }
    params.update(kwargs)
    client.connect(info.host, port=info.port, **params)
    return client


def read_until(channel: paramiko.Channel, marker: bytes, timeout: float = 5.0) -> bytes:
    """Read from an interactive channel until ``marker`` shows up."""
    channel.settimeout(timeout)
    data = b""
    while marker not in data:
        chunk = channel.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return predicate()
        time.sleep(0.02)
    return True
