"""The unit's identity is never compared or sent; a refused single-value setting is replaced.

Identity lines (ios_rules.IDENTITY_RULES): `license udi ...` and the self-signed trustpoint
named after the unit, with its certificate chain. Two real configs of one model differ in
them (tests/data/ios-public/csr1000v: every CSR1000v shows another serial); a full-config
intent written from another unit must neither remove nor add them.

Replacement (ios_refuse.replaced): `no platform console serial` is refused, but when the
intent has `platform console virtual` the plan sends that line alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.drivers import ios_canon, ios_refuse, ios_rules
from rollout.drivers.base import DeviceError
from rollout.drivers.cisco_ios import ios_plan
from rollout.drivers.ios_sections import parse

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "ios-public"

TRUSTPOINT = """\
crypto pki trustpoint TP-self-signed-{n}
 enrollment selfsigned
 subject-name cn=IOS-Self-Signed-Certificate-{n}
 revocation-check none
 rsakeypair TP-self-signed-{n}
!
crypto pki certificate chain TP-self-signed-{n}
 certificate self-signed 01
  3082023C 308201A5 A0030201 02020101 300D0609 2A864886 F70D0101 04050030
  31312F30 2D060355 04031326 494F532D 53656C66 2D536967 6E65642D 43657274
  \tquit
"""


def unit(serial: str, n: int, body: str = "") -> str:
    return (
        f"hostname r1\nlicense udi pid CSR1000V sn {serial}\n"
        + TRUSTPOINT.format(n=n)
        + body
        + "interface GigabitEthernet1\n ip address 10.0.0.1 255.255.255.0\n"
    )


@pytest.mark.parametrize(
    "line",
    [
        "license udi pid CSR1000V sn 9TD8Q45XQ5Y",
        "license udi pid ISR4321/K9 sn FDO222744LX",
        "crypto pki trustpoint TP-self-signed-3657064448",
        "crypto pki certificate chain TP-self-signed-3657064448",
        " rsakeypair TP-self-signed-3657064448",
        "ip http secure-trustpoint TP-self-signed-3657064448",
    ],
)
def test_identity_lines_are_known(line: str) -> None:
    assert ios_rules.IDENTITY.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "license boot level appxk9",
        "crypto pki trustpoint SLA-TrustPoint",
        "crypto pki certificate chain SLA-TrustPoint",
        "crypto pki trustpoint TP-self-signed-lab",
        " rsakeypair MY-KEYS",
    ],
)
def test_other_lines_are_not_identity(line: str) -> None:
    assert not ios_rules.IDENTITY.match(line)


def test_clean_drops_identity_sections_whole_and_keeps_the_rest() -> None:
    text = unit(
        "9TD8Q45XQ5Y", 112359039, "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n"
    )
    cleaned = ios_rules.clean(text)
    assert "udi" not in cleaned
    assert "self-signed" not in cleaned.lower()
    assert "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n" in cleaned
    assert "interface GigabitEthernet1\n ip address 10.0.0.1 255.255.255.0\n" in cleaned


def test_a_certificate_stored_in_nvram_has_no_blob() -> None:
    """A one-line certificate (Catalyst 9200, IOS-XE 17) does not swallow what follows."""
    text = (PUBLIC / "cat9200" / "cubcal-SwitchLv3.cfg").read_text(encoding="utf-8")
    cleaned = ios_rules.clean(text).splitlines()
    assert "crypto pki certificate chain SLA-TrustPoint" in cleaned
    assert "license boot level network-essentials addon dna-essentials" in cleaned
    assert not [x for x in cleaned if x.lstrip().startswith("certificate ")]


@pytest.mark.parametrize(
    ("running", "intended"),
    [
        (unit("9TD8Q45XQ5Y", 112359039), unit("94OWTW8T08V", 976899274)),
        (unit("9TD8Q45XQ5Y", 112359039), "hostname r1\n"),
        ("hostname r1\n", unit("94OWTW8T08V", 976899274)),
    ],
    ids=["other-unit", "intent-without", "device-without"],
)
def test_identity_is_neither_compared_nor_sent(running: str, intended: str) -> None:
    plan = ios_plan("dut", running, intended)
    sent = "\n".join(plan.commands)
    assert "udi" not in sent and "self-signed" not in sent.lower(), plan.commands
    assert not [u for u in plan.unmanaged if "udi" in u or "self-signed" in u.lower()]


def test_a_trustpoint_the_intent_does_not_name_is_still_refused() -> None:
    running = "hostname r1\ncrypto pki trustpoint CORP-CA\n"
    with pytest.raises(DeviceError, match="no crypto pki trustpoint CORP-CA"):
        ios_plan("dut", running, "hostname r1\ncrypto pki trustpoint OTHER-CA\n")


# -- a refused family's single value is replaced ---------------------------------------------


def test_a_single_value_platform_setting_named_by_the_intent_is_replaced() -> None:
    plan = ios_plan(
        "dut", "hostname r1\nplatform console serial\n", "hostname r1\nplatform console virtual\n"
    )
    assert plan.commands == ("platform console virtual",)


def test_a_pure_removal_is_still_refused() -> None:
    commands = ["no platform console serial"]
    assert ios_refuse.replaced(commands, set()) == commands
    with pytest.raises(DeviceError, match="no platform console serial"):
        ios_refuse.check("dut", ios_refuse.replaced(commands, set()), set())


def test_the_intents_line_must_be_sent_for_a_replacement() -> None:
    """The negation goes only when the plan itself sends the intent's value."""
    commands = ["no platform console serial", "hostname r1"]
    assert ios_refuse.replaced(commands, {"platform console virtual"}) == commands


def test_a_list_family_is_not_replaced() -> None:
    """`boot system` lines are entries: adding one does not remove another."""
    commands = ["no boot system flash:a.bin", "boot system flash:b.bin"]
    kept = ios_refuse.replaced(commands, {"boot system flash:b.bin"})
    assert kept == commands
    with pytest.raises(DeviceError, match=r"no boot system flash:a\.bin"):
        ios_refuse.check("dut", kept, {"boot system flash:b.bin"})


def test_another_trustpoint_section_is_not_a_replacement() -> None:
    commands = [
        "no crypto pki trustpoint CORP-CA",
        "crypto pki trustpoint OTHER-CA",
        " enrollment terminal",
    ]
    intended = {"crypto pki trustpoint OTHER-CA", "enrollment terminal"}
    assert ios_refuse.replaced(commands, intended) == commands


def test_every_single_value_row_cites_why() -> None:
    rows = [r for r in ios_refuse.REFUSED if r.single_value]
    assert rows
    assert all(len(r.single_value) > 40 for r in rows)


# -- a default the intent names is sent as written ---------------------------------------------


@pytest.mark.parametrize(
    ("running", "intended", "sent"),
    [
        ("ip ssh time-out 60\n", "ip ssh time-out 120\n", "ip ssh time-out 120"),
        (
            "line con 0\n exec-timeout 0 0\n",
            "line con 0\n exec-timeout 10 0\n",
            "exec-timeout 10 0",
        ),
        (
            "ip sla 10\n udp-jitter 10.0.0.1 16384\n frequency 30\n",
            "ip sla 10\n udp-jitter 10.0.0.1 16384\n frequency 60\n",
            "frequency 60",
        ),
    ],
)
def test_a_default_the_intent_names_is_sent_not_negated(
    running: str, intended: str, sent: str
) -> None:
    plan = ios_plan("dut", "hostname r1\n" + running, "hostname r1\n" + intended)
    lines = [c.strip() for c in plan.commands]
    assert sent in lines, plan.commands
    assert not [x for x in lines if x.startswith("no ")], plan.commands


def test_hidden_defaults_are_found_under_their_shown_header() -> None:
    nodes = parse("interface gi0/0/1\n no shutdown\nline vty 0 4\n exec-timeout 10 0\n")
    assert ios_canon.hidden_defaults(nodes) == {
        ("interface GigabitEthernet0/0/1", "no shutdown"),
        ("line vty 0 4", "exec-timeout 10 0"),
    }


# -- line login: one value ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "running", [" login\n", " no login\n", " password 7 0822455D0A16\n login\n"]
)
def test_vty_login_is_replaced_without_a_moment_of_no_login(running: str) -> None:
    plan = ios_plan(
        "dut",
        "hostname r1\nline vty 0 4\n" + running + " transport input ssh\n",
        "hostname r1\nline vty 0 4\n login local\n transport input ssh\n",
    )
    lines = [c.strip() for c in plan.commands]
    assert "login local" in lines
    assert "no login" not in lines and "login" not in lines, plan.commands


# -- off by default: shown as `no X` on one train, not at all on another ------------------------


@pytest.mark.parametrize("feature", ["ip http server", "service password-encryption"])
def test_a_device_showing_no_x_meets_an_intent_silent_on_x(feature: str) -> None:
    assert ios_plan("dut", f"hostname r1\nno {feature}\n", "hostname r1\n").commands == ()
    # the other way round: the feature on, the intent silent -> turned off, once
    plan = ios_plan("dut", f"hostname r1\n{feature}\n", "hostname r1\n")
    assert plan.commands == (f"no {feature}",)
    assert ios_plan("dut", f"hostname r1\nno {feature}\n", "hostname r1\n").commands == ()
    # an intent that turns it on is sent
    on = ios_plan("dut", f"hostname r1\nno {feature}\n", f"hostname r1\n{feature}\n")
    assert on.commands == (feature,)


def test_vty_login_local_is_replaced_by_login_without_negation() -> None:
    plan = ios_plan(
        "dut",
        "hostname r1\nline vty 0 4\n login local\n transport input ssh\n",
        "hostname r1\nline vty 0 4\n login\n transport input ssh\n",
    )
    assert [c.strip() for c in plan.commands] == ["line vty 0 4", "login", "exit"]
