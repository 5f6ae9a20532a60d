"""A linux_router that survives a reboot: the pushed state (nftables table, tc plan, routes,
VLAN sub-interfaces, forwarding) is taken from the router's namespace as a reboot takes it, and
boot.sh, run as its systemd unit runs it, brings the same state back. Also: rollout's table is
its own (a foreign table survives a push), IPv6 to sshd is dropped while neighbour discovery
works, drops are logged under a rate limit."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from netlabkit import lab_state
from rollout.inventory.loader import load_inventory
from rollout.netlab import lab, ns, router
from rollout.netlab import verify as v
from rollout.secrets import load_secrets

pytestmark = pytest.mark.netlab
SITE = "bao-thang"
LINK = re.compile(r"^\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>", re.M)
FOREIGN = """table inet other {
\tchain watch {
\t\ttype filter hook input priority 10; policy accept;
\t\tcounter
\t}
}
"""
# IPv6 on the conference link only for this test (documentation prefix, RFC 3849)
ROUTER_V6, HOST_V6 = "2001:db8:ffff::1", "2001:db8:ffff::2"


def _show(rtr: str, *cmd: str) -> str:
    return ns.run(list(cmd), ns=rtr, check=False)


def _state(rtr: str, wan: str) -> dict[str, str]:
    """What a reboot loses, as the kernel shows it (counters left out)."""
    table = _show(rtr, "nft", "list", "table", "inet", "rollout")
    links = LINK.findall(_show(rtr, "ip", "-o", "link", "show"))
    addresses = _show(rtr, "ip", "-o", "-4", "addr", "show").splitlines()
    return {
        "nftables": re.sub(r"counter packets \d+ bytes \d+", "counter", table),
        "qdiscs": _show(rtr, "tc", "qdisc", "show", "dev", wan),
        "classes": _show(rtr, "tc", "class", "show", "dev", wan),
        "filters": _show(rtr, "tc", "filter", "show", "dev", wan),
        "routes": "\n".join(sorted(_show(rtr, "ip", "route", "show").splitlines())),
        "links": "\n".join(sorted(f"{n} {'UP' in f.split(',')}" for n, f in links)),
        "addresses": "\n".join(sorted(" ".join(a.split()[1:4]) for a in addresses)),
        "forwarding": _show(rtr, "sysctl", "-n", "net.ipv4.ip_forward").strip(),
    }


def _chains(table: str) -> dict[str, list[str]]:
    chains: dict[str, list[str]] = {}
    for name, body in re.findall(r"^\tchain (\S+) \{\n(.*?)\n\t\}", table, re.M | re.S):
        chains[name] = [r.strip() for r in body.splitlines() if r.strip()]
    return chains


def test_a_push_leaves_a_foreign_table_alone(lab_repo: Path) -> None:
    inv, folder = load_inventory(lab_repo), lab_repo / ".netlab"
    state = lab_state(folder)
    rtr = state.names.rtr(SITE)
    ns.run(["nft", "-f", "-"], ns=rtr, input=FOREIGN)
    ns.run(["nft", "add", "table", "ip", "rollout"], ns=rtr)  # as earlier versions left it
    ns.run(["nft", "flush", "chain", "inet", "rollout", "lan_marking"], ns=rtr)  # a hand edit
    plan = router.push(inv, folder, SITE, load_secrets(lab_repo))
    assert plan.changed  # the hand edit made the push apply nftables.conf again
    tables = _show(rtr, "nft", "list", "tables").split("\n")
    assert "table inet other" in tables and "table inet rollout" in tables
    assert "table ip rollout" not in tables
    assert "counter" in _show(rtr, "nft", "list", "table", "inet", "other")
    assert "ip dscp set af41" in _show(
        rtr, "nft", "list", "chain", "inet", "rollout", "lan_marking"
    )
    assert router.driver(inv, state, SITE).live_problems() == []
    ns.run(["nft", "delete", "table", "inet", "other"], ns=rtr)


def test_a_reboot_loses_the_state_and_the_boot_hook_restores_it(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = lab_state(lab_repo / ".netlab")
    rtr = state.names.rtr(SITE)
    wan = lab.lab_router(inv.sites[SITE]).wan_interface
    drv = router.driver(inv, state, SITE)
    pushed = _state(rtr, wan)
    assert pushed["forwarding"] == "1"
    assert "lan0.10 True" in pushed["links"] and "lan0.20 True" in pushed["links"]
    assert "lan0.10 inet 10.16.1.1/26" in pushed["addresses"]
    assert "qdisc htb 1: root" in pushed["qdiscs"] and "class htb 1:10" in pushed["classes"]
    assert "table inet rollout" in pushed["nftables"]
    assert (lab.ROUTER_RUN / rtr / "rollout-router.service").read_text().count("boot.sh") >= 1

    done = router.forget(inv, state, SITE)
    assert "ip link del dev lan0.10" in done
    lost = _state(rtr, wan)
    assert lost["forwarding"] == "0" and "lan0.10" not in lost["links"]
    assert "htb" not in lost["qdiscs"] and "rollout" not in lost["nftables"]
    problems = "\n".join(drv.live_problems())
    for missing in (
        "net.ipv4.ip_forward is 0",
        "sub-interface lan0.10 (VLAN 10 on lan0) is missing",
        "QoS: no HTB shaper on wan0",
        "nftables chain wan_in is missing",
    ):
        assert missing in problems

    router.boot(state, SITE)
    assert _state(rtr, wan) == pushed
    assert drv.live_problems() == []
    # the lab's management link still does not forward (ip_forward 0 -> 1 resets it)
    assert _show(rtr, "sysctl", "-n", "net.ipv4.conf.mgmt0.forwarding").strip() == "0"
    results = v.run_probes(state, SITE, 2.0)  # the conference VLAN's hosts reach the hub again
    assert results["EF"]["loss_percent"] < 100.0, results["EF"]


def test_ipv6_to_sshd_from_outside_the_noc_is_dropped_and_neighbour_discovery_works(
    lab_repo: Path,
) -> None:
    state = lab_state(lab_repo / ".netlab")
    rtr, lan = state.names.rtr(SITE), state.names.lan(SITE)
    ns.run(["ip", "addr", "add", f"{ROUTER_V6}/64", "dev", "lan0.10", "nodad"], ns=rtr)
    ns.run(["ip", "addr", "add", f"{HOST_V6}/64", "dev", "eth0", "nodad"], ns=lan)
    try:
        before = _drops(rtr, "ipv6_in")
        connect = (
            "import socket,sys\n"
            "s=socket.socket(socket.AF_INET6,socket.SOCK_STREAM);s.settimeout(3)\n"
            "try:\n s.connect((sys.argv[1],22));print('connected')\n"
            "except socket.timeout:print('timeout')\n"
            "except OSError as e:print(type(e).__name__)\n"
        )
        answer = ns.run([sys.executable, "-c", connect, ROUTER_V6], ns=lan).strip()
        assert answer == "timeout"  # not refused: the SYN never reached the TCP stack
        assert _drops(rtr, "ipv6_in") > before
        neigh = ns.run(["ip", "-6", "neigh", "show", ROUTER_V6, "dev", "eth0"], ns=lan)
        assert "lladdr" in neigh and "FAILED" not in neigh, neigh
    finally:
        ns.run(["ip", "addr", "del", f"{ROUTER_V6}/64", "dev", "lan0.10"], ns=rtr, check=False)
        ns.run(["ip", "addr", "del", f"{HOST_V6}/64", "dev", "eth0"], ns=lan, check=False)
    chains = _chains(_show(rtr, "nft", "list", "table", "inet", "rollout"))
    assert chains["forward"][1] == "meta nfproto ipv6 jump ipv6_forward"
    assert chains["ipv6_forward"][-1].endswith("drop")
    assert not any("dport 22" in r and "ip6" in r for r in chains["ipv6_in"])  # no NOC IPv6


def _drops(rtr: str, chain: str) -> int:
    rules = _chains(_show(rtr, "nft", "list", "table", "inet", "rollout"))[chain]
    m = re.search(r"counter packets (\d+) bytes \d+ drop$", rules[-1])
    assert m, rules[-1]
    return int(m.group(1))


def test_every_drop_is_logged_under_a_rate_limit(lab_repo: Path) -> None:
    rtr = lab_state(lab_repo / ".netlab").names.rtr(SITE)
    chains = _chains(_show(rtr, "nft", "list", "table", "inet", "rollout"))
    logged = 0
    for name, rules in chains.items():
        for n, rule in enumerate(rules):
            if re.search(r"\blog\b", rule):
                # nftables 1.0.6 leaves the default burst (5 packets) out, later ones show it
                limit = r'limit rate 10/minute (burst 5 packets )?log prefix "[A-Z6-]+ drop: "$'
                assert re.match(limit, rule), rule
                assert re.match(r"counter packets \d+ bytes \d+ drop$", rules[n + 1]), name
                logged += 1
            assert not ("log" in rule.split() and rule.endswith("drop")), rule
    assert logged == 4  # wan_in, conference_in, ipv6_in, ipv6_forward
