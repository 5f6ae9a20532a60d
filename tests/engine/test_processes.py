"""Groups of sites in processes (rollout.engine.processes): the split, a child's result taken
back, a child that dies named and its sites handed back to the parent."""

from __future__ import annotations

import os

from rollout.engine.processes import groups_of, run_groups


def test_groups_carry_about_the_same_devices_and_few_sites_stay_together() -> None:
    weight = {f"s{i}": 1 + (i % 3) for i in range(20)}
    groups = groups_of(list(weight), weight.__getitem__, cpus=2, least=8)
    assert len(groups) == 2 and sorted(s for g in groups for s in g) == sorted(weight)
    loads = [sum(weight[s] for s in g) for g in groups]
    assert abs(loads[0] - loads[1]) <= 3
    assert groups_of(list(weight)[:15], weight.__getitem__, cpus=2, least=8) == [
        sorted(list(weight)[:15], key=lambda s: (-weight[s], s))
    ]
    assert len(groups_of(list(weight), weight.__getitem__, cpus=1, least=1)) == 1


def test_each_child_runs_in_its_own_process_and_its_result_comes_back() -> None:
    ran: dict[str, int] = {}
    merged: dict[str, int] = {}
    lost: list[str] = []

    def run(group: list[str]) -> dict[str, int]:
        here = {site: os.getpid() for site in group}
        ran.update(here)
        return here

    run_groups(
        [["a"], ["b"], ["c"]],
        run,
        lambda group: None,
        lambda group, result: merged.update(result),
        lambda group, why: lost.append(why),
    )
    assert ran == {"a": os.getpid()} and lost == []
    assert set(merged) == {"b", "c"} and os.getpid() not in merged.values()
    assert merged["b"] != merged["c"]


def test_a_child_that_dies_is_named_and_the_parent_goes_on() -> None:
    lost: list[tuple[list[str], str]] = []

    def run(group: list[str]) -> str:
        if group == ["b"]:
            os.kill(os.getpid(), 9)
        return "done"

    merged: list[str] = []
    run_groups(
        [["a"], ["b"], ["c"]],
        run,
        lambda group: None,
        lambda group, result: merged.append(group[0]),
        lambda group, why: lost.append((group, why)),
    )
    assert merged == ["c"]
    [(group, why)] = lost
    assert group == ["b"] and "sites b failed" in why and "without a result" in why
