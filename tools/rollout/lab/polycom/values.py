"""How the API reads words and values from a line and prints values back."""

from __future__ import annotations

import re

from rollout.lab.polycom.specs import Spec

_DIGITS = re.compile(r"[0-9*#]*")


def split_args(line: str) -> list[str] | None:
    """Split an API line into words; ``"..."`` groups words. None if a quote is unbalanced."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            in_word = True
        elif ch.isspace() and not quoted:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(ch)
            in_word = True
    if quoted:
        return None
    if in_word:
        words.append("".join(current))
    return words


def is_ipv4(text: str) -> bool:
    """True for a dotted-quad IPv4 address."""
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


def render(value: str, spec: Spec) -> str:
    """A value as the API prints it."""
    if value == "":
        return spec.empty
    if any(ch.isspace() for ch in value):
        return f'"{value}"'
    return value


def validate(spec: Spec, raw: str) -> str | None:
    """The value to store for ``raw``, or None when the API would refuse it."""
    if spec.kind == "int":
        if not raw.isdigit():
            return None
        number = int(raw)
        if spec.clearable and number == 0:
            return ""
        if not spec.low <= number <= spec.high:
            return None
        return str(number)
    if spec.kind == "choice":
        for choice in spec.choices:
            if raw.lower() == choice.lower():
                return choice
        return None
    if spec.address:
        return raw if is_ipv4(raw) else None
    if spec.digits and not _DIGITS.fullmatch(raw):
        return None
    if not spec.spaces and any(ch.isspace() for ch in raw):
        return None
    return raw
