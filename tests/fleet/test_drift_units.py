"""The drift engine's data: noise rules, allow-list validation, failure kinds, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rollout import drift
from rollout.backups import BackupStore
from rollout.drivers.base import DeviceError, ErrorKind, Plan
from rollout.errors import RolloutError
from rollout.history import diff, versions
from rollout.inventory.model import Platform

TODAY = dt.date(2026, 6, 1)


def test_ios_noise_is_left_out() -> None:
    text = (
        "Building configuration...\n"
        "Current configuration : 1234 bytes\n"
        "! Last configuration change at 10:00:01 UTC Mon Jun 1 2026 by noc\n"
        "ntp clock-period 17179869\n"
        "version 15.2\n"
        "hostname sw\n"
        "crypto pki certificate chain TP\n"
        " certificate self-signed 01\n"
        "  30820122 3081CD02\n"
        " quit\n"
        "end\n"
    )
    assert drift.filter_noise(Platform.CISCO_IOS, text) == (
        "hostname sw\ncrypto pki certificate chain TP\n"
    )


def test_codec_status_and_secret_keys_are_noise() -> None:
    text = 'h323name set "A"\nsystemsetting sippassword x\nsystemsetting model G500\n'
    assert drift.filter_noise(Platform.POLYCOM, text) == 'h323name set "A"\n'
    reasons = {r.pattern: r.why for r in drift.NOISE if r.platform is Platform.POLYCOM}
    assert "read-only" in reasons[r"status\.gatekeeper"]


def _allow(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "drift-allow.yml"
    path.write_text("---\nallow:\n" + body)
    return path


def test_allow_list_marks_lines_and_sections(tmp_path: Path) -> None:
    path = _allow(
        tmp_path,
        "  - device: '*-sw01'\n    lines: ['^ shutdown$', '^snmp-server location']\n"
        "    reason: port kept down by the site\n    expires: 2026-12-31\n",
    )
    allow = drift.load_allow_list(path, today=TODAY)
    plan = Plan("a-sw01", Platform.CISCO_IOS, ("interface Gi1/0/5", " shutdown"))
    state, lines = drift.apply_allow("a-sw01", plan, allow)
    assert state is drift.State.ALLOWED
    assert all(x.allowed and "until 2026-12-31" in x.allowed for x in lines)
    mixed = Plan("a-sw01", Platform.CISCO_IOS, ("snmp-server location X", "ip domain lookup"))
    assert drift.apply_allow("a-sw01", mixed, allow)[0] is drift.State.DRIFT
    assert drift.apply_allow("a-rtr01", plan, allow)[0] is drift.State.DRIFT


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "  - device: x\n    lines: [a]\n    reason: r\n    expires: 2026-01-01\n",
            "expired on 2026-01-01",
        ),
        ("  - device: x\n    lines: ['(']\n    reason: r\n    expires: 2027-01-01\n", "regular"),
        ("  - device: x\n    lines: [a]\n    expires: 2027-01-01\n", "missing 'reason'"),
        ("  - device: x\n    lines: [a]\n    reason: r\n    expires: soon\n", "a date"),
    ],
)
def test_allow_list_validation(tmp_path: Path, body: str, said: str) -> None:
    with pytest.raises(RolloutError) as err:
        drift.load_allow_list(_allow(tmp_path, body), today=TODAY)
    assert said in err.value.message


def test_missing_allow_list_is_empty(tmp_path: Path) -> None:
    assert drift.load_allow_list(tmp_path / "none.yml").entries == ()


@pytest.mark.parametrize(
    ("kind", "reported"),
    [
        (ErrorKind.UNREACHABLE, "unreachable"),
        (ErrorKind.TIMEOUT, "timeout"),
        (ErrorKind.AUTH, "auth"),
        (ErrorKind.HOST_KEY, "host_key"),
        (ErrorKind.SESSION_LOST, "unreachable"),
        (ErrorKind.REFUSED, "error"),
        (ErrorKind.ERROR, "error"),
    ],
)
def test_failure_kinds_come_from_the_error_not_its_text(kind: ErrorKind, reported: str) -> None:
    # The same words under another kind: the kind decides, the message never does.
    error = DeviceError("d", "read", "authentication failed: no TCP connection", kind=kind)
    assert drift.classify(error).value == reported
    assert drift.classify(RolloutError("host key timed out")) is ErrorKind.ERROR


def test_retried_kinds_are_the_transient_ones() -> None:
    assert {ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.SESSION_LOST} == drift.RETRIED


def test_report_exit_codes() -> None:
    clean = drift.DeviceDrift("a", "s", "cisco_ios", "lan_switch", drift.State.CLEAN)
    allowed = drift.DeviceDrift("b", "s", "cisco_ios", "lan_switch", drift.State.ALLOWED)
    drifted = drift.DeviceDrift("c", "s", "cisco_ios", "lan_switch", drift.State.DRIFT)
    failed = drift.DeviceDrift(
        "d", "s", "polycom", "codec", drift.State.ERROR, kind=drift.Kind.AUTH, error="x"
    )
    assert drift.Report([clean, allowed], 1.0, 4).exit_code == 0
    assert drift.Report([clean, drifted], 1.0, 4).exit_code == 2
    assert drift.Report([drifted, failed], 1.0, 4).exit_code == 1
    report = drift.Report([clean, drifted, failed], 1.0, 4)
    assert report.to_json()["summary"]["error"] == 1
    assert "| d | s | polycom | error | auth |" in drift.markdown(report)
    assert '<tr class="error"><td>d</td>' in drift.html(report)


def test_a_template_that_fails_is_each_devices_error_not_the_runs(tmp_path: Path) -> None:
    """The warm-up render before the pool leaves a failing template to each device's check."""
    from repocopy import copy_repo
    from rollout.inventory.loader import load_inventory
    from rollout.render import render_device
    from rollout.secrets import load_secrets
    from rollout.targets import managed_devices

    repo = copy_repo(tmp_path / "repo")
    (repo / "templates/cisco_ios/wan_router.j2").unlink()
    inv = load_inventory(repo)
    secrets = load_secrets(repo)
    devices = drift.select(
        managed_devices(inv, list(inv.sites), secrets),
        platforms=["cisco_ios"],
        roles=["wan_router"],
    )
    assert devices
    for m in devices:  # nothing is ever connected to: every render fails first
        with pytest.raises(RolloutError):
            render_device(inv, m.site, m.device, secrets)
    report = drift.check(inv, secrets, devices, workers=4)
    assert {(d.state, d.kind) for d in report.devices} == {(drift.State.ERROR, drift.Kind.ERROR)}
    assert all("wan_router.j2" in d.error for d in report.devices)


def test_history_versions_and_noise_free_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLLOUT_BACKUP_DIR", str(tmp_path / "store"))
    store = BackupStore(tmp_path)
    texts = [
        "! Last configuration change at 01:00:00 UTC\nhostname sw\n",
        "! Last configuration change at 02:00:00 UTC\nhostname sw\n",
        "! Last configuration change at 03:00:00 UTC\nhostname sw\nip domain lookup\n",
    ]
    for n, text in enumerate(texts):
        folder = store.base / "site" / f"2026060{n + 1}T000000Z"
        folder.mkdir(parents=True)
        (folder / "sw.txt").write_text(text)
    found = versions(store, "sw", Platform.CISCO_IOS)
    assert [v.changes for v in found] == [None, 0, 1]
    old, new, lines = diff(store, "sw", platform=Platform.CISCO_IOS)
    assert (old.id, new.id) == ("20260602T000000Z", "20260603T000000Z")
    assert "+ip domain lookup" in lines
    old, _new, lines = diff(store, "sw", since="2026-06-01T12:00:00")
    assert old.id == "20260601T000000Z"
    _old, _new, lines = diff(store, "sw", since="20260601T000000Z", to="20260602T000000Z")
    assert lines == []
    with pytest.raises(RolloutError):
        diff(store, "sw", since="yesterday-ish")
