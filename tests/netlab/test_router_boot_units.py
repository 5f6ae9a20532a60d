"""Pure parts of a linux_router that survives a reboot: the rendered files (its own nftables
table, IPv6, rate-limited logs, VLAN sub-interfaces, forwarding, boot unit), the scripts the
driver writes, and how the driver reads the kernel's answers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from rollout.drivers.base import Target
from rollout.drivers.linux_checks import verdict
from rollout.drivers.linux_router import (
    FILES,
    PRODUCTION,
    UNIT,
    Layout,
    LinuxRouterDriver,
    apply_script,
    boot_script,
    layout_for,
    split_bundle,
)
from rollout.drivers.linux_system import subinterface_problems, sysctl_settings
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Platform
from rollout.netlab.lab import lab_router
from rollout.netlab.vlanlinks import ConferenceHosts, network_local
from rollout.render import render_device
from rollout.secrets import load_secrets

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "linux_router"
# `ip -o link show` and `ip -o -4 addr show` (iproute2 6.1.0) of a router namespace after the
# rendered network.sh ran with the network lab's network.local (veth stand-ins for VLANs)
LINKS = (DATA / "ip-o-link-show.txt").read_text(encoding="utf-8")
ADDRESSES = (DATA / "ip-o-4-addr-show.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    return split_bundle(render_device(inv, site, lab_router(site), load_secrets(REPO)).text)


def test_the_bundle_has_every_file(files: dict[str, str]) -> None:
    assert set(files) == set(FILES)
    assert all(files[name].strip() for name in FILES)


def test_nftables_replaces_its_own_table_atomically_and_nothing_else(
    files: dict[str, str],
) -> None:
    nft = files["nftables.conf"]
    statements = [line for line in nft.splitlines() if line and not line.startswith("#")]
    assert statements[:5] == [
        "table inet rollout {}",
        "delete table inet rollout",
        "table ip rollout {}",  # the table of earlier versions
        "delete table ip rollout",
        "table inet rollout {",
    ]
    assert "flush" not in nft
    tables = re.findall(r"^(?:\w+ )?table (\S+ \S+)", nft, re.M)
    assert tables == ["inet rollout", "inet rollout", "ip rollout", "ip rollout", "inet rollout"]


def test_ipv6_to_the_router_is_neighbour_discovery_only(files: dict[str, str]) -> None:
    nft = files["nftables.conf"]
    ipv6_in = re.search(r"chain ipv6_in \{\n(.*?)\n\t\}", nft, re.S)
    assert ipv6_in is not None
    rules = [r.strip() for r in ipv6_in.group(1).splitlines() if not r.strip().startswith("#")]
    assert rules[0].startswith("icmpv6 type { nd-router-solicit, nd-router-advert, ")
    assert "nd-neighbor-solicit, nd-neighbor-advert" in rules[0]
    assert rules[0].endswith("ip6 hoplimit 255 counter accept")
    assert rules[1].endswith("ip6 saddr fe80::/10 counter accept")
    assert rules[2:] == [
        'limit rate 10/minute burst 5 packets log prefix "IPV6-IN drop: "',
        "counter drop",
    ]
    assert "tcp dport 22" not in ipv6_in.group(1)  # the province has no NOC IPv6 prefix
    assert 'meta nfproto ipv6 iifname != "lo" jump ipv6_in' in nft
    assert "meta nfproto ipv6 jump ipv6_forward" in nft


def test_no_rule_drops_and_logs_at_once(files: dict[str, str]) -> None:
    rules = [line.strip() for line in files["nftables.conf"].splitlines()]
    logs = [n for n, r in enumerate(rules) if re.search(r"\blog prefix\b", r)]
    assert len(logs) == 4
    for n in logs:
        assert rules[n].startswith("limit rate 10/minute burst 5 packets log prefix ")
        assert rules[n + 1] == "counter drop"


def test_network_sh_creates_each_vlan_with_its_gateway_address(files: dict[str, str]) -> None:
    network = files["network.sh"]
    assert "subif lan0 10 lan0.10 10.16.1.1/26 || exit 1" in network
    assert "subif lan0 20 lan0.20 10.16.1.65/27 || exit 1" in network
    assert 'vlan_link() { ip link add link "$1" name "$2" type vlan id "$3"; }' in network


def test_forwarding_and_the_boot_unit(files: dict[str, str]) -> None:
    assert sysctl_settings(files["sysctl.conf"]) == {"net.ipv4.ip_forward": "1"}
    unit = files[UNIT]
    for line in (
        "Type=oneshot",
        "RemainAfterExit=yes",
        "ExecStart=/bin/sh /etc/rollout/boot.sh",
        "Before=network-pre.target shutdown.target",
        "DefaultDependencies=no",
        "WantedBy=multi-user.target",
    ):
        assert line in unit.splitlines()
    assert "sys-subsystem-net-devices-wan0.device" in unit


def test_boot_loads_nftables_before_forwarding_and_stops_if_it_fails() -> None:
    script = boot_script(PRODUCTION)
    order = [script.index(s) for s in ("nft -f", "sysctl -q -p", "sh ./network.sh", "tc -batch")]
    assert order == sorted(order)
    assert 'no forwarding" >&2; exit 1;' in script
    assert "cd /etc/rollout" in script


def test_apply_installs_and_enables_the_unit_only_where_there_is_systemd() -> None:
    production = apply_script(PRODUCTION)
    assert "sh ./boot.sh || fail boot.sh" in production
    assert f"install -m 0644 {UNIT} /etc/systemd/system/{UNIT}" in production
    assert f"systemctl enable --quiet {UNIT}" in production
    assert production.index("boot.sh") < production.index("frr-reload.py")
    lab = layout_for(Target("r", Platform.LINUX_ROUTER, "ns", 0, "", "", None, 5, folder="/run/x"))
    assert lab.unit_dir is None and "systemctl" not in apply_script(lab)


def test_subinterfaces_as_the_kernel_shows_them() -> None:
    network = "subif lan0 10 lan0.10 10.16.1.1/26 || exit 1\nsubif lan0 20 lan0.20 10.16.1.65/27\n"
    assert subinterface_problems(network, LINKS, ADDRESSES) == []
    links = LINKS.replace(
        "6: lan0.20@x20: <BROADCAST,MULTICAST,UP,", "6: lan0.20@x20: <BROADCAST,MULTICAST,"
    )
    addresses = ADDRESSES.replace("10.16.1.1/26", "10.16.1.2/26")
    extra = LINKS + "7: lan0.30@lan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n"
    assert subinterface_problems(network, links, ADDRESSES) == [
        "VLAN: sub-interface lan0.20 is down"
    ]
    assert subinterface_problems(network, LINKS, addresses) == [
        "VLAN: lan0.10 lacks its gateway address 10.16.1.1/26",
        "VLAN: lan0.10 has an address the plan does not: 10.16.1.2/26",
    ]
    assert subinterface_problems(network, extra, ADDRESSES) == [
        "VLAN: sub-interface lan0.30 is not in the plan"
    ]
    gone = "\n".join(line for line in LINKS.splitlines() if "lan0.10@" not in line)
    assert subinterface_problems(network, gone, ADDRESSES)[0] == (
        "VLAN: sub-interface lan0.10 (VLAN 10 on lan0) is missing"
    )


def test_a_log_rule_is_not_a_drop() -> None:
    assert verdict('limit rate 10/minute log prefix "WAN-IN drop: "') == "log"
    assert verdict("counter packets 3 bytes 120 drop") == "drop"


class _Answers:
    """A Shell answering the driver's reads from recorded outputs."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.lines: list[str] = []

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        self.lines.append(command)
        return next((out for key, out in self.answers.items() if key in command), "")

    def read(self, path: PurePosixPath) -> str | None:
        return None

    def write(self, path: PurePosixPath, text: str) -> None:
        return None

    def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("answer", "problems"),
    [
        ("enabled: enabled\ncopy: same\n", []),
        (
            "enabled: disabled\ncopy: differs\n",
            [
                f"boot: {UNIT} is not enabled (systemctl is-enabled: disabled)",
                f"boot: /etc/systemd/system/{UNIT} differs from the applied {UNIT}",
            ],
        ),
    ],
)
def test_the_driver_checks_the_unit_is_enabled(answer: str, problems: list[str]) -> None:
    shell = _Answers({"systemctl is-enabled": answer, "sysctl -n": "1\n"})
    target = Target("r1", Platform.LINUX_ROUTER, "192.0.2.1", 22, "root", "", None, 5)
    driver = LinuxRouterDriver(target, shell=shell)
    files = {"sysctl.conf": "net.ipv4.ip_forward = 1\n", UNIT: "[Unit]\n"}
    assert driver.live_problems(files) == problems
    shell.answers["sysctl -n"] = "0\n"
    assert driver.live_problems(files)[0] == (
        "forwarding: net.ipv4.ip_forward is 0, sysctl.conf says 1"
    )


def test_the_labs_vlan_stand_in_plugs_the_conference_hosts_back() -> None:
    text = network_local(
        ConferenceHosts(10, "rl-lan-s", ("10.16.1.10/26", "10.16.1.11/26"), "10.16.1.1"), "mgmt0"
    )
    assert 'ip link add "$2" type veth peer name eth0 netns rl-lan-s' in text
    assert "ip -n rl-lan-s addr replace 10.16.1.11/26 dev eth0" in text
    assert "ip -n rl-lan-s route replace default via 10.16.1.1" in text
    assert "net.ipv4.conf.mgmt0.forwarding=0" in text


def _fake_router(tmp_path: Path, nft_rc: int) -> tuple[Layout, Path]:
    """A router folder and a PATH of stand-ins that record their calls (no root needed)."""
    bin_dir, folder = tmp_path / "bin", tmp_path / "etc"
    bin_dir.mkdir()
    folder.mkdir()
    calls = tmp_path / "calls"
    for name, rc in (("nft", nft_rc), ("sysctl", 0), ("tc", 0), ("ip", 0)):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\nexit {rc}\n')
        tool.chmod(0o755)
    for name in ("sh", "awk", "grep", "cat"):
        found = shutil.which(name)
        assert found is not None
        (bin_dir / name).symlink_to(found)
    files = {
        "nftables.conf": "table inet rollout {}\n",
        "sysctl.conf": "net.ipv4.ip_forward = 1\n",
        "network.sh": "ip link set dev lan0 up\n",
        "frr.conf": "interface wan0\n description WAN x\n",
        "qos.tc": "qdisc add dev wan0 root handle 1: htb default 99\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    layout = Layout(
        PurePosixPath(str(folder)),
        PurePosixPath("/x"),
        PurePosixPath("/x"),
        PurePosixPath("/x"),
        path=str(bin_dir),
    )
    (folder / "boot.sh").write_text(boot_script(layout))
    return layout, calls


@pytest.mark.parametrize(
    ("nft_rc", "rc", "expected"),
    [
        (
            0,
            0,
            [
                "nft -f nftables.conf",
                "sysctl -q -p sysctl.conf",
                "ip link set dev lan0 up",
                "tc qdisc del dev wan0 root",
                "tc -batch qos.tc",
            ],
        ),
        (1, 1, ["nft -f nftables.conf"]),  # fail closed: no forwarding without the ACLs
    ],
)
def test_boot_sh_runs_its_steps_in_order_and_fails_closed(
    tmp_path: Path, nft_rc: int, rc: int, expected: list[str]
) -> None:
    layout, calls = _fake_router(tmp_path, nft_rc)
    # as the unit runs it: /bin/sh with the script's path, from another folder
    done = subprocess.run(
        ["/bin/sh", str(layout.folder / "boot.sh")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == rc, done.stderr
    assert calls.read_text().splitlines() == expected


def test_ssh_over_ipv6_from_noc_ipv6_prefixes_when_the_province_has_some() -> None:
    from rollout.intent import device_context
    from rollout.render import environment

    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    context = device_context(inv, site, lab_router(site), load_secrets(REPO))
    assert context["nft_noc6_prefixes"] == []  # the model takes IPv4 NOC prefixes only today
    context["nft_noc6_prefixes"] = ["2001:db8:9::/48"]
    nft = environment(REPO).get_template("linux_router/nftables.conf.j2").render(context)
    ipv6_in = nft[nft.index("chain ipv6_in {") : nft.index("chain ipv6_forward {")]
    rules = [r.strip() for r in ipv6_in.splitlines() if r.strip() and not r.strip().startswith("#")]
    assert rules[0] == "chain ipv6_in {"
    assert rules[3] == "ip6 saddr 2001:db8:9::/48 tcp dport 22 counter accept"  # after ND, MLD
    assert rules[4].startswith("ip6 saddr 2001:db8:9::/48 icmpv6 type { destination-unreachable")
    assert rules[-2:] == ["counter drop", "}"]
