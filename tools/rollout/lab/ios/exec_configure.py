"""``configure``: terminal, memory, replace, and the confirmed-change revert timer."""

from __future__ import annotations

from functools import partial

from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.terminal import CONFIG_HINT, CommandError, Terminal, word
from rollout.lab.shell import Reply

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


def cmd_configure(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) == 1:
        return term.ask(
            "Configuring from terminal, memory, or network [terminal]? ",
            partial(_configure_answer, term),
        )
    sub = word(
        toks,
        1,
        ("terminal", "memory", "network", "replace", "confirm", "revert", "overwrite-network"),
    )
    if sub == "terminal":
        return _configure_terminal(term, toks)
    if sub == "confirm":
        term.device.confirm()
        return Reply()
    if sub == "revert":
        how = word(toks, 2, ("now", "timer"))
        if how == "now":
            if not term.device.revert_pending:
                return Reply("%No Rollback Confirmed Change pending")
            term.device.revert_now()
            return Reply()
        minutes = _minutes(toks, 3)
        if not term.device.set_revert_timer(minutes):
            return Reply("%No Rollback Confirmed Change pending")
        return Reply()
    if sub == "replace":
        return _configure_replace(term, toks, words)
    if sub == "memory":
        text = term.device.startup or ""
        term.merge(text)
        return Reply()
    raise CommandError(INVALID, toks[1][0])


def _configure_answer(term: Terminal, answer: str) -> Reply:
    typed = answer.strip().lower() or "terminal"
    if "terminal".startswith(typed):
        term.enter_config()
        return Reply(CONFIG_HINT)
    return Reply('?Must be "terminal", "memory" or "network"')


def _minutes(toks: list[tuple[int, str]], i: int) -> int:
    if i >= len(toks):
        raise CommandError(INCOMPLETE)
    typed = toks[i][1]
    if typed == "idle":
        return _minutes(toks, i + 1)
    if not typed.isdigit() or not 1 <= int(typed) <= 120:
        raise CommandError(INVALID, toks[i][0])
    return int(typed)


def _configure_terminal(term: Terminal, toks: list[tuple[int, str]]) -> Reply:
    if len(toks) > 2:
        word(toks, 2, ("revert", "lock"))
        if toks[2][1].lower().startswith("r"):
            word(toks, 3, ("timer",))
            minutes = _minutes(toks, 4)
            url = term.device.start_revert(minutes, term.username)
            if url is None:
                return Reply(
                    "Rollback Confirmed Change: archive path must be configured "
                    "for rollback to work"
                )
            term.enter_config()
            return Reply(
                "Rollback Confirmed Change: Backing up current running config to "
                f"{url}\n\n{CONFIG_HINT}"
            )
    term.enter_config()
    return Reply(CONFIG_HINT)


def _configure_replace(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 3:
        raise CommandError(INCOMPLETE)
    url = words[2]
    text = term.device.read_url(url)
    if text is None:
        return Reply(f"%Error opening {url} (No such file or directory)")
    options = [w.lower() for w in words[3:]]
    minutes = 0
    if "time" in options:
        i = options.index("time")
        minutes = _minutes(toks, 3 + i + 1)
    for i, opt in enumerate(options):
        if opt not in _REPLACE_OPTIONS and not (i > 0 and options[i - 1] == "time"):
            raise CommandError(INVALID, toks[3 + i][0])

    def run() -> Reply:
        if minutes and term.device.start_revert(minutes, term.username) is None:
            return Reply(
                "Rollback Confirmed Change: archive path must be configured for rollback to work"
            )
        term.device.replace(text)
        return Reply("Total number of passes: 1\nRollback Done")

    if "force" in options:
        return run()

    def answer(reply: str) -> Reply:
        if reply.strip().lower() in {"y", "yes"}:
            return run()
        return Reply()

    return term.ask(REPLACE_WARNING, answer)
