"""The security baseline: today's templates pass; each broken variant is caught by its rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from rollout.inventory.loader import load_inventory
from rollout.lint import lint_rendered, lint_sites, weak_password
from rollout.render import Rendered, render_sites
from rollout.secrets import Secrets, load_secrets

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rendered() -> tuple[object, Secrets, dict[str, Rendered]]:
    inv = load_inventory(REPO)
    secrets = load_secrets(REPO)
    items = {r.hostname: r for r in render_sites(inv, ["bao-thang", "ubnd-tinh"], secrets)}
    return inv, secrets, items


def test_current_templates_pass_for_every_site() -> None:
    inv = load_inventory(REPO)
    assert lint_sites(inv, load_secrets(REPO), list(inv.sites)) == []


BROKEN: list[tuple[str, str, Callable[[str], str], str]] = [
    (
        "bao-thang-rtr01",
        "telnet",
        lambda t: t.replace("transport input ssh", "transport input telnet ssh", 1),
        "ios-no-telnet",
    ),
    ("bao-thang-rtr01", "ssh v1", lambda t: t.replace("ip ssh version 2\n", ""), "ios-ssh-v2"),
    (
        "bao-thang-sw01",
        "http",
        lambda t: t.replace("no ip http server", "ip http server"),
        "ios-no-http",
    ),
    (
        "bao-thang-rtr01",
        "community",
        lambda t: t + "snmp-server community public RO\n",
        "ios-snmpv3-authpriv",
    ),
    (
        "bao-thang-rtr01",
        "snmp auth only",
        lambda t: t.replace(" v3 priv read", " v3 auth read"),
        "ios-snmpv3-authpriv",
    ),
    (
        "bao-thang-rtr01",
        "no access-class",
        lambda t: t.replace(" access-class NOC-MGMT in\n", "", 1),
        "ios-vty-access-class",
    ),
    (
        "bao-thang-rtr01",
        "wide vty acl",
        lambda t: t.replace(
            " permit 10.9.0.0 0.0.0.255\n", " permit any\n permit 10.9.0.0 0.0.0.255\n"
        ),
        "ios-vty-access-class",
    ),
    (
        "bao-thang-rtr01",
        "type 5",
        lambda t: t.replace("enable secret 9 $9$", "enable secret 5 $1$"),
        "ios-strong-secrets",
    ),
    (
        "bao-thang-rtr01",
        "type 7",
        lambda t: t + "username x password 7 0822455D0A16\n",
        "ios-strong-secrets",
    ),
    (
        "bao-thang-rtr01",
        "no login block",
        lambda t: t.replace("login block-for", "! login block-for"),
        "ios-login-block",
    ),
    (
        "bao-thang-rtr01",
        "no quiet-mode exemption",
        lambda t: t.replace("login quiet-mode access-class NOC-MGMT\n", ""),
        "ios-login-block",
    ),
    (
        "bao-thang-sw01",
        "no traps enabled",
        lambda t: t.replace("snmp-server enable traps snmp", "! snmp-server enable traps snmp"),
        "ios-snmp-traps",
    ),
    (
        "bao-thang-rtr01",
        "foreign syslog",
        lambda t: t.replace("logging host 10.9.0.12", "logging host 192.0.2.9"),
        "ios-logging",
    ),
    (
        "bao-thang-rtr01",
        "extra conf port",
        lambda t: t.replace("eq 1719", "range 1719 1800", 1),
        "acl-conference-ports",
    ),
    (
        "bao-thang-rtr01",
        "all ip to hub",
        lambda t: t.replace(
            " permit udp host 10.16.1.10 host 10.16.0.22 eq 1719",
            " permit ip host 10.16.1.10 host 10.16.0.22",
            1,
        ),
        "acl-conference-ports",
    ),
    (
        "bao-thang-codec01",
        "codec telnet",
        lambda t: t.replace("telnetenabled False", "telnetenabled True"),
        "codec-no-telnet",
    ),
    (
        "bao-thang-codec01",
        "codec web",
        lambda t: t.replace("sshenable true", "sshenable true\nsystemsetting webenabled True"),
        "codec-no-http",
    ),
    (
        "bao-thang-codec01",
        "codec media in clear",
        lambda t: t.replace("encryption yes", "encryption no"),
        "codec-aes",
    ),
]


@pytest.mark.parametrize(("device", "what", "edit", "rule"), BROKEN, ids=[b[1] for b in BROKEN])
def test_broken_variant_is_caught(
    rendered: tuple[object, Secrets, dict[str, Rendered]],
    device: str,
    what: str,
    edit: Callable[[str], str],
    rule: str,
) -> None:
    inv, _secrets, items = rendered
    item = items[device]
    broken = edit(item.text)
    assert broken != item.text, what
    findings = lint_rendered(inv, [replace(item, text=broken)])  # type: ignore[arg-type]
    assert rule in {f.rule for f in findings}, (what, [str(f) for f in findings])
    assert all(f.device == device for f in findings)


@pytest.mark.parametrize("value", ["456", "admin", "8214160F96D3CV", "short1!", "aaaaaaaaaaaaaa"])
def test_weak_or_default_vault_values_are_refused(value: str) -> None:
    assert weak_password(value)


def test_codec_default_password_in_vault_fails_lint(
    rendered: tuple[object, Secrets, dict[str, Rendered]],
) -> None:
    inv, secrets, _items = rendered
    weak = Secrets({**secrets, "vault_codec_admin_password": "8214160F96D3CV"})
    findings = lint_sites(inv, weak, ["bao-thang"])  # type: ignore[arg-type]
    assert [(f.device, f.rule) for f in findings] == [
        ("bao-thang-codec01", "codec-default-password")
    ]
    assert "8214160F96D3CV" not in str(findings[0])


def test_lint_and_validate_commands(rollout: Callable[..., object], repo: Path) -> None:
    ok = rollout("lint")
    assert ok.exit_code == 0, ok.output  # type: ignore[attr-defined]
    template = repo / "templates/cisco_ios/_base.j2"
    text = template.read_text()
    template.write_text(text.replace("ip ssh version 2", "ip ssh version 1"))
    bad = rollout("lint", "bao-thang", "--format", "json")
    assert bad.exit_code == 1  # type: ignore[attr-defined]
    assert '"rule": "ios-ssh-v2"' in bad.stdout  # type: ignore[attr-defined]
    checked = rollout("validate", "bao-thang")
    assert checked.exit_code == 1 and "ios-ssh-v2" in checked.output  # type: ignore[attr-defined]
