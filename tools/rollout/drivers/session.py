"""Opening a Netmiko session: host keys verified against the repository's known-hosts file."""

from __future__ import annotations

import atexit
import hashlib
import logging
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rollout.drivers.base import DeviceError, ErrorKind, Target
from rollout.endpoints import Where

# Paramiko's transport thread logs its own tracebacks (e.g. a host that accepts TCP and never
# speaks SSH); with no handler Python prints them on stderr. The DeviceError says it plainly.
logging.getLogger("paramiko").addHandler(logging.NullHandler())
logging.getLogger("paramiko").propagate = False


def open_session(target: Target, device_type: str) -> Any:
    """Connect, or raise a DeviceError that says why (unreachable, auth, host key, timeout)."""
    from netmiko import ConnectHandler
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoBaseException,
        NetmikoTimeoutException,
    )
    from paramiko.ssh_exception import BadHostKeyException, SSHException

    if device_type == "polycom_group_series":
        from rollout.drivers.polycom_api import register

        register()
    known = target.known_hosts
    if known is None or not known.is_file():
        # Verified by default: without a known-hosts file no key can match, so say so first.
        raise DeviceError(
            target.name,
            "connect",
            f"no known-hosts file to verify {target.host}:{target.port} against "
            f"({known or 'none configured'}); the device offers {_offered(target)}",
            f"record the device's key first: rollout trust {target.name}",
            kind=ErrorKind.HOST_KEY,
        )
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
        "alt_key_file": str(host_keys_for(known, target.host, target.port)),
        "allow_agent": False,
        "use_keys": False,
    }
    if target.key:  # key-only login (linux_router): the vault's key, parsed in memory
        from rollout.drivers.keys import private_key

        params["pkey"] = private_key(target)
    step = "connect"
    try:
        return ConnectHandler(**params)
    except NetmikoAuthenticationException:
        raise DeviceError(
            target.name,
            step,
            "authentication failed",
            "check the device's credentials in the vault",
            kind=ErrorKind.AUTH,
        ) from None
    except NetmikoTimeoutException as exc:
        # Netmiko raises this from inside its handler of paramiko's own exception
        # (netmiko/base_connection.py, establish_connection): that exception is the context.
        cause = exc.__context__
        if isinstance(cause, BadHostKeyException):
            raise _host_key_error(target, changed=True) from None
        if isinstance(cause, SSHException) and _unknown_host_key(cause):
            raise _host_key_error(target, changed=False) from None
        if isinstance(cause, OSError):  # `except socket.error`: "TCP connection ... failed"
            raise DeviceError(
                target.name,
                step,
                f"no answer from {target.host}:{target.port}: no TCP connection "
                "(unreachable: refused, or no route)",
                "check that the device is up and reachable from here",
                kind=ErrorKind.UNREACHABLE,
            ) from None
        raise DeviceError(
            target.name,
            step,
            f"no answer from {target.host}:{target.port}",
            "check that the device is up and reachable from here",
            kind=ErrorKind.TIMEOUT,
        ) from None
    except BadHostKeyException as exc:
        from rollout.trust import key_fingerprint

        raise DeviceError(
            target.name,
            step,
            f"the host key of {target.host}:{target.port} CHANGED: the device offers "
            f"{exc.key.get_name()} {key_fingerprint(exc.key)}, {known} expects "
            f"{key_fingerprint(exc.expected_key)}; the connection was stopped",
            "a changed key means a replaced device or someone in between: check with the site, "
            f"then record the new key: rollout trust {target.name}{_lab_flag(target)}",
            kind=ErrorKind.HOST_KEY,
        ) from None
    except SSHException as exc:
        text = str(exc)
        if _unknown_host_key(exc):
            raise DeviceError(
                target.name,
                step,
                f"the host key of {target.host}:{target.port} is unknown (not in {known}); "
                f"the device offers {_offered(target)}; the connection was stopped",
                "if that fingerprint is the device's, record it: "
                f"rollout trust {target.name}{_lab_flag(target)}",
                kind=ErrorKind.HOST_KEY,
            ) from None
        # e.g. "Error reading SSH protocol banner": the port answered TCP, not SSH in time
        raise DeviceError(
            target.name, step, f"SSH failed: {text}", kind=_ssh_failure_kind(exc)
        ) from None
    except (NetmikoBaseException, OSError, EOFError, ValueError) as exc:
        # e.g. ReadTimeout: logged in, but the prompt never came (session preparation)
        kind = ErrorKind.TIMEOUT if _timed_out(exc) else ErrorKind.UNREACHABLE
        raise DeviceError(target.name, step, f"cannot connect: {exc}", kind=kind) from None


def _timed_out(exc: BaseException) -> bool:
    """Netmiko's ReadTimeout (netmiko/exceptions.py) or a socket timeout (TimeoutError)."""
    from netmiko.exceptions import ReadTimeout

    return isinstance(exc, ReadTimeout | TimeoutError)


def _unknown_host_key(exc: Exception) -> bool:
    """paramiko's RejectPolicy refusing a host key the known-hosts file lacks.

    paramiko has no exception class of its own for it: RejectPolicy.missing_host_key raises a
    plain SSHException("Server {!r} not found in known_hosts") (paramiko/client.py).
    """
    return "not found in known_hosts" in str(exc)


def _ssh_failure_kind(exc: Exception) -> ErrorKind:
    """A failed SSH handshake: a timeout when its cause was one, else unreachable.

    paramiko raises SSHException("Error reading SSH protocol banner...") from inside the
    handler of the socket's own exception (paramiko/transport.py, `_check_banner`), so the
    socket timeout is the exception's context.
    """
    cause = exc.__cause__ or exc.__context__
    return ErrorKind.TIMEOUT if isinstance(cause, TimeoutError) else ErrorKind.UNREACHABLE


def session_lost(
    name: str, step: str, exc: BaseException, what: str = "the session failed"
) -> DeviceError:
    """An open session that failed while a step ran: a timeout, or the session lost.

    Netmiko raises ReadTimeout when the expected prompt never came back (netmiko/exceptions.py:
    `class ReadTimeout(ReadException)`); a socket timeout is Python's TimeoutError. Anything
    else (closed socket, reset, end of file, paramiko's "Socket is closed") lost the session.
    """
    return DeviceError(name, step, f"{what} ({exc})", kind=lost_kind(exc))


def lost_kind(exc: BaseException) -> ErrorKind:
    """The kind of an exception raised by an open Netmiko or paramiko session."""
    return ErrorKind.TIMEOUT if _timed_out(exc) else ErrorKind.SESSION_LOST


def _lab_flag(target: Target) -> str:
    """The flag that reaches the same lab again (the fix texts name the right command)."""
    return {Where.LAB: " --lab", Where.NETLAB: " --netlab"}.get(target.where, "")


def _offered(target: Target) -> str:
    """The fingerprint the device offers, read on a second, login-free connection."""
    from rollout.errors import RolloutError
    from rollout.trust import fetch

    try:
        key = fetch(target.host, target.port, min(target.timeout, 10.0))
    except RolloutError:
        return "a key that could not be read again"
    return f"{key.kind} {key.fingerprint}"


def _host_key_error(target: Target, *, changed: bool) -> DeviceError:
    """Name the device, the fingerprint it offers and what the known-hosts file expects."""
    from rollout.trust import recorded

    known = target.known_hosts
    fix = f"rollout trust {target.name}{_lab_flag(target)}"
    if changed:
        expected = ", ".join(
            k.fingerprint for k in (recorded(known, target.host, target.port) if known else [])
        )
        return DeviceError(
            target.name,
            "connect",
            f"the host key of {target.host}:{target.port} CHANGED: the device offers "
            f"{_offered(target)}, {known} expects {expected or 'another key'}; "
            "the connection was stopped",
            "a changed key means a replaced device or someone in between: check with the site, "
            f"then record the new key: {fix}",
            kind=ErrorKind.HOST_KEY,
        )
    return DeviceError(
        target.name,
        "connect",
        f"the host key of {target.host}:{target.port} is unknown (not in {known}); "
        f"the device offers {_offered(target)}; the connection was stopped",
        f"if that fingerprint is the device's, record it: {fix}",
        kind=ErrorKind.HOST_KEY,
    )


# -- known-hosts files, one host at a time -----------------------------------------------------
# paramiko parses the whole known-hosts file on every connection (and takes a global logging
# lock per line): with a fleet in one file, each session costs O(fleet) and a drift of the
# fleet O(fleet²) (a 750-device lab spent 80 % of its time there). Sessions therefore get a
# file holding only their host's lines (hashed entries are kept, since they cannot be sorted
# by host); the file is cut once per process and per version of the known-hosts file.

_HASHED = "|hashed|"
_CUT_LOCK = threading.Lock()
_CUT_DIR: list[Path] = []
_CUT: dict[tuple[str, int, int], dict[str, list[str]]] = {}


def _host_field(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def host_keys_for(known: Path, host: str, port: int) -> Path:
    """A known-hosts file with only the lines that can match host:port (same verdicts)."""
    try:
        stat = known.stat()
    except OSError:
        return known
    key = (str(known), stat.st_mtime_ns, stat.st_size)
    with _CUT_LOCK:
        index = _CUT.get(key)
        if index is None:
            index = {}
            for line in known.read_text(encoding="utf-8", errors="replace").splitlines():
                names = line.split(None, 1)[0] if line.strip() else ""
                if not names or names.startswith("#"):
                    continue
                for name in [_HASHED] if names.startswith("|") else names.split(","):
                    index.setdefault(name, []).append(line)
            if any(ch in name for name in index for ch in "*?!@"):
                index = {}  # patterns or markers: paramiko matches them against the whole file
            _CUT.clear()
            _CUT[key] = index
        if not index:
            return known
        if not _CUT_DIR:
            folder = Path(tempfile.mkdtemp(prefix="rollout-known-"))
            atexit.register(shutil.rmtree, folder, True)
            _CUT_DIR.append(folder)
        name = _host_field(host, port)
        lines = index.get(name, []) + index.get(_HASHED, [])
        digest = hashlib.sha256(f"{key}{name}".encode()).hexdigest()[:24]
        path = _CUT_DIR[0] / digest
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            tmp.replace(path)
        return path


CONFIG_WINDOW = 16
"""Configuration lines written before their echoes are read back (``send_config_lines``).

Netmiko's own ``send_config_set`` can write every line before reading anything (its
``fast_cli`` legacy mode: netmiko/base_connection.py, ``send_config_set``, "Perform output
gathering line-by-line (legacy way)", https://github.com/ktbyers/netmiko), as a person pastes a
configuration into a terminal: the device reads its type-ahead line by line, echoing each line
and printing its prompt after it. By default it writes one line and waits for its echo and its
prompt before the next (``cmd_verify``): a round trip per line, most of a push of 250 lines.
A window of lines keeps each burst small (16 lines, ~1 KB) and still stops within 16 lines of a
rejected one. How much type-ahead a real IOS vty takes before it drops input is **unconfirmed**
(no public figure found); 16 lines is well below what a pasted configuration sends at once."""

CONFIG_PROMPT = re.compile(r"(?m)^[^\s#>%]+(?:\([^)\r\n]*\))?#")
"""An IOS prompt at the start of a line: ``rtr01(config)#``, ``rtr01(config-if)#``,
``rtr01(config-pmap-c)#``, or ``rtr01#`` after an ``exit`` too many (the hostname may change
mid-push). Every line the device reads gets one."""


def send_config_lines(
    conn: Any, commands: list[str], *, error_pattern: str, line_timeout: float
) -> str:
    """Send configuration lines (the session already in configuration mode) CONFIG_WINDOW at a
    time: each window is written at once, then read until a prompt came back for each of its
    lines. Raises ConfigInvalidException naming the first rejected line (error_pattern), and
    netmiko's ReadTimeout when no line is answered within line_timeout seconds."""
    from netmiko.exceptions import ConfigInvalidException

    output = ""
    for start in range(0, len(commands), CONFIG_WINDOW):
        window = commands[start : start + CONFIG_WINDOW]
        conn.write_channel("".join(conn.normalize_cmd(c) for c in window))
        got = _read_prompts(conn, len(window), line_timeout, error_pattern)
        output += got
        error = re.search(error_pattern, got, flags=re.M)
        if error:
            raise ConfigInvalidException(
                f"Invalid input detected at command: {_culprit(got, error.start())}, "
                f"matched error: {error.group(0)}"
            )
    return output


def _read_prompts(conn: Any, count: int, line_timeout: float, error_pattern: str) -> str:
    """What the device sends until count prompts came back, or up to the first error (the
    window stops there); waits on the SSH channel (paramiko's ``Channel.fileno`` is there for
    ``select``) rather than in sleeps."""
    import select

    from netmiko.exceptions import ReadException, ReadTimeout

    channel = getattr(conn, "remote_conn", None)
    out: str = ""
    seen = 0
    deadline = time.monotonic() + line_timeout
    while seen < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReadTimeout(f"no prompt within {line_timeout:.0f} s ({seen} of {count} lines)")
        if channel is not None and hasattr(channel, "fileno"):
            select.select([channel], [], [], min(left, 0.5))
        new: str = conn.read_channel()
        if not new:
            if channel is not None and getattr(channel, "closed", False):
                raise ReadException("the device closed the session")
            continue
        out += new
        if re.search(error_pattern, out, flags=re.M):
            return out
        now = len(CONFIG_PROMPT.findall(out))
        if now > seen:  # each line answered gives the next one its full time
            seen = now
            deadline = time.monotonic() + line_timeout
    return out


def _culprit(output: str, at: int) -> str:
    """The echoed line an error at output[at] answers: the text after the last prompt."""
    prompts = list(CONFIG_PROMPT.finditer(output, 0, at))
    if not prompts:
        return "?"
    return output[prompts[-1].end() : at].splitlines()[0].strip() if at > prompts[-1].end() else "?"
