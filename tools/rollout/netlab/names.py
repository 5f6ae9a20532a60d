"""A network lab's names and management addresses, all derived from its lab id.

One machine can hold several labs (a developer's and a test run, or two test runs): every name a
lab makes carries its id, and its management addresses come from a block of its own.

- namespaces: ``rl<id>-hub``, ``rl<id>-wan-<site>``, ``rl<id>-rtr-<site>``, ``rl<id>-lan-<site>``
  (the default id is empty: ``rl-hub``, ``rl-rtr-<site>`` ...);
- this machine's ends of the management links: ``rl<id>-m<site number>``, within the kernel's
  interface name limit (``IFNAMSIZ`` 16 bytes with the terminating NUL: 15 characters,
  include/uapi/linux/if.h);
- the management addresses: a /24 of the benchmarking range 198.18.0.0/15 (RFC 2544
  appendix C.2.2, RFC 6890 section 2.2.2), a /31 per site in it. The default lab has the
  range's first /24; a lab with an id starts at a /24 derived from the id and takes the next
  one no address on this machine's links lies in and no other live lab has claimed
  (``claim_block``: a file per lab in ``/run/rollout/mgmt-blocks/``, written under a lock, so
  that two labs starting at the same time never take the same block).

An id is lower-case base 36 (``a-z``, ``0-9``), at most ``ID_MAX`` characters. An id never holds
``-``, so the first ``-`` of a name ends its lab's prefix: a name belongs to exactly one lab.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.netlab import ns as nsh
from rollout.netlab.ns import PREFIX, NetlabError

BASE = PREFIX
ID_MAX = 4
ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_RE = re.compile(rf"[0-9a-z]{{0,{ID_MAX}}}")
CLAIMS = Path("/run/rollout/mgmt-blocks")  # one file per lab: its block and the claiming pid
IFNAMSIZ = 16  # include/uapi/linux/if.h: names are at most IFNAMSIZ - 1 characters
MGMT_NET = ipaddress.IPv4Network("198.18.0.0/15")
BLOCK_PREFIX = 24
BLOCKS = 1 << (BLOCK_PREFIX - MGMT_NET.prefixlen)  # 512 /24s in the /15
BLOCK_SIZE = 1 << (32 - BLOCK_PREFIX)
MAX_SITES = BLOCK_SIZE // 2 - 1  # /31s in a block; the first one is left unused


def check_id(lab_id: str) -> str:
    if not ID_RE.fullmatch(lab_id):
        raise NetlabError(
            f"lab id {lab_id!r} is not 0-{ID_MAX} characters of a-z and 0-9",
            "give a short id, e.g. --lab-id a7k, or none for the default lab",
        )
    return lab_id


def new_id(length: int = ID_MAX) -> str:
    """A fresh random id (tests: one per run)."""
    return "".join(secrets.choice(ID_CHARS) for _ in range(length))


@dataclass(frozen=True)
class LabNames:
    """Every name of the lab with this id."""

    lab_id: str = ""

    def __post_init__(self) -> None:
        check_id(self.lab_id)

    @property
    def prefix(self) -> str:
        return f"{BASE}{self.lab_id}-"

    @property
    def hub(self) -> str:
        return f"{self.prefix}hub"

    def wan(self, slug: str) -> str:
        return f"{self.prefix}wan-{slug}"

    def rtr(self, slug: str) -> str:
        return f"{self.prefix}rtr-{slug}"

    def lan(self, slug: str) -> str:
        return f"{self.prefix}lan-{slug}"

    def link(self, index: int) -> str:
        """This machine's end of site number index's management link."""
        name = f"{self.prefix}m{index}"
        if len(name) >= IFNAMSIZ:
            raise NetlabError(f"interface name {name} is longer than {IFNAMSIZ - 1} characters")
        return name

    def owns(self, name: str) -> bool:
        """Whether a namespace or link name is this lab's (never another id's)."""
        return name.startswith(self.prefix)


def default_block(lab_id: str) -> int:
    """Where an id's search for a free block starts: block 0 for the default lab, else a block
    from 1 on derived from the id (so that two labs rarely even look at the same block)."""
    if not lab_id:
        return 0
    return 1 + int(lab_id, 36) % (BLOCKS - 1)


def block(number: int) -> ipaddress.IPv4Network:
    base = MGMT_NET.network_address + number * BLOCK_SIZE
    return ipaddress.IPv4Network(f"{base}/{BLOCK_PREFIX}")


def free_block(lab_id: str, in_use: Iterable[str]) -> ipaddress.IPv4Network:
    """The lab's management block: its default one if no address in use lies in it, else the
    next free one; the default lab (empty id) has block 0 or none."""
    used = {ipaddress.IPv4Address(a.split("/")[0]) for a in in_use}
    start = default_block(lab_id)
    others = BLOCKS - 1
    tries = [start] if not lab_id else [1 + (start - 1 + k) % others for k in range(others)]
    for number in tries:
        candidate = block(number)
        if not any(a in candidate for a in used):
            return candidate
    where = f"{block(start)}" if not lab_id else f"every /{BLOCK_PREFIX} of {MGMT_NET}"
    raise NetlabError(
        f"no free management block: addresses on this machine's links lie in {where}",
        "take the other lab down (rollout netlab down --netlab-dir ITS_FOLDER)",
    )


def mgmt_addresses(mgmt_block: str, index: int) -> tuple[str, str]:
    """This machine's and the router's address on site index's /31 of the lab's block."""
    net = ipaddress.IPv4Network(mgmt_block)
    base = net.network_address + 2 * index
    if index < 1 or base + 1 not in net:
        raise NetlabError(
            f"no management address left for site number {index} in {net}",
            f"bring up at most {MAX_SITES} sites in one lab",
        )
    return str(base), str(base + 1)


def claim_file(names: LabNames) -> Path:
    return CLAIMS / names.prefix.rstrip("-")


def _live_claims(own: Path) -> list[str]:
    """Blocks other labs hold: their claim's process still runs (the lab is being built) or
    their namespaces or links exist (it is up); a crashed lab's claim is ignored."""
    present = [*nsh.namespaces(), *nsh.links()]
    held = []
    for path in CLAIMS.iterdir():
        if path == own or not path.name.startswith(BASE) or not path.is_file():
            continue
        fields = path.read_text(encoding="ascii", errors="replace").split()
        if len(fields) != 2 or not fields[1].isdigit():
            continue
        block_text, pid = fields
        if nsh.alive(int(pid)) or any(n.startswith(f"{path.name}-") for n in present):
            held.append(block_text)
    return held


def claim_block(names: LabNames) -> ipaddress.IPv4Network:
    """The lab's management block, free on this machine and claimed for it until its down."""
    CLAIMS.mkdir(parents=True, exist_ok=True)
    own = claim_file(names)
    with (CLAIMS / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        chosen = free_block(names.lab_id, [*nsh.addresses(), *_live_claims(own)])
        own.write_text(f"{chosen} {os.getpid()}\n", encoding="ascii")
    return chosen
