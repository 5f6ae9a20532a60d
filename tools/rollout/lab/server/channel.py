"""One SSH channel of a hosted device: an interactive terminal or an ``exec`` request.

The channel owns the terminal side of a session: decoding, the line discipline (echo on a
pty, backspace, Ctrl-C/U/Z, CR/LF), the prompt after each reply, CRLF line endings; the
device's shell (:class:`~rollout.lab.shell.DeviceShell`) only sees whole lines. The faults
that act per line (``reject_command``, ``drop_after_lines``, ``slow``,
``mgmt_cut_after_acl``) are applied here as each line runs.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
from collections.abc import Callable
from typing import cast

import asyncssh

from rollout.lab.faults import invalid_input, touches_acl
from rollout.lab.server.device import HostedDevice
from rollout.lab.shell import DeviceShell, Reply

log = logging.getLogger("rollout.lab.server")


class ChannelSession(asyncssh.SSHServerSession[bytes]):
    """One SSH channel: an interactive terminal or an exec request."""

    def __init__(self, device: HostedDevice, conn: asyncssh.SSHServerConnection) -> None:
        self._device = device
        self._conn = conn
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._shell: DeviceShell | None = None
        self._pty = False
        self._command: str | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._pos = 0
        self._line: list[str] = []
        self._out: list[str] = []
        self._skip_lf = False
        self._paused = False
        self._closed = False
        self._eof = False
        self._delayed: tuple[str, bool] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._config_lines = 0
        self._acl_touched = False

    # -- asyncssh callbacks -----------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        self._pty = True
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def session_started(self) -> None:
        device = self._device
        try:
            if device.session_takes_username:
                username = str(self._conn.get_extra_info("username") or "")
                new_session = cast(Callable[..., DeviceShell], device.factory.new_session)
                self._shell = new_session(username=username)
            else:
                self._shell = device.factory.new_session()
        except Exception:
            log.exception("device %s: new_session failed", self._device.name)
            self._emit("% The lab device failed to open a session (see the lab log).\n")
            self._finish()
            return
        if self._command is not None:
            self._run_exec(self._command)
            return
        banner = self._shell.banner()
        if banner:
            self._emit(banner if banner.endswith("\n") else banner + "\n")
        self._emit(self._shell.prompt())
        self._flush()

    def data_received(self, data: bytes, datatype: object) -> None:
        if self._shell is None or self._command is not None or self._closed:
            return
        text = self._decoder.decode(data)
        if self._pos:
            self._pending = self._pending[self._pos :]
            self._pos = 0
        self._pending += text
        self._pump()

    def eof_received(self) -> bool:
        # Keep the channel half open: pending (possibly delayed) replies still go out.
        self._eof = True
        if self._command is None and not self._paused:
            self._finish()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._session_ended()
        self._closed = True
        self._delayed = None
        self.release()

    # -- terminal ---------------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        self._out.append(text)

    def _flush(self) -> None:
        if not self._out or self._chan is None or self._closed:
            self._out.clear()
            return
        text = "".join(self._out)
        self._out.clear()
        if self._pty or self._command is None:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        with contextlib.suppress(asyncssh.Error, OSError):
            self._chan.write(text.encode("utf-8"))

    def _pump(self) -> None:
        while not self._paused and not self._closed and self._pos < len(self._pending):
            ch = self._pending[self._pos]
            self._pos += 1
            self._feed(ch)
        self._flush()

    def _feed(self, ch: str) -> None:
        if ch == "\n" and self._skip_lf:
            self._skip_lf = False
            return
        self._skip_lf = ch == "\r"
        if ch in "\r\n":
            line = "".join(self._line)
            self._line.clear()
            if self._pty:
                self._emit("\n")
            self._run_line(line)
        elif ch == "\x1a":  # Ctrl-Z: leave configuration mode
            if self._in_config():
                self._line.clear()
                self._emit("^Z\n")
                self._run_line("end")
        elif ch == "\x03":  # Ctrl-C: abandon the line
            self._line.clear()
            self._emit("^C\n" + self._prompt())
        elif ch in "\x7f\x08":
            if self._line:
                self._line.pop()
                if self._pty:
                    self._emit("\b \b")
        elif ch == "\x15":  # Ctrl-U: erase the line
            if self._pty:
                self._emit("\b \b" * len(self._line))
            self._line.clear()
        elif ch >= " ":
            self._line.append(ch)
            if self._pty:
                self._emit(ch)

    def _prompt(self) -> str:
        assert self._shell is not None
        return self._shell.prompt()

    def _in_config(self) -> bool:
        return "(config" in self._prompt()

    def _run_line(self, line: str) -> None:
        assert self._shell is not None
        device = self._device
        prompt = self._prompt()
        in_config = "(config" in prompt
        if line.strip() and device.faults.rejects(line):
            reply = Reply(output=invalid_input(prompt, line))
        else:
            reply = self._call(self._shell.handle, line)
            if in_config and touches_acl(line):
                self._acl_touched = True
        if in_config and line.strip():
            self._config_lines += 1
            if device.faults.drops_after(self._config_lines):
                log.info("device %s: dropping the connection (drop_after_lines)", device.name)
                self._flush()
                self._closed = True
                self._conn.abort()
                return
        text = reply.output
        if text and not text.endswith("\n"):
            text += "\n"
        if not reply.close:
            text += self._prompt()
        self._reply(text, reply.close)

    def _reply(self, text: str, close: bool) -> None:
        seconds = self._device.faults.delay()
        if seconds > 0:
            self._flush()
            self._paused = True
            self._delayed = (text, close)
            self._device.delayed.add(self)
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(seconds, self.release)
        else:
            self._deliver(text, close)

    def release(self) -> None:
        """Send the reply held back by a ``slow`` fault now."""
        self._device.delayed.discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._delayed is not None:
            text, close = self._delayed
            self._delayed = None
            self._deliver(text, close)

    def _deliver(self, text: str, close: bool) -> None:
        self._paused = False
        if self._closed:
            return
        self._emit(text)
        if close:
            self._finish()
            return
        if self._acl_touched and not self._in_config():
            self._acl_touched = False
            self._device.acl_session_ended()
        if self._pos < len(self._pending):
            self._pump()
        else:
            self._flush()
        if self._eof and not self._paused and self._pos >= len(self._pending):
            self._finish()

    def _finish(self) -> None:
        self._flush()
        self._session_ended()
        self._closed = True
        if self._chan is not None:
            with contextlib.suppress(asyncssh.Error, OSError):
                self._chan.exit(0)

    def _session_ended(self) -> None:
        if self._acl_touched:
            self._acl_touched = False
            self._device.acl_session_ended()

    def _call(self, fn: Callable[[str], Reply], arg: str) -> Reply:
        try:
            return fn(arg)
        except Exception:
            log.exception("device %s: the shell failed on %r", self._device.name, arg)
            return Reply(output="% Internal error in the lab device (see the lab log).")

    def _run_exec(self, command: str) -> None:
        assert self._shell is not None
        if self._device.faults.rejects(command):
            reply = Reply(output=invalid_input("", command))
        else:
            reply = self._call(self._shell.exec_command, command)
        text = reply.output
        if text and not text.endswith("\n"):
            text += "\n"
        self._reply(text, close=True)
