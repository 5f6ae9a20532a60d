"""One interactive CLI session with a simulated IOS device (a :class:`DeviceShell`)."""

from __future__ import annotations

from collections.abc import Callable

from rollout.lab.ios import show
from rollout.lab.ios.editor import Editor
from rollout.lab.ios.match import tokenize
from rollout.lab.ios.outcome import AMBIGUOUS, INCOMPLETE, INVALID, Outcome
from rollout.lab.ios.rules import (
    EXEC_KEYWORDS,
    MODES,
    SHOW_IP_KEYWORDS,
    SHOW_KEYWORDS,
    USER_EXEC_KEYWORDS,
    canonical_interface,
    complete_keyword,
)
from rollout.lab.ios.state import DeviceState
from rollout.lab.shell import Reply

CONFIG_HINT = "Enter configuration commands, one per line.  End with CNTL/Z."
INVALID_MARKER = "% Invalid input detected at '^' marker."
REPLACE_WARNING = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)
_REPLACE_OPTIONS = frozenset(
    {"force", "list", "nolock", "time", "revert", "trigger", "error", "timer"}
)
FILTERS = ("append", "begin", "count", "exclude", "format", "include", "redirect", "section", "tee")

Pending = Callable[[str], Reply]


class CommandError(Exception):
    """An exec command IOS rejects; ``kind`` is INVALID / INCOMPLETE / AMBIGUOUS."""

    def __init__(self, kind: int, pos: int = 0) -> None:
        super().__init__(kind, pos)
        self.kind = kind
        self.pos = pos


class IosSession:
    """Mode and terminal state of one session; device state is shared."""

    def __init__(
        self, device: DeviceState, *, username: str = "admin", privilege: int = 15
    ) -> None:
        self.device = device
        self.username = username
        self.privilege = 15 if privilege >= 15 else 1
        self.editor: Editor | None = None
        self._generation = 0
        self._pending: Pending | None = None
        self._pending_prompt = ""
        self.term_length = 24
        self.term_width = 80
        self.closed = False

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
                self._leave_config()
            return Reply(reply.output, close=True)

    # ------------------------------------------------------------ helpers

    def _ask(self, prompt: str, then: Pending, output: str = "") -> Reply:
        self._pending = then
        self._pending_prompt = prompt
        return Reply(output)

    @staticmethod
    def _error(kind: int, pos: int, prompt: str, line: str) -> str:
        if kind == INCOMPLETE:
            return "% Incomplete command.\n"
        if kind == AMBIGUOUS:
            return f'% Ambiguous command:  "{line.strip()}"\n'
        return " " * (len(prompt) + pos) + "^\n" + INVALID_MARKER + "\n"

    # ------------------------------------------------------------ config mode

    def _enter_config(self) -> None:
        self.editor = Editor(self.device.tree)
        self._generation = self.device.generation

    def _leave_config(self) -> None:
        editor = self.editor
        self.editor = None
        if editor is not None and editor.changed:
            self.device.emit("config-changed")

    def _config_line(self, line: str) -> Reply:
        editor = self.editor
        assert editor is not None
        if self._generation != self.device.generation or editor.tree is not self.device.tree:
            changed = editor.changed
            self._enter_config()
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
            return self._ask(out.ask, self._config_answer(out.answer), text)
        if out.do is not None:
            text = self._exec_line(out.do, prompt, offset=len(line) - len(line.lstrip()) + 3).output
        elif out.error:
            text = self._error(out.error, out.pos, prompt, line)
        if out.leave:
            self._leave_config()
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
            return Reply(self._error(err.kind, err.pos + offset, prompt, line))

    def _word(self, toks: list[tuple[int, str]], i: int, choices: tuple[str, ...]) -> str:
        if i >= len(toks):
            raise CommandError(INCOMPLETE)
        pos, word = toks[i]
        hits = complete_keyword(sorted(choices), word.lower())
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise CommandError(AMBIGUOUS, pos)
        raise CommandError(INVALID, pos)

    def _dispatch(self, line: str, toks: list[tuple[int, str]]) -> Reply:
        pipe = line.find("|")
        filt: tuple[str, str] | None = None
        if pipe >= 0:
            filt = self._parse_filter(line, pipe)
            toks = [t for t in toks if t[0] < pipe]
            line = line[:pipe]
        keywords = EXEC_KEYWORDS if self.privilege >= 15 else USER_EXEC_KEYWORDS
        cmd = self._word(toks, 0, keywords)
        words = [w for _p, w in toks]
        if cmd == "show":
            text = self._show(toks)
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

    # ------------------------------------------------------------ show

    def _show(self, toks: list[tuple[int, str]]) -> str:
        dev = self.device
        user_ok = ("clock", "privilege", "version", "terminal", "users", "ip", "history")
        choices = (
            SHOW_KEYWORDS
            if self.privilege >= 15
            else tuple(k for k in SHOW_KEYWORDS if k in user_ok)
        )
        what = self._word(toks, 1, choices)
        rest = [w for _p, w in toks[2:]]
        if what == "running-config":
            if rest:
                sub = self._word(toks, 2, ("interface", "all", "brief", "view"))
                if sub == "interface":
                    name = canonical_interface("".join(rest[1:])) if len(rest) > 1 else None
                    text = show.show_running_interface(dev, name) if name else None
                    if text is None:
                        raise CommandError(INVALID, toks[3][0] if len(toks) > 3 else toks[2][0])
                    return text
            return "\n".join(dev.running_config_lines())
        if what == "startup-config":
            return show.show_startup(dev)
        if what == "version":
            return show.show_version(dev)
        if what == "clock":
            return show.show_clock(dev)
        if what == "archive":
            return show.show_archive(dev)
        if what == "access-lists":
            return show.show_access_lists(dev, rest[0] if rest else None)
        if what == "flash:":
            return show.dir_flash(dev)
        if what == "privilege":
            return f"Current privilege level is {self.privilege}"
        if what == "users":
            return (
                "    Line       User       Host(s)              Idle       Location\n"
                f"*  2 vty 0     {self.username:<10} idle                 00:00:00 127.0.0.1\n\n"
                "  Interface    User               Mode         Idle     Peer Address"
            )
        if what == "terminal":
            return (
                'Line 2, Location: "", Type: ""\n'
                f"Length: {self.term_length} lines, Width: {self.term_width} columns"
            )
        if what == "ip":
            sub = self._word(toks, 2, SHOW_IP_KEYWORDS)
            more = [w for _p, w in toks[3:]]
            if sub == "interface":
                if more and self._word(toks, 3, ("brief",)) == "brief":
                    return show.show_ip_interface_brief(dev)
                raise CommandError(INCOMPLETE)
            if sub == "sla":
                kind = self._word(toks, 3, ("statistics", "summary", "configuration"))
                if kind == "statistics":
                    op = more[1] if len(more) > 1 and more[1].isdigit() else None
                    return show.show_ip_sla_statistics(dev, op)
                raise CommandError(INVALID, toks[3][0])
            if sub == "access-lists":
                return show.show_access_lists(dev, more[0] if more else None)
            raise CommandError(INVALID, toks[2][0])
        raise CommandError(INVALID, toks[1][0])

    # ------------------------------------------------------------ commands

    def _cmd_enable(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        if self.privilege >= 15:
            return Reply()
        if not self.device.enable_required():
            self.privilege = 15
            return Reply()
        return self._ask("Password: ", lambda pw: self._enable_try(pw, 1))

    def _enable_try(self, password: str, attempt: int) -> Reply:
        if self.device.check_enable(password):
            self.privilege = 15
            return Reply()
        if attempt >= 3:
            return Reply("% Bad secrets\n")
        return self._ask("Password: ", lambda pw: self._enable_try(pw, attempt + 1))

    def _cmd_disable(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        self.privilege = 1
        return Reply()

    def _cmd_exit(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        self.closed = True
        return Reply(close=True)

    def _cmd_terminal(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        sub = self._word(
            toks, 1, ("length", "width", "monitor", "no", "history", "exec", "default")
        )
        if sub in {"length", "width"}:
            if len(words) < 3:
                raise CommandError(INCOMPLETE)
            if not words[2].isdigit():
                raise CommandError(INVALID, toks[2][0])
            value = int(words[2])
            if value > 512:
                raise CommandError(INVALID, toks[2][0])
            if sub == "length":
                self.term_length = value
            else:
                self.term_width = value
            return Reply()
        if sub == "no":
            self._word(toks, 2, ("monitor", "length", "width", "history", "exec"))
        return Reply()

    def _cmd_configure(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        if len(words) == 1:
            return self._ask(
                "Configuring from terminal, memory, or network [terminal]? ",
                self._configure_answer,
            )
        sub = self._word(
            toks,
            1,
            ("terminal", "memory", "network", "replace", "confirm", "revert", "overwrite-network"),
        )
        if sub == "terminal":
            return self._configure_terminal(toks)
        if sub == "confirm":
            self.device.confirm()
            return Reply()
        if sub == "revert":
            how = self._word(toks, 2, ("now", "timer"))
            if how == "now":
                if not self.device.revert_pending:
                    return Reply("%No Rollback Confirmed Change pending")
                self.device.revert_now()
                return Reply()
            minutes = self._minutes(toks, 3)
            if not self.device.set_revert_timer(minutes):
                return Reply("%No Rollback Confirmed Change pending")
            return Reply()
        if sub == "replace":
            return self._configure_replace(toks, words)
        if sub == "memory":
            text = self.device.startup or ""
            self._merge(text)
            return Reply()
        raise CommandError(INVALID, toks[1][0])

    def _configure_answer(self, answer: str) -> Reply:
        word = answer.strip().lower() or "terminal"
        if "terminal".startswith(word):
            self._enter_config()
            return Reply(CONFIG_HINT)
        return Reply('?Must be "terminal", "memory" or "network"')

    def _minutes(self, toks: list[tuple[int, str]], i: int) -> int:
        if i >= len(toks):
            raise CommandError(INCOMPLETE)
        word = toks[i][1]
        if word == "idle":
            return self._minutes(toks, i + 1)
        if not word.isdigit() or not 1 <= int(word) <= 120:
            raise CommandError(INVALID, toks[i][0])
        return int(word)

    def _configure_terminal(self, toks: list[tuple[int, str]]) -> Reply:
        if len(toks) > 2:
            self._word(toks, 2, ("revert", "lock"))
            if toks[2][1].lower().startswith("r"):
                self._word(toks, 3, ("timer",))
                minutes = self._minutes(toks, 4)
                url = self.device.start_revert(minutes)
                if url is None:
                    return Reply(
                        "Rollback Confirmed Change: archive path must be configured "
                        "for rollback to work"
                    )
                self._enter_config()
                return Reply(
                    "Rollback Confirmed Change: Backing up current running config to "
                    f"{url}\n\n{CONFIG_HINT}"
                )
        self._enter_config()
        return Reply(CONFIG_HINT)

    def _configure_replace(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        if len(words) < 3:
            raise CommandError(INCOMPLETE)
        url = words[2]
        text = self.device.read_url(url)
        if text is None:
            return Reply(f"%Error opening {url} (No such file or directory)")
        options = [w.lower() for w in words[3:]]
        minutes = 0
        if "time" in options:
            i = options.index("time")
            minutes = self._minutes(toks, 3 + i + 1)
        for i, opt in enumerate(options):
            if opt not in _REPLACE_OPTIONS and not (i > 0 and options[i - 1] == "time"):
                raise CommandError(INVALID, toks[3 + i][0])

        def run() -> Reply:
            if minutes and self.device.start_revert(minutes) is None:
                return Reply(
                    "Rollback Confirmed Change: archive path must be configured "
                    "for rollback to work"
                )
            self.device.replace(text)
            return Reply("Total number of passes: 1\nRollback Done")

        if "force" in options:
            return run()

        def answer(reply: str) -> Reply:
            if reply.strip().lower() in {"y", "yes"}:
                return run()
            return Reply()

        return self._ask(REPLACE_WARNING, answer)

    def _merge(self, text: str) -> int:
        editor = Editor(self.device.tree)
        for raw in text.splitlines():
            out = editor.feed(raw)
            if out.leave:
                break
        if editor.changed:
            self.device.touched(self.username)
            self.device.emit("config-changed")
        return len(text)

    def _cmd_write(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        sub = (
            self._word(toks, 1, ("memory", "terminal", "erase", "network"))
            if len(toks) > 1
            else "memory"
        )
        if sub == "memory":
            self.device.save()
            return Reply("Building configuration...\n[OK]")
        if sub == "terminal":
            return Reply("\n".join(self.device.running_config_lines()))
        if sub == "erase":

            def erase(answer: str) -> Reply:
                if answer.strip().lower() in {"", "y", "yes"}:
                    self.device.startup = None
                    return Reply("[OK]\nErase of nvram: complete")
                return Reply()

            return self._ask(
                "Erasing the nvram filesystem will remove all configuration files!"
                " Continue? [confirm]",
                erase,
            )
        raise CommandError(INVALID, toks[1][0])

    _LOCATIONS = (
        "running-config",
        "startup-config",
        "flash:",
        "nvram:",
        "system:",
        "tftp:",
        "scp:",
    )

    def _location(self, toks: list[tuple[int, str]], i: int) -> str:
        if i >= len(toks):
            raise CommandError(INCOMPLETE)
        word = toks[i][1]
        if ":" in word and not word.endswith(":"):
            return word
        return self._word(toks, i, self._LOCATIONS)

    def _cmd_copy(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        src = self._location(toks, 1)
        dst = self._location(toks, 2)
        if src == "nvram:startup-config":
            src = "startup-config"
        if dst == "nvram:startup-config":
            dst = "startup-config"
        if src == dst:
            raise CommandError(INVALID, toks[2][0])
        text = self.device.read_url(src)
        if text is None:
            return Reply(f"%Error opening {src} (No such file or directory)")
        default = dst.split(":", 1)[1].lstrip("/") if ":" in dst else dst

        def go(answer: str) -> Reply:
            target = answer.strip() or default
            if dst == "startup-config":
                if src == "running-config":
                    self.device.save()
                    return Reply("Building configuration...\n[OK]")
                self.device.startup = text
                return Reply(f"{len(text)} bytes copied in 0.104 secs ({len(text) * 9} bytes/sec)")
            if dst == "running-config":
                n = self._merge(text)
                return Reply(f"{n} bytes copied in 0.212 secs ({n * 4} bytes/sec)")
            if self.device.flash_name(dst) is not None or dst in {"flash:"}:
                self.device.write_flash(target, text)
                return Reply(f"{len(text)} bytes copied in 0.120 secs ({len(text) * 8} bytes/sec)")
            return Reply(f"%Error opening {dst} (Permission denied)")

        return self._ask(f"Destination filename [{default}]? ", go)

    def _cmd_dir(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        return Reply(show.dir_flash(self.device))

    def _cmd_more(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        if len(words) < 2:
            raise CommandError(INCOMPLETE)
        text = self.device.read_url(words[-1])
        if text is None:
            return Reply(f"%Error opening {words[-1]} (No such file or directory)")
        return Reply(text.rstrip("\n"))

    def _cmd_delete(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        args = [w for w in words[1:] if not w.startswith("/")]
        force = any(w.lower() == "/force" for w in words[1:])
        if not args:
            raise CommandError(INCOMPLETE)
        url = args[0]
        name = self.device.flash_name(url)

        def remove() -> Reply:
            if name is None or name not in self.device.flash:
                return Reply(f"%Error deleting flash:/{name or url} (No such file or directory)")
            del self.device.flash[name]
            return Reply()

        if force:
            return remove()

        def confirm(answer: str) -> Reply:
            if answer.strip().lower() in {"", "y", "yes"}:
                return remove()
            return Reply()

        return self._ask(
            f"Delete filename [{name}]? ",
            lambda _a: self._ask(f"Delete flash:/{name}? [confirm]", confirm),
        )

    def _cmd_archive(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        self._word(toks, 1, ("config", "log"))
        if self.device.archive_config() is None:
            return Reply("%Archive path not specified")
        return Reply()

    def _cmd_ping(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        if len(words) < 2:
            raise CommandError(INCOMPLETE)
        target = words[1]
        return Reply(
            "Type escape sequence to abort.\n"
            f"Sending 5, 100-byte ICMP Echos to {target}, timeout is 2 seconds:\n"
            "!!!!!\n"
            "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/4 ms"
        )

    def _cmd_clear(self, toks: list[tuple[int, str]], words: list[str]) -> Reply:
        return Reply()


_EXEC: dict[str, Callable[[IosSession, list[tuple[int, str]], list[str]], Reply]] = {
    "enable": IosSession._cmd_enable,
    "disable": IosSession._cmd_disable,
    "exit": IosSession._cmd_exit,
    "logout": IosSession._cmd_exit,
    "terminal": IosSession._cmd_terminal,
    "configure": IosSession._cmd_configure,
    "write": IosSession._cmd_write,
    "copy": IosSession._cmd_copy,
    "dir": IosSession._cmd_dir,
    "more": IosSession._cmd_more,
    "delete": IosSession._cmd_delete,
    "archive": IosSession._cmd_archive,
    "ping": IosSession._cmd_ping,
    "clear": IosSession._cmd_clear,
}
