"""A device's outcome of its site's transaction, as the role reports it per host and as the CLI
reads it back (runner.device_result / left_results): the same words (engine/results.py) as when
each step was a task of its own."""

from __future__ import annotations

import json
from pathlib import Path

from rollout.engine import results
from rollout.engine.outcome import DeviceOutcome, site_failures
from rollout.errors import RolloutError
from rollout.runner import HostOutcome, left_results
from rollout.secrets import Secrets

SECRETS = Secrets({"vault_admin_password": "s3cret-value"})


def _site() -> dict[str, DeviceOutcome]:
    rtr = DeviceOutcome("x-rtr01", "x", {"backup": "ok"})
    rtr.fail("push", RolloutError("x-rtr01: push: rejected 's3cret-value'"), SECRETS)
    rtr.steps["rollback"] = "changed"
    sw = DeviceOutcome("x-sw01", "x", {"backup": "ok", "push": "changed", "verify": "ok"})
    sw.steps["rollback"] = "changed"
    codec = DeviceOutcome("x-codec01", "x", {"backup": "ok"})
    codec.fail("rollback", RolloutError("x-codec01: rollback: unreachable"), SECRETS)
    good = DeviceOutcome("y-rtr01", "y", {"backup": "ok", "push": "changed", "verify": "ok"})
    good.steps.update(confirm="ok", save="ok")
    good.commands = ["hostname y-rtr01"]
    return {o.host: o for o in (rtr, sw, codec, good)}


def test_reports_read_back_give_the_same_words(tmp_path: Path) -> None:
    outcomes = _site()
    failed = site_failures(outcomes.values())
    assert set(failed) == {"x"}
    assert (
        "s3cret-value" not in failed["x"] and "x-rtr01 failed at 'Push the intended" in failed["x"]
    )
    for host, o in outcomes.items():
        (tmp_path / f"{host}.json").write_text(json.dumps(o.report(failed.get(o.site, ""))))
    hosts: dict[str, HostOutcome] = {}
    messages: list[str] = []
    left_results(tmp_path, hosts, SECRETS, messages)
    assert not tmp_path.exists(), "read files and their folder are removed"
    words = {
        r.device: r.word.value
        for r in results.derive(
            hosts, {h: o.site for h, o in outcomes.items()}, dry_run=False, backup_set="B"
        )
    }
    assert words == {
        "x-rtr01": "rolled back",
        "x-sw01": "rolled back",
        "x-codec01": "failed",
        "y-rtr01": "changed",
    }
    assert failed["x"] in messages
    assert any("x-codec01: the rollback itself FAILED" in m for m in messages), messages
    assert hosts["x-rtr01"].failed[0].startswith("Push the intended configuration")


def test_each_host_result_fails_with_its_site() -> None:
    outcomes = _site()
    failed = site_failures(outcomes.values())
    sw = outcomes["x-sw01"].report(failed["x"])
    assert sw["failed"] is True and sw["failure"] == "" and sw["msg"] == failed["x"]
    good = outcomes["y-rtr01"].report("", diff=True)
    assert good["failed"] is False and good["changed"] is True
    assert good["diff"] == {
        "before_header": "y-rtr01 (running)",
        "after_header": "y-rtr01 (commands)",
        "before": "",
        "after": "hostname y-rtr01\n",
    }


def test_each_site_end_is_told_once_and_whole(tmp_path: Path) -> None:
    from rollout.engine.outcome import read_progress, site_progress
    from rollout.runner import Progress, _SiteWatch

    path = tmp_path / "progress.jsonl"
    outcomes = _site()
    site_progress(path, [outcomes["x-rtr01"], outcomes["x-sw01"], outcomes["x-codec01"]])
    with path.open("a", encoding="utf-8") as f:
        f.write('{"site": "y", "devi')  # a line being written: not read yet
    lines, offset = read_progress(path, 0)
    assert [line["site"] for line in lines] == ["x"]
    assert lines[0]["devices"]["x-sw01"] == {"status": "changed", "message": ""}
    assert lines[0]["devices"]["x-rtr01"]["status"] == "failed"
    assert "s3cret-value" not in path.read_text(encoding="utf-8")
    assert read_progress(path, offset) == ([], offset)

    path.write_text("")
    seen: list[Progress] = []
    watch = _SiteWatch(path, seen.append)
    site_progress(path, [outcomes["y-rtr01"]])
    watch.stop()  # reads what the last site wrote, then removes the file
    assert [(p.host, p.task, p.status) for p in seen] == [("y-rtr01", "site y", "changed")]
    assert not path.exists()
