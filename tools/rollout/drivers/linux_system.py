"""A linux_router's forwarding and VLAN sub-interfaces: its files against what the kernel shows.

- ``sysctl.conf`` (sysctl.d(5): ``key = value``) against ``sysctl -n KEY``;
- ``network.sh``'s ``subif PARENT VLAN NAME PREFIX`` lines against ``ip -o link show`` (name,
  ``@peer`` or ``@parent``, flags in ``<>``) and ``ip -o -4 addr show`` (``N: NAME    inet
  PREFIX ...``), as iproute2 6.1.0 prints them (tests/data/linux_router/).
"""

from __future__ import annotations

import re


def sysctl_settings(text: str) -> dict[str, str]:
    """`key = value` lines of a sysctl.d(5) file."""
    settings: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    return settings


SUBIF = re.compile(r"^subif (\S+) (\d+) (\S+) (\S+)", re.M)


def subinterface_problems(network: str, links: str, addresses: str) -> list[str]:
    """network.sh's `subif PARENT VLAN NAME PREFIX` lines against `ip -o link|-4 addr show`."""
    state: dict[str, set[str]] = {}
    for m in re.finditer(r"^\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>", links, re.M):
        state[m.group(1)] = set(m.group(2).split(","))
    have: dict[str, set[str]] = {}
    for m in re.finditer(r"^\d+: (\S+)\s+inet (\S+)", addresses, re.M):
        have.setdefault(m.group(1), set()).add(m.group(2))
    problems: list[str] = []
    wanted = SUBIF.findall(network)
    for parent, vlan, name, prefix in wanted:
        if name not in state:
            problems.append(f"VLAN: sub-interface {name} (VLAN {vlan} on {parent}) is missing")
            continue
        if "UP" not in state[name]:
            problems.append(f"VLAN: sub-interface {name} is down")
        if prefix not in have.get(name, set()):
            problems.append(f"VLAN: {name} lacks its gateway address {prefix}")
        for extra in sorted(have.get(name, set()) - {prefix}):
            problems.append(f"VLAN: {name} has an address the plan does not: {extra}")
    parents = {p for p, _, _, _ in wanted}
    names = {n for _, _, n, _ in wanted}
    for name in sorted(state):
        if name not in names and any(name.startswith(f"{p}.") for p in parents):
            problems.append(f"VLAN: sub-interface {name} is not in the plan")
    return problems
