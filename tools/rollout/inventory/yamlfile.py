"""Reading one YAML file of the repository, with errors that say where and what to do.

Duplicate keys are errors (PyYAML would silently keep the last one), and a key path can be
mapped back to its line for messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rollout.errors import Problem

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1_000_000


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


class YamlFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_mapping(path: Path, display: str) -> tuple[dict[str, Any], str]:
    """Return the file's top-level mapping and its text; raise YamlFileError otherwise."""

    def fail(message: str, fix: str, line: int | None = None) -> YamlFileError:
        return YamlFileError(Problem(display, "", message, fix, line))

    if path.is_dir():
        raise fail(
            "is a directory where a YAML file was expected",
            "move the directory out of inventory/ or replace it with a site file",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})", "check the file's permissions") from None
    if len(raw) > MAX_BYTES:
        raise fail(
            f"is {len(raw)} bytes, larger than any inventory file should be ({MAX_BYTES})",
            "check that the right file is in place",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail("is UTF-16 text, not UTF-8", "save the file as UTF-8")
    if b"\x00" in raw:
        raise fail("is a binary file, not YAML", "replace it with a YAML text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "malformed YAML"
        if exc.context and "duplicate" not in what:
            what = f"{exc.context}: {what}"
        raise fail(
            f"is not valid YAML: {what}",
            "correct the YAML syntax at that line (indentation, quotes, a missing ':')",
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise fail(f"is not valid YAML: {exc}", "correct the YAML syntax") from None
    if data is None:
        raise fail("is empty", "write the file's fields or delete the file")
    if not isinstance(data, dict):
        raise fail(
            f"must hold a mapping of fields at the top, not a {type(data).__name__}",
            "start the file with 'key: value' lines",
        )
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise fail(f"has a non-text key {bad[0]!r}", "quote the key or rename it")
    return data, text


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of a key path in YAML text (best effort, None if not found)."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in path:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if key.value == part:
                    line = key.start_mark.line + 1
                    found = value
                    break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                node = None
        else:
            break
    return line
