"""Pure parts of the network lab: E-model, ACL translation, linux_router bundle, soak, report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rollout.acl import Ace
from rollout.drivers.linux_router import bundle_plan, join_bundle, split_bundle
from rollout.intent import nft_rule
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Platform, Role
from rollout.netlab import soak
from rollout.netlab.lab import lab_router
from rollout.netlab.ns import NetlabError
from rollout.netlab.report import render_html
from rollout.quality import mos, r_factor
from rollout.render import render_device
from rollout.secrets import load_secrets

REPO = Path(__file__).resolve().parents[2]


def test_e_model_limits() -> None:
    assert mos(r_factor(0, 0)) == pytest.approx(4.41, abs=0.01)
    assert mos(r_factor(150, 1.0)) > 3.6 > mos(r_factor(150, 10.0))
    assert mos(r_factor(400, 0)) < mos(r_factor(100, 0))
    assert mos(-5) == 1.0
    assert mos(120) == 4.5


@pytest.mark.parametrize(
    ("ace", "rule"),
    [
        (
            Ace("permit", "tcp", "10.9.0.0 0.0.0.255", "host 10.255.0.2", "eq 22"),
            "meta l4proto tcp ip saddr 10.9.0.0/24 ip daddr 10.255.0.2 tcp dport 22 counter accept",
        ),
        (
            Ace("permit", "udp", "host 10.9.0.10 eq ntp", "host 10.255.0.2"),
            "meta l4proto udp ip saddr 10.9.0.10 ip daddr 10.255.0.2 udp sport 123 counter accept",
        ),
        (
            Ace("permit", "udp", "10.16.1.0 0.0.0.63", "10.16.0.0 0.0.0.63", "range 3230 3329"),
            "meta l4proto udp ip saddr 10.16.1.0/26 ip daddr 10.16.0.0/26 udp dport 3230-3329 "
            "counter accept",
        ),
        (
            Ace("permit", "tcp", "203.0.113.0 0.0.0.255 eq 443", "any", extra="established"),
            "meta l4proto tcp ip saddr 203.0.113.0/24 tcp sport 443 tcp flags & (ack | rst) != 0 "
            "counter accept",
        ),
        (
            Ace("deny", "ip", "any", "any", extra="log"),
            'limit rate 10/minute burst 5 packets log prefix "X: "\ncounter drop',
        ),
    ],
)
def test_ios_aces_become_nftables_rules(ace: Ace, rule: str) -> None:
    assert nft_rule(ace, log_prefix="X: ") == rule


def _linux_bundle() -> str:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    return render_device(inv, site, lab_router(site), load_secrets(REPO)).text


def test_linux_router_renders_the_same_qos_plan_and_acls() -> None:
    files = split_bundle(_linux_bundle())
    qos, nft, frr = files["qos.tc"], files["nftables.conf"], files["frr.conf"]
    assert "root handle 1: htb default 99" in qos
    assert "classid 1:1 htb rate 9500kbit ceil 9500kbit" in qos  # qos.shape_percent 95
    assert "classid 1:10 htb rate 950kbit ceil 950kbit prio 0" in qos  # EF 10 % of 95 %, capped
    for tos, flow in (("0xb8", "1:10"), ("0x88", "1:20"), ("0x60", "1:30")):
        assert f"match ip dsfield {tos} 0xfc flowid {flow}" in qos
    assert 'iifname "lan0.10" jump conference_in' in nft
    assert "ip dscp set af41" in nft
    assert nft.count('limit rate 10/minute burst 5 packets log prefix "WAN-IN drop: "\n') == 1
    assert "ip route 10.16.0.0/24 10.254.0.5" in frr
    assert "interface lan0.10\n description VLAN 10 conference\n ip address 10.16.1.1/26" in frr


def test_rendering_is_deterministic_and_marked() -> None:
    text = _linux_bundle()
    assert text == _linux_bundle()
    assert "Managed by rollout from inventory/sites/bao-thang.yml" in text


def test_a_linux_router_site_keeps_its_own_interfaces() -> None:
    inv = load_inventory(REPO)
    router = inv.sites["bao-thang"].device(Role.WAN_ROUTER)
    assert router is not None
    own = router.model_copy(
        update={"platform": Platform.LINUX_ROUTER, "wan_interface": "eth0", "lan_interface": "eth1"}
    )
    site = inv.sites["bao-thang"].model_copy(update={"devices": [own]})
    assert lab_router(site).wan_interface == "eth0"
    files = split_bundle(render_device(inv, site, own, load_secrets(REPO)).text)
    assert "qdisc add dev eth0 root" in files["qos.tc"]


def test_bundle_plan_is_a_diff_and_empty_when_equal() -> None:
    bundle = _linux_bundle()
    assert not bundle_plan("r", bundle, bundle).changed
    files = split_bundle(bundle)
    files["qos.tc"] = files["qos.tc"].replace(
        "rate 950kbit ceil 950kbit", "rate 2000kbit ceil 2000kbit"
    )
    plan = bundle_plan("r", join_bundle(files), bundle)
    assert plan.changed
    assert any("2000kbit" in line for line in plan.removed)
    assert any("950kbit" in line for line in plan.added)
    assert split_bundle(join_bundle(split_bundle(bundle))) == split_bundle(bundle)


def test_schedules_and_durations() -> None:
    assert soak.parse_schedule("clear:10m,rain:90s,storm:1h", None, "1h") == [
        ("clear", 600.0),
        ("rain", 90.0),
        ("storm", 3600.0),
    ]
    assert soak.parse_schedule(None, "storm", "8h") == [("storm", 28800.0)]
    with pytest.raises(NetlabError):
        soak.seconds("8 hours")


def test_weather_profiles_are_in_the_province_file() -> None:
    weather = load_inventory(REPO).province.weather
    assert {"clear", "rain", "storm", "outage-flaps"} <= set(weather)
    assert weather["outage-flaps"].flap_down_s < weather["outage-flaps"].flap_period_s


def test_report_html_is_self_contained_with_plots() -> None:
    rows = [
        {
            "offset_s": float(i),
            "profile": "clear" if i < 5 else "storm",
            "class": c,
            "delay_ms": 10.0 + i,
            "jitter_ms": 1.0,
            "loss_percent": 0.0,
            "mos": 4.4,
            "breach": "",
        }
        for i in range(10)
        for c in ("EF", "AF41")
    ]
    data = {
        "site": {
            "slug": "s",
            "name": "Bảo Thắng",
            "code": "086",
            "level": "district",
            "wan_rate_kbps": 10000,
            "provider": "p",
        },
        "config_version": "abc",
        "generated": "now",
        "thresholds": {"one_way_delay_ms": 150, "jitter_ms": 30, "loss_percent": 1, "mos_min": 3.6},
        "verify": None,
        "qos_proof": None,
        "soak": {
            "schedule": "clear:5s,storm:5s",
            "done_s": 10,
            "finished": True,
            "by_profile": [],
            "by_hour": [],
        },
        "soak_samples": rows,
        "criteria": [{"criterion": "x", "passed": None}],
        "verdict": False,
    }
    page = render_html(data)
    assert page.count("<svg") == 4
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "Bảo Thắng" in page and "NOT ACCEPTED" in page
    # every plot says which line is which class, and which is the threshold
    legends = re.findall(r'<g class="legend".*?</g>', page)
    assert len(legends) == 4
    assert all(">EF<" in g and ">AF41<" in g and ">threshold<" in g for g in legends)


class _Recorder:
    """A Shell that records the command lines the driver sends."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def run(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        self.lines.append(command)
        return ""

    def read(self, path: object) -> str | None:
        return None

    def write(self, path: object, text: str) -> None:
        return None

    def close(self) -> None:
        return None


@pytest.mark.parametrize(("user", "sudo"), [("root", False), ("noc", True)])
def test_a_login_other_than_root_runs_router_commands_through_sudo(user: str, sudo: bool) -> None:
    from rollout.drivers.base import Target
    from rollout.drivers.linux_router import LinuxRouterDriver

    shell = _Recorder()
    target = Target("r1", Platform.LINUX_ROUTER, "192.0.2.1", 22, user, "", None, 5)
    driver = LinuxRouterDriver(target, shell=shell)
    driver.vtysh("show running-config")
    driver.confirm()
    assert shell.lines
    for line in shell.lines:
        assert line.startswith("sudo -n sh -c ") is sudo, line
        assert "cd /etc/rollout" in line


def test_a_live_linux_router_gets_the_vault_key_and_others_do_not() -> None:
    from rollout.credentials import router_key

    inv = load_inventory(REPO)
    secrets = load_secrets(REPO)
    site = inv.sites["bao-thang"]
    router = lab_router(site)
    assert router.platform is Platform.LINUX_ROUTER
    key = router_key(inv, router, secrets)
    assert key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    cisco = site.device(Role.WAN_ROUTER)
    assert cisco is not None and router_key(inv, cisco, secrets) == ""


NFT = Path(__file__).resolve().parents[1] / "data" / "nft"
"""bao-thang-rtr01's nftables.conf as rendered, and `nft list table inet rollout` (nftables
1.0.6) of the router running it: as applied, with a rule deleted by hand, with a rule inserted by
hand."""


def _nft(name: str) -> str:
    return (NFT / f"bao-thang-rtr01.{name}").read_text()


def test_an_applied_ruleset_matches_its_file_although_nft_words_it_differently() -> None:
    from rollout.drivers.linux_checks import acl_problems

    assert acl_problems(_nft("nftables.conf"), _nft("applied.txt")) == []


def test_a_rule_deleted_by_hand_is_named() -> None:
    from rollout.drivers.linux_checks import acl_problems

    assert acl_problems(_nft("nftables.conf"), _nft("rule-deleted.txt")) == [
        "ACL: chain wan_in lacks the plan's rule 'meta l4proto udp ip saddr 10.16.0.0/26 "
        "ip daddr 10.16.1.0/26 udp dport 3230-3329 counter accept'"
    ]


def test_a_rule_added_by_hand_is_named() -> None:
    from rollout.drivers.linux_checks import acl_problems

    assert acl_problems(_nft("nftables.conf"), _nft("rule-added.txt")) == [
        "ACL: chain wan_in has a rule the plan does not: 'ip saddr 0.0.0.0/0 tcp dport 23 accept'"
    ]


def test_rules_nft_words_its_own_way_are_one_rule() -> None:
    from rollout.drivers.linux_checks import rule_key

    assert rule_key(
        "meta l4proto tcp ip saddr 203.0.113.0/24 tcp sport 443 tcp flags & (ack | rst) != 0 "
        "counter accept"
    ) == rule_key(
        "ip saddr 203.0.113.0/24 tcp sport 443 tcp flags rst,ack counter packets 3 bytes 180 "
        "accept # handle 32"
    )
    # l4proto without a port match is a match of its own: kept
    assert rule_key("meta l4proto icmp accept") != rule_key("accept")


def test_when_the_difference_is_more_than_added_or_removed_rules_the_counts_are_given() -> None:
    from rollout.drivers.linux_checks import acl_problems

    want = _nft("nftables.conf")
    have = _nft("rule-deleted.txt").replace("tcp dport 5061", "tcp dport 5062")
    assert acl_problems(want, have) == ["ACL: nftables chain wan_in has 30 rules, the plan has 31"]


def _lab_names(lab_id: str, slugs: tuple[str, ...]) -> set[str]:
    from rollout.netlab.names import MAX_SITES, LabNames

    names = LabNames(lab_id)
    made = {names.hub, *(f(s) for s in slugs for f in (names.wan, names.rtr, names.lan))}
    return made | {names.link(i) for i in range(1, MAX_SITES + 1)}


@pytest.mark.parametrize(
    ("a", "b"), [("", "a"), ("a", "ab"), ("1", "e8"), ("zzzz", "zzz"), ("0", "00")]
)
def test_two_lab_ids_never_share_a_name(a: str, b: str) -> None:
    from rollout.netlab.names import LabNames, new_id

    slugs = ("bao-thang", "hub", "m1", "x")
    pairs = [(a, b), *((new_id(), new_id()) for _ in range(50))]
    for x, y in pairs:
        if x == y:
            continue
        ours, theirs = _lab_names(x, slugs), _lab_names(y, slugs)
        assert not ours & theirs, (x, y)
        # each lab's cleanup (down --force) takes only names of its own id
        assert not any(LabNames(y).owns(n) for n in ours), (x, y)
        assert all(LabNames(x).owns(n) for n in ours)


def test_root_side_link_names_fit_ifnamsiz() -> None:
    from rollout.netlab.names import ID_MAX, MAX_SITES, LabNames

    assert len(LabNames("z" * ID_MAX).link(MAX_SITES)) <= 15


def test_the_default_lab_keeps_its_names_and_addresses() -> None:
    from rollout.netlab.names import LabNames, free_block, mgmt_addresses

    names = LabNames("")
    assert (names.hub, names.rtr("s"), names.link(1)) == ("rl-hub", "rl-rtr-s", "rl-m1")
    block = free_block("", ["127.0.0.1/8", "192.0.2.2/24"])
    assert str(block) == "198.18.0.0/24"
    assert mgmt_addresses(str(block), 1) == ("198.18.0.2", "198.18.0.3")


@pytest.mark.parametrize(("a", "b"), [("", "k3"), ("1", "e8"), ("e8", "1"), ("ab", "cd")])
def test_two_live_labs_never_share_a_management_block(a: str, b: str) -> None:
    from rollout.netlab.names import MAX_SITES, MGMT_NET, default_block, free_block, mgmt_addresses

    if (a, b) == ("1", "e8"):
        assert default_block(a) == default_block(b)  # the same start: the check decides
    first = free_block(a, ["192.0.2.2/24"])
    in_use = [f"{here}/31" for i in (1, MAX_SITES) for here in mgmt_addresses(str(first), i)[:1]]
    second = free_block(b, ["192.0.2.2/24", *in_use])
    assert not first.overlaps(second)
    assert first.subnet_of(MGMT_NET) and second.subnet_of(MGMT_NET)


def test_a_default_lab_whose_block_is_taken_and_a_bad_id_are_errors() -> None:
    from rollout.netlab.names import LabNames, free_block
    from rollout.netlab.ns import NetlabError

    with pytest.raises(NetlabError, match="no free management block"):
        free_block("", ["198.18.0.2/31"])
    for bad in ("A", "abcde", "a-b", "a b"):
        with pytest.raises(NetlabError, match="lab id"):
            LabNames(bad)


def test_labs_starting_at_once_claim_different_blocks_and_a_crashed_claim_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from rollout.netlab import names, ns

    monkeypatch.setattr(names, "CLAIMS", tmp_path / "claims")
    for name in ("namespaces", "links", "addresses"):
        monkeypatch.setattr(ns, name, list)  # nothing is up yet: only the claims tell
    first = names.claim_block(names.LabNames("1"))
    second = names.claim_block(names.LabNames("e8"))  # the same starting block as "1"
    assert first != second
    assert names.claim_block(names.LabNames("1")) == first  # a lab's own claim is no obstacle
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    names.claim_file(names.LabNames("1")).write_text(f"{first} {gone}\n")
    assert names.claim_block(names.LabNames("e8")) == first  # "1" crashed: its block is free
