"""The simulated Group Series API shell on its own: commands, replies, errors, persistence."""

from __future__ import annotations

import pytest

from rollout.lab.polycom import (
    ERR_ILLEGAL,
    ERR_MORE_PARAMS,
    ERR_NOT_FOUND,
    FACTORY_DEFAULTS,
    PROMPT,
    DeviceEvent,
    PolycomDevice,
    PolycomSession,
    split_args,
)
from rollout.lab.shell import DeviceShell


@pytest.fixture
def device() -> PolycomDevice:
    return PolycomDevice("BT-CODEC01", password="Lab-pass-1", ip_address="10.86.20.10")


@pytest.fixture
def shell(device: PolycomDevice) -> PolycomSession:
    return device.session()


def run(shell: PolycomSession, line: str) -> str:
    reply = shell.handle(line)
    assert not reply.close
    return reply.output


def test_session_satisfies_the_shell_contract(shell: PolycomSession) -> None:
    contract: DeviceShell = shell
    assert contract.prompt() == PROMPT == "-> "


def test_new_session_is_a_fresh_session(device: PolycomDevice) -> None:
    first, second = device.new_session(), device.new_session()
    assert first is not second
    assert first.device is second.device is device


def test_banner_is_the_self_description(shell: PolycomSession) -> None:
    lines = shell.banner().splitlines()
    assert lines[0] == "Hi, my name is : BT-CODEC01"
    assert lines[1] == "Here is what I know about myself:"
    assert "Model:               RealPresence Group 500" in lines
    assert "IP Video Number:     10.86.20.10" in lines
    assert lines[-1] == "SNMP Enabled:        False"
    assert run(shell, "whoami").splitlines()[:2] == lines[:2]


def test_login_checks_admin_account(device: PolycomDevice) -> None:
    assert device.check_password("admin", "Lab-pass-1")
    assert not device.check_password("admin", "wrong")
    assert not device.check_password("root", "Lab-pass-1")


def test_factory_password_is_the_serial_number() -> None:
    device = PolycomDevice(serial="8213160AE8F2CV")
    assert device.check_password("admin", "8213160AE8F2CV")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("gatekeeperip get", 'gatekeeperip ""'),
        ("gatekeeperip set 10.10.0.5", "gatekeeperip 10.10.0.5"),
        ("h323name get", "h323name BT-CODEC01"),
        ('h323name set "Bảo Thắng"', 'h323name "Bảo Thắng"'),
        ("e164ext set 8601", "e164ext 8601"),
        ("e164ext set", 'e164ext ""'),
        ('systemname set "BT Codec"', 'systemname "BT Codec"'),
        ("maxtimeincall get", "maxtimeincall <empty>"),
        ("maxtimeincall set 180", "maxtimeincall 180"),
        ("maxtimeincall set", "maxtimeincall <empty>"),
        ("maxtimeincall set 0", "maxtimeincall <empty>"),
        ("typeofservice get", "typeofservice ipprecedence"),
        ("typeofservice diffserv", "typeofservice diffserv"),
        ("diffservaudio set 46", "diffservaudio 46"),
        ("diffservvideo set 34", "diffservvideo 34"),
        ("diffservfecc set 24", "diffservfecc 24"),
        ("diffservaudio get", "diffservaudio 0"),
        ("ipprecaudio get", "ipprecaudio 4"),
        ("ipprecvideo set 5", "ipprecvideo 5"),
        ("usegatekeeper specify", "usegatekeeper specify"),
        ("ntpmode manual", "ntpmode manual"),
        ("ntpserver set 10.10.0.1", "ntpserver 10.10.0.1"),
        ("enablesnmp yes", "enablesnmp yes"),
        ("snmpcommunity set noc-ro", "snmpcommunity noc-ro"),
        ('snmplocation set "Bao Thang district"', 'snmplocation "Bao Thang district"'),
        ("snmptrapversion set v1", "snmptrapversion v1"),
        ("sshenable get", "sshenable true"),
        ("sshenable false", "sshenable false"),
        ("systemsetting get sipregistrarserver", 'systemsetting sipregistrarserver ""'),
        (
            "systemsetting sipregistrarserver 10.10.0.6",
            "systemsetting sipregistrarserver 10.10.0.6",
        ),
        (
            "systemsetting sipproxyserver sip.lc.gov.vn",
            "systemsetting sipproxyserver sip.lc.gov.vn",
        ),
        ("systemsetting get sipenable", "systemsetting sipenable True"),
        ("systemsetting sipenable false", "systemsetting sipenable False"),
        ("systemsetting siptransportprotocol tcp", "systemsetting siptransportprotocol TCP"),
        ("systemsetting maxrxbandwidth 2048", "systemsetting maxrxbandwidth 2048"),
        ("systemsetting get model", 'systemsetting model "RealPresence Group 500"'),
        ("systemsetting sippassword s3cret", "systemsetting sippassword ********"),
        ("encryption get", "encryption yes"),
        ("encryption requiredvideocallsonly", "encryption requiredvideocallsonly"),
        ("usefixedports yes", "usefixedports yes"),
        ("tcpports set 3230", "tcpports 3230"),
        ("udpports get", "udpports 3230"),
        ("dhcp get", "dhcp client"),
        ("dhcp off", "dhcp off"),
        ("subnetmask set 255.255.255.192", "subnetmask 255.255.255.192"),
        ("ipaddress get", 'ipaddress ""'),
        ("serialnum", "serialnum 8213160AE8F2CV"),
        ("callinfo all", "system is not in a call"),
        ("hangup all", "hanging up all"),
        ("advnetstats", "connection 0 is not active"),
        ("netstats 1", "connection 1 is not active"),
        ("", ""),
    ],
)
def test_command_replies(shell: PolycomSession, line: str, expected: str) -> None:
    assert run(shell, line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("foo", ERR_NOT_FOUND),
        ("show running-config", ERR_NOT_FOUND),
        ("gatekeeperip", ERR_MORE_PARAMS),
        ("gatekeeperip frob", ERR_ILLEGAL),
        ("gatekeeperip set 10.0.0.1 10.0.0.2", ERR_ILLEGAL),
        ('gatekeeperip set "gk one"', ERR_ILLEGAL),
        ("diffservaudio set 64", ERR_ILLEGAL),
        ("diffservaudio set -1", ERR_ILLEGAL),
        ("diffservaudio set ef", ERR_ILLEGAL),
        ("diffservaudio set", ERR_MORE_PARAMS),
        ("ipprecaudio set 8", ERR_ILLEGAL),
        ("maxtimeincall set 2881", ERR_ILLEGAL),
        ("e164ext set 86a1", ERR_ILLEGAL),
        ("typeofservice best-effort", ERR_ILLEGAL),
        ("typeofservice", ERR_MORE_PARAMS),
        ("sshenable maybe", ERR_ILLEGAL),
        ("systemsetting get", ERR_MORE_PARAMS),
        ("systemsetting get nosuchsetting", ERR_ILLEGAL),
        ("systemsetting model Other", ERR_ILLEGAL),
        ("systemsetting get sippassword", ERR_ILLEGAL),
        ("systemsetting siptransportprotocol SCTP", ERR_ILLEGAL),
        ("systemsetting maxtxbandwidth 10000", ERR_ILLEGAL),
        ("systemsetting sipenable", ERR_MORE_PARAMS),
        ("systemsetting", ERR_MORE_PARAMS),
        # The old wrong form: 'set' is no setting name.
        ("systemsetting set sipenable True", ERR_ILLEGAL),
        ("systemsetting set sipregistrarserver 10.10.0.6", ERR_ILLEGAL),
        ("tcpports set 80", ERR_ILLEGAL),
        ("encryption always", ERR_ILLEGAL),
        ("subnetmask set 255.255.255", ERR_ILLEGAL),
        # 'ipaddress' and 'defaultgateway' can only change with DHCP off (hdx-api IpAddress).
        ("ipaddress set 10.16.1.10", ERR_ILLEGAL),
        ("defaultgateway set 10.16.1.1", ERR_ILLEGAL),
        ('h323name set "unbalanced', ERR_ILLEGAL),
        ("dial", ERR_MORE_PARAMS),
        ("dial manual 384", ERR_MORE_PARAMS),
        ("dial manual fast 5551212 sip", ERR_ILLEGAL),
        ("dial manual 32 5551212 sip", ERR_ILLEGAL),
        ("dial manual 384 5551212 carrier-pigeon", ERR_ILLEGAL),
        ("dial addressbook Hub", ERR_ILLEGAL),
        ("hangup", ERR_MORE_PARAMS),
        ("hangup everything", ERR_ILLEGAL),
        ("callinfo", ERR_MORE_PARAMS),
        ("advnetstats x", ERR_ILLEGAL),
        ("status now", ERR_ILLEGAL),
    ],
)
def test_errors(shell: PolycomSession, line: str, expected: str) -> None:
    assert run(shell, line) == expected


def test_refused_set_changes_nothing(device: PolycomDevice, shell: PolycomSession) -> None:
    before = dict(device.settings)
    for line in (
        "diffservaudio set 99",
        "systemsetting model X",
        "systemsetting set sipenable False",
        "gatekeeperip set a b",
    ):
        run(shell, line)
    assert device.settings == before


def test_commands_are_case_insensitive_values_are_not(shell: PolycomSession) -> None:
    assert run(shell, "GatekeeperIP SET GK.Example") == "gatekeeperip GK.Example"
    assert run(shell, "TYPEOFSERVICE DIFFSERV") == "typeofservice diffserv"


def test_settings_persist_across_sessions(device: PolycomDevice) -> None:
    first = device.session()
    run(first, 'h323name set "Bao Thang"')
    run(first, "systemsetting sipproxyserver 10.10.0.6")
    assert first.handle("exit").close
    second = device.session()
    assert run(second, "h323name get") == 'h323name "Bao Thang"'
    assert (
        run(second, "systemsetting get sipproxyserver") == "systemsetting sipproxyserver 10.10.0.6"
    )


def test_sessions_share_one_device(device: PolycomDevice) -> None:
    one, two = device.session(), device.session()
    run(one, "diffservaudio set 46")
    assert run(two, "diffservaudio get") == "diffservaudio 46"


def test_config_changed_events(device: PolycomDevice, shell: PolycomSession) -> None:
    events: list[DeviceEvent] = []
    device.add_listener(events.append)
    run(shell, "diffservaudio set 46")
    run(shell, "diffservaudio set 46")  # unchanged: no event
    run(shell, "diffservaudio set 99")  # refused: no event
    run(shell, "typeofservice diffserv")
    assert events == [
        DeviceEvent("config-changed", "diffservaudio", "0", "46"),
        DeviceEvent("config-changed", "typeofservice", "ipprecedence", "diffserv"),
    ]


def test_call_lifecycle(device: PolycomDevice, shell: PolycomSession) -> None:
    events: list[DeviceEvent] = []
    device.add_listener(events.append)
    assert run(shell, 'dial manual 2048 "10.10.0.100" h323') == "dialing manual"
    assert run(shell, "callinfo all").splitlines() == [
        "callinfo begin",
        "callinfo:43::10.10.0.100:2048:connected:notmuted:outgoing:videocall",
        "callinfo end",
    ]
    assert run(shell, "status").splitlines()[0] == "inacall online"
    assert run(shell, "hangup all") == "hanging up all"
    assert run(shell, "callinfo all") == "system is not in a call"
    assert [e.kind for e in events] == ["call-changed", "call-changed"]
    assert device.total_calls == 1


def test_hangup_one_call(device: PolycomDevice, shell: PolycomSession) -> None:
    run(shell, "dial manual 384 5551212 sip")
    run(shell, "dial manual 384 5551313 sip")
    assert run(shell, "hangup video 43") == "hanging up video"
    assert [c.number for c in device.calls] == ["5551313"]


def _advnetstats(shell: PolycomSession) -> dict[str, str]:
    words = run(shell, "advnetstats").split()
    return dict(w.split(":", 1) for w in words if ":" in w)


def test_advnetstats_shape(shell: PolycomSession) -> None:
    run(shell, 'dial manual 2048 "0861001" sip')
    lines = run(shell, "advnetstats").splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("call:0 tar:64 K rar:64 K tvr:1984 K rvr:1984 K")
    stats = _advnetstats(shell)
    for key in ("tvj", "rvj", "tvpl", "rvpl", "taj", "raj", "tapl", "rapl", "tvru", "rvfr"):
        assert stats[key].isdigit(), key
    assert stats["rsid"] == "0861001"


def test_advnetstats_follows_link_quality(device: PolycomDevice, shell: PolycomSession) -> None:
    run(shell, "dial manual 2048 0861001 h323")
    clean = _advnetstats(shell)
    assert clean["tvpl"] == clean["rvpl"] == clean["tapl"] == clean["rapl"] == "0"
    assert int(clean["rvj"]) < 10
    device.set_link_quality(jitter_ms=40.0, loss_pct=2.0)
    bad = _advnetstats(shell)
    assert int(bad["rvj"]) >= 40
    assert int(bad["rvpl"]) > 0
    assert int(bad["rapl"]) > 0
    later = _advnetstats(shell)
    assert int(later["rvpl"]) > int(bad["rvpl"])  # cumulative counters
    assert "%pktloss:0.0 %" not in run(shell, "netstats")


def test_advnetstats_is_deterministic() -> None:
    outputs = []
    for _ in range(2):
        device = PolycomDevice()
        device.set_link_quality(jitter_ms=12.5, loss_pct=0.5)
        shell = device.session()
        run(shell, "dial manual 1024 5551212 sip")
        outputs.append([run(shell, "advnetstats") for _ in range(3)])
    assert outputs[0] == outputs[1]


def test_registration_status(device: PolycomDevice, shell: PolycomSession) -> None:
    def status() -> dict[str, str]:
        lines = run(shell, "status").splitlines()
        assert lines[-1] == "status end"
        return dict(line.split(" ", 1) for line in lines[:-1])

    assert status()["gatekeeper"] == "offline"
    assert status()["sipserver"] == "offline"
    run(shell, "usegatekeeper specify")
    run(shell, "gatekeeperip set 10.10.0.5")
    run(shell, "systemsetting sipregistrarserver 10.10.0.6")
    assert status()["gatekeeper"] == "online"
    assert status()["sipserver"] == "online"
    device.registrar_reachable = False
    assert status()["gatekeeper"] == "offline"
    assert status()["sipserver"] == "offline"


def test_exit_closes_session(shell: PolycomSession) -> None:
    reply = shell.handle("exit")
    assert reply.close
    assert reply.output == ""


def test_exec_command_runs_once_and_closes(shell: PolycomSession) -> None:
    reply = shell.exec_command("gatekeeperip get")
    assert reply.output == 'gatekeeperip ""'
    assert reply.close


def test_snapshot_restore(device: PolycomDevice, shell: PolycomSession) -> None:
    snap = device.snapshot()
    run(shell, "diffservaudio set 46")
    run(shell, "dial manual 384 5551212 sip")
    device.set_password("other")
    device.restore(snap)
    assert device.settings == snap.settings
    assert device.calls == []
    assert device.check_password("admin", "Lab-pass-1")
    assert run(shell, "diffservaudio get") == "diffservaudio 0"


def test_initial_settings_and_unknown_keys() -> None:
    device = PolycomDevice(settings={"diffservaudio": "46"})
    assert device.settings["diffservaudio"] == "46"
    assert set(device.settings) == set(FACTORY_DEFAULTS)
    with pytest.raises(KeyError):
        PolycomDevice(settings={"nosuch": "1"})


def test_many_devices_are_cheap() -> None:
    devices = [PolycomDevice(f"codec-{i}") for i in range(1000)]
    devices[0].settings["diffservaudio"] = "46"
    assert devices[1].settings["diffservaudio"] == "0"  # no shared state


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('h323name set "Bao Thang"', ["h323name", "set", "Bao Thang"]),
        ('e164ext set ""', ["e164ext", "set", ""]),
        ("  a   b  ", ["a", "b"]),
        ('x "unterminated', None),
    ],
)
def test_split_args(line: str, words: list[str] | None) -> None:
    assert split_args(line) == words
