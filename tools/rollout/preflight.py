"""Live preflight: what makes a run against real devices unsafe, found before any connection.

The lab (``--lab``, ``--netlab``) runs on the committed lab vault, documentation prefixes and
placeholder unit codes by design; a live run must not. Each finding names the file, the field
and the fix. The CLI refuses a live run with any finding (exit 1); ``rollout validate`` lists
them as warnings.

- The vault: a live run needs its own password file in ``$ROLLOUT_VAULT_PASSWORD_FILE`` or
  ``$ANSIBLE_VAULT_PASSWORD_FILE``; the fallback to ansible.cfg's ``vault_password_file`` (the
  committed lab password) and any file holding the lab password are refused.
- Documentation prefixes (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24;
  RFC 3849: 2001:db8::/32) in the province file or the selected sites: placeholders, never a
  real network.
- Sites whose ``placeholders`` still list a field (a stand-in marked in the site file).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from rollout.errors import Problem, RolloutError
from rollout.inventory.loader import Inventory
from rollout.secrets import LAB_PASSWORD_FILE, PASSWORD_ENV, env_password_file

PROVINCE_FILE = "inventory/province.yml"
DOCUMENTATION_NETS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("192.0.2.0/24"), "RFC 5737 TEST-NET-1"),
    (ipaddress.ip_network("198.51.100.0/24"), "RFC 5737 TEST-NET-2"),
    (ipaddress.ip_network("203.0.113.0/24"), "RFC 5737 TEST-NET-3"),
    (ipaddress.ip_network("2001:db8::/32"), "RFC 3849 documentation prefix"),
)


class LiveRunRefused(RolloutError):
    pass


def vault_problems(root: Path, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """The vault a live run would open: not the committed lab one."""
    lab = root / LAB_PASSWORD_FILE
    named = env_password_file(environ)
    if named is None:
        return [
            Problem(
                "ansible.cfg",
                "vault_password_file",
                f"no {PASSWORD_ENV[0]} or {PASSWORD_ENV[1]} is set, so the vault would be "
                f"opened with the committed lab password ({LAB_PASSWORD_FILE})",
                f"set {PASSWORD_ENV[0]} to the production vault's password file (kept out of "
                "the repository), and re-key the vault with it (`ansible-vault rekey`)",
            )
        ]
    var, value = named
    path = value  # as load_secrets reads it (relative to the working folder)
    if _same_file(path, lab) or _same_secret(path, lab):
        return [
            Problem(
                f"${var}",
                var,
                f"{value} is (or holds the same password as) the committed lab password file "
                f"{LAB_PASSWORD_FILE}",
                "point it at the production vault's own password file and re-key the vault "
                "with it (`ansible-vault rekey`)",
            )
        ]
    return []


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _same_secret(a: Path, b: Path) -> bool:
    try:
        return a.read_bytes().strip() == b.read_bytes().strip()
    except OSError:
        return False  # unreadable: load_secrets reports it with its own fix


def documentation_net(text: str) -> str | None:
    """The documentation range text falls in ('RFC 5737 TEST-NET-3'), else None."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    for doc, name in DOCUMENTATION_NETS:
        if net.version == doc.version and net.subnet_of(doc):  # type: ignore[arg-type]
            return name
    return None


def _walk(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a dumped model with its dotted path ('cloud.prefixes[0]')."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def address_problems(inv: Inventory, sites: Iterable[str]) -> list[Problem]:
    """Documentation addresses and prefixes in the province file and the selected sites."""
    sources = [(PROVINCE_FILE, inv.province.model_dump(mode="json"))]
    sources += [(inv.display(slug), inv.sites[slug].model_dump(mode="json")) for slug in sites]
    problems = []
    for file, data in sources:
        for path, text in _walk(data):
            name = documentation_net(text)
            if name:
                problems.append(
                    Problem(
                        file,
                        path,
                        f"{text} is a documentation address ({name}), a stand-in for a real "
                        "network",
                        "replace it with the real address or prefix before a live run",
                    )
                )
    return problems


def placeholder_problems(inv: Inventory, sites: Iterable[str]) -> list[Problem]:
    problems = []
    for slug in sites:
        site = inv.sites[slug]
        for field in site.placeholders:
            problems.append(
                Problem(
                    inv.display(slug),
                    field,
                    f"{field} {getattr(site, field)!r} is a placeholder (marked in the site "
                    "file's placeholders)",
                    f"set the unit's real {field} (the register's: rollout validate checks it) "
                    f"and remove '{field}' from placeholders",
                )
            )
    return problems


def live_problems(root: Path, inv: Inventory, sites: Iterable[str]) -> list[Problem]:
    """Everything that makes a live run on these sites unsafe ([] when none)."""
    chosen = list(sites)
    return [
        *vault_problems(root),
        *address_problems(inv, chosen),
        *placeholder_problems(inv, chosen),
    ]


def require_live_ready(root: Path, inv: Inventory, sites: Iterable[str]) -> None:
    """Raise LiveRunRefused naming every finding; called before any device is contacted."""
    problems = live_problems(root, inv, sites)
    if problems:
        lines = [f"{p.location()}: {p.message} (fix: {p.fix})" for p in problems]
        raise LiveRunRefused(
            f"refused a run against real devices: {len(problems)} live preflight "
            "findings:\n  " + "\n  ".join(lines),
            "fix them, or run against the lab with --lab / --netlab",
        )
