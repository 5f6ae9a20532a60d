"""Reading one grammar file: typed access to its values, with errors naming file and entry."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from rollout.errors import RolloutError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

folder: Traversable = resources.files(__package__ or "rollout.lab.ios.grammar")
"""Where the grammar files are read from (this package)."""


class GrammarError(RolloutError):
    """A grammar file of the IOS twin is malformed."""


class Entry:
    """A value of a grammar file and where it sits (``file``, ``path``) for error messages."""

    __slots__ = ("file", "path", "value")

    def __init__(self, file: str, path: str, value: object) -> None:
        self.file = file
        self.path = path
        self.value = value

    def fail(self, message: str) -> GrammarError:
        where = f"{self.path}: " if self.path else ""
        return GrammarError(
            f"IOS grammar file {self.file}: {where}{message}",
            f"correct this entry of rollout/lab/ios/grammar/{self.file}",
        )

    def _child(self, key: str | int, value: object) -> Entry:
        path = f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}"
        return Entry(self.file, path.lstrip("."), value)

    # ---------------------------------------------------------------- scalars

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value:
            raise self.fail(f"expected a non-empty text, got {self.value!r}")
        return self.value

    def words(self) -> tuple[str, ...]:
        """A text of space-separated words (a keyword path)."""
        return tuple(self.text().split())

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected a whole number, got {self.value!r}")
        return self.value

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {self.value!r}")
        return self.value

    # ------------------------------------------------------------ containers

    def items(self) -> list[Entry]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        return [self._child(i, v) for i, v in enumerate(self.value)]

    def mapping(self) -> dict[str, Entry]:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {type(self.value).__name__}")
        out: dict[str, Entry] = {}
        for key, value in self.value.items():
            if not isinstance(key, str):
                raise self.fail(f"expected text keys, got {key!r}")
            out[key] = self._child(key, value)
        return out

    def fields(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Fields:
        """The entry as a record: every required key present, no key outside both lists."""
        found = self.mapping()
        unknown = sorted(set(found) - set(required) - set(optional))
        if unknown:
            raise self.fail(f"unknown key(s) {', '.join(unknown)}")
        missing = [k for k in required if k not in found]
        if missing:
            raise self.fail(f"missing key(s) {', '.join(missing)}")
        if "source" in found:
            found["source"].text()
        return Fields(self, found)

    def is_text(self) -> bool:
        return isinstance(self.value, str)


class Fields:
    """The keys of one record entry."""

    __slots__ = ("entry", "found")

    def __init__(self, entry: Entry, found: dict[str, Entry]) -> None:
        self.entry = entry
        self.found = found

    def __getitem__(self, key: str) -> Entry:
        return self.found[key]

    def get(self, key: str) -> Entry | None:
        return self.found.get(key)

    def flag(self, key: str) -> bool:
        value = self.found.get(key)
        return False if value is None else value.flag()

    def text(self, key: str, default: str = "") -> str:
        value = self.found.get(key)
        return default if value is None else value.text()


def load(name: str) -> Entry:
    """The top-level mapping of grammar file ``name`` (shipped in this package)."""
    text = folder.joinpath(name).read_text(encoding="utf-8")
    try:
        data: Any = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise GrammarError(
            f"IOS grammar file {name}: not valid YAML: {exc}",
            f"correct rollout/lab/ios/grammar/{name}",
        ) from exc
    top = Entry(name, "", data)
    top.mapping()
    return top
