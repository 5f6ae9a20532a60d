"""Rules across files: uniqueness, overlaps, references, the hub and the QoS budget."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout.errors import Problem
from rollout.inventory.loader import load_inventory

SiteEdit = Callable[[str, Callable[[dict[str, Any]], None]], Path]
Problems = Callable[[Path], list[Problem]]


def _find(problems: list[Problem], fragment: str) -> Problem:
    found = [p for p in problems if fragment in p.message]
    assert found, f"no problem says {fragment!r}; got:\n" + "\n".join(map(str, problems))
    return found[0]


def _line(path: Path, startswith: str, after: int = 0) -> int:
    """1-based number of the first line (after line `after`) that starts with the text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if number > after and line.strip().startswith(startswith):
            return number
    raise AssertionError(f"{startswith!r} not in {path}")


def test_the_repository_is_valid(repo: Path, problems_of: Problems) -> None:
    assert problems_of(repo) == []


# --- uniqueness ------------------------------------------------------------------------------


def test_duplicate_code(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    path = edit_site("sa-pa", lambda d: d.update(code="02905"))
    problem = _find(problems_of(repo), "code '02905' is already used in")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert "inventory/sites/bao-thang.yml" in problem.message
    assert problem.path == "code"
    assert problem.line == _line(path, "code:")
    assert "one site per unit" in problem.fix


def test_duplicate_hostname(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    path = edit_site("sa-pa", lambda d: d["devices"][1].update(hostname="bao-thang-sw01"))
    problem = _find(problems_of(repo), "hostname 'bao-thang-sw01' is already used in")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert problem.path == "devices[1].hostname"
    assert problem.line == _line(path, "- hostname: bao-thang-sw01")


def test_duplicate_management_address(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("sa-pa", lambda d: d["devices"][2].update(mgmt_address="10.16.1.10"))
    problems = problems_of(repo)
    problem = _find(problems, "management address '10.16.1.10' is already used in")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert "inventory/sites/bao-thang.yml (devices.2.mgmt_address)" in problem.message
    assert problem.path == "devices[2].mgmt_address"


def test_duplicate_e164(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("sa-pa", lambda d: d["devices"][2].update(e164="1502905"))
    problem = _find(problems_of(repo), "E.164 number '1502905' is already used in")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert problem.path == "devices[2].e164"
    assert "rollout new-site allocates free ones" in problem.fix
    assert "one site per unit" not in problem.fix  # that fix is the code's


# --- overlaps --------------------------------------------------------------------------------


def _move_block(data: dict[str, Any], third: str) -> None:
    """Re-address a site's LAN to 10.16.<third>.0/24 consistently (VLANs and devices)."""
    data["block"] = f"10.16.{third}.0/24"
    data["vlans"][0]["subnet"] = f"10.16.{third}.0/26"
    data["vlans"][1]["subnet"] = f"10.16.{third}.64/27"
    data["devices"][1]["mgmt_address"] = f"10.16.{third}.66"
    data["devices"][2]["mgmt_address"] = f"10.16.{third}.10"
    data["devices"][3]["mgmt_address"] = f"10.16.{third}.11"


def test_site_block_overlaps_another_site(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    # van-ban moved onto bao-thang's block (and its devices, so only the overlap is new)
    edit_site("van-ban", lambda d: _move_block(d, "1"))
    problems = problems_of(repo)
    problem = _find(problems, "(LAN block of van-ban) overlaps")
    assert problem.message == (
        "10.16.1.0/24 (LAN block of van-ban) overlaps 10.16.1.0/24 "
        "(LAN block of bao-thang, inventory/sites/bao-thang.yml)"
    )
    assert problem.file == "inventory/sites/van-ban.yml"
    assert problem.path == "block"


def test_site_block_inside_a_wider_block_overlaps(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    # a /23 for van-ban that swallows sa-pa's 10.16.8.0/24 block
    edit_site("van-ban", lambda d: d.update(block="10.16.8.0/23"))
    problems = problems_of(repo)
    problem = _find(problems, "10.16.8.0/24 (LAN block of sa-pa) overlaps 10.16.8.0/23")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert "inventory/sites/van-ban.yml" in problem.message


def test_site_block_overlaps_the_noc(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    edit_province(lambda d: d["noc_prefixes"].append("10.16.4.0/22"))
    problems = problems_of(repo)
    for slug, third in (("muong-khuong", 4), ("si-ma-cai", 5), ("bac-ha", 6), ("bao-yen", 7)):
        problem = _find(problems, f"10.16.{third}.0/24 (LAN block of {slug}) overlaps 10.16.4.0/22")
        assert "NOC prefix 10.16.4.0/22, inventory/province.yml" in problem.message
        assert problem.file == f"inventory/sites/{slug}.yml"
        assert problem.path == "block"


def test_site_loopback_overlaps_another_loopback(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["loopback"] = "10.255.0.2/32"
        data["devices"][0]["mgmt_address"] = "10.255.0.2"

    edit_site("van-ban", change)
    problems = problems_of(repo)
    _find(problems, "10.255.0.2/32 (loopback of van-ban) overlaps 10.255.0.2/32")
    _find(problems, "management address '10.255.0.2' is already used in")


def test_site_block_outside_the_pool(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    def change(data: dict[str, Any]) -> None:
        _move_block(data, "9")
        data["block"] = "10.32.9.0/24"

    edit_site("van-ban", change)
    problem = _find(problems_of(repo), "10.32.9.0/24 is outside the province pool 10.16.0.0/12")
    assert problem.file == "inventory/sites/van-ban.yml"


# --- within one site -------------------------------------------------------------------------


def test_vlan_outside_the_block(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    path = edit_site("bao-thang", lambda d: d["vlans"][1].update(subnet="10.16.2.64/27"))
    problem = _find(problems_of(repo), "10.16.2.64/27 is outside the site's block 10.16.1.0/24")
    assert problem.file == "inventory/sites/bao-thang.yml"
    assert problem.path == "vlans[1].subnet"
    assert problem.line == _line(path, "subnet: 10.16.2.64/27")


def test_duplicate_vlan_id(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("bao-thang", lambda d: d["vlans"][1].update(id=10))
    problem = _find(problems_of(repo), "VLAN 10 is defined twice (also vlans[0])")
    assert problem.path == "vlans[1].id"


def test_overlapping_vlans(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("bao-thang", lambda d: d["vlans"][1].update(subnet="10.16.1.32/27"))
    _find(problems_of(repo), "10.16.1.32/27 overlaps vlans[0] (10.16.1.0/26)")


def test_missing_management_vlan(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("bao-thang", lambda d: d["vlans"][1].update(name="cameras"))
    _find(problems_of(repo), "the site has no 'management' VLAN")


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("gatekeeper", "gk-huyen", "h323_gatekeeper"),
        ("registrar", "sip-huyen", "sip_registrar"),
        ("gatekeeper", "sip-tinh", "h323_gatekeeper"),  # a service, but of the wrong kind
        ("registrar", "mcu-tinh", "sip_registrar"),
    ],
)
def test_unknown_conference_service(
    repo: Path, edit_site: SiteEdit, problems_of: Problems, field: str, value: str, kind: str
) -> None:
    edit_site("bao-thang", lambda d: d["devices"][2].update({field: value}))
    problem = _find(problems_of(repo), f"'{value}' is not a {kind} service of the province")
    assert problem.path == f"devices[2].{field}"
    expected = "gk-tinh" if kind == "h323_gatekeeper" else "sip-tinh"
    assert problem.fix == f"use one of: {expected}"


def test_missing_hub(repo: Path, problems_of: Problems) -> None:
    (repo / "inventory" / "sites" / "ubnd-tinh.yml").unlink()
    problem = _find(
        problems_of(repo), "the hub site 'ubnd-tinh' has no file inventory/sites/ubnd-tinh.yml"
    )
    assert problem.file == "inventory/province.yml"
    assert problem.path == "hub"
    assert problem.line == _line(repo / "inventory" / "province.yml", "hub:")


def test_hub_with_the_wrong_level(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("ubnd-tinh", lambda d: d.update(level="district"))
    _find(problems_of(repo), "is the province's hub but has level 'district'")


def test_second_hub_level_site(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("sa-pa", lambda d: d.update(level="hub"))
    problem = _find(problems_of(repo), "only the province's hub ('ubnd-tinh') may have level hub")
    assert problem.file == "inventory/sites/sa-pa.yml"


def test_site_without_router(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    edit_site("sa-pa", lambda d: d.update(devices=d["devices"][1:]))
    _find(problems_of(repo), "the site has no wan_router")


def test_two_devices_with_one_role(repo: Path, edit_site: SiteEdit, problems_of: Problems) -> None:
    def change(data: dict[str, Any]) -> None:
        extra = dict(data["devices"][1], hostname="sa-pa-sw02", mgmt_address="10.16.8.67")
        data["devices"].append(extra)

    edit_site("sa-pa", change)
    problem = _find(problems_of(repo), "a second lan_switch (the first is devices[1])")
    assert problem.path == "devices[4].role"


def test_router_not_managed_on_its_loopback(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    path = edit_site("bao-thang", lambda d: d["devices"][0].update(mgmt_address="10.16.1.1"))
    problem = _find(problems_of(repo), "the router is managed on its loopback 10.255.0.2")
    assert "not 10.16.1.1" in problem.message
    assert problem.fix == "set mgmt_address: 10.255.0.2"
    assert problem.line == _line(path, "mgmt_address: 10.16.1.1")


def test_switch_outside_the_management_vlan(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("bao-thang", lambda d: d["devices"][1].update(mgmt_address="10.16.1.5"))
    _find(problems_of(repo), "10.16.1.5 is not in the management VLAN 10.16.1.64/27")


# --- QoS -------------------------------------------------------------------------------------


def _budget_numbers(repo: Path, read_yaml: Callable[[Path], Any], slug: str) -> tuple[int, int]:
    """(needed, available) kbit/s of the site's video class, from the files' own numbers."""
    province = read_yaml(repo / "inventory" / "province.yml")
    site = read_yaml(repo / "inventory" / "sites" / f"{slug}.yml")
    qos = province["qos"]
    video = next(c for c in qos["classes"] if c["name"] == qos["video_class"])
    calls = site["conference"]["simultaneous_video_calls"]
    call_rate = site["conference"]["call_rate_kbps"]
    needed = round(calls * call_rate * qos["call_overhead"])
    shaped = site["wan"]["rate_kbps"] * qos.get("shape_percent", 95) // 100
    available = shaped * video["percent"] // 100
    return needed, available


@pytest.mark.parametrize(("rate", "calls"), [(6000, 2), (8000, 2), (10_000, 3), (4000, 1)])
def test_qos_budget_shortfall(
    repo: Path,
    edit_site: SiteEdit,
    problems_of: Problems,
    read_yaml: Callable[[Path], Any],
    rate: int,
    calls: int,
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["wan"]["rate_kbps"] = rate
        data["conference"]["simultaneous_video_calls"] = calls
        data["devices"][3]["bandwidth_kbps"] = 512  # keep the room client within budget

    path = edit_site("bao-yen", change)
    needed, available = _budget_numbers(repo, read_yaml, "bao-yen")
    assert needed > available
    problems = problems_of(repo)
    problem = _find(problems, "do not fit the 'video' class")
    assert f"short by {needed - available} kbit/s" in problem.message
    assert f"= {needed} kbit/s" in problem.message
    shaped = rate * 95 // 100
    assert f"of the shaped {shaped} kbit/s (95 % of {rate}) = {available} kbit/s" in problem.message
    assert problem.file == "inventory/sites/bao-yen.yml"
    assert problem.path == "conference.simultaneous_video_calls"
    assert problem.line == _line(path, "simultaneous_video_calls:")
    # the suggested rate is the lowest that fits
    min_rate = int(problem.fix.split("at least ")[1].split(",")[0])
    assert (min_rate * 95 // 100) * 52 // 100 >= needed
    assert ((min_rate - 1) * 95 // 100) * 52 // 100 < needed
    assert len(problems) == 1


def test_qos_budget_that_fits_exactly(
    repo: Path, edit_site: SiteEdit, problems_of: Problems, read_yaml: Callable[[Path], Any]
) -> None:
    # 2 x 2048 x 1.2 = 4915.2 -> 4915 kbit/s; shaped 95 % of 9950 = 9452; 52 % of it = 4915
    edit_site("bao-yen", lambda d: d["wan"].update(rate_kbps=9950))
    needed, available = _budget_numbers(repo, read_yaml, "bao-yen")
    assert needed == available
    assert problems_of(repo) == []
    edit_site("bao-yen", lambda d: d["wan"].update(rate_kbps=9949))  # shaped 9451: 4914
    assert len(problems_of(repo)) == 1


def test_qos_budget_counts_the_shaped_rate_not_the_contract(
    repo: Path, problems_of: Problems
) -> None:
    # At 100 % of 10 Mbit/s two 2048 kbit/s calls fit easily; shaped at 80 % (8000 kbit/s,
    # video 52 % = 4160) they do not: the budget is the shaper's, not the contract's.
    province = repo / "inventory" / "province.yml"
    text = province.read_text(encoding="utf-8")
    province.write_text(text.replace("shape_percent: 95", "shape_percent: 80"), encoding="utf-8")
    problem = _find(problems_of(repo), "do not fit the 'video' class")
    assert "52 % of the shaped 8000 kbit/s (80 % of 10000) = 4160 kbit/s" in problem.message


def test_room_client_bandwidth_too_large(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    # 4940 kbit/s video class on a 10 Mbit/s link shaped at 95 %; 4500 x 1.2 = 5400 does not fit
    edit_site("bao-yen", lambda d: d["devices"][3].update(bandwidth_kbps=4500))
    problem = _find(problems_of(repo), "the room client's 4500 kbit/s (+20 %)")
    assert "does not fit the 'video' class (52 % of the shaped 9500 kbit/s" in problem.message
    assert "= 4940 kbit/s)" in problem.message
    assert problem.path == "devices[3].bandwidth_kbps"
    assert "lower bandwidth_kbps to 4116" in problem.fix


def test_codec_dialling_above_the_plan(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("bao-yen", lambda d: d["devices"][2].update(call_rate_kbps=4096))
    _find(problems_of(repo), "the codec dials at 4096 kbit/s, above the site's planned")


def test_priority_classes_above_the_maximum(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["qos"]["priority_max_percent"] = 8

    edit_province(change)
    problem = _find(problems_of(repo), "strict-priority classes take 10 % of the shaped rate")
    assert "more than 8 % (by 2 %)" in problem.message
    assert problem.file == "inventory/province.yml"


# --- loader behaviour across files -----------------------------------------------------------


def test_problems_are_listed_all_at_once(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("sa-pa", lambda d: d.update(code="02905"))
    edit_site("bac-ha", lambda d: d.update(vlanz=1))
    edit_site("van-ban", lambda d: d["devices"][2].update(gatekeeper="gk-x"))
    files = {p.file for p in problems_of(repo)}
    assert {
        "inventory/sites/sa-pa.yml",
        "inventory/sites/bac-ha.yml",
        "inventory/sites/van-ban.yml",
    } <= files


def test_same_slug_in_yml_and_yaml_is_reported(repo: Path, problems_of: Problems) -> None:
    sites = repo / "inventory" / "sites"
    text = (sites / "bat-xat.yml").read_text(encoding="utf-8")
    (sites / "bat-xat.yaml").write_text(text.replace("rate_kbps: 10000", "rate_kbps: 8000"))
    problems = problems_of(repo)
    assert any("bat-xat" in p.file for p in problems), "one of the two definitions is ignored"


def test_yaml_suffix_is_a_site_file(repo: Path, problems_of: Problems) -> None:
    sites = repo / "inventory" / "sites"
    (sites / "bat-xat.yml").rename(sites / "bat-xat.yaml")
    assert problems_of(repo) == []
    assert load_inventory(repo).display("bat-xat") == "inventory/sites/bat-xat.yaml"


def test_line_numbers_follow_an_edited_file(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    path = edit_site("sa-pa", lambda d: d.update(code="02905"))
    assert _find(problems_of(repo), "already used").line == _line(path, "code:")
    path.write_text(
        path.read_text(encoding="utf-8").replace("---\n", "---\n# one\n# two\n# three\n", 1),
        encoding="utf-8",
    )
    assert _find(problems_of(repo), "already used").line == _line(path, "code:")


# --- capacity of the hub and the flows table -------------------------------------------------


def test_hub_wan_too_small_for_the_sites_calls(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    # (9 former district sites x 2 calls + 90 communes x 1) x 2048 kbit/s x 1.2 = 265421 kbit/s;
    # the shaper sends 95 % of 60000 = 57000 kbit/s, and video is 52 % of it = 29640.
    path = edit_site("ubnd-tinh", lambda d: d["wan"].update(rate_kbps=60000))
    problem = _find(problems_of(repo), "99 sites may make 108 video calls to the hub at once")
    assert problem.file == "inventory/sites/ubnd-tinh.yml"
    assert problem.path == "wan.rate_kbps"
    assert problem.line == _line(path, "rate_kbps:")
    assert "= 265421 kbit/s" in problem.message
    assert "(52 % of the shaped 57000 kbit/s = 29640 kbit/s): short by 235781" in problem.message
    # 537290 kbit/s shaped at 95 % is 510425, whose 52 % is 265421: the least rate that fits.
    assert "raise the hub's wan.rate_kbps to at least 537290" in problem.fix


def test_more_calls_than_the_mcu_is_licensed_for(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    # 9 sites x 2 + 90 x 1 + the hub's 10 = 118 calls; 120 ports hold them, 130 calls do not.
    assert problems_of(repo) == []
    edit_site("ubnd-tinh", lambda d: d["conference"].update(simultaneous_video_calls=22))
    problem = _find(problems_of(repo), "more than the 120 licensed video ports of the MCU")
    assert problem.file == "inventory/province.yml"
    assert problem.path == "services.mcu-tinh.video_ports"
    assert "may make 130 video calls at once" in problem.message
    assert "short by 10" in problem.message
    assert "license at least 130 video ports" in problem.fix


def test_an_mcu_without_its_port_count_is_refused(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    edit_province(lambda d: d["services"]["mcu-tinh"].pop("video_ports"))
    problem = _find(problems_of(repo), "has no video_ports")
    assert problem.path == "services.mcu-tinh"


def test_flow_rows_name_a_qos_class_once(
    repo: Path, edit_province: Callable[..., Path], problems_of: Problems
) -> None:
    rows: list[dict[str, Any]] = []

    def change(d: dict[str, Any]) -> None:
        d["flows"][0]["class"] = "gold"
        d["flows"].append(dict(d["flows"][1]))
        cloud = next(r for r in d["flows"] if r["name"] == "cloud-tcp")
        cloud["class"] = "signalling"
        rows.extend(d["flows"])

    edit_province(change)
    problems = problems_of(repo)
    assert _find(problems, "class 'gold' is not a QoS class").path == "flows[0].class"
    assert _find(problems, "is named twice").path == f"flows[{len(rows) - 1}].name"
    marked = _find(problems, "flow 'cloud-tcp' is marked af41 (cloud.dscp)")
    assert "not in its class 'signalling'" in marked.message


# --- hardware models -------------------------------------------------------------------------


def test_unsupported_model_names_the_supported_ones(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    path = edit_site("sa-pa", lambda d: d["devices"][0].update(model="ISR4351"))
    problem = _find(problems_of(repo), "model 'ISR4351' is not a supported Cisco model")
    assert problem.file == "inventory/sites/sa-pa.yml"
    assert problem.path == "devices[0].model"
    assert problem.line == _line(path, "model: ISR4351")
    assert "ISR4321" in problem.fix and "WS-C2960X-24PS-L" in problem.fix


def test_switch_model_on_a_router_and_a_port_the_model_lacks(
    repo: Path, edit_site: SiteEdit, problems_of: Problems
) -> None:
    edit_site("sa-pa", lambda d: d["devices"][0].update(model="C9200-24P"))
    problem = _find(problems_of(repo), "C9200-24P is a lan_switch model, not a wan_router")
    assert "ISR4331" in problem.fix
    edit_site("sa-pa", lambda d: d["devices"][0].update(model="ISR4321"))
    edit_site("sa-pa", lambda d: d["devices"][1].update(uplink="GigabitEthernet1/0/52"))
    problem = _find(problems_of(repo), "GigabitEthernet1/0/52 is not a port of a WS-C2960X")
    assert problem.path == "devices[1].uplink"
