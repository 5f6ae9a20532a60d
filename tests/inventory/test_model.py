"""One file at a time: what the model accepts and how it explains what it refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from rollout.errors import Problem
from rollout.inventory.model import (
    Address,
    Hostname,
    IfName,
    Network,
    QosClass,
    QosPlan,
    Site,
    Slug,
)

SiteEdit = Callable[[str, Callable[[dict[str, Any]], None]], Path]
Problems = Callable[[Path], list[Problem]]


def _only(problems: list[Problem], fragment: str) -> Problem:
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, f"expected one problem with {fragment!r}, got {problems}"
    return found[0]


# --- unknown keys ----------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_right_one(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("bao-thang", lambda d: d.update(vlanz=[]))
    problem = _only(problems_of(repo), "unknown field 'vlanz'")
    assert problem.file == "inventory/sites/bao-thang.yml"
    assert problem.path == "vlanz"
    assert "did you mean 'vlans'?" in problem.fix


def test_unknown_device_key_suggests_from_the_device_model(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["devices"][2]["gatekeper"] = data["devices"][2].pop("gatekeeper")

    edit_site("bao-thang", change)
    problems = problems_of(repo)
    unknown = _only(problems, "unknown field 'gatekeper'")
    # the discriminator tag pydantic inserts ("codec") is not part of the user's path
    assert unknown.path == "devices[2].gatekeper"
    assert "did you mean 'gatekeeper'?" in unknown.fix
    missing = [p for p in problems if p.path == "devices[2].gatekeeper"]
    assert missing
    assert missing[0].message == "required field is missing"


def test_unknown_wan_key_suggests_from_the_nested_model(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("bao-thang", lambda d: d["wan"].update(rate_kpbs=1))
    problem = _only(problems_of(repo), "unknown field 'rate_kpbs'")
    assert problem.path == "wan.rate_kpbs"
    assert "did you mean 'rate_kbps'?" in problem.fix


def test_unknown_key_far_from_every_field_has_no_suggestion(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("bao-thang", lambda d: d.update(zzzzzz=1))
    problem = _only(problems_of(repo), "unknown field 'zzzzzz'")
    assert "did you mean" not in problem.fix
    assert "vlans" in problem.fix  # still lists the allowed keys


def test_unknown_province_key_is_rejected(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    edit_province(lambda d: d.update(noc_prefix=["10.9.0.0/24"]))
    problem = _only(problems_of(repo), "unknown field 'noc_prefix'")
    assert problem.file == "inventory/province.yml"
    assert "did you mean 'noc_prefixes'?" in problem.fix


# --- single-value validators -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["bao-thang", "a", "xa-coc-san", "lao-cai-2", "b1"])
def test_slug_accepts(value: str) -> None:
    assert TypeAdapter(Slug).validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["Bat_Xat", "bat--xat", "-x", "x-", "bat xat", "1bat", "", "bát-xát", "Bao-Thang"]
)
def test_slug_rejects(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a slug"):
        TypeAdapter(Slug).validate_python(value)


@pytest.mark.parametrize("value", ["bao-thang-rtr01", "a", "a" * 63, "sw-01-"])
def test_hostname_accepts(value: str) -> None:
    assert TypeAdapter(Hostname).validate_python(value) == value


@pytest.mark.parametrize("value", ["Bao-Thang", "a" * 64, "1rtr", "-rtr", "rtr_01", "rtr.lab", ""])
def test_hostname_rejects(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a hostname"):
        TypeAdapter(Hostname).validate_python(value)


@pytest.mark.parametrize("value", ["GigabitEthernet0/0/1", "Gi1/0/24", "Vlan20", "Gi0/0/1.10"])
def test_interface_name_accepts(value: str) -> None:
    assert TypeAdapter(IfName).validate_python(value) == value


@pytest.mark.parametrize("value", ["0/0/1", "GigabitEthernet", "Gi 0/1", "Gi0/1/"])
def test_interface_name_rejects(value: str) -> None:
    with pytest.raises(ValidationError, match="is not an interface name"):
        TypeAdapter(IfName).validate_python(value)


@pytest.mark.parametrize("value", ["10.16.1.0/24", "10.16.1.64/27", "10.255.0.2/32", "0.0.0.0/0"])
def test_network_accepts_canonical_ipv4(value: str) -> None:
    assert TypeAdapter(Network).validate_python(value) == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("10.16.1.5/24", "has host bits set; write the network as 10.16.1.0/24"),
        ("2001:db8::/32", "only IPv4 networks"),
        ("10.16.1.0/33", "not"),
        ("10.16.1.300/24", "not"),
        ("not-a-net", "not"),
    ],
)
def test_network_rejects(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        TypeAdapter(Network).validate_python(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("10.16.1.300", "does not appear to be"), ("2001:db8::1", "only IPv4 addresses")],
)
def test_address_rejects(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        TypeAdapter(Address).validate_python(value)


def _pilot(read_yaml: Callable[[Path], dict[str, Any]], repo: Path) -> dict[str, Any]:
    return read_yaml(repo / "inventory" / "sites" / "bao-thang.yml")


def test_pilot_site_file_is_a_valid_site(
    repo: Path, read_yaml: Callable[[Path], dict[str, Any]]
) -> None:
    site = Site.model_validate(_pilot(read_yaml, repo))
    assert site.slug == "bao-thang"
    assert site.code == "02905"
    assert site.name == "Xã Bảo Thắng"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["wan"].update(rate_kbps=200_000), "exceeds port_kbps 100000"),
        (lambda d: d["wan"].update(link="10.254.0.0/29"), "must be a /30 or /31"),
        (lambda d: d["wan"].update(rate_kbps=0), "greater than 0"),
        (lambda d: d["vlans"][0].update(id=4095), "less than or equal to 4094"),
        (lambda d: d["vlans"][0].update(id=1), "greater than or equal to 2"),
        (lambda d: d.update(code="1"), "should match pattern"),
        (lambda d: d["devices"][2].update(e164="12"), "should match pattern"),
        (lambda d: d["devices"][0].update(platform="polycom"), "Input should be"),
        (lambda d: d.update(level="village"), "Input should be"),
    ],
    ids=[
        "rate-above-port",
        "wan-link-not-30",
        "zero-rate",
        "vlan-4095",
        "vlan-1",
        "code-one-digit",
        "short-e164",
        "router-on-polycom",
        "unknown-level",
    ],
)
def test_site_rejects(
    repo: Path,
    read_yaml: Callable[[Path], dict[str, Any]],
    change: Callable[[dict[str, Any]], None],
    fragment: str,
) -> None:
    data = _pilot(read_yaml, repo)
    change(data)
    with pytest.raises(ValidationError, match=fragment):
        Site.model_validate(data)


def test_site_is_frozen(repo: Path, read_yaml: Callable[[Path], dict[str, Any]]) -> None:
    site = Site.model_validate(_pilot(read_yaml, repo))
    with pytest.raises(ValidationError):
        site.slug = "other"  # type: ignore[misc]


# --- QoS plan --------------------------------------------------------------------------------


def _cls(name: str, dscp: list[str], percent: int, priority: bool = False) -> dict[str, Any]:
    return {"name": name, "dscp": dscp, "percent": percent, "priority": priority}


def test_qos_plan_accepts_the_province_plan() -> None:
    plan = QosPlan.model_validate(
        {
            "classes": [
                _cls("voice", ["ef"], 10, priority=True),
                _cls("video", ["af41", "af42", "af43"], 50),
                _cls("signalling", ["cs3", "af31"], 5),
            ]
        }
    )
    assert [c.name for c in plan.classes] == ["voice", "video", "signalling"]


def test_qos_dscp_names_are_case_insensitive() -> None:
    cls = QosClass.model_validate(_cls("video", ["AF41", "Af42"], 50))
    assert cls.dscp == ["af41", "af42"]


def test_qos_unknown_dscp_name_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError, match=r"'af44' is not a DSCP name; use one of default"):
        QosClass.model_validate(_cls("video", ["af44"], 50))


def test_qos_duplicate_dscp_across_classes() -> None:
    with pytest.raises(ValidationError, match=r"DSCP af41 is in both 'video' and 'cloud'"):
        QosPlan.model_validate(
            {"classes": [_cls("video", ["af41", "af42"], 40), _cls("cloud", ["af41"], 10)]}
        )


def test_qos_duplicate_class_names() -> None:
    with pytest.raises(ValidationError, match="repeated: video"):
        QosPlan.model_validate(
            {"classes": [_cls("video", ["af41"], 30), _cls("video", ["af42"], 10)]}
        )


def test_qos_video_class_must_exist() -> None:
    with pytest.raises(ValidationError, match="video_class 'video' is not one of the classes"):
        QosPlan.model_validate({"classes": [_cls("voice", ["ef"], 10, priority=True)]})


def test_qos_reserving_more_than_75_percent_is_refused() -> None:
    classes = [_cls("voice", ["ef"], 10, priority=True), _cls("video", ["af41"], 70)]
    with pytest.raises(ValidationError) as info:
        QosPlan.model_validate({"classes": classes})
    text = str(info.value)
    assert "the classes reserve 80 % of the link, leaving 20 % for default traffic" in text
    assert "keep at least 25 %" in text
    assert "by 5 %" in text


def test_qos_exactly_75_percent_is_allowed() -> None:
    classes = [_cls("voice", ["ef"], 10, priority=True), _cls("video", ["af41"], 65)]
    assert QosPlan.model_validate({"classes": classes}).default_min_percent == 25


def test_qos_default_min_percent_is_honoured() -> None:
    classes = [_cls("video", ["af41"], 60)]
    with pytest.raises(ValidationError, match="keep at least 50 %"):
        QosPlan.model_validate({"classes": classes, "default_min_percent": 50})


def test_sla_probe_ports_must_differ_per_class() -> None:
    from pydantic import ValidationError

    from rollout.inventory.model import SlaProbes

    assert len(set(SlaProbes().ports())) == 4
    with pytest.raises(ValidationError, match="probe ports must differ"):
        SlaProbes(port_ef=16384, port_default=16384)


# --- the flows table -------------------------------------------------------------------------


def _row(**extra: Any) -> dict[str, Any]:
    return {
        "name": "x",
        "from": "codec",
        "to": "mcu",
        "protocol": "udp",
        "ports": 1719,
        "purpose": "test",
        **extra,
    }


def test_flow_row_reads_from_to_and_class() -> None:
    from rollout.inventory.model import FlowRow

    row = FlowRow.model_validate(_row(to=["mcu", "gatekeeper"], **{"class": "signalling"}))
    assert (row.from_, row.to, row.qos_class, row.reply) == (
        ["codec"],
        ["mcu", "gatekeeper"],
        "signalling",
        True,
    )
    media = FlowRow.model_validate(_row(ports="media.mcu_udp", src_ports="3230-3329"))
    assert (media.ports, media.src_ports) == ("media.mcu_udp", "3230-3329")


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"protocol": "icmp"}, "ICMP has no ports"),
        ({"protocol": "sip"}, "sip takes its port"),
        ({"ports": None}, "give the destination ports of udp"),
        ({"ports": "3329-3230"}, "must be ordered"),
        ({"ports": "media.nope"}, "is not a port, a range"),
        ({"ports": 70000}, "outside 1-65535"),
        ({"to": "bridge"}, "Input should be"),
    ],
)
def test_flow_row_rejects(extra: dict[str, Any], fragment: str) -> None:
    from rollout.inventory.model import FlowRow

    with pytest.raises(ValidationError, match=fragment):
        FlowRow.model_validate(_row(**extra))


def test_video_ports_belong_to_an_mcu() -> None:
    from rollout.inventory.model import Service

    assert Service.model_validate({"address": "10.0.0.1", "kind": "mcu", "video_ports": 30})
    with pytest.raises(ValidationError, match="video_ports is a property of an MCU"):
        Service.model_validate({"address": "10.0.0.1", "kind": "sip_registrar", "video_ports": 3})
