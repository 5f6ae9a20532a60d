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

import difflib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from rollout.drivers.base import DeviceError, Plan, Target
from rollout.drivers.linux_shell import NetnsShell, Shell, SshShell
from rollout.drivers.linux_system import subinterface_problems, sysctl_settings
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


class LinuxRouterDriver:
    """One linux_router, through its shell (SSH unless another Shell is given)."""

    def __init__(
        self, target: Target, minute_seconds: float = 60.0, shell: Shell | None = None
    ) -> None:
        self.target = target
        self.minute_seconds = float(os.environ.get("ROLLOUT_MINUTE_SECONDS", minute_seconds))
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
            f"setsid sh ./revert.sh {seconds} </dev/null >/dev/null 2>&1 & echo $! > revert.pid",
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
            "rm -f revert.pid; fi; true",
        )

    def apply(self) -> None:
        """Make the kernel and FRR run the files in the router's folder."""
        self._write_scripts()
        self._run_apply()

    def live_problems(self, files: dict[str, str] | None = None) -> list[str]:
        """Where the running router differs from its applied files (hand edits, lost state)."""
        files = self._files() if files is None else files
        problems: list[str] = []
        wan = _wan_interface(files.get("frr.conf", ""))
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
                elif _kbit(found.group(1)) != _kbit(rate):
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
            problems += _acl_problems(files["nftables.conf"], table)
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
            problems += _frr_route_problems(frr, running)
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


def _acl_problems(wanted: str, ruleset: str) -> list[str]:
    problems: list[str] = []
    for chain in re.findall(r"^\tchain (\S+) \{", wanted, re.M):
        want_rules = _chain_rules(wanted, chain)
        have_rules = _chain_rules(ruleset, chain)
        if not have_rules and want_rules:
            problems.append(f"ACL: nftables chain {chain} is missing")
        elif len(have_rules) != len(want_rules):
            problems += _added_or_removed(chain, want_rules, have_rules) or [
                f"ACL: nftables chain {chain} has {len(have_rules)} rules, "
                f"the plan has {len(want_rules)}"
            ]
        else:
            for want_rule, have_rule in zip(want_rules, have_rules, strict=True):
                if _verdict(want_rule) != _verdict(have_rule):
                    problems.append(
                        f"ACL: in chain {chain}, '{have_rule}' differs from the plan's "
                        f"'{want_rule}'"
                    )
                    break
    return problems


def _added_or_removed(chain: str, want_rules: list[str], have_rules: list[str]) -> list[str]:
    """The rules added to or removed from a chain by hand, named; [] when it is not only that.

    nft lists a rule in its own words (no `meta l4proto` before a port match, its own order
    of TCP flags): both sides are compared in a common form, and rules are named only when the
    unmatched ones account exactly for the difference in count.
    """
    want_keys = [_rule_key(r) for r in want_rules]
    have_keys = [_rule_key(r) for r in have_rules]
    missing = [r for r, k in zip(want_rules, want_keys, strict=True) if k not in have_keys]
    extra = [r for r, k in zip(have_rules, have_keys, strict=True) if k not in want_keys]
    if len(missing) + len(extra) != abs(len(want_rules) - len(have_rules)):
        return []
    return [f"ACL: chain {chain} lacks the plan's rule '{_shown(r)}'" for r in missing] + [
        f"ACL: chain {chain} has a rule the plan does not: '{_shown(r)}'" for r in extra
    ]


def _rule_key(rule: str) -> str:
    """A rule as written in nftables.conf or as `nft list ruleset` shows it, in one form."""
    text = _shown(rule)
    text = re.sub(r"\bmeta l4proto (tcp|udp) (?=.*\b\1 [sd]port\b)", "", text)
    # nft 1.0.6 (measured here) lists a limit's burst only when it is not the default of 5
    # packets ("limit rate 10/minute"); since "[PATCH nft,v2] limit: display default burst when
    # listing ruleset" (netfilter-devel, 2023-09-19, src/statement.c) nft always lists it
    text = re.sub(r"\b(limit rate \S+) burst 5 packets\b", r"\1", text)
    text = re.sub(
        r"\btcp flags & \(([^)]*)\) != 0",
        lambda m: "tcp flags " + ",".join(sorted(f.strip() for f in m.group(1).split("|"))),
        text,
    )
    text = re.sub(
        r"\btcp flags ([a-z]+(?:,[a-z]+)+)\b",
        lambda m: "tcp flags " + ",".join(sorted(m.group(1).split(","))),
        text,
    )
    return " ".join(text.split())


def _shown(rule: str) -> str:
    """A rule without its handle and its counter's values."""
    text = re.sub(r"\s*# handle \d+$", "", rule)
    return re.sub(r"\bcounter packets \d+ bytes \d+", "counter", text).strip()


def _frr_route_problems(wanted: str, running: str) -> list[str]:
    """Static routes FRR runs against those of frr.conf (a route added or removed in vtysh)."""
    if "ip route" not in wanted and "ip route" not in running:
        return []
    pattern = re.compile(r"^ip route \S+ \S+.*$", re.M)
    want = {m.group(0).strip() for m in pattern.finditer(wanted)}
    have = {m.group(0).strip() for m in pattern.finditer(running)}
    if not running.strip():
        return ["routing: FRR does not answer (vtysh show running-config is empty)"]
    return [f"routing: FRR runs '{r}', frr.conf does not have it" for r in sorted(have - want)] + [
        f"routing: FRR lacks '{r}' of frr.conf" for r in sorted(want - have)
    ]


def _chain_rules(text: str, chain: str) -> list[str]:
    m = re.search(rf"chain {re.escape(chain)} \{{\n(.*?)\n\t\}}", text, re.S)
    if not m:
        return []
    rules = []
    for raw in m.group(1).splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("type "):
            continue
        rules.append(line)
    return rules


def _verdict(rule: str) -> str:
    """What a rule does: its verdict, else `set` or `log` (a log prefix's words are not one)."""
    text = re.sub(r'"[^"]*"', '""', rule)
    for word in ("accept", "drop", "jump", "goto", "reject"):
        if re.search(rf"\b{word}\b", text):
            return word
    if " set " in text:
        return "set"
    return "log" if re.search(r"\blog\b", text) else "?"


def _kbit(value: str) -> int:
    m = re.match(r"([\d.]+)([KMG]?)bit", value, re.I)
    if not m:
        return -1
    scale = {"": 0.001, "k": 1, "m": 1000, "g": 1_000_000}[m.group(2).lower()]
    return round(float(m.group(1)) * scale)


def _wan_interface(frr: str) -> str:
    m = re.search(r"^interface (\S+)\n description WAN", frr, re.M)
    return m.group(1) if m else ""
