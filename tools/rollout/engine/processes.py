"""Run groups of sites in separate processes, each returning its result through a pipe.

The site transaction runs in one Ansible worker: its threads share one interpreter, so a
province's planning (hier_config, CPU-bound) uses one core however many the controller has.
``run_groups`` forks one child per group past the first (``os.fork``: the child inherits the
loaded inventory, the imports and the locks the parent took), runs the first group itself, and
collects each child's result (pickled) from its pipe.

Forking a process that has threads (the sessions' readers, the pid watchdog): only the forking
thread exists in the child, so the child must never use an object the parent's threads serve.
The child therefore starts with sessions of its own (``fresh``), keeps a reference to what it
inherited (so that no finaliser closes the parent's channels), and ends with ``os._exit``
(no finaliser, no atexit handler, no flush of the parent's buffers). POSIX ``fork``: "the
child process shall be created with a single thread"; Python ``os.fork``: "only the calling
thread survives in the child" and ``os._exit`` "exit without calling cleanup handlers"
(https://docs.python.org/3/library/os.html#os.fork, #os._exit).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any

MIN_SITES = 8
"""Sites a process is given at least: below two such groups, the sites run as threads in one
process (forking costs more than it saves for a few sites)."""


def groups_of(
    sites: Sequence[str], weight: Callable[[str], int], cpus: int, least: int = MIN_SITES
) -> list[list[str]]:
    """The sites in at most ``cpus`` groups of at least ``least`` sites, heaviest first into
    the lightest group (so the groups carry about the same number of devices)."""
    count = max(1, min(cpus, len(sites) // max(1, least)))
    groups: list[list[str]] = [[] for _ in range(count)]
    load = [0] * count
    for site in sorted(sites, key=lambda s: (-weight(s), s)):
        i = load.index(min(load))
        groups[i].append(site)
        load[i] += weight(site)
    return [g for g in groups if g]


def run_groups(
    groups: Sequence[list[str]],
    run: Callable[[list[str]], Any],
    fresh: Callable[[list[str]], object],
    merge: Callable[[list[str], Any], None],
    lost: Callable[[list[str], str], None],
) -> None:
    """run(group) for every group, the groups past the first in child processes.

    fresh(group) prepares the child's own state (it returns what the child inherited, kept
    alive until it exits); merge(group, result) takes a child's result into the parent; a
    child that ends without one (killed, crashed) gives lost(group, why).
    """
    children: list[tuple[list[str], int, int]] = []
    for group in groups[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its group, its result to the pipe, then gone
            os.close(read)
            status = 1
            try:
                inherited = fresh(group)
                data = pickle.dumps(run(group))
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                del inherited
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        children.append((group, pid, read))
    try:
        if groups:
            run(list(groups[0]))
    finally:
        for group, pid, read in children:
            with os.fdopen(read, "rb") as source:
                data = source.read()
            _, status = os.waitpid(pid, 0)
            if data:
                try:
                    merge(group, pickle.loads(data))
                    continue
                except Exception as exc:  # a truncated result: the group is lost
                    why = f"its result could not be read ({type(exc).__name__})"
            else:
                why = f"it ended without a result (wait status {status})"
            lost(group, f"the process that ran sites {', '.join(group)} failed: {why}")
