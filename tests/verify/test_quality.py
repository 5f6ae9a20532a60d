"""The quality verdict: E-model reference values and the limits' boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from rollout.inventory.model import Thresholds
from rollout.quality import (
    LIMITS,
    Check,
    Outcome,
    breaches,
    delay_impairment,
    judge,
    loss_impairment,
    mos,
    r_factor,
)

T = Thresholds(one_way_delay_ms=150, jitter_ms=30, loss_percent=1.0, mos_min=3.6)


def figures(**changes: float) -> dict[str, Any]:
    base: dict[str, Any] = {"delay_ms": 20.0, "jitter_ms": 2.0, "loss_percent": 0.0, "mos": 4.3}
    base.update(changes)
    return base


# ITU-T G.109 Table 1 / G.107 Annex B: the lower MOS of each R category (90, 80, 70, 60, 50).
@pytest.mark.parametrize(
    ("r", "expected"), [(90, 4.34), (80, 4.03), (70, 3.60), (60, 3.10), (50, 2.58)]
)
def test_mos_at_the_g107_category_boundaries(r: float, expected: float) -> None:
    assert mos(r) == pytest.approx(expected, abs=0.01)


def test_mos_is_clamped_outside_0_100() -> None:
    assert mos(0) == 1.0
    assert mos(-5) == 1.0
    assert mos(100) == 4.5
    assert mos(120) == 4.5


def test_default_r_is_93_2_and_scores_4_41() -> None:
    # G.107 section 7.7: every parameter at its default gives R = 93.2
    assert r_factor(0, 0) == pytest.approx(93.2)
    assert mos(r_factor(0, 0)) == pytest.approx(4.41, abs=0.01)


def test_delay_impairment_steepens_after_177_3_ms() -> None:
    assert delay_impairment(0) == 0
    assert delay_impairment(100) == pytest.approx(2.4)
    assert delay_impairment(177.3) == pytest.approx(0.024 * 177.3)
    assert delay_impairment(300) == pytest.approx(7.2 + 0.11 * 122.7)


def test_loss_impairment_of_g711_with_plc() -> None:
    # Ie,eff = 95 Ppl / (Ppl + 25.1): none without loss, half of 95 at Ppl = Bpl
    assert loss_impairment(0) == 0
    assert loss_impairment(25.1) == pytest.approx(47.5)
    assert loss_impairment(1.0) == pytest.approx(95 / 26.1)
    assert loss_impairment(1.0, ie=10, bpl=10) == pytest.approx(10 + 85 / 11)


def test_jitter_counts_twice_into_the_mouth_to_ear_delay() -> None:
    assert r_factor(100, 0, jitter_ms=40) == pytest.approx(r_factor(180, 0))


def test_the_province_limits_sit_between_good_and_bad_paths() -> None:
    assert mos(r_factor(150, 1.0)) > 3.6 > mos(r_factor(150, 10.0))
    assert mos(r_factor(400, 0)) < mos(r_factor(100, 0))


def test_every_limit_names_a_threshold_and_a_source() -> None:
    for limit in LIMITS:
        assert hasattr(T, limit.threshold), limit
        assert "ITU-T" in limit.source and "https://" in limit.source, limit


def test_a_figure_on_its_threshold_passes() -> None:
    edge = figures(delay_ms=150.0, jitter_ms=30.0, loss_percent=1.0, mos=3.6)
    assert breaches(edge, T) == []
    assert judge("EF", edge, T).ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"delay_ms": 150.01}, "one-way delay 150.0 ms > 150"),
        ({"jitter_ms": 30.04}, "jitter 30.0 ms > 30"),
        ({"loss_percent": 1.001}, "loss 1.00 % > 1"),
        ({"mos": 3.599}, "MOS 3.60 < 3.6"),
    ],
)
def test_just_past_a_threshold_fails(change: dict[str, float], message: str) -> None:
    r = figures(**change)
    assert breaches(r, T) == [message]
    check = judge("AF41", r, T)
    assert not check.ok
    assert check.detail.startswith(message + " (")


def test_judge_names_the_class_and_shows_the_figures() -> None:
    check = judge("EF", figures(), T)
    assert check == Check(
        "class EF", True, "delay 20.0 ms, jitter 2.0 ms, loss 0.00 %, MOS 4.30", judged=True
    )
    bad = judge("CS3", figures(delay_ms=200, mos=3.0), T)
    assert bad.detail == (
        "one-way delay 200.0 ms > 150; MOS 3.00 < 3.6 "
        "(delay 200.0 ms, jitter 2.0 ms, loss 0.00 %, MOS 3.00)"
    )


def test_an_outcome_is_decided_by_its_judged_checks_only() -> None:
    outcome = Outcome("bao-thang", [Check("a", True, ""), Check("b", False, "", judged=False)])
    assert outcome.ok
    outcome.checks.append(Check("c", False, "why"))
    assert not outcome.ok
    shown = outcome.as_dict()
    assert shown["ok"] is False
    assert shown["checks"][2] == {"name": "c", "ok": False, "detail": "why", "judged": True}
