"""Interface names: the type part of a name, and abbreviations resolved to the full name."""

from __future__ import annotations

from rollout.lab.ios.grammar import GRAMMAR

_LAYOUT = GRAMMAR.layout
_IF_LOWER = tuple(sorted((n.lower(), n) for n, _r, _p in _LAYOUT.interface_types))


def interface_type(name: str) -> str:
    """The type part of an interface name (``GigabitEthernet`` for ``GigabitEthernet0/1.5``)."""
    i = 0
    while i < len(name) and not (name[i].isdigit() or name[i] == " "):
        i += 1
    return name[:i]


def canonical_interface(token: str) -> str | None:
    """``gi0/0`` -> ``GigabitEthernet0/0``; None when the token is no interface name."""
    t = interface_type(token)
    if not t or len(t) == len(token) or not token[len(t)].isdigit():
        return None
    low = t.lower()
    full = _LAYOUT.interface_abbreviations.get(low)
    if full is None:
        hits = [n for k, n in _IF_LOWER if k.startswith(low)]
        exact = [n for k, n in _IF_LOWER if k == low]
        if exact:
            full = exact[0]
        elif len(hits) == 1:
            full = hits[0]
        else:
            return None
    return full + token[len(t) :]
