"""Local users of a simulated IOS device, read from its ``username`` lines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserEntry:
    name: str
    privilege: int
    kind: str
    secret: str


def parse_user(toks: list[str]) -> UserEntry | None:
    if len(toks) < 2:
        return None
    name = toks[1]
    privilege = 1
    kind = ""
    secret = ""
    i = 2
    while i < len(toks):
        word = toks[i]
        if word == "privilege" and i + 1 < len(toks):
            privilege = int(toks[i + 1]) if toks[i + 1].isdigit() else 1
            i += 2
            continue
        if word in {"secret", "password"}:
            rest = toks[i + 1 :]
            if len(rest) >= 2 and rest[0].isdigit():
                kind, secret = rest[0], rest[1]
            elif rest:
                kind, secret = "", rest[0]
            break
        i += 1
    if not secret:
        return UserEntry(name, privilege, "", "")
    return UserEntry(name, privilege, kind, secret)
