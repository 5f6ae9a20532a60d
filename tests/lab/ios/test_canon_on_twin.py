"""The planner's canonical forms, typed into the lab twin: the twin shows what the table says.

``rollout.drivers.ios_canon.ROWS`` holds ``(written, shown, source)``: what IOS shows in
``show running-config`` after ``written`` is typed, each row cited from a public device
output. The twin's behaviour comes from its own cited tables (``rollout.lab.ios.rules``); both
describe the same devices, so every row is checked here on a twin started from a supported
model's day-0 (``rollout.hardware.MODELS``): type ``written`` in configuration mode one line
at a time, as Netmiko's ``send_config_set`` does, and read ``show running-config`` back.

* the twin refuses no line of ``written``;
* every block of ``shown`` is in the running config (a section's lines in that section, in
  that order; lines a platform adds to a port by itself, such as ``negotiation auto``, may
  sit between them);
* every line of ``written`` that ``shown`` leaves out is not in the running config (hidden
  defaults, rewritten forms).

Rows whose shown form depends on the software train (``ios_canon.TRAIN_FORMS``) run on a
model of the train that shows that form (``rules.OLD_FORM_TRAINS``); the others run on the
ISR4321, the router most of the rows' sources are. Each train form is also typed in both
spellings on both trains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from rollout.drivers import ios_canon
from rollout.hardware import MODELS, HardwareModel
from rollout.lab.ios.device import IosDevice
from rollout.lab.ios.rules import OLD_FORM_TRAINS

REFUSAL = re.compile(r"^% (Invalid|Incomplete|Ambiguous)", re.M)
PORT = re.compile(r"^interface (\S+)", re.M)
LOGICAL = re.compile(r"^(?:Vlan|Loopback|Tunnel|Port-channel)\d")
"""Interfaces a device creates when they are configured (not ports of the hardware)."""
ACL_USE = re.compile(r"(?:access-class|ip access-group) (\S+)")
DEFAULT_MODEL = "ISR4321"


def old_train(hw: HardwareModel) -> bool:
    return (hw.os.value, hw.role) in OLD_FORM_TRAINS


OLD_MODEL = next(n for n, hw in MODELS.items() if old_train(hw))
NEW_MODEL = DEFAULT_MODEL
assert not old_train(MODELS[NEW_MODEL])


@dataclass(frozen=True)
class Case:
    """One check: ``written`` typed on ``model`` shows ``shown``."""

    id: str
    model: str
    written: str
    shown: str
    source: str


def _uses(text: str, form: str) -> bool:
    return any(line == form or line.startswith(form + " ") for line in text.splitlines())


def _train_model(shown: str) -> str:
    """The model whose train shows ``shown``'s spelling of a train-dependent line."""
    for old, new, _source in ios_canon.TRAIN_FORMS:
        if _uses(shown, old):
            return OLD_MODEL
        if _uses(shown, new):
            return NEW_MODEL
    if any(name.startswith("Vlan") for name in PORT.findall(shown)):
        return OLD_MODEL  # an SVI: a switch
    return DEFAULT_MODEL


def _argument(form: str) -> str:
    """The rest of a row that starts with ``form`` (a value for a bare train form)."""
    for row in ios_canon.ROWS:
        for line in row.written.splitlines():
            if line.startswith(form + " "):
                return line[len(form) :]
    return ""


def _cases() -> Iterator[Case]:
    for i, row in enumerate(ios_canon.ROWS):
        model = _train_model(row.shown)
        yield Case(f"row{i}-{model}-{row.written.splitlines()[0]}", model, *row)
    for old, new, source in ios_canon.TRAIN_FORMS:
        arg = _argument(old) or _argument(new)
        for model, typed, want in (
            (OLD_MODEL, old, old),
            (NEW_MODEL, old, new),
            (NEW_MODEL, new, new),
        ):
            yield Case(f"train-{model}-{typed}", model, typed + arg, want + arg, source)


CASES = list(_cases())


def blocks(text: str) -> list[list[str]]:
    """Top-level blocks: a line at column 0 and its indented lines; a banner up to ``^C``."""
    out: list[list[str]] = []
    lines = iter(text.splitlines())
    for line in lines:
        if not line.strip() or line.strip() == "!":
            continue
        if line.startswith(" ") and out:
            out[-1].append(line)
            continue
        block = [line]
        if line.startswith("banner ") and line.count("^C") == 1:
            for more in lines:
                block.append(more)
                if "^C" in more:
                    break
        out.append(block)
    return out


def prerequisites(written: str) -> list[str]:
    """Access lists a row names without defining them (IOS refuses no such line, but an
    undefined list would make the row depend on what the day-0 holds)."""
    names = sorted(set(ACL_USE.findall(written)))
    return [
        line
        for name in names
        if f"access-list {name}" not in written and not name.isdigit()
        for line in (f"ip access-list standard {name}", " permit any", "exit")
    ]


def type_lines(dev: IosDevice, lines: list[str]) -> list[str]:
    cli = dev.session()
    assert cli.handle("configure terminal").output.startswith("Enter configuration")
    refused = []
    for line in [*lines, "end"]:
        out = cli.handle(line).output
        if REFUSAL.search(out):
            refused.append(f"{line!r}: {out.strip()}")
    return refused


def running(dev: IosDevice) -> str:
    return dev.session().handle("show running-config").output


def section_of(run: list[list[str]], header: str) -> list[str] | None:
    return next((b for b in run if b[0] == header), None)


def is_subsequence(want: list[str], have: list[str]) -> bool:
    it = iter(have)
    return all(any(line == h for h in it) for line in want)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_twin_shows_the_canonical_form(case: Case) -> None:
    hw = MODELS[case.model]
    missing = sorted({p for p in PORT.findall(case.shown) if not LOGICAL.match(p)} - set(hw.ports))
    if missing:
        pytest.skip(f"{case.model} has no port {', '.join(missing)}")
    dev = IosDevice.from_config("\n".join(hw.day0_lines) + "\nend\n", model=hw.name)
    try:
        refused = type_lines(dev, [*prerequisites(case.written), *case.written.splitlines()])
        assert refused == [], f"{case.model} refused a line of the row ({case.source})"
        text = running(dev)
    finally:
        dev.close()
    run = blocks(text)
    flat = text.splitlines()
    for block in blocks(case.shown):
        have = section_of(run, block[0])
        assert have is not None, f"{block[0]!r} not shown on {case.model}:\n{text}"
        assert is_subsequence(block[1:], have[1:]), (
            f"{case.model} shows {have!r}, the table says {block!r} ({case.source})"
        )
    shown_lines = set(case.shown.splitlines())
    for line in case.written.splitlines():
        if line in shown_lines:
            continue
        if line.startswith(" "):
            for block in blocks(case.shown):
                have = section_of(run, block[0]) or []
                assert line not in have[1:], f"{line!r} shown under {block[0]!r} on {case.model}"
        else:
            assert line not in flat, f"{line!r} shown on {case.model} ({case.source})"


def test_every_row_is_checked() -> None:
    assert len(CASES) == len(ios_canon.ROWS) + 3 * len(ios_canon.TRAIN_FORMS)
    assert {c.model for c in CASES} == {OLD_MODEL, NEW_MODEL}


def test_a_banner_in_one_string_is_stored_as_lines() -> None:
    """Netmiko may hand the banner and its text over as one command with embedded newlines."""
    hw = MODELS[DEFAULT_MODEL]
    dev = IosDevice.from_config("\n".join(hw.day0_lines), model=hw.name)
    try:
        cli = dev.session()
        cli.handle("configure terminal")
        reply = cli.handle("banner motd ^C\nAuthorised access only\nLao Cai video network\n^C")
        assert not REFUSAL.search(reply.output)
        assert cli.prompt().endswith("(config)#")
        cli.handle("end")
        lines = running(dev).splitlines()
        start = lines.index("banner motd ^C")
        assert lines[start : start + 4] == [
            "banner motd ^C",
            "Authorised access only",
            "Lao Cai video network",
            "^C",
        ]
        assert cli.banner() == "Authorised access only\nLao Cai video network"
    finally:
        dev.close()
