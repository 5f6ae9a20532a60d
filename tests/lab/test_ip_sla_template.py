"""Our TextFSM template for `show ip sla statistics`: real outputs and the simulator's."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.lab.ios.device import IosDevice, SlaResult
from rollout.lab.ios.show import show_ip_sla_statistics, voice_score
from rollout.parsers.ip_sla import parse_ip_sla_statistics

DATA = Path(__file__).resolve().parents[1] / "data" / "ip-sla"

ROUTER = """\
hostname bt-rtr01
ntp server 10.9.0.10
ip sla 10
 udp-jitter 10.255.0.1 16384 source-ip 10.255.0.2 codec g711alaw
 tos 184
 frequency 60
ip sla schedule 10 life forever start-time now
ip sla 20
 udp-jitter 10.255.0.1 16386 source-ip 10.255.0.2 num-packets 100 interval 20
 tos 136
 frequency 60
ip sla schedule 20 life forever start-time now
ip sla 30
 icmp-echo 10.255.0.1
ip sla schedule 30 life forever start-time now
ip sla 40
 icmp-echo 10.255.0.9
end
"""


def test_real_udp_jitter_with_tabs_and_a_failed_operation() -> None:
    ops = {o.operation_id: o for o in parse_ip_sla_statistics(_read("iol_udp_jitter.txt"))}
    assert sorted(ops) == [1, 2, 3]
    good = ops[1]
    assert (good.kind, good.ok, good.latest_rtt_ms, good.rtt_count) == ("udp-jitter", True, 4, 10)
    assert good.rtt is not None and (good.rtt.min, good.rtt.avg, good.rtt.max) == (1, 4, 16)
    assert good.one_way_samples == 8 and good.delay_ms == 4  # the worse one-way direction
    assert good.jitter_ms == 4 and good.loss_percent == 0
    assert (good.successes, good.failures, good.mos) == (1, 2, 0)
    assert ops[2].return_code == "No connection" and ops[2].latest_rtt_ms is None
    assert ops[3].successes is None and ops[3].return_code == "Unknown"  # never scheduled


def test_real_udp_jitter_with_both_losses_on_one_line() -> None:
    (op,) = parse_ip_sla_statistics(_read("ios_udp_jitter_one_line_loss.txt"))
    assert (op.operation_id, op.rtt_count, op.loss_sd, op.loss_ds) == (11, 10, 0, 0)
    assert op.one_way_samples == 0 and op.delay_ms == 59  # no clock sync: RTT / 2
    assert op.jitter_ms == 14


def test_real_echo_operations_of_several_kinds() -> None:
    ops = parse_ip_sla_statistics(_read("iosxe_multi_echo.txt"))
    assert [o.operation_id for o in ops] == [1, 2, 50, 53, 54, 100]
    codes = [o.return_code for o in ops]
    assert codes == ["Timeout", "OK", "OK", "No connection", "Socket connect error", "OK"]
    assert [o.latest_rtt_ms for o in ops] == [None, None, 6, None, 0, 1]
    assert ops[1].kind == "mcast" and ops[1].successes == 46


def test_real_older_layout() -> None:
    ops = parse_ip_sla_statistics(_read("ios12_rtt_index.txt"))
    assert [(o.operation_id, o.latest_rtt_ms) for o in ops] == [(20, 8), (25, 2), (30, 1)]
    jitter = ops[1]
    assert jitter.rtt is not None and jitter.rtt.max == 4 and jitter.rtt_count == 10
    assert jitter.jitter_ms == 1 and (jitter.loss_sd, jitter.loss_ds) == (0, 0)


def test_simulator_output_parses_and_is_consistent() -> None:
    device = IosDevice.from_config(ROUTER)
    device.set_sla_result("*", SlaResult(rtt_ms=80, jitter_ms=20, loss_percent=5.0))
    ops = {o.operation_id: o for o in parse_ip_sla_statistics(show_ip_sla_statistics(device))}
    assert sorted(ops) == [10, 20, 30, 40]
    ef, video = ops[10], ops[20]
    assert ef.rtt_count == 950 and (ef.loss_sd, ef.loss_ds) == (25, 25)  # 1000 codec packets
    assert video.rtt_count == 95 and video.loss_percent == pytest.approx(5.0)
    assert ef.loss_percent == pytest.approx(5.0) and ef.jitter_ms == 20
    assert ef.one_way_samples == 950 and ef.delay_ms == 40  # NTP configured: one-way figures
    icpif, mos = voice_score(80, 20, 5.0)
    assert (ef.icpif, ef.mos) == (icpif, mos) and 1 < mos < 4.34
    assert (video.icpif, video.mos) == (0, 0)  # no codec: no voice score
    assert ops[30].kind == "icmp-echo" and ops[30].latest_rtt_ms == 80
    assert ops[40].successes is None  # not scheduled


def test_simulator_clean_path_scores_like_ios() -> None:
    device = IosDevice.from_config(ROUTER)
    ef = parse_ip_sla_statistics(show_ip_sla_statistics(device, "10"))[0]
    assert (ef.icpif, ef.mos, ef.loss_percent) == (1, 4.34, 0)


def test_simulator_timeout() -> None:
    device = IosDevice.from_config(ROUTER)
    device.set_sla_result(20, SlaResult(return_code="Timeout", successes=0, failures=3))
    text = show_ip_sla_statistics(device, "20")
    assert "Latest RTT: NoConnection/Busy/Timeout" in text
    (op,) = parse_ip_sla_statistics(text)
    assert not op.ok and op.rtt_count == 0 and op.failures == 3


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")
