"""The rotation through the engine's steps (plan, push, verify) over real SSH to the simulated
codec, with a site journal and the audit log in a scratch repository: the new password logs in
afterwards, the previous one no more, and neither value is in anything written or shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from codec_twin import served_codec

from rollout.engine import journal
from rollout.engine.steps import plan_one, push_one, verify_one
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Role
from rollout.secrets import Secrets, load_secrets, redact, remember
from rollout.targets import Managed

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
OLD = "Zq7-ROTATE-previous-Pb18k"
NEW = "Zq7-ROTATE-intended-Vd63s"


def test_rotation_through_the_engine_leaves_no_secret_behind(tmp_path: Path) -> None:
    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    codec = site.device(Role.CODEC)
    assert codec is not None
    cred = inv.province.credentials
    values = dict(load_secrets(REPO).items())
    values[cred.codec_admin_password] = NEW
    values[cred.codec_admin_password_previous] = OLD
    secrets = remember(Secrets(values))
    staged = {
        "dhcp": "off",
        "ipaddress": codec.mgmt_address,
        "subnetmask": "255.255.255.192",
        "defaultgateway": "10.16.1.1",
    }
    root = tmp_path / "repo"
    root.mkdir()
    with served_codec(tmp_path, OLD, staged) as twin:
        m = Managed(site, codec, twin.target(NEW, previous=OLD), root)
        journal.begin(
            root,
            site.slug,
            "run-rotation",
            devices=[codec.hostname],
            revert_minutes=5,
            command="site bao-thang",
        )
        planned = plan_one(inv, secrets, m)
        assert planned.commands[0].startswith("setpassword admin room ")
        shown = redact("\n".join(planned.commands))
        assert 'setpassword admin room "<redacted>" "<redacted>"' in shown
        pushed = push_one(inv, secrets, m, 5)
        assert pushed.commands == planned.commands
        verify_one(inv, secrets, m)  # a fresh session: the new password, nothing left to send
        assert twin.device.check_password("admin", NEW)
        assert not twin.device.check_password("admin", OLD)
        assert plan_one(inv, secrets, m).commands == ()
    written = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert any(p.name == "audit.log" for p in written), sorted(map(str, written))
    steps = journal.path_of(root, site.slug).read_text(encoding="utf-8")
    assert '"step": "push"' in steps and '"phase": "done"' in steps
    for path, data in written.items():
        for value in (OLD, NEW):
            assert value.encode() not in data, f"{value} in {path}"
    for value in (OLD, NEW):
        assert value not in shown


def test_a_saved_plan_stores_the_rotation_as_vault_references(tmp_path: Path) -> None:
    from rollout.engine.saved import precheck_one, push_saved, saved_device

    inv = load_inventory(REPO)
    site = inv.sites["bao-thang"]
    codec = site.device(Role.CODEC)
    assert codec is not None
    cred = inv.province.credentials
    values = dict(load_secrets(REPO).items())
    values[cred.codec_admin_password] = NEW
    values[cred.codec_admin_password_previous] = OLD
    secrets = remember(Secrets(values))
    staged = {"dhcp": "off", "ipaddress": codec.mgmt_address}
    with served_codec(tmp_path, OLD, staged) as twin:
        m = Managed(site, codec, twin.target(NEW, previous=OLD), None)
        saved = saved_device(inv, secrets, m)
        assert saved.commands[0] == (
            "setpassword admin room "
            f'"{{{{ {cred.codec_admin_password_previous} }}}}" '
            f'"{{{{ {cred.codec_admin_password} }}}}"'
        )
        assert not any(v in c for c in saved.commands for v in (OLD, NEW))
        precheck_one(inv, secrets, m, saved)
        push_saved(inv, secrets, m, 5, saved)
        assert twin.device.check_password("admin", NEW)
        assert not twin.device.check_password("admin", OLD)
