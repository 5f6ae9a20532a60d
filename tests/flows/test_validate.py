"""`rollout validate` names a flow that no rule of the router's lists carries, and the fix."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rollout.acl import Ace
from rollout.cli.main import cli
from rollout.coverage import site_acls, site_gaps
from rollout.inventory.loader import Inventory


def _drop_row(repo: Path, name: str) -> None:
    province = repo / "inventory" / "province.yml"
    text = province.read_text(encoding="utf-8")
    start = text.index(f"  - name: {name}\n")
    end = text.index("  - name: ", start + 1)
    province.write_text(text[:start] + text[end:], encoding="utf-8")


def test_the_repository_has_no_gap(inv: Inventory) -> None:
    for site in inv.sites.values():
        assert site_gaps(inv, site) == [], site.slug


def test_a_row_removed_from_the_table_is_named_with_its_list_and_fix(repo: Path) -> None:
    _drop_row(repo, "ntp")
    result = CliRunner().invoke(cli, ["validate", "bao-thang", "--repo", str(repo)])
    assert result.exit_code == 1
    out = result.output
    assert "flow 'ntp/switch' (switch 10.16.1.66/32 -> ntp 10.9.0.10/32 udp 123" in out
    assert "the reply is carried by no rule of WAN-IN" in out
    assert "flow 'ntp/codec'" in out and "the request is carried by no rule of CONFERENCE-IN" in out
    assert (
        "add to flows: in inventory/province.yml the row {name: ntp, from: [router, switch, codec]"
        in out
    )
    assert "inventory/province.yml:" in out  # with the line of flows:


def test_a_removed_media_row_is_reported_as_json(repo: Path) -> None:
    _drop_row(repo, "media-to-codec")
    _drop_row(repo, "media-to-mcu")
    result = CliRunner().invoke(
        cli, ["validate", "ubnd-tinh", "--repo", str(repo), "--format", "json"]
    )
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    names = {p["message"].split("'")[1] for p in problems}
    assert {"media-to-mcu", "media-to-codec"} <= names
    assert all(p["file"] == "inventory/province.yml" and p["path"] == "flows" for p in problems)


def test_a_list_missing_an_entry_is_caught_at_the_table_row(inv: Inventory) -> None:
    site = inv.sites["bao-thang"]
    acls = site_acls(inv, site)
    media = Ace(
        "permit", "udp", "host 10.16.0.20 range 49152 65535", "host 10.16.1.10", "range 3230 3329"
    )
    assert media in acls["WAN-IN"]
    acls["WAN-IN"] = [a for a in acls["WAN-IN"] if a != media]
    gaps = site_gaps(inv, site, acls)
    assert {(g.flow.name, g.way, g.acl) for g in gaps} == {
        ("media-to-mcu", "reply", "WAN-IN"),
        ("media-to-codec", "request", "WAN-IN"),
    }
    first = gaps[0]
    assert first.file == "inventory/province.yml" and first.row_index is not None
    assert "as rendered lost it" in first.fix
    assert "udp 10.16.0.20:49152 -> 10.16.1.10:3230" in first.message()


def test_a_deny_before_the_permit_shadows_it(inv: Inventory) -> None:
    site = inv.sites["bao-thang"]
    acls = site_acls(inv, site)
    acls["CONFERENCE-IN"] = [Ace("deny", "udp", "any", "any", "eq ntp"), *acls["CONFERENCE-IN"]]
    gaps = site_gaps(inv, site, acls)
    assert {(g.flow.name, g.way) for g in gaps} == {
        ("ntp/codec", "request"),
        ("ntp/room_client", "request"),
    }


def test_the_fix_is_a_row_that_makes_validate_pass(repo: Path) -> None:
    import yaml

    _drop_row(repo, "ssh")
    failed = CliRunner().invoke(cli, ["validate", "--repo", str(repo), "--format", "json"])
    assert failed.exit_code == 1
    fixes = {p["fix"] for p in json.loads(failed.output)["problems"]}
    assert len(fixes) == 1  # one row covers the router, the switch and the codec
    text = fixes.pop().split(" the row ", 1)[1]
    row = yaml.safe_load(text)
    assert row["name"] == "ssh" and row["to"] == ["router", "switch", "codec"]
    province = repo / "inventory" / "province.yml"
    before = province.read_text(encoding="utf-8")
    assert "\nsla:\n" in before  # the flows list ends where the sla: mapping starts
    province.write_text(before.replace("\nsla:\n", f"\n  - {text}\nsla:\n", 1), encoding="utf-8")
    passed = CliRunner().invoke(cli, ["validate", "--repo", str(repo)])
    assert passed.exit_code == 0, passed.output


def test_the_proof_reads_the_rendered_configuration(repo: Path) -> None:
    """A template that drops a section of WAN-IN is caught, though the table is complete."""
    template = repo / "templates" / "cisco_ios" / "wan_router.j2"
    text = template.read_text(encoding="utf-8")
    assert "{% for remark, aces in wan_in %}" in text
    template.write_text(
        text.replace("{% for remark, aces in wan_in %}", "{% for remark, aces in wan_in[1:] %}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "bao-thang", "--repo", str(repo)])
    assert result.exit_code == 1
    assert "flow 'h225-ras' (codec 10.16.1.10/32 -> gatekeeper 10.16.0.22/32 udp 1719" in (
        result.output
    )
    assert "the reply is carried by no rule of WAN-IN" in result.output
    assert "make the router's template render every section of WAN-IN" in result.output
