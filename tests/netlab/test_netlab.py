"""The network lab for real: the pilot's path through hub, WAN weather, linux_router and LAN."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.inventory.loader import load_inventory
from rollout.netlab import lab, ns, router, soak
from rollout.netlab import verify as v

pytestmark = pytest.mark.netlab
SITE = "bao-thang"


def _rollout(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rollout")
    return subprocess.run(
        [str(exe), *args, "--repo", str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ROLLOUT_NETLAB_DIR": str(root / ".netlab")},
        timeout=200,
    )


# A lab of its own, next to the module's (each has its own lab id).
def test_down_removes_everything_also_after_a_crash(tmp_path: Path) -> None:
    from netlabkit import netlab_skip_reason, new_lab_id
    from repocopy import copy_repo

    reason = netlab_skip_reason()
    if reason:
        pytest.skip(reason)
    root = copy_repo(tmp_path / "repo")
    inv = load_inventory(root)
    folder = root / ".netlab-crash"
    state = lab.up(inv, ["bat-xat"], folder, lab_id=new_lab_id())
    pids = [p.pid for p in state.processes]
    os.kill(pids[-1], signal.SIGKILL)  # a crashed WAN element
    result = _rollout(root, "netlab", "down", "--netlab-dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert not [n for n in ns.namespaces() if n in state.namespaces]
    assert not any(ns.alive(pid) for pid in pids)
    assert not (folder / "state.json").exists()
    assert not Path(f"/run/rollout/{state.names.rtr('bat-xat')}").exists()
    assert not [n for n in ns.links() if state.names.owns(n)]


def test_verify_passes_on_the_pushed_site_with_both_paths(lab_repo: Path) -> None:
    result = _rollout(lab_repo, "verify", SITE, "--netlab", "--seconds", "3", "--format", "json")
    data = json.loads(result.stdout)
    checks = {c["name"]: c for c in data["verify"]["checks"]}
    assert result.returncode == 0, checks
    assert checks["backup path: SIP register + call to the MCU"]["ok"]
    assert "RTP packets came back" in checks["backup path: RTP both ways"]["detail"]
    assert "ToS 0x88" in checks["main path: flow to the cloud service"]["detail"]
    for cls in ("EF", "AF41", "CS3", "default"):
        assert (
            data["verify"]["classes"][cls]["tos_seen"] == data["verify"]["classes"][cls]["tos_sent"]
        )
    assert (lab_repo / "var/proof" / SITE / "verify.json").is_file()


def test_qos_proof_passes_with_qos_and_fails_without(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    proof = v.qos_proof(inv, state, SITE, seconds=3)
    with_qos = {c.name: c for c in proof.checks_with}
    without = {c.name: c for c in proof.checks_without}
    assert proof.flood_kbps >= 3 * inv.sites[SITE].wan.rate_kbps
    for name in ("class EF", "class AF41", "class CS3"):
        assert with_qos[name].ok, with_qos[name].detail
    assert not all(without[n].ok for n in ("class EF", "class AF41", "class CS3"))
    assert proof.ok
    # the rendered QoS is back afterwards
    assert router.driver(inv, state, SITE).live_problems() == []


def test_a_hand_broken_router_fails_verify_and_names_the_cause(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    rtr = state.names.rtr(SITE)
    ns.run(["tc", "qdisc", "del", "dev", "wan0", "root"], ns=rtr)
    ns.run(["nft", "flush", "chain", "inet", "rollout", "lan_marking"], ns=rtr)
    try:
        outcome = v.verify(inv, state, SITE, seconds=2)
        assert not outcome.ok
        text = json.dumps(outcome.as_dict())
        assert "QoS: no HTB shaper on wan0" in text
        assert "ACL: nftables chain lan_marking is missing" in text
        assert "router marking missing" in text
    finally:
        router.driver(inv, state, SITE).apply()
    assert router.driver(inv, state, SITE).live_problems() == []


def test_commit_reverts_by_itself_unless_confirmed(lab_repo: Path) -> None:
    """The revert timer runs on the router: it fires after the SSH session is gone."""
    from rollout.secrets import load_secrets

    inv = load_inventory(lab_repo)
    secrets = load_secrets(lab_repo)
    target = router.ssh_driver(inv, lab_repo / ".netlab", SITE, secrets).target
    # a 5-second minute (the lab's is in its endpoints): long enough that a loaded machine reads
    # the committed state before the timer fires
    drv = LinuxRouterDriver(replace(target, minute_seconds=5))
    good = drv.running_config()
    bad = good.replace("rate 950kbit ceil 950kbit", "rate 64kbit ceil 64kbit")
    plan = drv.plan(good, bad)
    assert plan.changed
    drv.commit(plan, revert_minutes=1)
    assert "64kbit" in drv.running_config()
    drv.close()
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    local = router.driver(inv, state, SITE)
    ns.wait_for(Path(local.dir / "reverted").exists, 30, "the revert timer")
    assert local.running_config() == good
    assert local.live_problems() == []
    assert not router.plan(inv, lab_repo / ".netlab", SITE, secrets).changed


def test_soak_schedule_resumes_and_reports(lab_repo: Path) -> None:
    inv = load_inventory(lab_repo)
    state = lab.NetlabState.read(lab_repo / ".netlab")
    assert state is not None
    db = lab_repo / "var/proof" / SITE / "soak.sqlite"
    segments = soak.parse_schedule("clear:4s,storm:4s", None, "0s")
    seen: list[float] = []

    class Stop(Exception):
        pass

    def interrupt(p: soak.Progress) -> None:
        seen.append(p.offset_s)
        if len(seen) == 1:
            raise Stop

    with pytest.raises(Stop):
        soak.run(inv, state, SITE, segments, db, window=2, on_window=interrupt)
    soak_id = soak.run(
        inv,
        state,
        SITE,
        segments,
        db,
        window=2,
        resume=True,
        on_window=lambda p: seen.append(p.offset_s),
    )
    assert seen == [2.0, 4.0, 6.0, 8.0]
    summary = soak.summary(db, soak_id)
    assert summary["finished"]
    assert {g["profile"] for g in summary["by_profile"]} == {"clear", "storm"}
    storm = [g for g in summary["by_profile"] if g["profile"] == "storm" and g["class"] == "EF"]
    clear = [g for g in summary["by_profile"] if g["profile"] == "clear" and g["class"] == "EF"]
    assert storm[0]["delay_ms"] > clear[0]["delay_ms"] + 30  # the weather is imposed

    result = _rollout(lab_repo, "report", SITE)
    assert result.returncode in (0, 2), result.stderr
    html = lab_repo / "var/proof" / SITE / "report.html"
    assert json.loads(html.with_suffix(".json").read_text())["soak"]["soak"] == soak_id
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: the report was written but not rendered")
    profile = lab_repo / "chromium-profile"
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=90,
    )
    assert dom.returncode == 0, dom.stderr[-500:]
    assert dom.stdout.count("<svg") == 4
    assert "polyline" in dom.stdout and 'class="profile"' in dom.stdout
    assert dom.stdout.count('class="legend"') == 4
    assert "Acceptance report" in dom.stdout
