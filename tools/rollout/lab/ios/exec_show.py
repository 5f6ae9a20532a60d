"""``show`` commands: which one was typed, and the text it prints."""

from __future__ import annotations

from rollout.lab.ios import show
from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.rules import SHOW_IP_KEYWORDS, SHOW_KEYWORDS, canonical_interface
from rollout.lab.ios.show_interfaces import show_interfaces
from rollout.lab.ios.show_logging import show_clock, show_logging
from rollout.lab.ios.show_policy import show_policy_map_interface
from rollout.lab.ios.state import DeviceState
from rollout.lab.ios.terminal import CommandError, Terminal, word


def show_command(term: Terminal, toks: list[tuple[int, str]]) -> str:
    dev = term.device
    user_ok = ("clock", "privilege", "version", "terminal", "users", "ip", "history")
    choices = (
        SHOW_KEYWORDS if term.privilege >= 15 else tuple(k for k in SHOW_KEYWORDS if k in user_ok)
    )
    what = word(toks, 1, choices)
    rest = [w for _p, w in toks[2:]]
    if what == "running-config":
        if rest:
            sub = word(toks, 2, ("interface", "all", "brief", "view"))
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
        return show_clock(dev)
    if what == "archive":
        if rest:  # show archive config rollback timer (show.show_rollback_timer)
            word(toks, 2, ("config", "log"))
            if word(toks, 3, ("differences", "incremental-diffs", "rollback")) != "rollback":
                raise CommandError(INVALID, toks[3][0])
            word(toks, 4, ("timer",))
            return show.show_rollback_timer(dev)
        return show.show_archive(dev)
    if what == "interfaces":
        name = canonical_interface("".join(rest)) if rest else None
        text = show_interfaces(dev, name)
        if text is None:
            raise CommandError(INVALID, toks[2][0])
        return text
    if what == "access-lists":
        return show.show_access_lists(dev, rest[0] if rest else None)
    if what == "policy-map":
        return _policy_map(dev, toks)
    if what == "logging":
        return show_logging(dev)
    if what == "flash:":
        return show.dir_flash(dev)
    if what == "privilege":
        return f"Current privilege level is {term.privilege}"
    if what == "users":
        return (
            "    Line       User       Host(s)              Idle       Location\n"
            f"*  2 vty 0     {term.username:<10} idle                 00:00:00 127.0.0.1\n\n"
            "  Interface    User               Mode         Idle     Peer Address"
        )
    if what == "terminal":
        return (
            'Line 2, Location: "", Type: ""\n'
            f"Length: {term.term_length} lines, Width: {term.term_width} columns"
        )
    if what == "ip":
        sub = word(toks, 2, SHOW_IP_KEYWORDS)
        more = [w for _p, w in toks[3:]]
        if sub == "interface":
            if more and word(toks, 3, ("brief",)) == "brief":
                return show.show_ip_interface_brief(dev)
            raise CommandError(INCOMPLETE)
        if sub == "sla":
            kind = word(toks, 3, ("statistics", "summary", "configuration"))
            if kind == "statistics":
                op = more[1] if len(more) > 1 and more[1].isdigit() else None
                return show.show_ip_sla_statistics(dev, op)
            raise CommandError(INVALID, toks[3][0])
        if sub == "access-lists":
            return show.show_access_lists(dev, more[0] if more else None)
        raise CommandError(INVALID, toks[2][0])
    raise CommandError(INVALID, toks[1][0])


def _policy_map(dev: DeviceState, toks: list[tuple[int, str]]) -> str:
    """``show policy-map interface [IF] [input|output]`` (other forms: invalid here)."""
    if len(toks) < 3:
        raise CommandError(INCOMPLETE)
    word(toks, 2, ("interface",))
    rest = [w for _p, w in toks[3:]]
    direction = None
    if rest and rest[-1] in ("input", "output"):
        direction = rest.pop()
    name = canonical_interface("".join(rest)) if rest else None
    if rest and name is None:
        raise CommandError(INVALID, toks[3][0])
    text = show_policy_map_interface(dev, name, direction)
    if text is None:
        raise CommandError(INVALID, toks[3][0])
    return text
