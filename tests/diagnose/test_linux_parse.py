"""The linux_router collector's parsers on output measured on the network lab's router
(iproute2 6.1, nftables 1.0.6, FRR 8.4, Debian 12), and the echo probe's summary."""

from __future__ import annotations

from rollout.diagnose.collect_linux import _sections, _snapshot
from rollout.diagnose.collect_linux_parse import (
    class_names,
    frr_link_events,
    htb_classes,
    link_stats,
    media_drops,
    port_spans,
    root_qdisc,
)
from rollout.diagnose.collect_linux_reach import Echo, command, parse

TC_CLASS = """\
class htb 1:99 parent 1:1 leaf 99: prio 2 rate 2375Kbit ceil 9500Kbit burst 1599b cburst 1598b
 Sent 3462886 bytes 2449 pkt (dropped 7, overlimits 2447 requeues 0)
 backlog 0b 0p requeues 0
 lended: 2 borrowed: 0 giants: 0
 tokens: 77360 ctokens: 19335

class htb 1:10 parent 1:1 leaf 10: prio 0 rate 950Kbit ceil 950Kbit burst 1599b cburst 1599b
 Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0

class htb 1:1 root rate 9500Kbit ceil 9500Kbit burst 1598b cburst 1598b
 Sent 3462886 bytes 2449 pkt (dropped 0, overlimits 1836 requeues 0)
 backlog 0b 0p requeues 0
"""

QDISC = """\
qdisc htb 1: root refcnt 3 r2q 10 default 0x99 direct_packets_stat 0 direct_qlen 1000
qdisc pfifo 30: parent 1:30 limit 200p
"""

QOS_TC = """\
# Shaper at 9500 kbit/s (qos.shape_percent of the contracted 10000 kbit/s,
# margin for the provider's layer-2 overhead), queuing classes as its children:
qdisc add dev wan0 root handle 1: htb default 99
class add dev wan0 parent 1: classid 1:1 htb rate 9500kbit ceil 9500kbit
# voice: audio of calls (LLQ) (ef)
class add dev wan0 parent 1:1 classid 1:10 htb rate 950kbit ceil 950kbit prio 0
qdisc add dev wan0 parent 1:10 handle 10: pfifo limit 32
# class-default: everything else
class add dev wan0 parent 1:1 classid 1:99 htb rate 2375kbit ceil 9500kbit prio 2
"""

LINK = (
    (
        "2: wan0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc htb state UP mode DEFAULT "
        "group default qlen 1000\n"
    )
    + """\
    link/ether 56:19:fe:c0:52:08 brd ff:ff:ff:ff:ff:ff link-netns rlq7x-wan-bao-thang
    RX:  bytes packets errors dropped  missed   mcast
           586       7      3       2       0       0
    TX:  bytes packets errors dropped carrier collsns
      10269654    7301      0       5       0       0
"""
)

LINK_DOWN = (
    (
        "2: wan0@if3: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc htb "
        "state LOWERLAYERDOWN mode DEFAULT\n"
    )
    + """\
    link/ether 56:19:fe:c0:52:08 brd ff:ff:ff:ff:ff:ff
"""
)

RULESET = """\
table inet rollout {
	chain forward {
		type filter hook forward priority filter; policy accept;
		udp dport { 3230-3329, 49152-65535 } counter packets 42 bytes 8400 drop # handle 99
		meta nfproto ipv6 jump ipv6_forward
		iifname "wan0" jump wan_in
	}
	chain conference_in {
		udp sport 3230-3329 udp dport 49152-65535 counter packets 9 bytes 900 accept
		tcp dport 3230 counter packets 3 bytes 180 drop
		udp dport 161 counter packets 1 bytes 80 drop
		counter packets 15 bytes 1260 drop
	}
}
"""

FRR = """\
Interface wan0 is up, line protocol is up
  Link ups:       3    last: 2026/11/29 22:59:48.77
  Link downs:     6    last: 2026/11/29 22:59:48.77
  vrf: default
"""

MEDIA = [(3230, 3329), (49152, 65535)]


def test_htb_classes_with_their_counters_and_rates() -> None:
    classes = htb_classes(TC_CLASS)
    assert set(classes) == {"1:99", "1:10", "1:1"}
    default = classes["1:99"]
    assert (default.parent, default.rate_kbps, default.ceil_kbps) == ("1:1", 2375, 9500)
    assert (default.bytes, default.packets, default.dropped, default.overlimits) == (
        3462886,
        2449,
        7,
        2447,
    )
    assert classes["1:1"].parent == "" and classes["1:1"].rate_kbps == 9500


def test_root_qdisc_and_its_absence() -> None:
    assert root_qdisc(QDISC)[0] == "htb"
    assert root_qdisc("qdisc noqueue 0: root refcnt 2\n")[0] == "noqueue"
    assert root_qdisc("") == ("", "")


def test_class_names_come_from_the_routers_qos_tc() -> None:
    assert class_names(QOS_TC) == {"1:10": "voice", "1:99": "class-default"}


def test_link_figures_are_read_by_their_header() -> None:
    link = link_stats(LINK)
    assert link is not None
    assert (link.name, link.admin_up, link.carrier) == ("wan0", True, True)
    assert link.rx["errors"] == 3 and link.rx["dropped"] == 2
    assert link.tx["bytes"] == 10269654 and link.tx["dropped"] == 5
    old_format = LINK.replace(
        "RX:  bytes packets errors dropped  missed   mcast",
        "RX: bytes  packets  errors  dropped overrun mcast",
    )
    again = link_stats(old_format)
    assert again is not None and again.rx["dropped"] == 2
    down = link_stats(LINK_DOWN)
    assert down is not None and (down.admin_up, down.carrier) == (True, False)
    assert link_stats('Device "wan9" does not exist.\n') is None


def test_only_drops_reaching_into_the_media_ranges_count() -> None:
    drops = media_drops(RULESET, MEDIA)
    assert [(d.chain, d.packets) for d in drops] == [("inet rollout forward", 42)]
    assert drops[0].line.endswith("counter packets 42 bytes 8400 drop")
    assert port_spans("{ 3230-3329, 49152-65535 }") == MEDIA
    assert port_spans("5060") == [(5060, 5060)]


def test_frr_link_events() -> None:
    events = frr_link_events(FRR)
    assert events["ups"] == (3, "2026/11/29 22:59:48.77")
    assert events["downs"][0] == 6
    never = frr_link_events("  Link ups:       0    last: (never)\n")
    assert never["ups"] == (0, "")


def test_the_snapshot_is_split_into_its_sections() -> None:
    line = _snapshot("wan0", "lan0", True)
    assert "tc -s class show dev wan0" in line and "nft list ruleset" in line
    assert "nft" not in _snapshot("wan0", "lan0", False)
    text = "### rollout-diagnose tc-class\nA\nB\n### rollout-diagnose clock\nC\n"
    assert _sections(text) == {"tc-class": "A\nB\n", "clock": "C\n"}


def test_the_echo_probe_summary() -> None:
    out = 'noise\n{"10.254.0.5": {"sent": 10, "received": 7, "rtt_ms": 0.15, "mdev_ms": 0.1}}\n'
    echo = parse(out)["10.254.0.5"]
    assert echo == Echo("10.254.0.5", 10, 7, 0.15, 0.1)
    assert echo.success_percent == 70.0
    assert "30% packet loss" in echo.line()
    assert parse("python3: not found\n") == {}
    line = command("wan0", ["10.16.0.20"], 5)
    assert line.startswith("python3 -c ") and line.endswith("wan0 5 0.2 1.0 10.16.0.20")
