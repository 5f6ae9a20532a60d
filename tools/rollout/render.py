"""One rendering for the CLI and for Ansible: device intent + template -> configuration text.

A template sees only the fields of its device's typed intent (`rollout.intent`); the
environment is strict (``StrictUndefined``): a name the intent does not have fails the render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import jinja2

from rollout.errors import RolloutError
from rollout.intent import device_intent, template_context
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Platform, Site
from rollout.secrets import Secrets
from rollout.text import ascii_name

TEMPLATES = Path("templates")
SUFFIX = {
    Platform.CISCO_IOS: ".cfg",
    Platform.LINUX_ROUTER: ".conf",
    Platform.POLYCOM: ".api",
    Platform.VMEETING: ".yml",
}


class RenderError(RolloutError):
    pass


@dataclass(frozen=True)
class Rendered:
    site: str
    hostname: str
    platform: Platform
    text: str

    @property
    def filename(self) -> str:
        return f"{self.site}/{self.hostname}{SUFFIX[self.platform]}"


@cache
def environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["ascii"] = ascii_name
    return env


def template_name(device: Device) -> str:
    return f"{device.platform.value}/{device.role.value}.j2"


def render_device(inv: Inventory, site: Site, device: Device, secrets: Secrets) -> Rendered:
    name = template_name(device)
    try:
        template = environment(inv.root).get_template(name)
        intent = device_intent(inv, site, device, secrets)
        text = template.render(template_context(intent))
    except jinja2.TemplateNotFound:
        raise RenderError(
            f"no template {TEMPLATES / name} for {device.hostname}",
            f"add {TEMPLATES / name} or correct the device's platform/role",
        ) from None
    except jinja2.UndefinedError as exc:
        raise RenderError(
            f"{TEMPLATES / name} uses an undefined value while rendering {device.hostname}: "
            f"{exc.message}",
            "define the value in the inventory or correct the template",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"{TEMPLATES / name}:{exc.lineno}: template syntax error: {exc.message}",
            "correct the template",
        ) from None
    return Rendered(site.slug, device.hostname, device.platform, text)


def render_sites(inv: Inventory, slugs: Iterable[str], secrets: Secrets) -> list[Rendered]:
    return [
        render_device(inv, inv.sites[slug], device, secrets)
        for slug in slugs
        for device in inv.sites[slug].devices
    ]


def redacted(items: Iterable[Rendered], secrets: Secrets) -> list[Rendered]:
    """The same files with every vault value replaced (what may be shown or kept on disk)."""
    return [replace(i, text=secrets.redact(i.text)) for i in items]


def write_rendered(items: Iterable[Rendered], out: Path) -> list[Path]:
    """Write files atomically-enough (tmp + rename) so readers never see half a config."""
    written = []
    for item in items:
        path = out / item.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.touch(mode=0o600)
        tmp.write_text(item.text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
