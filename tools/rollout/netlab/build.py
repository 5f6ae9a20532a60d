"""The network lab's building blocks: a process started in a namespace, a namespace, a veth
pair, sysctls; each recorded in the state before it is made or right after it starts."""

from __future__ import annotations

from pathlib import Path

from rollout.netlab import ns as nsh
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import NetlabState, Proc


def start(
    state: NetlabState, name: str, ns: str, cmd: list[str], ready: Path | None = None
) -> None:
    log = Path(state.folder) / "logs" / f"{name}.log"
    pid = nsh.spawn(cmd, ns=ns, log=log)
    state.processes.append(Proc(name, pid, ns))
    state.save()
    if ready is not None:
        nsh.wait_for(
            lambda: ready.exists() or not nsh.alive(pid), 15, f"{name} to start (log: {log})"
        )
        if not ready.exists():
            raise NetlabError(f"{name} exited at start", f"see {log}")


def add_ns(state: NetlabState, name: str) -> None:
    state.namespaces.append(name)
    state.save()
    nsh.add_namespace(name)


def veth(a_ns: str, a: str, b_ns: str, b: str) -> None:
    nsh.run(
        ["ip", "link", "add", a, "netns", a_ns, "type", "veth", "peer", "name", b, "netns", b_ns]
    )
    nsh.run(["ip", "link", "set", "dev", a, "up"], ns=a_ns)
    nsh.run(["ip", "link", "set", "dev", b, "up"], ns=b_ns)


def sysctl(ns: str, *settings: str) -> None:
    for s in settings:
        nsh.run(["sysctl", "-qw", s], ns=ns)
