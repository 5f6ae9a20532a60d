"""The codec's admin password rotated from the vault, over real SSH to the simulated codec.

The codec holds the previous password; the vault's intended one is refused, so the driver logs
in with the previous one, plans ``setpassword`` first, sends it, and goes on in a new session
with the new password. Only the new password logs in afterwards; a rollback does not change it
back; a wrong current password is refused by the codec.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from codec_twin import ServedCodec, served_codec

from rollout.drivers.base import DeviceError, ErrorKind
from rollout.drivers.polycom import ROTATION_DUE, PolycomDriver, rotation_due
from rollout.lab.polycom import ERR_ILLEGAL, ERR_MORE_PARAMS, PolycomDevice

pytestmark = pytest.mark.lab

OLD = "Rot-old-pass-4471"
NEW = "Rot-new-pass-9032"
INTENDED = """\
h323name set "Bao Thang"
diffservaudio set 46
enablevlan no
"""


@pytest.fixture
def codec(tmp_path: Path) -> Iterator[ServedCodec]:
    with served_codec(tmp_path, OLD, {"enablevlan": "yes"}) as served:
        yield served


def _logs_in(codec: ServedCodec, password: str) -> bool:
    driver = PolycomDriver(codec.target(password))
    try:
        driver.connect()
        return True
    except DeviceError as exc:
        assert exc.kind is ErrorKind.AUTH
        return False
    finally:
        driver.close()


def test_rotation_plans_the_change_first_pushes_it_and_converges(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(NEW, previous=OLD))
    try:
        running = driver.running_config()
        assert running.splitlines()[0] == ROTATION_DUE
        plan = driver.plan(running, INTENDED)
        assert plan.commands[0] == f'setpassword admin room "{OLD}" "{NEW}"'
        assert plan.commands[1:] == (
            'h323name set "Bao Thang"',
            "diffservaudio set 46",
            "enablevlan no",
        )
        driver.commit(plan, 5)
        # the same driver goes on over the new password: the rest was sent after the change
        assert not rotation_due(driver.running_config())
    finally:
        driver.close()
    assert codec.device.settings["h323name"] == "Bao Thang"
    assert _logs_in(codec, NEW)
    assert not _logs_in(codec, OLD)
    again = PolycomDriver(codec.target(NEW, previous=OLD))
    try:
        assert again.plan(again.running_config(), INTENDED).commands == ()
    finally:
        again.close()


def test_without_a_previous_password_the_refusal_is_an_auth_error(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(NEW))
    with pytest.raises(DeviceError) as caught:
        driver.running_config()
    assert caught.value.kind is ErrorKind.AUTH
    assert codec.device.check_password("admin", OLD)


def test_neither_password_logs_in(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(NEW, previous="Rot-other-pass-1"))
    with pytest.raises(DeviceError) as caught:
        driver.running_config()
    assert caught.value.kind is ErrorKind.AUTH
    assert "previous" in caught.value.message
    assert NEW not in str(caught.value) and OLD not in str(caught.value)


def test_a_rollback_does_not_change_the_password_back(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(NEW, previous=OLD))
    try:
        backup = driver.running_config()  # read over the previous password: it says so
        assert rotation_due(backup)
        driver.commit(driver.plan(backup, INTENDED), 5)
    finally:
        driver.close()
    rollback = PolycomDriver(codec.target(NEW, previous=OLD))
    try:
        rollback.rollback(backup)
        left = rollback.plan(rollback.running_config(), backup)
    finally:
        rollback.close()
    assert left.commands == ()
    assert codec.device.settings["enablevlan"] == "yes"  # the settings came back
    assert codec.device.settings["h323name"] != "Bao Thang"
    assert _logs_in(codec, NEW) and not _logs_in(codec, OLD)  # the password did not


def test_a_refused_change_names_no_secret(codec: ServedCodec) -> None:
    driver = PolycomDriver(codec.target(NEW, previous=OLD))
    try:
        plan = driver.plan(driver.running_config(), INTENDED)
        codec.device.set_password("Rot-changed-meanwhile-7")  # someone changed it at the codec
        with pytest.raises(DeviceError) as caught:
            driver.commit(plan, 5)
    finally:
        driver.close()
    assert caught.value.kind is ErrorKind.REFUSED
    text = str(caught.value)
    assert "setpassword admin room ******** ********" in text
    assert OLD not in text and NEW not in text
    assert codec.device.settings["h323name"] != "Bao Thang"  # nothing else was sent


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("setpassword", ERR_MORE_PARAMS),
        (f'setpassword admin room "{OLD}"', ERR_MORE_PARAMS),
        (f'setpassword admin room "wrong" "{NEW}"', ERR_ILLEGAL),
        (f'setpassword meeting room "{OLD}" "{NEW}"', ERR_ILLEGAL),
        (f'setpassword admin remote "{OLD}" "{NEW}"', ERR_ILLEGAL),
        (f'setpassword admin room "{OLD}" ""', ERR_ILLEGAL),
        (f'setpassword admin room "{OLD}" "{NEW}" extra', ERR_ILLEGAL),
    ],
)
def test_the_simulator_refuses_wrong_password_changes(line: str, reply: str) -> None:
    device = PolycomDevice(password=OLD)
    assert device.session().handle(line).output == reply
    assert device.check_password("admin", OLD)


def test_the_simulator_changes_the_password_without_echoing_it() -> None:
    device = PolycomDevice(password=OLD)
    reply = device.session().handle(f'setpassword admin room "{OLD}" "{NEW}"').output
    assert OLD not in reply and NEW not in reply
    assert device.check_password("admin", NEW) and not device.check_password("admin", OLD)
