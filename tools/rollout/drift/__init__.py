"""Drift: which devices no longer match the repository, read-only, fleet-wide.

- ``check``: reading the fleet through the engine (``check``, ``check_one``, ``select``,
  ``classify``, ``RETRIED``);
- ``report``: the per-device result and the run's report (``DeviceDrift``, ``Report``,
  ``State``, ``Kind``, ``Line``);
- ``noise``: lines that change on their own (``NOISE``, ``filter_noise``);
- ``allow``: the allow-list of approved deviations (``load_allow_list``, ``ALLOW_FILE``);
- ``formats``: table rows, Markdown and HTML.
"""

from __future__ import annotations

from rollout.drift.allow import ALLOW_FILE, Allowance, AllowList, apply_allow, load_allow_list
from rollout.drift.check import RETRIED, check, check_one, classify, select, warm
from rollout.drift.formats import html, markdown, table_rows
from rollout.drift.noise import NOISE, NoiseRule, filter_noise
from rollout.drift.report import DeviceDrift, Kind, Line, Report, State

__all__ = [
    "ALLOW_FILE",
    "NOISE",
    "RETRIED",
    "AllowList",
    "Allowance",
    "DeviceDrift",
    "Kind",
    "Line",
    "NoiseRule",
    "Report",
    "State",
    "apply_allow",
    "check",
    "check_one",
    "classify",
    "filter_noise",
    "html",
    "load_allow_list",
    "markdown",
    "select",
    "table_rows",
    "warm",
]
