"""linux_router's files: the bundle rollout renders and reads (one text, a marker per file), the
plan between two bundles, where a router keeps the files (``Layout``) and the scripts that make
it run them (``boot.sh``, ``apply.sh``, ``revert.sh``). Pure: no device I/O
(``rollout.drivers.linux_router`` is the session that uses them).
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from rollout.drivers.base import Plan, Target
from rollout.inventory.model import Platform

FILES = (
    "frr.conf",
    "qos.tc",
    "nftables.conf",
    "network.sh",
    "sysctl.conf",
    "rollout-router.service",
)
UNIT = "rollout-router.service"
NFT_TABLE = "inet rollout"  # nftables.conf's own table: the only one rollout reads or replaces
MARK = "### file: "
LIVE = "### live: the router does not run its files"
APPLY_SECONDS = 120.0


@dataclass(frozen=True)
class Layout:
    """Where a router keeps rollout's files and FRR's sockets, and which programs it runs."""

    folder: PurePosixPath
    vty_socket: PurePosixPath
    frr_confdir: PurePosixPath
    frr_rundir: PurePosixPath
    unit_dir: PurePosixPath | None = None  # where the boot unit is installed (None: no systemd)
    python: str = "/usr/bin/python3"
    frr_reload: str = "/usr/lib/frr/frr-reload.py"
    frr_bindir: str = "/usr/bin"
    path: str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


PRODUCTION = Layout(
    PurePosixPath("/etc/rollout"),
    PurePosixPath("/run/frr"),
    PurePosixPath("/etc/frr"),
    PurePosixPath("/run/frr"),
    PurePosixPath("/etc/systemd/system"),
)


def layout_for(target: Target) -> Layout:
    """The Target's folder holds everything (the lab's FRR runs there), else PRODUCTION."""
    if not target.folder:
        return PRODUCTION
    folder = PurePosixPath(target.folder)
    return Layout(folder, folder, folder, folder)


def split_bundle(text: str) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith(MARK):
            current = files.setdefault(line[len(MARK) :].strip(), [])
        elif line.startswith("### "):
            current = None  # the live section (or anything else) is not a file
        elif current is not None:
            current.append(line)
    return {name: "".join(files.get(name, [])) for name in FILES}


def join_bundle(files: dict[str, str], live: list[str] | None = None) -> str:
    text = "".join(f"{MARK}{name}\n{files.get(name, '')}" for name in FILES)
    if live:
        text += f"{LIVE}\n" + "".join(f"{p}\n" for p in live)
    return text


def live_section(text: str) -> list[str]:
    """The live differences a running_config carries (none when the router runs its files)."""
    _, found, rest = text.partition(f"{LIVE}\n")
    return [line for line in rest.splitlines() if line.strip()] if found else []


def bundle_plan(device: str, running: str, intended: str) -> Plan:
    have, want = split_bundle(running), split_bundle(intended)
    lines: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    for name in FILES:
        diff = list(
            difflib.unified_diff(
                have[name].splitlines(),
                want[name].splitlines(),
                f"running/{name}",
                f"intended/{name}",
                lineterm="",
                n=1,
            )
        )
        lines += diff
        added += [d[1:] for d in diff if d.startswith("+") and not d.startswith("+++")]
        removed += [d[1:] for d in diff if d.startswith("-") and not d.startswith("---")]
    live = live_section(running)
    lines += [f"live: {p} (a push applies the files again)" for p in live]
    removed += live
    return Plan(device, Platform.LINUX_ROUTER, tuple(lines), tuple(removed), tuple(added))


def boot_script(layout: Layout) -> str:
    """boot.sh: what the kernel forgets at a reboot, from the files (rollout-router.service runs
    it at boot, apply.sh at every push; the network lab, which has no systemd, runs it directly).

    nftables first and forwarding only once it is loaded (fail closed: no forwarding without
    the ACLs); then the VLAN sub-interfaces and the QoS plan. A failure of those is reported
    (exit 1) after the other steps ran.
    """
    return f"""#!/bin/sh
# Managed by rollout: restore nftables, forwarding, the VLAN sub-interfaces and the QoS plan
# from the files in this folder. Run at boot by {UNIT} and by apply.sh at every push.
PATH={shlex.quote(layout.path)}; export PATH
cd {shlex.quote(str(layout.folder))} || exit 1
rc=0
failed() {{ echo "boot: applying $1 failed" >&2; rc=1; }}
if [ -s nftables.conf ]; then
	nft -f nftables.conf || {{ echo "boot: nftables.conf failed, no forwarding" >&2; exit 1; }}
fi
if [ -s sysctl.conf ]; then sysctl -q -p sysctl.conf >/dev/null || failed sysctl.conf; fi
if [ -s network.sh ]; then sh ./network.sh || failed network.sh; fi
wan=$(awk '/^interface /{{i=$2}} /^ description WAN/{{print i; exit}}' frr.conf 2>/dev/null)
if [ -n "$wan" ]; then tc qdisc del dev "$wan" root 2>/dev/null; fi
if grep -q '[^[:space:]]' qos.tc 2>/dev/null; then tc -batch qos.tc || failed qos.tc; fi
exit $rc
"""


def apply_script(layout: Layout) -> str:
    """apply.sh: make the router run the files (used by the driver and the timer): boot.sh,
    then FRR, then the boot unit installed and enabled (where the router has systemd)."""
    q = shlex.quote
    folder = q(str(layout.folder))
    frr = " ".join(
        q(a)
        for a in (
            layout.python,
            layout.frr_reload,
            "--reload",
            "--bindir",
            layout.frr_bindir,
            "--confdir",
            str(layout.frr_confdir),
            "--rundir",
            str(layout.frr_rundir),
            "--vty_socket",
            str(layout.vty_socket),
            "--daemon",
            "",
            str(layout.folder / "frr.conf"),
        )
    )
    unit = ""
    if layout.unit_dir is not None:
        installed = q(str(layout.unit_dir / UNIT))
        unit = (
            f"if [ -s {UNIT} ]; then install -m 0644 {UNIT} {installed} && "
            f"systemctl daemon-reload && systemctl enable --quiet {UNIT} || fail {UNIT}; fi\n"
        )
    return f"""#!/bin/sh
# Managed by rollout: make the router run the files in this folder (boot.sh, FRR, boot unit).
# Run by rollout (push, rollback) and by revert.sh (the revert timer).
PATH={q(layout.path)}; export PATH
cd {folder} || exit 1
fail() {{ echo "applying $1 failed" >&2; exit 1; }}
sh ./boot.sh || fail boot.sh
if [ -s frr.conf ]; then {frr} >&2 || fail frr.conf; fi
{unit}exit 0
"""


def revert_script(layout: Layout) -> str:
    """revert.sh SECONDS: the revert timer, detached on the router by commit."""
    return f"""#!/bin/sh
# Managed by rollout: the revert timer of a commit. After $1 seconds, unless confirmed
# (which kills this process group), the previous files in pending/ are put back and applied.
cd {shlex.quote(str(layout.folder))} || exit 1
sleep "$1"
[ -d pending ] || exit 0
for f in {" ".join(FILES)}; do cp "pending/$f" ".$f.tmp" && mv ".$f.tmp" "$f"; done
sh ./apply.sh > revert.log 2>&1
rm -rf pending revert.pid
date +%s > reverted
"""
