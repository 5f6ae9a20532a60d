"""One interactive CLI session with a simulated IOS device (a :class:`DeviceShell`)."""

from __future__ import annotations

from collections.abc import Callable

from rollout.lab.ios import show
from rollout.lab.ios.exec_basic import (
    cmd_clear,
    cmd_disable,
    cmd_enable,
    cmd_exit,
    cmd_terminal,
)
from rollout.lab.ios.exec_configure import cmd_configure
from rollout.lab.ios.exec_files import (
    cmd_archive,
    cmd_copy,
    cmd_delete,
    cmd_dir,
    cmd_more,
    cmd_write,
)
from rollout.lab.ios.exec_lock import cmd_mkdir, cmd_rmdir, cmd_tclsh, dir_of, is_subdir
from rollout.lab.ios.exec_show import show_command
from rollout.lab.ios.match import tokenize
from rollout.lab.ios.outcome import AMBIGUOUS, INCOMPLETE, INVALID, Outcome
from rollout.lab.ios.ping import cmd_ping
from rollout.lab.ios.rules import (
    EXEC_KEYWORDS,
    MODES,
    USER_EXEC_KEYWORDS,
    complete_keyword,
)
from rollout.lab.ios.terminal import CommandError, Pending, Terminal, error_text, word
from rollout.lab.shell import Reply

FILTERS = ("append", "begin", "count", "exclude", "format", "include", "redirect", "section", "tee")

Command = Callable[[Terminal, list[tuple[int, str]], list[str]], Reply]

_EXEC: dict[str, Command] = {
    "enable": cmd_enable,
    "disable": cmd_disable,
    "exit": cmd_exit,
    "logout": cmd_exit,
    "terminal": cmd_terminal,
    "configure": cmd_configure,
    "write": cmd_write,
    "copy": cmd_copy,
    "dir": lambda t, toks, w: Reply(dir_of(t, w[1])) if is_subdir(t, w) else cmd_dir(t, toks, w),
    "mkdir": cmd_mkdir,
    "rmdir": cmd_rmdir,
    "tclsh": cmd_tclsh,
    "more": cmd_more,
    "delete": cmd_delete,
    "archive": cmd_archive,
    "ping": cmd_ping,
    "clear": cmd_clear,
}


class IosSession(Terminal):
    """Reads the lines of one session: exec commands, configuration lines, answers."""

    # ------------------------------------------------------------ DeviceShell

    def banner(self) -> str:
        node = self.device.tree.find("banner", "motd")
        if node is None or node.body is None:
            return ""
        return node.body.strip("\n")

    def prompt(self) -> str:
        if self._pending is not None:
            return self._pending_prompt
        if self.editor is not None:
            if self.editor.collecting:
                return ""
            return f"{self.device.hostname}({MODES[self.editor.mode].prompt})#"
        return self.device.hostname + ("#" if self.privilege >= 15 else ">")

    def handle(self, line: str) -> Reply:
        line = line.rstrip("\r\n")
        if "\n" in line or "\r" in line:
            return self._handle_lines(line)
        with self.device.lock:
            if self._pending is not None:
                pending, self._pending = self._pending, None
                self._pending_prompt = ""
                return pending(line)
            if self.editor is not None:
                return self._config_line(line)
            return self._exec_line(line, self.prompt())

    def _handle_lines(self, text: str) -> Reply:
        """Several lines in one string, as a terminal delivers them: one at a time.

        Netmiko's ``send_config_set`` may send a command with embedded newlines (a banner
        and its text); IOS reads its input line by line, so the banner's delimiter, text
        lines and closing delimiter reach the banner parser as separate lines.
        """
        outputs: list[str] = []
        close = False
        for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            reply = self.handle(part)
            if reply.output:
                outputs.append(reply.output.rstrip("\n"))
            if reply.close:
                close = True
                break
        return Reply("\n".join(outputs), close=close)

    def exec_command(self, command: str) -> Reply:
        """Run one command as an SSH ``exec`` request, in privileged mode."""
        with self.device.lock:
            saved = self.privilege
            self.privilege = 15
            try:
                reply = self._exec_line(command, "")
            finally:
                self.privilege = saved
            self._pending = None
            self._pending_prompt = ""
            if self.editor is not None:
                self.leave_config()
            return Reply(reply.output, close=True)

    # ------------------------------------------------------------ config mode

    def _config_line(self, line: str) -> Reply:
        editor = self.editor
        assert editor is not None
        if self._generation != self.device.generation or editor.tree is not self.device.tree:
            changed = editor.changed
            self.enter_config()
            assert self.editor is not None
            self.editor.changed = changed
            editor = self.editor
        prompt = self.prompt()
        version = editor.tree.version
        out = editor.feed(line)
        if editor.tree.version != version:
            self.device.touched(self.username)
        text = out.output
        if out.answer is not None:
            return self.ask(out.ask, self._config_answer(out.answer), text)
        if out.do is not None:
            text = self._exec_line(out.do, prompt, offset=len(line) - len(line.lstrip()) + 3).output
        elif out.error:
            text = error_text(out.error, out.pos, prompt, line)
        if out.leave:
            self.leave_config()
        return Reply(text)

    def _config_answer(self, answer: Callable[[str], Outcome]) -> Pending:
        """Feed the reply to a configuration-mode question; record the change if any."""

        def reply(line: str) -> Reply:
            editor = self.editor
            version = editor.tree.version if editor is not None else -1
            out = answer(line)
            if editor is not None and editor.tree.version != version:
                self.device.touched(self.username)
            return Reply(out.output + "\n" if out.output else "")

        return reply

    # ------------------------------------------------------------ exec mode

    def _exec_line(self, line: str, prompt: str, offset: int = 0) -> Reply:
        toks = tokenize(line)
        if not toks:
            return Reply()
        try:
            return self._dispatch(line, toks)
        except CommandError as err:
            return Reply(error_text(err.kind, err.pos + offset, prompt, line))

    def _dispatch(self, line: str, toks: list[tuple[int, str]]) -> Reply:
        pipe = line.find("|")
        filt: tuple[str, str] | None = None
        if pipe >= 0:
            filt = self._parse_filter(line, pipe)
            toks = [t for t in toks if t[0] < pipe]
            line = line[:pipe]
        keywords = EXEC_KEYWORDS if self.privilege >= 15 else USER_EXEC_KEYWORDS
        cmd = word(toks, 0, keywords)
        words = [w for _p, w in toks]
        if cmd == "show":
            text = show_command(self, toks)
            if filt is not None:
                text = show.apply_filter(text, *filt)
            return Reply(text)
        if filt is not None:
            raise CommandError(INVALID, pipe)
        handler = _EXEC.get(cmd)
        if handler is None:
            raise CommandError(INVALID, toks[0][0])
        return handler(self, toks, words)

    @staticmethod
    def _parse_filter(line: str, pipe: int) -> tuple[str, str]:
        rest = line[pipe + 1 :].strip()
        parts = rest.split(None, 1)
        if not parts:
            raise CommandError(INCOMPLETE)
        hits = complete_keyword(sorted(FILTERS), parts[0].lower())
        if len(hits) != 1:
            pos = line.find(parts[0], pipe)
            raise CommandError(AMBIGUOUS if hits else INVALID, pos)
        if hits[0] == "count" and len(parts) == 1:
            return ("count", ".*")
        if len(parts) < 2:
            raise CommandError(INCOMPLETE)
        return (hits[0], parts[1])
