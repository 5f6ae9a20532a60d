"""Exec commands of the session itself: enable, disable, exit, terminal, clear (``ping``:
rollout.lab.ios.ping)."""

from __future__ import annotations

from collections.abc import Callable

from rollout.lab.ios.names import canonical_interface
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


CLEAR_COUNTERS_ALL = 'Clear "show interface" counters on all interfaces [confirm]'
CLEAR_LOGGING = "Clear logging buffer [confirm]"
"""The questions of ``clear counters`` and ``clear logging`` (Cisco IOS Interface and
Hardware Component Command Reference, "clear counters"; Configuration Fundamentals Command
Reference, "clear logging")."""


def cmd_clear(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 2:
        return Reply()
    dev = term.device
    what = next((k for k in ("counters", "logging") if k.startswith(words[1].lower())), None)
    if what is None or len(words[1]) < 3:
        return Reply()
    if what == "logging":
        return term.ask(CLEAR_LOGGING, lambda a: _confirmed(a, dev.network.clear_log))
    names = [n.tokens()[1] for n in dev.tree.top("interface")]
    if len(words) > 2:
        one = canonical_interface("".join(words[2:]))
        if one is None or one not in names:
            raise CommandError(INVALID, toks[2][0])
        question = 'Clear "show interface" counters on this interface [confirm]'
        names = [one]
    else:
        question = CLEAR_COUNTERS_ALL
    return term.ask(
        question, lambda a: _confirmed(a, lambda: dev.network.clear_counters(dev.tree, names))
    )


def _confirmed(answer: str, action: Callable[[], None]) -> Reply:
    if answer.strip().lower() in {"", "y", "yes"}:
        action()
    return Reply()
