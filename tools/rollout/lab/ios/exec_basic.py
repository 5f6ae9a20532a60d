"""Exec commands of the session itself: enable, disable, exit, terminal, clear (``ping``:
rollout.lab.ios.ping)."""

from __future__ import annotations

from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.terminal import CommandError, Terminal, word
from rollout.lab.shell import Reply


def cmd_enable(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if term.privilege >= 15:
        return Reply()
    if not term.device.enable_required():
        term.privilege = 15
        return Reply()
    return term.ask("Password: ", lambda pw: _enable_try(term, pw, 1))


def _enable_try(term: Terminal, password: str, attempt: int) -> Reply:
    if term.device.check_enable(password):
        term.privilege = 15
        return Reply()
    if attempt >= 3:
        return Reply("% Bad secrets\n")
    return term.ask("Password: ", lambda pw: _enable_try(term, pw, attempt + 1))


def cmd_disable(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    term.privilege = 1
    return Reply()


def cmd_exit(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    term.closed = True
    return Reply(close=True)


def cmd_terminal(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    sub = word(toks, 1, ("length", "width", "monitor", "no", "history", "exec", "default"))
    if sub in {"length", "width"}:
        if len(words) < 3:
            raise CommandError(INCOMPLETE)
        if not words[2].isdigit():
            raise CommandError(INVALID, toks[2][0])
        value = int(words[2])
        if value > 512:
            raise CommandError(INVALID, toks[2][0])
        if sub == "length":
            term.term_length = value
        else:
            term.term_width = value
        return Reply()
    if sub == "no":
        word(toks, 2, ("monitor", "length", "width", "history", "exec"))
    return Reply()


def cmd_clear(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    return Reply()
