"""The lab's site router as a managed linux_router: plan and push through the engine's steps.

``plan`` and ``push`` go the way every rollout goes: the engine's step functions (audit lines,
the commit safety order) over the router's sshd (Netmiko, host key in the netlab's
known_hosts, the vault's admin key). ``driver`` reaches the router through its
namespace instead, for the lab's own checks (``rollout verify``), which hold no vault key.

A namespace has no systemd: ``boot`` runs the router's ``boot.sh`` the way its
``rollout-router.service`` does (``/bin/sh <folder>/boot.sh``, from no particular folder), and
``forget`` takes from the namespace what a reboot takes from a router (nftables, the tc plan,
the VLAN sub-interfaces, forwarding), so that a test can prove the boot restores it.
"""

from __future__ import annotations

from pathlib import Path

from rollout.backups import BackupStore
from rollout.drivers.base import Plan, Target
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.drivers.linux_shell import NetnsShell
from rollout.drivers.linux_system import SUBIF
from rollout.engine import steps
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform, Role
from rollout.netlab import ns as nsh
from rollout.netlab.access import lab_router, router_target
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import ROUTER_RUN
from rollout.netlab.state import NetlabState as LabState
from rollout.render import render_device
from rollout.secrets import Secrets
from rollout.targets import Managed


def driver(inv: Inventory, state: LabState, slug: str) -> LinuxRouterDriver:
    """The router through `ip netns exec` (this machine, root): for the lab's own checks."""
    router = lab_router(inv.sites[slug])
    ns = state.names.rtr(slug)
    target = Target(
        router.hostname, Platform.LINUX_ROUTER, ns, 0, "", "", None, 60, folder=str(ROUTER_RUN / ns)
    )
    return LinuxRouterDriver(target, shell=NetnsShell(target, ns))


def managed(inv: Inventory, folder: Path, slug: str, secrets: Secrets) -> Managed:
    """The site's lab router as a managed device, reached the way `rollout site --netlab` does."""
    from rollout.targets import managed_devices

    return next(
        m
        for m in managed_devices(inv, [slug], secrets, netlab=folder)
        if m.device.role is Role.WAN_ROUTER
    )


def ssh_driver(inv: Inventory, folder: Path, slug: str, secrets: Secrets) -> LinuxRouterDriver:
    """The router through its sshd, as `rollout site|plan|drift --netlab` reach it."""
    state = LabState.read(folder)
    if state is None:
        raise NetlabError(
            f"no network lab is up (no state in {folder})", f"start it: rollout netlab up {slug}"
        )
    return LinuxRouterDriver(router_target(inv, state, slug, secrets))


def intended(inv: Inventory, slug: str, secrets: Secrets) -> str:
    site = inv.sites[slug]
    return render_device(inv, site, lab_router(site), secrets).text


def plan(inv: Inventory, folder: Path, slug: str, secrets: Secrets) -> Plan:
    """The engine's plan step (read, plan, audit line)."""
    return steps.plan_one(inv, secrets, managed(inv, folder, slug, secrets))


def push(
    inv: Inventory, folder: Path, slug: str, secrets: Secrets, revert_minutes: int = 5
) -> Plan:
    """The engine's steps in the commit safety order: backup, push with the revert timer,
    verify, confirm, save. Nothing to change: nothing is backed up or sent.

    A verify that fails raises its DeviceError and leaves the push unconfirmed: the router's
    revert timer puts the previous files back.
    """
    m = managed(inv, folder, slug, secrets)
    planned = steps.plan_one(inv, secrets, m)
    if not planned.changed:
        return planned
    store = BackupStore(inv.root)
    steps.backup_one(store, store.new_set(slug), secrets, m)
    the_plan = steps.push_one(inv, secrets, m, revert_minutes)
    if the_plan.changed:
        steps.verify_one(inv, secrets, m)
        steps.confirm_one(m)
        steps.save_one(m)
    return the_plan


def boot(state: LabState, slug: str) -> str:
    """Run the router's boot.sh as its systemd unit would (ExecStart=/bin/sh .../boot.sh)."""
    ns = state.names.rtr(slug)
    return nsh.run(["/bin/sh", str(ROUTER_RUN / ns / "boot.sh")], ns=ns)


def forget(inv: Inventory, state: LabState, slug: str) -> list[str]:
    """What a reboot loses, taken from the router's namespace; the commands run, in order."""
    ns = state.names.rtr(slug)
    router = lab_router(inv.sites[slug])
    done = [
        ["nft", "flush", "ruleset"],
        ["tc", "qdisc", "del", "dev", router.wan_interface, "root"],
    ]
    network = ROUTER_RUN / ns / "network.sh"
    text = network.read_text(encoding="utf-8") if network.is_file() else ""
    done += [["ip", "link", "del", "dev", m.group(3)] for m in SUBIF.finditer(text)]
    done.append(["sysctl", "-qw", "net.ipv4.ip_forward=0"])
    for cmd in done:
        nsh.run(cmd, ns=ns, check=False)
    return [" ".join(c) for c in done]
