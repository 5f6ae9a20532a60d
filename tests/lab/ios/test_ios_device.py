"""Device lifecycle: save, archive, revert timer, configure replace, flash, users, events."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from rollout.lab.ios.device import IosDevice, SlaResult
from rollout.lab.ios.passwords import md5_crypt, type7_encode, type9_hash, verify

ARCHIVED = """\
hostname r1
!
archive
 path flash:rollback
 maximum 5
!
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
!
end
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def events_of(device: IosDevice) -> list[str]:
    seen: list[str] = []
    device.add_listener(lambda event, dev: seen.append(event))
    return seen


def wait_for(predicate: Any, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def test_write_memory_and_copy_run_start(cli: Any, device: IosDevice) -> None:
    seen = events_of(device)
    cli.config("interface GigabitEthernet0/1", "description saved")
    assert "description saved" not in (device.startup or "")
    assert cli("write memory") == "Building configuration...\n[OK]"
    assert "description saved" in (device.startup or "")
    cli.config("interface GigabitEthernet0/1", "description again")
    assert cli("copy running-config startup-config") == ""
    assert cli.prompt == "Destination filename [startup-config]? "
    assert cli("") == "Building configuration...\n[OK]"
    assert "description again" in (device.startup or "")
    assert cli("show startup-config").startswith("Using ")
    assert seen == ["config-changed", "saved", "config-changed", "saved"]


def test_config_changed_only_when_something_changed(cli: Any, device: IosDevice) -> None:
    seen = events_of(device)
    cli.config("interface GigabitEthernet0/0", "ip address 10.0.0.1 255.255.255.0")
    assert seen == []
    cli.config("interface GigabitEthernet0/0", "ip address 10.0.0.9 255.255.255.0")
    assert seen == ["config-changed"]


def test_revert_timer_fires_and_restores() -> None:
    dev = IosDevice.from_config(ARCHIVED, minute_seconds=0.2)
    seen = events_of(dev)
    cli = dev.session()
    out = cli.handle("configure terminal revert timer 1").output
    assert out.startswith(
        "Rollback Confirmed Change: Backing up current running config to flash:rollback-0"
    )
    assert dev.session().prompt() == "r1#"
    for line in ("interface GigabitEthernet0/0", "ip address 192.0.2.1 255.255.255.0", "end"):
        cli.handle(line)
    assert "192.0.2.1" in dev.running_config()
    assert dev.revert_pending
    assert wait_for(lambda: "reverted" in seen)
    assert "192.0.2.1" not in dev.running_config()
    assert "10.0.0.1" in dev.running_config()
    assert not dev.revert_pending


def test_configure_confirm_cancels_the_revert() -> None:
    dev = IosDevice.from_config(ARCHIVED, minute_seconds=0.2)
    seen = events_of(dev)
    cli = dev.session()
    for line in (
        "configure terminal revert timer 1",
        "interface GigabitEthernet0/0",
        "ip address 192.0.2.1 255.255.255.0",
        "end",
        "configure confirm",
    ):
        cli.handle(line)
    time.sleep(0.35)
    assert "reverted" not in seen
    assert "confirmed" in seen
    assert "192.0.2.1" in dev.running_config()


def test_configure_revert_now_and_session_in_config_mode() -> None:
    dev = IosDevice.from_config(ARCHIVED, minute_seconds=60)
    seen = events_of(dev)
    admin = dev.session()
    other = dev.session()
    admin.handle("configure terminal revert timer 5")
    admin.handle("hostname changed")
    other.handle("configure revert now")
    assert seen[-1] == "reverted"
    assert dev.hostname == "r1"
    # The session still in configuration mode goes on editing the restored config.
    admin.handle("interface Loopback0")
    admin.handle("end")
    assert "interface Loopback0" in dev.running_config()
    dev.close()


def test_revert_timer_needs_an_archive(cli: Any, device: IosDevice) -> None:
    out = cli("configure terminal revert timer 5")
    assert "archive" in out
    assert cli.prompt == "bt-rtr01#"


def test_configure_replace_from_flash(cli: Any, device: IosDevice) -> None:
    assert cli("copy running-config flash:golden.cfg") == ""
    assert cli.prompt == "Destination filename [golden.cfg]? "
    assert "bytes copied" in cli("")
    assert "golden.cfg" in cli("dir flash:")
    assert cli("more flash:golden.cfg").startswith("!")
    cli.config("hostname wrong", "interface Loopback9", "ip address 1.1.1.1 255.255.255.255")
    assert cli("configure replace flash:golden.cfg force") == (
        "Total number of passes: 1\nRollback Done"
    )
    assert device.hostname == "bt-rtr01"
    assert "Loopback9" not in device.running_config()
    cli.config("hostname wrong")
    cli("configure replace flash:golden.cfg")
    assert cli.prompt.endswith("? [no]: ")
    cli("y")
    assert device.hostname == "bt-rtr01"
    assert "No such file" in cli("configure replace flash:missing.cfg force")
    cli("delete /force flash:golden.cfg")
    assert "golden.cfg" not in cli("dir flash:")


def test_configure_replace_nvram_startup(cli: Any, device: IosDevice) -> None:
    cli.config("hostname other")
    cli("configure replace nvram:startup-config force")
    assert device.hostname == "bt-rtr01"


def test_archive_config_and_show_archive() -> None:
    dev = IosDevice.from_config(ARCHIVED)
    cli = dev.session()
    assert cli.handle("archive config").output == ""
    out = cli.handle("show archive").output
    assert "There are currently 1 archive configurations saved." in out
    assert "flash:rollback-0 <- Most Recent" in out
    assert "rollback-0" in cli.handle("dir flash:").output


def test_show_run_format(cli: Any, device: IosDevice) -> None:
    cli.config(
        "ip route 0.0.0.0 0.0.0.0 10.0.0.254",
        "access-list 10 permit 10.0.0.0 0.0.0.255",
        "router ospf 1",
        "network 10.0.0.0 0.0.0.255 area 0",
        "snmp-server community public RO",
        "ntp server 10.0.0.7",
    )
    out = cli("show running-config")
    lines = out.splitlines()
    assert lines[:2] == ["Building configuration...", ""]
    assert lines[2].startswith("Current configuration : ")
    size = int(lines[2].split(":")[1].split()[0])
    assert size == len("\n".join(lines[3:])) + 1
    assert lines[3] == "!"
    assert lines[-1] == "end"
    order = [
        "version 15.2",
        "hostname bt-rtr01",
        "interface GigabitEthernet0/0",
        "router ospf 1",
        "ip route 0.0.0.0 0.0.0.0 10.0.0.254",
        "access-list 10 permit 10.0.0.0 0.0.0.255",
        "snmp-server community public RO",
        "line vty 0 4",
        "ntp server 10.0.0.7",
    ]
    assert [lines.index(x) for x in order] == sorted(lines.index(x) for x in order)
    assert cli("show run | include ^hostname") == "hostname bt-rtr01"
    assert cli("sh run | section router ospf") == (
        "router ospf 1\n network 10.0.0.0 0.0.0.255 area 0"
    )
    assert cli("show running-config | begin ^line").splitlines()[0] == "line vty 0 4"
    assert "interface GigabitEthernet0/0\n ip address" in cli("show run interface gi0/0")


def test_show_version_clock_and_interfaces() -> None:
    clock = FakeClock()
    dev = IosDevice.from_config("hostname bt-rtr01\n", model="CISCO1941/K9", now=clock)
    clock.now += timedelta(days=9, hours=3, minutes=4)
    cli = dev.session()
    version = cli.handle("show version").output
    assert version.startswith(
        "Cisco IOS Software, C1900 Software (C1900-UNIVERSALK9-M), Version 15.2(4)"
    )
    assert "bt-rtr01 uptime is 1 week, 2 days, 3 hours, 4 minutes" in version
    assert "Cisco CISCO1941/K9 (revision 1.0)" in version
    assert cli.handle("show clock").output == "*13:04:00.000 UTC Sun Mar 10 2024"


def test_show_ip_interface_brief(cli: Any) -> None:
    out = cli("sh ip int br").splitlines()
    assert out[0].split() == ["Interface", "IP-Address", "OK?", "Method", "Status", "Protocol"]
    assert out[1].split() == ["GigabitEthernet0/0", "10.0.0.1", "YES", "NVRAM", "up", "up"]
    assert out[2].split()[:2] == ["GigabitEthernet0/1", "unassigned"]
    assert "administratively down" in out[2]


def test_show_ip_sla_statistics(cli: Any, device: IosDevice) -> None:
    cli.config(
        "ip sla 10",
        "udp-jitter 10.100.0.1 5000 codec g711alaw",
        "tos 184",
        "ip sla schedule 10 life forever start-time now",
    )
    device.set_sla_result(10, SlaResult(rtt_ms=40, jitter_ms=7, loss_percent=1.0, mos=4.1))
    out = cli("show ip sla statistics")
    assert "IPSLA operation id: 10" in out
    assert "Type of operation: udp-jitter" in out
    assert "Source to Destination Jitter Min/Avg/Max: 0/7/14 milliseconds" in out
    assert "Mean Opinion Score (MOS): 4.10" in out
    assert "Loss Source to Destination: 5" in out  # 1 % of 1000 codec packets, half each way


def test_passwords_and_users() -> None:
    nine = type9_hash("lab-secret")
    five = md5_crypt("ops-pass", "abcd")
    dev = IosDevice.from_config(
        f"hostname r1\nusername admin privilege 15 secret 9 {nine}\n"
        f"username ops privilege 1 secret 5 {five}\n"
        f"username old password 7 {type7_encode('legacy')}\n"
        "username plain password 0 text\n"
        "username odd secret 8 $8$unknownformat\n",
        lab_password="lab",
    )
    assert dev.check_password("admin", "lab-secret")
    assert not dev.check_password("admin", "nope")
    assert dev.check_password("ops", "ops-pass")
    assert dev.check_password("old", "legacy")
    assert dev.check_password("plain", "text")
    assert dev.check_password("odd", "lab")
    assert not dev.check_password("nobody", "lab")
    assert dev.session("admin").prompt() == "r1#"
    assert dev.session("ops").prompt() == "r1>"


def test_known_hash_vectors() -> None:
    assert verify("9", "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6", "hashcat")
    assert md5_crypt("hashcat", "28772684") == "$1$28772684$iEwNOgGugqO9.bIz5sk8k/"


def test_exec_command_runs_privileged(device: IosDevice) -> None:
    reply = device.session().exec_command("show running-config | include hostname")
    assert reply.output == "hostname bt-rtr01"
    assert reply.close


def test_exit_closes_the_session(cli: Any) -> None:
    assert cli.session.handle("exit").close


def test_construction_is_cheap() -> None:
    text = ARCHIVED * 1
    start = time.perf_counter()
    devices = [IosDevice.from_config(text) for _ in range(1000)]
    assert time.perf_counter() - start < 1.0
    assert devices[-1].hostname == "r1"
