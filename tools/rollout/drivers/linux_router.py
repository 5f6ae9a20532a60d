"""linux_router: FRR (routes, addresses), tc HTB (QoS) and nftables (ACLs) as three files.

Transport (first version): ``ip netns exec <namespace>`` on this machine, the namespace being the
Target's ``host``; the router's files live in ``/run/rollout/<namespace>/``. An SSH transport
(sshd in the namespace, ForceCommand) would replace ``_exec`` only.

- running_config: the three applied files as one bundle (the form ``rollout render`` writes);
- plan: a unified diff per file (pure); the candidate is remembered for commit;
- commit: the previous files are kept in ``pending/``, the new ones applied (FRR through
  ``frr-reload.py``, tc through ``tc -batch`` after removing the root qdisc, nftables with
  ``nft -f``, atomic); a background ``sleep N; revert`` process restores them unless confirmed;
- confirm: stops the revert timer; rollback: applies the given bundle; save: the applied files
  are the startup configuration already (nothing to do).
- live_problems: what the kernel and FRR actually run, against the applied files (hand edits).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rollout.drivers.base import DeviceError, Plan, Target
from rollout.inventory.model import Platform

FILES = ("frr.conf", "qos.tc", "nftables.conf")
MARK = "### file: "
RUN = Path("/run/rollout")
FRR_RELOAD = Path("/usr/lib/frr/frr-reload.py")


def split_bundle(text: str) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith(MARK):
            current = files.setdefault(line[len(MARK) :].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "".join(files.get(name, [])) for name in FILES}


def join_bundle(files: dict[str, str]) -> str:
    return "".join(f"{MARK}{name}\n{files.get(name, '')}" for name in FILES)


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
    return Plan(device, Platform.LINUX_ROUTER, tuple(lines), tuple(removed), tuple(added))


class LinuxRouterDriver:
    """One linux_router reached in its network namespace."""

    def __init__(self, target: Target, minute_seconds: float = 60.0) -> None:
        self.target = target
        self.minute_seconds = float(os.environ.get("ROLLOUT_MINUTE_SECONDS", minute_seconds))
        self.ns = target.host
        self.dir = RUN / self.ns
        self._candidate: str | None = None

    # --- transport ---------------------------------------------------------------------------
    def _exec(self, step: str, cmd: list[str], check: bool = True) -> str:
        proc = subprocess.run(
            ["ip", "netns", "exec", self.ns, *cmd],
            capture_output=True,
            text=True,
            check=False,
            timeout=self.target.timeout,
        )
        if check and proc.returncode != 0:
            raise DeviceError(
                self.target.name,
                step,
                f"{' '.join(cmd[:3])}... failed: {(proc.stderr or proc.stdout).strip()[:400]}",
            )
        return proc.stdout

    def vtysh(self, *commands: str) -> str:
        args = ["vtysh", "--vty_socket", str(self.dir), "--config_dir", str(self.dir)]
        for c in commands:
            args += ["-c", c]
        return self._exec("vtysh", args)

    # --- Driver protocol ---------------------------------------------------------------------
    def connect(self) -> None:
        if not self.dir.is_dir() or self.ns not in _namespaces():
            raise DeviceError(
                self.target.name,
                "connect",
                f"no namespace {self.ns} with {self.dir}",
                "start the lab: rollout netlab up SITE",
            )

    def close(self) -> None:
        return None

    def running_config(self) -> str:
        self.connect()
        return join_bundle(
            {n: (self.dir / n).read_text() if (self.dir / n).is_file() else "" for n in FILES}
        )

    def plan(self, running: str, intended: str) -> Plan:
        self._candidate = intended
        return bundle_plan(self.target.name, running, intended)

    def commit(self, plan: Plan, revert_minutes: int) -> None:
        if not plan.commands:
            return
        if self._candidate is None:
            raise DeviceError(self.target.name, "push", "commit without a plan")
        pending = self.dir / "pending"
        shutil.rmtree(pending, ignore_errors=True)
        pending.mkdir()
        for name in FILES:
            src = self.dir / name
            (pending / name).write_text(src.read_text() if src.is_file() else "")
        self._write(split_bundle(self._candidate))
        self.apply()
        seconds = revert_minutes * self.minute_seconds
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rollout.drivers.linux_router",
                "revert-after",
                str(seconds),
                self.ns,
            ],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        (self.dir / "revert.pid").write_text(f"{proc.pid}\n")

    def confirm(self) -> None:
        _cancel_revert(self.dir)
        shutil.rmtree(self.dir / "pending", ignore_errors=True)

    def rollback(self, backup: str) -> None:
        _cancel_revert(self.dir)
        self._write(split_bundle(backup))
        self.apply()
        shutil.rmtree(self.dir / "pending", ignore_errors=True)

    def save(self) -> None:
        return None  # the applied files are the startup configuration

    # --- applying ----------------------------------------------------------------------------
    def _write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            tmp = self.dir / f".{name}.tmp"
            tmp.write_text(text)
            tmp.replace(self.dir / name)

    def apply(self) -> None:
        """Make the kernel and FRR run the files in the router's folder."""
        frr = self.dir / "frr.conf"
        self._exec(
            "apply frr.conf",
            [
                "python3",
                str(FRR_RELOAD),
                "--reload",
                "--bindir",
                "/usr/bin",
                "--confdir",
                str(self.dir),
                "--rundir",
                str(self.dir),
                "--vty_socket",
                str(self.dir),
                "--daemon",
                "",
                str(frr),
            ],
        )
        wan = _wan_interface(frr.read_text())
        if wan:
            self._exec("apply qos.tc", ["tc", "qdisc", "del", "dev", wan, "root"], check=False)
        if (self.dir / "qos.tc").read_text().strip():
            self._exec("apply qos.tc", ["tc", "-batch", str(self.dir / "qos.tc")])
        self._exec("apply nftables.conf", ["nft", "-f", str(self.dir / "nftables.conf")])

    def live_problems(self) -> list[str]:
        """Where the running router differs from its applied files (hand edits, lost state)."""
        files = {n: (self.dir / n).read_text() for n in FILES if (self.dir / n).is_file()}
        problems: list[str] = []
        wan = _wan_interface(files.get("frr.conf", ""))
        qdiscs = self._exec("read qos", ["tc", "qdisc", "show", "dev", wan or "lo"], check=False)
        classes = self._exec("read qos", ["tc", "class", "show", "dev", wan or "lo"], check=False)
        filters = self._exec("read qos", ["tc", "filter", "show", "dev", wan or "lo"], check=False)
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
        ruleset = self._exec("read nftables", ["nft", "list", "ruleset"], check=False)
        for chain in re.findall(r"^\tchain (\S+) \{", files.get("nftables.conf", ""), re.M):
            want_rules = _chain_rules(files["nftables.conf"], chain)
            have_rules = _chain_rules(ruleset, chain)
            if not have_rules and want_rules:
                problems.append(f"ACL: nftables chain {chain} is missing")
            elif len(have_rules) != len(want_rules):
                problems.append(
                    f"ACL: nftables chain {chain} has {len(have_rules)} rules, "
                    f"the plan has {len(want_rules)}"
                )
            else:
                for want_rule, have_rule in zip(want_rules, have_rules, strict=True):
                    if _verdict(want_rule) != _verdict(have_rule):
                        problems.append(
                            f"ACL: in chain {chain}, '{have_rule}' differs from the plan's "
                            f"'{want_rule}'"
                        )
                        break
        routes = self._exec("read routes", ["ip", "route", "show"], check=False)
        for m in re.finditer(r"^ip route (\S+) (\S+)$", files.get("frr.conf", ""), re.M):
            prefix = m.group(1)
            shown = prefix.removesuffix("/32")
            if not re.search(
                rf"^{re.escape(shown)} (?:nhid \d+ )?via {re.escape(m.group(2))}", routes, re.M
            ):
                problems.append(f"routing: no route to {prefix} via {m.group(2)}")
        return problems


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
    for word in ("accept", "drop", "jump", "reject"):
        if re.search(rf"\b{word}\b", rule):
            return word
    return "set" if " set " in rule else "?"


def _kbit(value: str) -> int:
    m = re.match(r"([\d.]+)([KMG]?)bit", value, re.I)
    if not m:
        return -1
    scale = {"": 0.001, "k": 1, "m": 1000, "g": 1_000_000}[m.group(2).lower()]
    return round(float(m.group(1)) * scale)


def _wan_interface(frr: str) -> str:
    m = re.search(r"^interface (\S+)\n description WAN", frr, re.M)
    return m.group(1) if m else ""


def _namespaces() -> list[str]:
    out = subprocess.run(["ip", "-o", "netns", "list"], capture_output=True, text=True, check=False)
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


def _cancel_revert(folder: Path) -> None:
    pid_file = folder / "revert.pid"
    if not pid_file.is_file():
        return
    text = pid_file.read_text().strip()
    pid_file.unlink(missing_ok=True)
    if text.isdigit():
        import signal

        try:
            os.kill(int(text), signal.SIGTERM)
            os.waitpid(int(text), os.WNOHANG)
        except (ProcessLookupError, ChildProcessError):
            pass


def _revert_after(seconds: float, ns: str) -> None:
    """The revert timer: after the delay, put the pending (previous) files back and apply."""
    time.sleep(seconds)
    folder = RUN / ns
    pending = folder / "pending"
    if not pending.is_dir():
        return
    target = Target(ns, Platform.LINUX_ROUTER, ns, 0, "", "", None, 60)
    driver = LinuxRouterDriver(target)
    driver._write({n: (pending / n).read_text() for n in FILES})
    driver.apply()
    shutil.rmtree(pending, ignore_errors=True)
    (folder / "revert.pid").unlink(missing_ok=True)
    (folder / "reverted").write_text(f"{time.time()}\n")


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "revert-after":
    _revert_after(float(sys.argv[2]), sys.argv[3])
