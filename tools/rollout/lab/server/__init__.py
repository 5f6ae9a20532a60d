"""The lab's SSH server: many simulated devices in one process, one TCP port each.

Every device listens on its own ``127.0.0.1`` port with its own persistent ed25519 host key
(``<state_dir>/hostkeys/<name>.key``, created once and reused, so ``known_hosts`` entries
stay valid across restarts). A device is given to the server as a :class:`DeviceFactory`;
the server owns SSH, authentication, the terminal (echo, line endings, prompts), ``exec``
requests, and the faults of :mod:`rollout.lab.faults`.

All device code runs on the server's event loop: ``new_session``, ``check_password`` and a
shell's ``handle`` are called directly and must be fast and non-blocking. Use
:class:`LabServer` inside a running loop, or :class:`ServerThread` to run one in a
background thread (tests, tools).

The modules, one job each:

- :mod:`~rollout.lab.server.errors`: the errors callers catch;
- :mod:`~rollout.lab.server.model`: what callers give (`DeviceFactory`) and get
  (`DeviceInfo`);
- :mod:`~rollout.lab.server.hostkeys`: persistent host keys and their fingerprints;
- :mod:`~rollout.lab.server.injection`: the faults set on a device and what they decide;
- :mod:`~rollout.lab.server.device`: one hosted device's listener and connections;
- :mod:`~rollout.lab.server.transport`: SSH listening and login;
- :mod:`~rollout.lab.server.channel`: one SSH channel (terminal or ``exec``);
- :mod:`~rollout.lab.server.labserver`: `LabServer`, the devices of one process;
- :mod:`~rollout.lab.server.background`: `ServerThread`, a server on its own thread.
"""

from __future__ import annotations

from rollout.lab.server.background import ServerThread
from rollout.lab.server.errors import DeviceSetupError, LabError, UnknownDeviceError
from rollout.lab.server.hostkeys import HostKey, describe_host_key, load_or_create_host_key
from rollout.lab.server.labserver import LabServer
from rollout.lab.server.model import LOOPBACK, DeviceFactory, DeviceInfo

__all__ = [
    "LOOPBACK",
    "DeviceFactory",
    "DeviceInfo",
    "DeviceSetupError",
    "HostKey",
    "LabError",
    "LabServer",
    "ServerThread",
    "UnknownDeviceError",
    "describe_host_key",
    "load_or_create_host_key",
]
