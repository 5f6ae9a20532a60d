"""The canonical-form table both ways: each written line canonicalises to what IOS shows.

`ios_canon.ROWS` is data (written, shown, source): a simulator fed `written` must show
`shown`. Here: canonical(written) == shown, canonical(shown) == shown (idempotent), and the
planner plans nothing for a device showing `shown` under an intent of `written`.
"""

from __future__ import annotations

import pytest

from rollout.drivers import ios_canon
from rollout.drivers.cisco_ios import ios_plan

ROWS = ios_canon.ROWS
IDS = [row.written.split("\n")[0] for row in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_written_canonicalises_to_shown(row: ios_canon.Row) -> None:
    assert ios_canon.canonical(row.written) == row.shown


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_shown_is_already_canonical(row: ios_canon.Row) -> None:
    assert ios_canon.canonical(row.shown) == row.shown
    once = ios_canon.canonical(row.written)
    assert ios_canon.canonical(once) == once


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_row_cites_a_source(row: ios_canon.Row) -> None:
    assert len(row.source) > 20


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_a_device_showing_the_shown_form_plans_nothing(row: ios_canon.Row) -> None:
    assert ios_plan("dut", row.shown + "\n", row.written + "\n").commands == ()


@pytest.mark.parametrize("old,new,source", ios_canon.TRAIN_FORMS)
def test_train_forms_compare_equal(old: str, new: str, source: str) -> None:
    line = f"{old} example.lab" if old.endswith("name") else old
    other = f"{new} example.lab" if new.endswith("name") else new
    assert ios_plan("dut", line + "\n", other + "\n").commands == ()
    assert ios_plan("dut", other + "\n", line + "\n").commands == ()
    assert source


def test_prefix_lists_number_from_the_highest_sequence() -> None:
    text = "ip prefix-list A seq 7 permit 10.0.0.0/8\nip prefix-list A permit 0.0.0.0/0\n"
    assert ios_canon.canonical(text).splitlines()[1] == "ip prefix-list A seq 10 permit 0.0.0.0/0"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("e0/0", "Ethernet0/0"),
        ("Gi0/0/1", "GigabitEthernet0/0/1"),
        ("gi1/0/24", "GigabitEthernet1/0/24"),
        ("Te1/1/1", "TenGigabitEthernet1/1/1"),
        ("Tw1/0/1", "TwoGigabitEthernet1/0/1"),
        ("Fi1/0/1", "FiveGigabitEthernet1/0/1"),
        ("Twe1/0/1", "TwentyFiveGigE1/0/1"),
        ("Fo1/1/1", "FortyGigabitEthernet1/1/1"),
        ("Hu1/0/49", "HundredGigE1/0/49"),
        ("Ap1/0/1", "AppGigabitEthernet1/0/1"),
        ("Fa0/1", "FastEthernet0/1"),
        ("Se0/1/0", "Serial0/1/0"),
        ("Po1", "Port-channel1"),
        ("Lo0", "Loopback0"),
        ("Vl20", "Vlan20"),
        ("GigabitEthernet0/0/1.10", "GigabitEthernet0/0/1.10"),
    ],
)
def test_port_names(typed: str, shown: str) -> None:
    assert ios_canon.port_name(typed) == shown
    assert ios_canon.canonical(f"interface {typed}\n description x") == (
        f"interface {shown}\n description x"
    )
