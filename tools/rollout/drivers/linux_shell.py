"""How the linux_router driver reaches a router's shell and files: one small Protocol, two ways.

- ``SshShell``: the router's sshd. The session is opened by ``open_session`` (Netmiko,
  ``device_type="linux"``): host key verified against the known-hosts file, the vault's key,
  the same timeouts and error texts as every other driver. Commands run on exec channels of
  that SSH transport (each with its own exit status and stderr, no prompt parsing); files are
  read and written with SFTP on the same transport, written atomically (temp file + rename).
- ``NetnsShell``: ``ip netns exec`` on this machine, for the network lab's own checks
  (``rollout verify``) that hold no vault key.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from rollout.drivers.base import DeviceError, ErrorKind, Target


class Shell(Protocol):
    """A root shell on the router and its files."""

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        """Run a shell command line; its stdout. A failure (check) raises DeviceError."""
        ...

    def read(self, path: PurePosixPath) -> str | None:
        """A file's text, None when it does not exist."""
        ...

    def write(self, path: PurePosixPath, text: str) -> None:
        """Replace a file atomically (temp file in the same folder, then rename)."""
        ...

    def close(self) -> None: ...


def _failed(target: str, step: str, rc: int, out: str, err: str) -> DeviceError:
    text = (err or out).strip()[-400:]
    return DeviceError(
        target, step, f"failed on the router (exit {rc}): {text}", kind=ErrorKind.REFUSED
    )


class SshShell:
    """The router's sshd, through a verified Netmiko session."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._session: Any = None
        self._sftp: Any = None

    def _transport(self) -> Any:
        if self._session is None:
            from rollout.drivers.session import open_session

            self._session = open_session(self.target, "linux")
        return self._session.remote_conn_pre.get_transport()

    def _lost(self, step: str, exc: BaseException) -> DeviceError:
        from rollout.drivers.session import lost_kind

        return DeviceError(
            self.target.name,
            step,
            f"session failed: {type(exc).__name__}: {exc}".rstrip(": "),
            "check that the router is up and its sshd reachable, then run the step again",
            kind=lost_kind(exc),
        )

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        import paramiko

        transport = self._transport()
        wait = timeout or self.target.timeout
        try:
            channel = transport.open_session(timeout=self.target.timeout)
            channel.settimeout(wait)
            channel.exec_command(command)
            out = channel.makefile("rb").read().decode("utf-8", "replace")
            err = channel.makefile_stderr("rb").read().decode("utf-8", "replace")
            rc = channel.recv_exit_status()
            channel.close()
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._lost(step, exc) from None
        if check and rc != 0:
            raise _failed(self.target.name, step, rc, out, err)
        return str(out)

    def _files(self, step: str) -> Any:
        import paramiko

        if self._sftp is None:
            self._transport()
            try:
                self._sftp = self._session.remote_conn_pre.open_sftp()
                self._sftp.get_channel().settimeout(self.target.timeout)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise self._lost(step, exc) from None
        return self._sftp

    def read(self, path: PurePosixPath) -> str | None:
        import paramiko

        sftp = self._files("read")
        try:
            with sftp.open(str(path), "r") as f:
                return str(f.read().decode("utf-8", "replace"))
        except FileNotFoundError:
            return None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._lost(f"read {path.name}", exc) from None

    def write(self, path: PurePosixPath, text: str) -> None:
        import paramiko

        sftp = self._files("write")
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with sftp.open(str(tmp), "w") as f:
                f.write(text.encode("utf-8"))
            sftp.posix_rename(str(tmp), str(path))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._lost(f"write {path.name}", exc) from None

    def close(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
            self._sftp = None
        if self._session is not None:
            self._session.disconnect()
            self._session = None


class NetnsShell:
    """``ip netns exec`` in the network lab's router namespace; the files are local."""

    def __init__(self, target: Target, namespace: str) -> None:
        self.target = target
        self.namespace = namespace

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        try:
            proc = subprocess.run(
                ["ip", "netns", "exec", self.namespace, "sh", "-c", command],
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout or self.target.timeout,
            )
        except subprocess.TimeoutExpired:
            raise DeviceError(self.target.name, step, "timed out", kind=ErrorKind.TIMEOUT) from None
        if check and proc.returncode != 0:
            raise _failed(self.target.name, step, proc.returncode, proc.stdout, proc.stderr)
        return proc.stdout

    def read(self, path: PurePosixPath) -> str | None:
        local = Path(path)
        return local.read_text(encoding="utf-8") if local.is_file() else None

    def write(self, path: PurePosixPath, text: str) -> None:
        local = Path(path)
        tmp = local.with_name(f".{local.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(local)

    def close(self) -> None:
        return None
