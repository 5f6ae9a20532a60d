"""linux_router: FRR (routes, addresses), tc HTB (QoS), nftables (ACLs), the VLAN sub-interfaces
(network.sh), forwarding (sysctl.conf) and the boot unit (rollout-router.service) as one bundle.

Reached over SSH (``rollout.drivers.linux_shell.SshShell``: Netmiko session, host key verified,
the vault's key; commands on exec channels, files over SFTP) as root, since tc and nft need it.
FRR is read through ``vtysh`` and changed with ``frr-reload.py``. Where the files live on the
router is data (``Layout``): ``/etc/rollout`` by default, the Target's folder when it names one
(the network lab: ``/run/rollout/<namespace>/``, FRR's sockets next to the files).

- running_config: the files as one bundle (the form ``rollout render`` writes), followed
  by a ``### live:`` section when the kernel or FRR no longer run what the files say (hand edits,
  lost state), so plan and drift show it and a push puts it right;
- plan: a unified diff per file plus the live differences (pure); the candidate is remembered;
- commit: the previous files are kept in ``pending/`` and the revert timer is started ON THE
  ROUTER (``revert.sh``, detached with setsid, its pid in ``revert.pid``); then the new files
  are written and applied (``apply.sh``: ``boot.sh`` — nftables with ``nft -f`` in a table of
  its own, atomic; forwarding; the VLAN sub-interfaces; tc through ``tc -batch`` after removing
  the root qdisc — then FRR through ``frr-reload.py``, then the boot unit installed and enabled).
  Unless confirmed, the timer puts the previous files back and applies them, also when this
  session is lost;
- at boot, ``rollout-router.service`` runs ``boot.sh``: what the kernel forgets comes back from
  the same files. FRR restores its own: frr-reload.py, given a file other than FRR's own
  frr.conf and no --daemon, ends with ``vtysh write`` ("Make these changes persistent",
  FRRouting tools/frr-reload.py, 8.4.4 as Debian 12 ships it), so FRR's frr.conf holds what
  was pushed. (In the network lab FRR's files are rollout's folder and FRR is not restarted.)
- confirm: stops the revert timer; rollback: applies the given bundle; save: the applied files
  are the startup configuration already (nothing to do).
"""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

from rollout.drivers.base import DeviceError, Pending, Plan, Target
from rollout.drivers.linux_checks import acl_problems, frr_route_problems, kbit, wan_interface
from rollout.drivers.linux_files import (
    APPLY_SECONDS,
    FILES,
    LIVE,
    MARK,
    NFT_TABLE,
    PRODUCTION,
    UNIT,
    Layout,
    apply_script,
    boot_script,
    bundle_plan,
    join_bundle,
    layout_for,
    live_section,
    revert_script,
    split_bundle,
)
from rollout.drivers.linux_shell import NetnsShell, Shell, SshShell
from rollout.drivers.linux_system import subinterface_problems, sysctl_settings

__all__ = [
    "APPLY_SECONDS",
    "FILES",
    "LIVE",
    "MARK",
    "NFT_TABLE",
    "PRODUCTION",
    "UNIT",
    "Layout",
    "LinuxRouterDriver",
    "apply_script",
    "boot_script",
    "bundle_plan",
    "join_bundle",
    "layout_for",
    "live_section",
    "revert_script",
    "split_bundle",
]


class LinuxRouterDriver:
    """One linux_router, through its shell (SSH unless another Shell is given)."""

    def __init__(self, target: Target, shell: Shell | None = None) -> None:
        self.target = target
        self.minute_seconds = target.minute_seconds  # 60 live; the lab's scale in a lab
        self.layout = layout_for(target)
        self.dir = self.layout.folder
        self.shell: Shell = shell if shell is not None else SshShell(target)
        self.ns = shell.namespace if isinstance(shell, NetnsShell) else ""  # the lab's checks
        self._candidate: str | None = None

    # --- transport ---------------------------------------------------------------------------
    def sh(self, step: str, command: str, *, check: bool = True, timeout: float = 0) -> str:
        """A command line in the router's folder, with the layout's PATH, as root.

        A login other than root runs it through ``sudo -n`` (never a password prompt): tc, nft
        and FRR need root; the router's sudoers grants the admin that, and rollout's folder
        belongs to the admin so that files are written over SFTP without it.
        """
        # `;` after cd, not `&&`: a trailing `&` in command must detach that command alone
        line = (
            f"PATH={shlex.quote(self.layout.path)}; export PATH; cd {self._q(self.dir)} || exit 1; "
            + command
        )
        if self.target.username not in ("", "root"):
            line = f"sudo -n sh -c {shlex.quote(line)}"
        return self.shell.run(step, line, check=check, timeout=timeout)

    @staticmethod
    def _q(path: PurePosixPath) -> str:
        return shlex.quote(str(path))

    def vtysh(self, *commands: str, check: bool = True) -> str:
        args = ["vtysh", "--vty_socket", str(self.layout.vty_socket)]
        if self.layout.frr_confdir != PRODUCTION.frr_confdir:
            args += ["--config_dir", str(self.layout.frr_confdir)]
        for c in commands:
            args += ["-c", c]
        return self.sh("vtysh", " ".join(shlex.quote(a) for a in args), check=check)

    def _files(self) -> dict[str, str]:
        return {n: self.shell.read(self.dir / n) or "" for n in FILES}

    # --- Driver protocol ---------------------------------------------------------------------
    def connect(self) -> None:
        answer = self.shell.run("connect", f"test -d {self._q(self.dir)} && echo ok", check=False)
        if answer.strip() != "ok":
            raise DeviceError(
                self.target.name,
                "connect",
                f"the router has no folder {self.dir} for rollout's files",
                f"create it on the router (install -d -m 0755 {self.dir}); in the network lab: "
                "rollout netlab up SITE",
            )

    def close(self) -> None:
        self.shell.close()

    def running_config(self) -> str:
        self.connect()
        files = self._files()
        return join_bundle(files, self.live_problems(files))

    def plan(self, running: str, intended: str) -> Plan:
        self._candidate = intended
        return bundle_plan(self.target.name, running, intended)

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        if not plan.commands:
            return
        if self._candidate is None:
            raise DeviceError(self.target.name, "push", "commit without a plan")
        self._cancel_revert()
        keep = " ".join(FILES)
        self.sh(
            "keep the previous files",
            "rm -rf pending && mkdir pending && "
            f'for f in {keep}; do if [ -f "$f" ]; then cp "$f" pending/; '
            'else : > "pending/$f"; fi; done',
        )
        self._write_scripts()
        seconds = max(1, round(revert_minutes * self.minute_seconds))
        self.sh(
            "start the revert timer",
            f"setsid sh ./revert.sh {seconds} </dev/null >/dev/null 2>&1 & echo $! > revert.pid"
            f" && echo $(( $(date +%s) + {seconds} )) > revert.deadline",
        )
        self._write(split_bundle(self._candidate))
        self._run_apply()

    def confirm(self) -> None:
        self._cancel_revert()
        self.sh("confirm", "rm -rf pending")

    def rollback(self, backup: str) -> None:
        self._cancel_revert()
        self._write(split_bundle(backup))
        self._write_scripts()
        self._run_apply()
        self.sh("rollback", "rm -rf pending")

    def save(self) -> None:
        return None  # the applied files are the startup configuration

    # --- applying ----------------------------------------------------------------------------
    def _write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            self.shell.write(self.dir / name, text)

    def _write_scripts(self) -> None:
        self.shell.write(self.dir / "boot.sh", boot_script(self.layout))
        self.shell.write(self.dir / "apply.sh", apply_script(self.layout))
        self.shell.write(self.dir / "revert.sh", revert_script(self.layout))

    def _run_apply(self) -> None:
        self.sh("apply", "sh ./apply.sh", timeout=max(self.target.timeout, APPLY_SECONDS))

    def _cancel_revert(self) -> None:
        """Stop a running revert timer (its whole process group: the script and its sleep)."""
        self.sh(
            "stop the revert timer",
            'if [ -f revert.pid ]; then kill -TERM -- "-$(cat revert.pid)" 2>/dev/null; '
            "rm -f revert.pid; fi; rm -f revert.deadline; true",
        )

    def pending(self) -> Pending | None:
        """The revert timer commit started: ``revert.pid`` naming a live process, and the
        ``revert.deadline`` (epoch seconds, the router's clock) commit wrote next to it; the
        previous files kept in ``pending/`` with no timer running is unconfirmed as well."""
        out = self.sh(
            "pending",
            'if [ -f revert.pid ] && kill -0 "$(cat revert.pid)" 2>/dev/null; '
            'then echo "timer $(cat revert.deadline 2>/dev/null)"; '
            "elif [ -d pending ]; then echo stranded; else echo none; fi",
        ).split()
        if not out or out[0] == "none":
            return None
        if out[0] == "stranded":
            return Pending(None, "previous files kept in pending/, no revert timer running")
        deadline = float(out[1]) if len(out) > 1 and out[1].isdigit() else None
        return Pending(deadline, "revert.sh running (revert timer)")

    # --- the rollout lock marker (DeviceLocking) ---------------------------------------------
    # A directory in rollout's folder: mkdir(2) creates it or fails when it exists, atomically
    # (POSIX mkdir: "If path names an existing file, mkdir() shall fail"), so of two
    # controllers exactly one makes it; the holder is a file written into it afterwards.
    LOCK = "rollout.lock"

    def take_lock(self, marker: str) -> bool:
        self.connect()
        out = self.sh(
            "lock",
            f"if mkdir {self.LOCK} 2>/dev/null; then "
            f"printf '%s\\n' {shlex.quote(marker)} > {self.LOCK}/holder.tmp && "
            f"mv {self.LOCK}/holder.tmp {self.LOCK}/holder && echo taken; else echo held; fi",
        )
        return out.strip() == "taken"

    def lock_holder(self) -> str | None:
        out = self.sh(
            "read lock",
            f"if [ -f {self.LOCK}/holder ]; then cat {self.LOCK}/holder; "
            f"elif [ -d {self.LOCK} ]; then echo '#torn'; else echo '#none'; fi",
        ).strip()
        return None if out == "#none" else ("" if out == "#torn" else out)

    def release_lock(self) -> None:
        self.sh("unlock", f"rm -rf {self.LOCK}")

    def revert_pending(self) -> bool:
        out = self.sh(
            "read lock",
            'if [ -f revert.pid ] && kill -0 "$(cat revert.pid)" 2>/dev/null; '
            "then echo pending; else echo none; fi",
        )
        return out.strip() == "pending"

    def apply(self) -> None:
        """Make the kernel and FRR run the files in the router's folder."""
        self._write_scripts()
        self._run_apply()

    def live_problems(self, files: dict[str, str] | None = None) -> list[str]:
        """Where the running router differs from its applied files (hand edits, lost state)."""
        files = self._files() if files is None else files
        problems: list[str] = []
        wan = wan_interface(files.get("frr.conf", ""))
        dev = shlex.quote(wan or "lo")
        shown = self.sh(
            "read qos",
            f"tc qdisc show dev {dev}; echo '#-'; tc class show dev {dev}; echo '#-'; "
            f"tc filter show dev {dev}",
            check=False,
        ).split("#-\n")
        qdiscs, classes, filters = [*shown, "", "", ""][:3]
        for line in files.get("qos.tc", "").splitlines():
            words = line.split()
            if line.startswith("qdisc add") and "root" in words and "htb" in words:
                if not re.search(r"qdisc htb 1: root", qdiscs):
                    problems.append(
                        f"QoS: no HTB shaper on {wan} (tc qdisc show: {qdiscs.strip()})"
                    )
            elif line.startswith("class add"):
                classid = words[words.index("classid") + 1]
                rate = words[words.index("rate") + 1]
                found = re.search(rf"class htb {re.escape(classid)} .*?rate (\S+)", classes)
                if not found:
                    problems.append(f"QoS: class {classid} ({rate}) is missing on {wan}")
                elif kbit(found.group(1)) != kbit(rate):
                    problems.append(
                        f"QoS: class {classid} runs at {found.group(1)}, the plan says {rate}"
                    )
            elif line.startswith("filter add") and "dsfield" in words:
                value = words[words.index("dsfield") + 1]
                mask = words[words.index("dsfield") + 2]
                flow = words[words.index("flowid") + 1]
                want = f"{int(value, 16) << 16:08x}/{int(mask, 16) << 16:08x}"
                if want not in filters or f"flowid {flow}" not in filters:
                    problems.append(f"QoS: no filter for dsfield {value} to class {flow} on {wan}")
        if files.get("nftables.conf", "").strip():
            table = self.sh("read nftables", f"nft list table {NFT_TABLE}", check=False)
            problems += acl_problems(files["nftables.conf"], table)
        problems += self._system_problems(files)
        frr = files.get("frr.conf", "")
        if frr.strip():
            routes = self.sh("read routes", "ip route show", check=False)
            for m in re.finditer(r"^ip route (\S+) (\S+)$", frr, re.M):
                prefix = m.group(1)
                shown_prefix = prefix.removesuffix("/32")
                if not re.search(
                    rf"^{re.escape(shown_prefix)} (?:nhid \d+ )?via {re.escape(m.group(2))}",
                    routes,
                    re.M,
                ):
                    problems.append(f"routing: no route to {prefix} via {m.group(2)}")
            running = self.vtysh("show running-config", check=False)
            problems += frr_route_problems(frr, running)
        return problems

    def _system_problems(self, files: dict[str, str]) -> list[str]:
        """Forwarding, the VLAN sub-interfaces and the boot unit against their files."""
        return (
            self._sysctl_problems(files.get("sysctl.conf", ""))
            + self._network_problems(files.get("network.sh", ""))
            + self._unit_problems(files.get(UNIT, ""))
        )

    def _sysctl_problems(self, sysctl: str) -> list[str]:
        settings = sysctl_settings(sysctl)
        if not settings:
            return []
        values = self.sh(
            "read sysctl",
            " ; ".join(f"sysctl -n {shlex.quote(k)} 2>/dev/null || echo '?'" for k in settings),
            check=False,
        ).splitlines()
        values += [""] * (len(settings) - len(values))
        return [
            f"forwarding: {key} is {have.strip() or '?'}, sysctl.conf says {want}"
            for (key, want), have in zip(settings.items(), values, strict=False)
            if have.strip() != want
        ]

    def _network_problems(self, network: str) -> list[str]:
        if not network.strip():
            return []
        shown = self.sh(
            "read interfaces", "ip -o link show; echo '#-'; ip -o -4 addr show", check=False
        )
        links, _, addresses = shown.partition("#-\n")
        return subinterface_problems(network, links, addresses)

    def _unit_problems(self, unit: str) -> list[str]:
        """Where the router has systemd: the unit enabled, the installed copy the applied one."""
        if self.layout.unit_dir is None or not unit.strip():
            return []
        installed = shlex.quote(str(self.layout.unit_dir / UNIT))
        shown = self.sh(
            "read boot unit",
            f'echo "enabled: $(systemctl is-enabled {UNIT} 2>&1)"; '
            f"cmp -s {UNIT} {installed} && echo 'copy: same' || echo 'copy: differs'",
            check=False,
        )
        enabled = re.search(r"^enabled: (.*)$", shown, re.M)
        state = enabled.group(1).strip() if enabled else "?"
        problems = []
        if state != "enabled":
            problems.append(f"boot: {UNIT} is not enabled (systemctl is-enabled: {state})")
        if "copy: same" not in shown:
            problems.append(f"boot: {installed} differs from the applied {UNIT}")
        return problems

    def verify(self) -> None:
        """Verified: the kernel, tc, nftables and FRR run the applied files (live_problems)."""
        problems = self.live_problems()
        if problems:
            raise DeviceError(
                self.target.name,
                "verify",
                f"the router does not run what was pushed: {'; '.join(problems)}",
                "left unconfirmed: the revert timer puts the previous files back; see "
                "`rollout drift` for what differs",
            )
