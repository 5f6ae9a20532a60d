"""`rollout netlab up|status|down`: the conference path of sites in network namespaces.

Names (``rollout.netlab.names``): every namespace and link name carries the lab's id, stored in
``state.json``; the default id is empty (the names below), a lab with id ``a7k`` has ``rla7k-hub``,
``rla7k-rtr-<site>`` ... Several labs can be up on one machine, each in its own state folder.

Per lab:   ``rl-hub``  the hub's services (kamailio registrar/proxy over the province's SIP
           transport, sipp as MCU with RTP echo on a port of the MCU's media range, probe
           responder and flood sink at the MCU address, the cloud-service stand-in) and the NOC
           side (NTP servers answering at the province's NTP addresses, the syslog and SNMP
           managers' addresses, one host in every NOC prefix).
Per site:  ``rl-wan-<site>`` the provider: a userspace WAN element (weather) and tbf (rate);
           ``rl-rtr-<site>`` the site router, a ``linux_router`` (FRR, tc HTB, nftables) rendered
           from the site's intent; ``rl-lan-<site>`` the site's hosts: on the conference VLAN the
           codec's address (with a sipp endpoint) and the room client's, on the management VLAN
           the switch's management address. The router's VLAN sub-interfaces, and with them the
           hosts' links, come with its first push (its network.sh, through the lab's
           network.local: ``rollout.netlab.vlanlinks``), as forwarding does (its sysctl.conf): a
           router at day 0 has neither.

Management: each site router has an ``sshd`` of its own (our config, host key and pid file in
``<state>/sshd/<site>/``, public-key login only, authorized keys in
``/run/rollout/sshd[-<id>]/``) listening on ``mgmt0``, one end of a veth pair
whose other end ``rl-m<index>`` is in this machine's namespace; a /31 per site from the lab's
/24 of the benchmarking range 198.18.0.0/15. Neither end forwards: the router keeps the /31 in
a table of its own used only by its own management address. The admin key is the vault's
(``credentials: linux_router_admin_key``); the netlab serves its public half and records each
router's host key in ``<state>/known_hosts``, so ``rollout ... --netlab`` verifies it.

Every name and pid goes into ``state.json`` before it is made or right after it starts, so
``down`` finds everything even after a crash. Once the sites are up, the lab writes where rollout
reaches each router into ``endpoints.json`` (``rollout.netlab.access``), with the lab's device
minute. The state is ``rollout.netlab.state``; the hub, the sites and the management links are
built by ``rollout.netlab.hub``, ``.sites`` and ``.mgmt``.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rollout.credentials import admin_key
from rollout.inventory.loader import Inventory
from rollout.netlab import faults
from rollout.netlab import ns as nsh
from rollout.netlab.access import lab_router, publish_endpoints, router_target
from rollout.netlab.hub import (
    CLOUD_PORT,
    NTP_PORT,
    mcu_udp_ports,
    noc_hosts,
    start_hubview,
    up_hub,
)
from rollout.netlab.mgmt import authorize, sshd_config, up_mgmt
from rollout.netlab.names import LabNames, check_id, claim_block, claim_file
from rollout.netlab.ns import NetlabError
from rollout.netlab.sites import router_addresses, start_wan, switch_address, up_site
from rollout.netlab.state import (
    KNOWN_HOSTS,
    ROUTER_RUN,
    SSHD_DIR,
    STATE,
    NetlabState,
    lab_minute_seconds,
    set_weather,
    weather_file,
)
from rollout.secrets import Secrets

__all__ = [
    "CLOUD_PORT",
    "NTP_PORT",
    "ROUTER_RUN",
    "NetlabState",
    "down",
    "lab_router",
    "mcu_udp_ports",
    "namespaces_in_use",
    "noc_hosts",
    "router_addresses",
    "router_target",
    "set_weather",
    "sshd_config",
    "status",
    "switch_address",
    "up",
    "weather_file",
]

BINARIES = (
    "ip",
    "tc",
    "nft",
    "vtysh",
    "/usr/lib/frr/zebra",
    "/usr/lib/frr/staticd",
    "kamailio",
    "sipp",
    "/usr/sbin/sshd",
    "ssh-keygen",
)


def up(
    inv: Inventory,
    slugs: list[str],
    folder: Path,
    weather: str = "clear",
    secrets: Secrets | None = None,
    lab_id: str = "",
    minute_seconds: float | None = None,
) -> NetlabState:
    """Build the lab with this id (names: rollout.netlab.names) for the sites, in folder.

    minute_seconds: a device minute for the routers' revert timers (default: the lab's scale,
    $ROLLOUT_MINUTE_SECONDS, else 60 s); it goes into the endpoints the lab publishes.
    """
    minute = lab_minute_seconds() if minute_seconds is None else minute_seconds
    names = LabNames(check_id(lab_id))
    nsh.require_root()
    nsh.require_binaries(BINARIES)
    if secrets is None:
        from rollout.secrets import load_secrets

        secrets = load_secrets(inv.root)
    from rollout.drivers.keys import public_line

    key = admin_key(inv, secrets)
    try:
        admin = public_line(key, "rollout-netlab-admin")
    except Exception:  # never let a parser quote the key
        raise NetlabError(
            "the linux_router admin key in the vault is not an ed25519 private key",
            "put an unencrypted OpenSSH ed25519 key (ssh-keygen -t ed25519 -N '') in the vault",
        ) from None
    if NetlabState.read(folder) is not None:
        raise NetlabError(f"a network lab is already up (state in {folder})", "rollout netlab down")
    stale = [n for n in [*nsh.namespaces(), *nsh.links()] if names.owns(n)]
    if stale:
        option = f" --lab-id {lab_id}" if lab_id else ""
        raise NetlabError(
            f"namespaces or links of lab {lab_id or '(default)'} exist without a state file "
            f"in {folder}: {', '.join(stale)}",
            f"if no one uses that lab, remove them: rollout netlab down --force{option}",
        )
    mgmt_block = claim_block(names)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    state = NetlabState(
        folder=str(folder.resolve()),
        lab_id=lab_id,
        mgmt_block=str(mgmt_block),
        minute_seconds=minute,
    )
    state.save()
    try:
        authorize(state, admin)
        up_hub(inv, state)
        for index, slug in enumerate(slugs, start=1):
            up_site(inv, state, inv.sites[slug], index)
            up_mgmt(state, slug, index)
            set_weather(inv, state, slug, weather)
            start_wan(state, inv.sites[slug], index)
        publish_endpoints(inv, state)
        start_hubview(state)
    except BaseException:
        down(folder)
        raise
    return state


def namespaces_in_use(lab_id: str | None = None) -> list[str]:
    """Lab namespaces on this machine: every lab's, or only the lab with this id's."""
    if lab_id is None:
        return [n for n in nsh.namespaces() if n.startswith(nsh.PREFIX)]
    names = LabNames(lab_id)
    return [n for n in nsh.namespaces() if names.owns(n)]


def status(folder: Path) -> dict[str, Any]:
    state = NetlabState.read(folder)
    if state is None:
        return {"up": False, "folder": str(folder)}
    present = set(nsh.namespaces())
    return {
        "up": True,
        "folder": state.folder,
        "lab_id": state.lab_id,
        "mgmt_block": state.mgmt_block,
        "namespaces": {n: n in present for n in state.namespaces},
        "processes": {p.name: nsh.alive(p.pid) for p in state.processes},
        "sites": {k: asdict(v) for k, v in state.sites.items()},
        "faults": [f.as_dict() for f in faults.active(state)],
    }


def down(folder: Path, force: bool = False, lab_id: str = "") -> list[str]:
    """Stop every process, remove every namespace and file the lab made; returns what it did.

    With force, also the namespaces and links named for the lab's id (the state's, else
    lab_id) that the state does not list: never another lab's."""
    done: list[str] = []
    state = NetlabState.read(folder)
    names = LabNames(check_id(state.lab_id if state is not None else lab_id))
    spaces: list[str] = []
    if state is not None:
        for proc in reversed(state.processes):
            if nsh.alive(proc.pid):
                nsh.kill(proc.pid)
                done.append(f"stopped {proc.name} ({proc.pid})")
        for path in state.paths:
            revert = Path(path) / "revert.pid"
            if revert.is_file():
                pid = int(revert.read_text().strip() or 0)
                if pid and nsh.alive(pid):
                    nsh.kill(pid)
                    done.append(f"stopped a revert timer ({pid})")
        spaces = list(reversed(state.namespaces))
    if force:
        spaces += [n for n in nsh.namespaces() if names.owns(n) and n not in spaces]
    for name in spaces:
        if name in nsh.namespaces():
            nsh.delete_namespace(name)
            done.append(f"removed namespace {name}")
    links = state.links if state is not None else []
    if force:
        links = [*links, *(n for n in nsh.links() if names.owns(n))]
    for link in dict.fromkeys(links):
        if link in nsh.links():  # gone with its namespace, unless the crash came in between
            nsh.run(["ip", "link", "del", link], check=False)
            done.append(f"removed link {link}")
    if state is not None:
        for path in state.paths:
            if Path(path).exists():
                shutil.rmtree(path, ignore_errors=True)
                done.append(f"removed {path}")
    if state is not None or force:
        claim_file(names).unlink(missing_ok=True)  # its management block is free again
    if folder.exists() and (state is not None or force):
        for child in folder.iterdir():
            if child.name in (
                STATE,
                "logs",
                "kamailio",
                "kamailio.cfg",
                SSHD_DIR,
                KNOWN_HOSTS,
            ) or child.suffix in (
                ".json",
                ".ready",
                ".tmp",
                ".xml",
                ".log",
            ):
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        done.append(f"removed the lab's files in {folder}")
    return done
