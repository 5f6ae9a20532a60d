"""A synthetic province for the benchmark: N sites cloned from the pilot by the real allocator.

Each site is built by `rollout.inventory.newsite.build_site` (the same code as
`rollout new-site`: identities from the slug, addresses from the allocator: the lowest free
range of each pool), validated as a `Site`, and written next to the others. Two things make
thousands of sites take seconds instead of minutes: the allocator's index of used ranges
(`UsedRanges`) is kept and extended site by site (`rollout new-site` rebuilds it from every
site file, O(n) per site), and the whole province is validated once at the end
(`load_inventory`: overlaps, codes, budgets) instead of once per site.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Site, contract_for_kbps

COPIED = ("inventory", "templates", "ansible.cfg", "plugins", "playbooks", "roles")
PILOT = "bao-thang"
MAX_SITES = 3300
"""Communes of the country, roughly: 5-digit codes from 20000 leave room for all of them."""


@dataclass(frozen=True)
class Province:
    root: Path
    sites: list[str]
    seconds: float


def copy_repo(source: Path, target: Path) -> Path:
    """What rollout and Ansible read, copied into target (the source is never written)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, target / name)
    return target


def synthetic_slug(n: int) -> str:
    return f"bench-{n:04d}"


def generate(source: Path, target: Path, sites: int, *, keep_existing: bool = False) -> Province:
    """Copy source to target and add `sites` commune sites cloned from the pilot.

    Unless keep_existing, the districts and the hub stay (they are part of the province) but
    the synthetic sites are the only new ones; the returned list names only the new sites.
    """
    import time

    from rollout.inventory.allocate import UsedRanges, used_networks
    from rollout.inventory.loader import SITES_DIR, Inventory, load_inventory
    from rollout.inventory.model import Level
    from rollout.inventory.newsite import NewSiteRequest, build_site, dump_site

    if not 1 <= sites <= MAX_SITES:
        raise RolloutError(f"--sites must be within 1..{MAX_SITES}, not {sites}")
    start = time.monotonic()
    root = copy_repo(source, target)
    inv = load_inventory(root)
    if PILOT not in inv.sites:
        raise RolloutError(f"the pilot site {PILOT} is missing from {source}")
    all_sites = dict(inv.sites)
    files = dict(inv.files)
    names: list[str] = []
    used = UsedRanges(used_networks(inv))
    codes = {s.code for s in all_sites.values()}
    code = 20000
    for n in range(1, sites + 1):
        slug = synthetic_slug(n)
        while str(code) in codes:
            code += 1
        req = NewSiteRequest(
            slug=slug,
            source=PILOT,
            name=f"Xã Thử {n:04d}",
            code=str(code),
            level=Level.COMMUNE,
            wan_rate_kbps=6000,
            video_calls=1,
        )
        code += 1
        view = Inventory(root, inv.province, all_sites, files)
        data, addr = build_site(view, req, used=used)
        used.mark_site(addr)
        site = Site.model_validate(data)
        path = root / SITES_DIR / f"{slug}.yml"
        path.write_text(dump_site(data, PILOT), encoding="utf-8")
        all_sites[slug] = site
        files[slug] = path
        names.append(slug)
    _size_hub(root, inv, all_sites.values())
    load_inventory(root)  # the whole province, checked once: overlaps, codes, budgets
    return Province(root, names, time.monotonic() - start)


def _size_hub(root: Path, inv: Inventory, sites: Iterable[Site]) -> None:
    """The synthetic province's hub sized for its calls (capacity is a province rule: the MCU's
    licensed ports and the hub's WAN video class must hold every site's calls at once)."""
    import yaml

    from rollout.inventory.loader import PROVINCE_FILE

    p = inv.province
    video = next(c for c in p.qos.classes if c.name == p.qos.video_class)
    calling = [s for s in sites if s.slug != p.hub]
    calls = sum(s.conference.simultaneous_video_calls for s in calling)
    kbps = sum(s.conference.simultaneous_video_calls * s.conference.call_rate_kbps for s in calling)
    hub_calls = inv.hub.conference.simultaneous_video_calls
    province = yaml.safe_load((root / PROVINCE_FILE).read_text(encoding="utf-8"))
    province["units"] = "synthetic"  # invented units: not checked against the official register
    for service in province["services"].values():
        if service.get("kind") == "mcu":
            service["video_ports"] = max(service.get("video_ports", 0), calls + hub_calls)
    (root / PROVINCE_FILE).write_text(
        yaml.safe_dump(province, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    hub_file = inv.files[p.hub]
    hub = yaml.safe_load(hub_file.read_text(encoding="utf-8"))
    rate = contract_for_kbps(round(kbps * p.qos.call_overhead), video.percent, p.qos.shape_percent)
    hub["wan"]["rate_kbps"] = max(hub["wan"]["rate_kbps"], rate)
    hub["wan"]["port_kbps"] = max(hub["wan"]["port_kbps"], hub["wan"]["rate_kbps"])
    hub_file.write_text(yaml.safe_dump(hub, allow_unicode=True, sort_keys=False), encoding="utf-8")
