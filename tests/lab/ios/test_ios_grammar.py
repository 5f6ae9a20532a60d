"""The IOS twin's grammar files: they load, and a broken one names its file and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rollout.lab.ios import rules
from rollout.lab.ios.grammar import GrammarError, load_grammar, read

GRAMMAR_DIR = Path(read.__file__).parent


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the grammar files the loader reads instead of the package's."""
    for f in GRAMMAR_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(read, "folder", tmp_path)
    return tmp_path


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copied_files_load_to_the_same_tables(broken: Path) -> None:
    grammar = load_grammar()
    assert grammar.modes.modes == rules.MODES
    assert grammar.lines.keyed == rules.KEYED


@pytest.mark.parametrize(
    ("name", "old", "new", "where"),
    [
        (
            "openers.yaml",
            "{pattern: interface range, mode: config-if-range}",
            "{pattern: interface range, mode: config-if-rnage}",
            "openers.yaml: openers.config.commands[0].mode: unknown mode 'config-if-rnage'",
        ),
        (
            "modes.yaml",
            "config-ext-nacl: {numbered: true, sequenced: true}",
            "config-ext-nacl: {numbered: yes-please, sequenced: true}",
            "modes.yaml: modes.config-ext-nacl.numbered: expected true or false",
        ),
        (
            "keys.yaml",
            '{pattern: "ip address * * secondary", key: [0, 1, 2, 4]}',
            '{pattern: "ip address * * secondary", keys: [0, 1, 2, 4]}',
            "keys.yaml: groups.interface.rules[1]: unknown key(s) keys",
        ),
        (
            "syntax.yaml",
            "use: [interface]",
            "use: [interfaces]",
            "syntax.yaml: modes.config-if.use[0]: unknown fragment 'interfaces'",
        ),
        (
            "shown.yaml",
            "config-subif: {same_as: config-if}",
            "config-subif: {same_as: config-iff}",
            "shown.yaml: negation_shown.config-subif.same_as: 'config-iff' is not listed above",
        ),
        (
            "defaults.yaml",
            "      line: ip ssh time-out 120\n",
            "",
            "defaults.yaml: hidden_defaults.rows[1]: missing key(s) line",
        ),
        (
            "order.yaml",
            "default_top_rank: 190",
            "default_top_rank: high",
            "order.yaml: default_top_rank: expected a whole number",
        ),
        ("exec.yaml", "exec:", "exec: [", "exec.yaml: not valid YAML"),
    ],
)
def test_a_broken_entry_names_its_file_and_entry(
    broken: Path, name: str, old: str, new: str, where: str
) -> None:
    _edit(broken, name, old, new)
    with pytest.raises(GrammarError) as caught:
        load_grammar()
    assert f"IOS grammar file {where}" in str(caught.value)
    assert f"rollout/lab/ios/grammar/{name}" in caught.value.fix


def test_every_source_is_text() -> None:
    """A ``source`` is a citation: never empty, never a number or a list."""

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "source":
                    assert isinstance(item, str), path
                    assert item.strip(), path
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    files = sorted(GRAMMAR_DIR.glob("*.yaml"))
    assert len(files) == 9
    for f in files:
        walk(yaml.safe_load(f.read_text(encoding="utf-8")), f.name)


def test_ip_sla_slots_follow_the_ip_sla_syntax() -> None:
    """One slot per first keyword of the IP SLA syntax, and `history` one per its next word."""
    grammar = load_grammar()
    words = {line.split()[0] for line in grammar.modes.syntax["config-ip-sla"]}
    slots = {
        " ".join(rule.pattern) for rule in grammar.lines.keyed["config-ip-sla"] if rule.key == (0,)
    }
    assert slots == words - {"history"}
    assert any(r.pattern == ("history", "*") for r in grammar.lines.keyed["config-ip-sla"])
    for mode in grammar.modes.modes:
        if mode.startswith("config-ip-sla"):
            assert grammar.lines.keyed[mode] == grammar.lines.keyed["config-ip-sla"]
