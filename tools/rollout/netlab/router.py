"""The lab's site router as a managed linux_router: render, plan, push (revert timer), confirm."""

from __future__ import annotations

from rollout.drivers.base import Plan, Target
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.netlab.lab import lab_router, rtr_ns
from rollout.render import render_device
from rollout.secrets import Secrets


def driver(inv: Inventory, slug: str) -> LinuxRouterDriver:
    router = lab_router(inv.sites[slug])
    target = Target(router.hostname, Platform.LINUX_ROUTER, rtr_ns(slug), 0, "", "", None, 60)
    return LinuxRouterDriver(target)


def intended(inv: Inventory, slug: str, secrets: Secrets) -> str:
    site = inv.sites[slug]
    return render_device(inv, site, lab_router(site), secrets).text


def plan(inv: Inventory, slug: str, secrets: Secrets) -> tuple[LinuxRouterDriver, Plan]:
    drv = driver(inv, slug)
    drv.connect()
    return drv, drv.plan(drv.running_config(), intended(inv, slug, secrets))


def push(inv: Inventory, slug: str, secrets: Secrets, revert_minutes: int = 5) -> Plan:
    """Plan, commit with the revert timer, check the router runs what was pushed, confirm."""
    drv, the_plan = plan(inv, slug, secrets)
    if not the_plan.changed:
        return the_plan
    drv.commit(the_plan, revert_minutes)
    problems = drv.live_problems()
    if problems:
        return the_plan  # left unconfirmed: the revert timer puts the old files back
    drv.confirm()
    drv.save()
    return the_plan
