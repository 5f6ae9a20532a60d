"""Parsing the codec's call statistics: the simulator's replies and a manual's example."""

from __future__ import annotations

import pytest

from rollout.lab.polycom import PolycomDevice
from rollout.parsers.polycom_stats import parse_advnetstats, parse_callinfo, parse_netstats

# `netstats` example of the ViewStation EX/FX/VS4000 API Guide (Polycom, 2003), p. 109, as
# published at personalcare.manualsonline.com/manuals/mfg/polycom/viewstation_ex_1.html?p=117
MANUAL_NETSTATS = (
    "call:1 txrate:128k rxrate:128k pktloss:0\n"
    "%pktloss:0.00% tvp:H.263+FIT rvp:H.263+FIT tvf:CIF\n"
    "rvp:CIF tap:G.728 rap:G.728 tcp:H.323 rcp:H.323"
)
# `callinfo all` example of the Group Series Integrator's Reference Manual (callinfo), as
# published at manualsbrain.com/en/manuals/345685/?page=99 (the page wraps the first line).
MANUAL_CALLINFO = (
    "callinfo begin\n"
    "callinfo:43:Polycom Group Series Demo:192.168.1.101:384:connected:notmuted:outgoing:"
    "videocall\n"
    "callinfo:36:192.168.1.102:256:connected:muted:outgoing:videocall\n"
    "callinfo end"
)


def test_manual_examples() -> None:
    net = parse_netstats(MANUAL_NETSTATS)
    assert net is not None and (net.call, net.lost, net.loss_percent) == ("1", 0, 0.0)
    calls = parse_callinfo(MANUAL_CALLINFO)
    assert [(c.call_id, c.number, c.speed_kbps) for c in calls] == [
        ("43", "192.168.1.101", 384),
        ("36", "192.168.1.102", 256),  # a far end without a name
    ]


def test_simulator_statistics_follow_the_link() -> None:
    device = PolycomDevice("BT-CODEC01")
    device.set_link_quality(jitter_ms=40.0, loss_pct=2.0)
    shell = device.session()
    shell.handle('dial manual 2048 "10.16.0.20" sip')
    media = parse_advnetstats(shell.handle("advnetstats 0").output)
    net = parse_netstats(shell.handle("netstats 0").output)
    assert media is not None and net is not None
    assert media.video_jitter_ms >= 40 and media.audio_jitter_ms >= 40
    assert media.tapl > 0 and media.tvpl > 0
    assert net.loss_percent == pytest.approx(2.0, abs=0.1)  # netstats agrees with the link
    (call,) = parse_callinfo(shell.handle("callinfo all").output)
    assert (call.number, call.speed_kbps, call.state) == ("10.16.0.20", 2048, "connected")


def test_no_call_no_statistics() -> None:
    shell = PolycomDevice().session()
    assert parse_advnetstats(shell.handle("advnetstats 0").output) is None
    assert parse_callinfo(shell.handle("callinfo all").output) == []
