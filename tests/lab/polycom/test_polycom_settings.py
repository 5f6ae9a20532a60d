"""Keyed settings model of the Group Series driver, checked against the simulator.

Round trip: factory-default codec → apply `settings_commands(target)` → read back with
`read_commands` → `parse_settings` → `keyed_diff(running, target)` is empty.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.drivers.polycom_api import (
    DRIFT_IGNORED_KEYS,
    SECRET_KEYS,
    SETTINGS,
    STATUS_KEYS,
    Change,
    UnknownSettingError,
    api_errors,
    keyed_diff,
    normalize,
    parse_settings,
    read_commands,
    settings_commands,
)
from rollout.lab.polycom import FACTORY_DEFAULTS, PolycomDevice, PolycomSession

PILOT: dict[str, str] = {
    "systemname": "Bảo Thắng",
    "h323name": "Bao Thang",
    "e164ext": "1086",
    "systemsetting.iph323enable": "true",
    "usegatekeeper": "specify",
    "gatekeeperip": "10.10.0.5",
    "systemsetting.sipenable": "yes",
    "systemsetting.siptransportprotocol": "tcp",
    "systemsetting.sipproxyserver": "10.10.0.6",
    "systemsetting.sipregistrarserver": "10.10.0.6",
    "systemsetting.sipusername": "1086",
    "systemsetting.sippassword": "vault-value",
    "systemsetting.maxrxbandwidth": "2048",
    "systemsetting.maxtxbandwidth": "2048",
    "maxtimeincall": "480",
    "typeofservice": "diffserv",
    "diffservaudio": "46",
    "diffservvideo": "34",
    "diffservfecc": "24",
    "ntpmode": "manual",
    "ntpserver": "10.10.0.1",
    "enablesnmp": "yes",
    "snmpcommunity": "noc-ro",
    "snmplocation": "UBND huyen Bao Thang",
    "snmpconsoleip": "10.10.0.20",
    "snmptrapversion": "v2c",
    "sshenable": "true",
    "systemsetting.telnetenabled": "false",
}


def run_all(shell: PolycomSession, commands: list[str]) -> str:
    outputs = [shell.handle(command).output for command in commands]
    text = "\n".join(outputs)
    assert api_errors(text) == []
    return text


def read_back(shell: PolycomSession, keys: list[str]) -> dict[str, str]:
    return parse_settings(run_all(shell, read_commands(keys)))


def test_round_trip_pilot_site() -> None:
    shell = PolycomDevice().session()
    before = read_back(shell, list(PILOT))
    assert keyed_diff(before, PILOT) != []
    run_all(shell, settings_commands(PILOT))
    running = read_back(shell, list(PILOT))
    assert keyed_diff(running, PILOT) == []
    assert running["snmplocation"] == "UBND huyen Bao Thang"
    assert running["systemsetting.sipenable"] == "True"


def test_secret_is_written_but_not_read() -> None:
    device = PolycomDevice()
    run_all(device.session(), settings_commands({"systemsetting.sippassword": "s3cret"}))
    assert device.settings["systemsetting.sippassword"] == "s3cret"
    assert read_commands(["systemsetting.sippassword"]) == []


def test_drift_shows_only_what_changed_by_hand() -> None:
    device = PolycomDevice()
    shell = device.session()
    run_all(shell, settings_commands(PILOT))
    shell.handle("diffservaudio set 0")
    shell.handle("systemsetting sipproxyserver 10.99.0.6")
    running = read_back(shell, list(PILOT))
    assert keyed_diff(running, PILOT) == [
        Change("systemsetting.sipproxyserver", "10.99.0.6", "10.10.0.6"),
        # the SIP password cannot be read back: it goes with the changed SIP account
        Change("systemsetting.sippassword", None, "vault-value"),
        Change("diffservaudio", "0", "46"),
    ]


def test_converged_codec_plans_nothing_not_even_its_secret() -> None:
    shell = PolycomDevice().session()
    run_all(shell, settings_commands(PILOT))
    assert keyed_diff(read_back(shell, list(PILOT)), PILOT) == []


def test_secret_goes_with_a_new_sip_account_only() -> None:
    shell = PolycomDevice().session()
    run_all(shell, settings_commands(PILOT))
    running = read_back(shell, list(PILOT))
    assert keyed_diff(running, {**PILOT, "diffservvideo": "36"}) == [
        Change("diffservvideo", "34", "36")
    ]
    changes = keyed_diff(running, {**PILOT, "systemsetting.sipusername": "1087"})
    assert [c.key for c in changes] == [
        "systemsetting.sipusername",
        "systemsetting.sippassword",
    ]


def test_every_writable_key_is_known_to_the_simulator() -> None:
    for spec in SETTINGS:
        if spec.key not in STATUS_KEYS:
            assert spec.key in FACTORY_DEFAULTS, spec.key


def test_factory_defaults_read_back_as_they_are() -> None:
    shell = PolycomDevice("Group Series").session()
    keys = [key for key in FACTORY_DEFAULTS if key not in SECRET_KEYS]
    running = read_back(shell, keys)
    expected = {key: value for key, value in FACTORY_DEFAULTS.items() if key not in SECRET_KEYS}
    assert {key: running[key] for key in expected} == expected


def test_status_keys_are_read_and_ignored_by_drift() -> None:
    shell = PolycomDevice().session()
    run_all(shell, settings_commands({"usegatekeeper": "specify", "gatekeeperip": "10.10.0.5"}))
    assert read_commands(["status.gatekeeper", "status.sipserver"]) == ["status"]
    running = read_back(shell, ["status.gatekeeper", "status.sipserver", "systemsetting.model"])
    assert running["status.gatekeeper"] == "online"
    assert running["status.sipserver"] == "offline"
    assert running["systemsetting.model"] == "RealPresence Group 500"
    target = {"status.sipserver": "online", "systemsetting.model": "X", "sshenable": "true"}
    assert keyed_diff(running, target) == [Change("sshenable", None, "true")]
    assert {"status.gatekeeper", "systemsetting.model", "systemsetting.sippassword"} <= (
        DRIFT_IGNORED_KEYS
    )


def test_settings_commands_quote_and_order() -> None:
    commands = settings_commands(
        {
            "diffservaudio": "046",
            "typeofservice": "DiffServ",
            "h323name": "Bao Thang",
            "gatekeeperip": "",
            "systemsetting.sipenable": "on",
            "systemname": "BT",
        }
    )
    assert commands == [
        'systemname set "BT"',
        'h323name set "Bao Thang"',
        'gatekeeperip set ""',
        "systemsetting sipenable True",
        "typeofservice diffserv",
        "diffservaudio set 46",
    ]


def test_settings_commands_refuse_bad_input() -> None:
    with pytest.raises(UnknownSettingError):
        settings_commands({"nosuch": "1"})
    with pytest.raises(UnknownSettingError):
        settings_commands({"status.gatekeeper": "online"})
    with pytest.raises(ValueError, match="cannot be sent"):
        settings_commands({"h323name": 'say "hi"'})
    with pytest.raises(UnknownSettingError):
        read_commands(["nosuch"])


def test_parse_settings_handles_real_output_shapes() -> None:
    text = "\r\n".join(
        [
            "-> gatekeeperip get",
            "gatekeeperip 192.168.1.205",
            'systemsetting model "RealPresence Group 700"',
            "systemsetting sipregistrarserver 10.0.0.1",
            'systemsetting sipusername ""',
            "maxtimeincall <empty>",
            'h323name "Polycom Group Series Demo"',
            "error: command not found",
            "inacall offline",
            "gatekeeper online",
            "sipserver offline",
            "status end",
            "",
        ]
    )
    assert parse_settings(text) == {
        "gatekeeperip": "192.168.1.205",
        "systemsetting.model": "RealPresence Group 700",
        "systemsetting.sipregistrarserver": "10.0.0.1",
        "systemsetting.sipusername": "",
        "maxtimeincall": "",
        "h323name": "Polycom Group Series Demo",
        "status.inacall": "offline",
        "status.gatekeeper": "online",
        "status.sipserver": "offline",
    }
    assert api_errors(text) == ["error: command not found"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("systemsetting.sipenable", "yes", "True"),
        ("systemsetting.sipenable", "FALSE", "False"),
        ("enablesnmp", "true", "yes"),
        ("sshenable", "False", "false"),
        ("diffservvideo", "034", "34"),
        ("typeofservice", "DIFFSERV", "diffserv"),
        ("h323name", " Bao Thang ", "Bao Thang"),
        ("not.a.key", "Value", "Value"),
    ],
)
def test_normalize(key: str, value: str, expected: str) -> None:
    assert normalize(key, value) == expected


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", min_size=1, max_size=20)
_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ĐđảắẢ-", min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s != ""
)
_ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
_targets = st.fixed_dictionaries(
    {},
    optional={
        "h323name": _name,
        "snmplocation": _name,
        "gatekeeperip": _token,
        "ntpserver": _token,
        "e164ext": st.text(alphabet="0123456789", max_size=8),
        "diffservaudio": st.integers(0, 63).map(str),
        "diffservvideo": st.integers(0, 63).map(str),
        "ipprecfecc": st.integers(0, 7).map(str),
        "maxtimeincall": st.integers(1, 2880).map(str),
        "systemsetting.maxrxbandwidth": st.integers(64, 6144).map(str),
        "systemsetting.sipproxyserver": _token,
        "systemsetting.siptransportprotocol": st.sampled_from(["auto", "TCP", "udp", "TLS"]),
        "typeofservice": st.sampled_from(["diffserv", "ipprecedence"]),
        "usegatekeeper": st.sampled_from(["off", "specify", "auto"]),
        "sshenable": st.sampled_from(["true", "false", "yes", "no"]),
        "systemsetting.telnetenabled": st.sampled_from(["True", "false", "on", "off"]),
        "encryption": st.sampled_from(["yes", "no", "requiredvideocallsonly", "REQUIREDALLCALLS"]),
        "usefixedports": st.sampled_from(["yes", "no"]),
        "tcpports": st.integers(1024, 49150).map(str),
        "udpports": st.integers(1024, 49150).map(str),
        "subnetmask": _ipv4,
    },
)


@settings(max_examples=60, deadline=None)
@given(target=_targets)
def test_round_trip_property(target: dict[str, str]) -> None:
    shell = PolycomDevice().session()
    run_all(shell, settings_commands(target))
    assert keyed_diff(read_back(shell, list(target)), target) == []


def test_every_setting_cites_a_source_and_is_in_the_docs() -> None:
    from pathlib import Path

    from rollout.drivers.polycom_api import SOURCES
    from rollout.lab.polycom import SOURCES as SIM_SOURCES
    from rollout.lab.polycom.commands import COMMANDS
    from rollout.lab.polycom.specs import GET_SET, MODES, SYSTEMSETTINGS

    docs = (Path(__file__).resolve().parents[3] / "docs" / "codec.md").read_text("utf-8")
    for spec in SETTINGS:
        assert spec.source in SOURCES, spec.key
        name = spec.key.removeprefix("systemsetting.").removeprefix("status.")
        assert name in docs, f"{spec.key} is not in docs/codec.md"
        if spec.source == "unconfirmed":
            assert name in docs.split("## Unconfirmed", 1)[1].split("## Staging", 1)[0], spec.key
    tables = (GET_SET, MODES, SYSTEMSETTINGS)
    for table in tables:
        for sim_spec in table.values():
            assert sim_spec.source in SIM_SOURCES, sim_spec.key
    for word, command in COMMANDS.items():
        assert command.source in SIM_SOURCES, word


def test_the_simulator_refuses_the_old_systemsetting_form() -> None:
    device = PolycomDevice()
    shell = device.session()
    before = dict(device.settings)
    for spec in SETTINGS:
        if spec.key.startswith("systemsetting.") and spec.write is not None:
            name = spec.key.removeprefix("systemsetting.")
            value = spec.choices[0] if spec.choices else "1"
            reply = shell.handle(f"systemsetting set {name} {value}").output
            assert api_errors(reply) == [reply], reply
    assert device.settings == before
