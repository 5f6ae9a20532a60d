"""Simulated Polycom RealPresence Group Series codec: its API shell (SSH port 22).

The Group Series API is line oriented: one command per line, one or more reply lines,
then the prompt ``-> ``. After login the session prints the same self description as
``whoami`` ("Hi, my name is : ...", "Here is what I know about myself:", ...). Settings
are read with ``get`` and written with a plain command; the reply is the setting's name
followed by its current value::

    -> gatekeeperip get
    gatekeeperip 10.10.0.5
    -> systemsetting get sipregistrarserver
    systemsetting sipregistrarserver 10.10.0.6
    -> systemsetting sipregistrarserver 10.10.0.7
    systemsetting sipregistrarserver 10.10.0.7
    -> h323name set "Bao Thang"
    h323name "Bao Thang"
    -> systemsetting set sipenable True
    error: command has illegal parameters
    -> foo
    error: command not found

Every command's syntax and reply form is taken from public sources, cited per entry in
the ``source`` column of the tables (keys of `SOURCES`), never from what rollout's
template sends; docs/codec.md lists what no source confirms. Values with spaces are quoted,
an empty text value prints as ``""`` and an empty number (``maxtimeincall``) as
``<empty>``. ``callinfo all``, ``advnetstats``, ``netstats`` and ``status`` copy the shapes
recorded from real systems (the Group Series driver in `SOURCES`).

State is split in two: `PolycomDevice` holds what survives a session (settings, calls,
registration, the admin password, the simulated link quality); `PolycomSession` is one API
session (the `DeviceShell` the SSH server drives). Creating a device is cheap: one dict
copy, no I/O, no randomness until a call is made.

What the lab's faults call for diagnosis (docs/codec.md, "Diagnosis"):
`set_registrar_reachable`, `set_registrars` / `pin_registrars` (which addresses answer a
registration), `start_call` / `stop_call` (a conference call), `set_link_quality` (its
``advnetstats``), `set_call_rate` (the call rate changed by hand).

The modules, one job each:

- `api`: the fixed words (prompt, errors, state replies) and `SOURCES`;
- `specs`: the settings as data (what each accepts, how it prints, its source) and the
  factory defaults;
- `values`: splitting a line into words, checking and printing values;
- `state`: what survives a session (setting store, registration, calls, events);
- `media`: the per-call counters of ``advnetstats``/``netstats``;
- `setting_commands`, `call_commands`, `status_commands`: the command handlers;
- `commands`: the command table (word, handler, source);
- `session`: one API session (`PolycomSession`);
- `device`: `PolycomDevice`, the state that opens sessions.
"""

from __future__ import annotations

from rollout.lab.polycom.api import (
    ERR_ILLEGAL,
    ERR_MORE_PARAMS,
    ERR_NOT_FOUND,
    NOT_IN_CALL,
    PROMPT,
    SOURCES,
)
from rollout.lab.polycom.device import PolycomDevice
from rollout.lab.polycom.session import PolycomSession
from rollout.lab.polycom.specs import FACTORY_DEFAULTS, MODEL, SOFTWARE_VERSION
from rollout.lab.polycom.state import (
    CALL_CHANGED,
    CONFIG_CHANGED,
    Call,
    CodecState,
    DeviceEvent,
    LinkQuality,
    PolycomSnapshot,
)
from rollout.lab.polycom.values import split_args

__all__ = [
    "CALL_CHANGED",
    "CONFIG_CHANGED",
    "ERR_ILLEGAL",
    "ERR_MORE_PARAMS",
    "ERR_NOT_FOUND",
    "FACTORY_DEFAULTS",
    "MODEL",
    "NOT_IN_CALL",
    "PROMPT",
    "SOFTWARE_VERSION",
    "SOURCES",
    "Call",
    "CodecState",
    "DeviceEvent",
    "LinkQuality",
    "PolycomDevice",
    "PolycomSession",
    "PolycomSnapshot",
    "split_args",
]
