"""The first-match evaluator of our own access-control entries (what validate relies on)."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from rollout.acl import Ace, Packet, extended_acls, first_match, parse_ace, permits

A = IPv4Address


def _udp(src: str, sport: int, dst: str, dport: int) -> Packet:
    return Packet("udp", A(src), A(dst), sport, dport)


def test_an_empty_list_denies_everything() -> None:
    assert not permits([], _udp("10.0.0.1", 5000, "10.0.0.2", 123))


def test_the_first_matching_entry_decides() -> None:
    deny_first = [
        Ace("deny", "udp", "host 10.9.0.10", "any", "eq ntp"),
        Ace("permit", "udp", "any", "any"),
    ]
    assert not permits(deny_first, _udp("10.9.0.10", 5000, "10.0.0.2", 123))
    assert permits(deny_first, _udp("10.9.0.11", 5000, "10.0.0.2", 123))
    assert first_match(deny_first, _udp("10.9.0.11", 1, "10.0.0.2", 1)) == deny_first[1]


def test_addresses_wildcards_and_any() -> None:
    aces = [Ace("permit", "ip", "10.16.0.0 0.15.255.255", "any")]
    assert permits(aces, _udp("10.31.255.254", 1, "8.8.8.8", 53))
    assert not permits(aces, _udp("10.32.0.1", 1, "8.8.8.8", 53))


def test_source_and_destination_ports_named_and_ranges() -> None:
    reply = [Ace("permit", "udp", "host 10.9.0.10 eq ntp", "host 10.255.0.2")]
    assert permits(reply, _udp("10.9.0.10", 123, "10.255.0.2", 50000))
    assert not permits(reply, _udp("10.9.0.10", 124, "10.255.0.2", 50000))
    media = [
        Ace(
            "permit",
            "udp",
            "host 10.16.0.20 range 49152 65535",
            "host 10.16.1.10",
            "range 3230 3329",
        )
    ]
    assert permits(media, _udp("10.16.0.20", 65535, "10.16.1.10", 3329))
    assert not permits(media, _udp("10.16.0.20", 49151, "10.16.1.10", 3230))
    assert not permits(media, _udp("10.16.0.20", 49152, "10.16.1.10", 3330))
    trap = [parse_ace("permit udp host 10.9.0.13 eq snmptrap any")]
    assert permits(trap, _udp("10.9.0.13", 162, "10.0.0.1", 1))


def test_established_matches_only_segments_of_an_open_connection() -> None:
    aces = [Ace("permit", "tcp", "host 10.16.0.20 eq 1720", "host 10.16.1.10", extra="established")]
    syn = Packet("tcp", A("10.16.0.20"), A("10.16.1.10"), 1720, 50000)
    ack = Packet("tcp", A("10.16.0.20"), A("10.16.1.10"), 1720, 50000, ack=True)
    assert not permits(aces, syn)
    assert permits(aces, ack)


def test_protocol_must_match_and_icmp_types_are_told_apart() -> None:
    aces = [Ace("permit", "icmp", "10.9.0.0 0.0.0.255", "any", extra="echo")]
    echo = Packet("icmp", A("10.9.0.5"), A("10.16.1.10"), icmp_type=8)
    reply = Packet("icmp", A("10.9.0.5"), A("10.16.1.10"), icmp_type=0)
    assert permits(aces, echo)
    assert not permits(aces, reply)
    assert not permits(aces, _udp("10.9.0.5", 1, "10.16.1.10", 1))


def test_an_explicit_deny_with_log_denies() -> None:
    aces = [Ace("deny", "ip", "any", "any", extra="log"), Ace("permit", "ip", "any", "any")]
    assert not permits(aces, _udp("1.1.1.1", 1, "2.2.2.2", 2))


def test_lists_are_read_back_from_a_configuration_in_order() -> None:
    config = (
        "ip access-list extended WAN-IN\n"
        " remark time\n"
        " permit udp host 10.9.0.10 eq ntp host 10.255.0.2\n"
        " deny ip any any log\n"
        "ip access-list extended CONFERENCE-IN\n"
        " permit icmp host 10.16.1.10 10.9.0.0 0.0.0.255 echo-reply\n"
        "!\n"
        "ntp server 10.9.0.10\n"
    )
    acls = extended_acls(config)
    assert [a.line() for a in acls["WAN-IN"]] == [
        "permit udp host 10.9.0.10 eq ntp host 10.255.0.2",
        "deny ip any any log",
    ]
    assert len(acls["CONFERENCE-IN"]) == 1


def test_a_line_that_is_no_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="not an extended access-list entry"):
        parse_ace("remark hello")
