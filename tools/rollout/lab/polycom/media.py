"""The media counters a call shows in ``advnetstats`` and ``netstats``.

Derived, not measured: from the call's rate, how many samples were taken, and the simulated
link quality (`LinkQuality`), so tests can make a call look good or bad.
"""

from __future__ import annotations

from dataclasses import dataclass

from rollout.lab.polycom.state import Call, LinkQuality


@dataclass(frozen=True, slots=True)
class MediaStats:
    """One ``advnetstats``/``netstats`` sample of a call (rates in kbit/s, jitter in ms)."""

    audio: int
    video: int
    video_used_tx: int
    video_used_rx: int
    fps_tx: int
    fps_rx: int
    tapl: int
    rapl: int
    tvpl: int
    rvpl: int
    taj: int
    raj: int
    tvj: int
    rvj: int
    sent: int
    """Media packets sent so far (audio and video), the base of ``netstats``' loss share."""


def media_stats(call: Call, link: LinkQuality) -> MediaStats:
    """Plausible per-call counters from the call rate, elapsed samples and link quality.

    Deterministic: the same call, sample count and link always give the same numbers.
    Packet loss counters are cumulative (5 s of media per sample); jitter tracks the link.
    """
    audio = 64 if call.speed >= 256 else 32
    video = max(call.speed - audio, 0)
    seconds = max(call.samples, 1) * 5
    audio_pps, video_pps = 50, max(video * 1000 // 8 // 1100, 1)
    lost = link.loss_pct / 100.0
    wobble = (call.call_id + call.samples) % 3  # small, repeatable variation
    degrade = 1.0 - min(lost * 5.0, 0.5)
    fps = 30 if lost < 0.01 else 25 if lost < 0.05 else 15
    return MediaStats(
        audio=audio,
        video=video,
        video_used_tx=int(video * 0.94 * degrade),
        video_used_rx=int(video * 0.91 * degrade),
        fps_tx=fps,
        fps_rx=fps - (1 if wobble == 2 else 0),
        tapl=round(audio_pps * seconds * lost),
        rapl=round(audio_pps * seconds * lost * 1.1),
        tvpl=round(video_pps * seconds * lost),
        rvpl=round(video_pps * seconds * lost * 1.1),
        taj=round(link.jitter_ms) + wobble % 2,
        raj=round(link.jitter_ms * 1.1) + wobble % 2,
        tvj=round(link.jitter_ms * 1.3) + wobble,
        rvj=round(link.jitter_ms * 1.5) + wobble,
        sent=(audio_pps + video_pps) * seconds,
    )
