"""Load the province and its sites from the repository into typed models.

Every problem found is collected (not just the first) and carries the file, the line, the
field path and the fix; the caller decides how to show them.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rollout.errors import InvalidInventory, Problem
from rollout.inventory.checks import check_inventory
from rollout.inventory.inventory import Inventory
from rollout.inventory.model import Province, Site
from rollout.inventory.yamlfile import YamlFileError, line_of, read_mapping

PROVINCE_FILE = Path("inventory/province.yml")
SITES_DIR = Path("inventory/sites")
SITE_SUFFIXES = (".yml", ".yaml")

__all__ = [
    "PROVINCE_FILE",
    "SITES_DIR",
    "SITE_SUFFIXES",
    "Inventory",
    "find_root",
    "load_inventory",
    "site_files",
    "validation_problems",
]


def find_root(start: Path | None = None) -> Path | None:
    """The repository root: the nearest folder upwards that holds inventory/province.yml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROVINCE_FILE).is_file():
            return folder
    return None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that the location (as pydantic reports it) points into."""
    cur: Any = model
    for part in loc:
        cur = _unwrap(cur)
        origin = typing.get_origin(cur)
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            if isinstance(part, str) and part in cur.model_fields:
                cur = cur.model_fields[part].annotation
                continue
            return None
        if origin is list and isinstance(part, int):
            cur = typing.get_args(cur)[0]
            continue
        if origin is dict:
            cur = typing.get_args(cur)[1]
            continue
        if origin in (typing.Union, types.UnionType):
            cur = next(
                (
                    arg
                    for arg in typing.get_args(cur)
                    if isinstance(arg, type)
                    and issubclass(arg, BaseModel)
                    and "role" in arg.model_fields
                    and part in typing.get_args(arg.model_fields["role"].annotation)
                ),
                None,
            )
            if cur is None:
                return None
            continue
        return None
    cur = _unwrap(cur)
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def _user_path(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop the discriminator tags pydantic inserts (devices.0.codec.x -> devices.0.x)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and i > 0 and isinstance(loc[i - 1], int):
            parent = _model_at(model, loc[:i])
            if parent is None:
                continue
        out.append(part)
    return tuple(out)


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _fix_for(model: type[BaseModel], err: Any, loc: tuple[str | int, ...]) -> tuple[str, str]:
    kind = err["type"]
    field = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        parent = _model_at(model, err["loc"][:-1])
        fields = parent.model_fields.items() if parent else []
        allowed = sorted(f.alias or name for name, f in fields)  # as the file spells them
        close = difflib.get_close_matches(field, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (
            f"unknown field '{field}'",
            f"{hint}remove it or use one of: {', '.join(allowed)}",
        )
    if kind == "missing":
        return "required field is missing", f"add '{field}' to the file"
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        ctx = err.get("ctx", {})
        tags = ctx.get("expected_tags", "")
        return (
            f"device role {ctx.get('tag', '')!r} is not known"
            if kind == "union_tag_invalid"
            else "device has no 'role'",
            f"set role to one of {tags}",
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind.startswith(("literal_error", "enum")):
        return message, "use one of the allowed values"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{message} (got {err.get('input')!r})", f"give '{field}' a value of that type"
    return message, f"correct '{_dotted(loc)}'"


def validation_problems(
    model: type[BaseModel], exc: ValidationError, display: str, text: str
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = _user_path(model, err["loc"])
        message, fix = _fix_for(model, err, loc)
        problems.append(Problem(display, _dotted(loc), message, fix, line_of(text, loc)))
    return problems


M = typing.TypeVar("M", bound=BaseModel)


def _parse(
    model: type[M], path: Path, display: str, problems: list[Problem]
) -> tuple[M | None, dict[str, Any] | None]:
    try:
        data, text = read_mapping(path, display)
    except YamlFileError as exc:
        problems.append(exc.problem)
        return None, None
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        problems.extend(validation_problems(model, exc, display, text))
        return None, data


def site_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """The site files in inventory/sites, and problems with anything else found there."""
    folder = root / SITES_DIR
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [
            Problem(str(SITES_DIR), "", "the sites folder is missing", "create inventory/sites/")
        ]
    files = []
    stems: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        display = str(entry.relative_to(root))
        if entry.name.startswith("."):
            continue
        if entry.suffix in SITE_SUFFIXES and entry.stem in stems:
            problems.append(
                Problem(
                    display,
                    "",
                    f"site '{entry.stem}' is defined twice (also {stems[entry.stem].name})",
                    "keep one file per site: delete or merge one of them",
                )
            )
        elif entry.suffix in SITE_SUFFIXES:
            stems[entry.stem] = entry
            files.append(entry)
        else:
            kind = "folder" if entry.is_dir() else "file"
            problems.append(
                Problem(
                    display,
                    "",
                    f"unexpected {kind} in inventory/sites (only <slug>.yml site files go here)",
                    "move it elsewhere or rename it to <slug>.yml",
                )
            )
    return files, problems


def load_inventory(root: Path, *, check: bool = True, tolerant: bool = False) -> Inventory:
    """Load and validate the whole province; raise InvalidInventory listing every problem.

    tolerant: a broken site file (or a site breaking a cross-file rule) does not stop the
    others: it goes to ``Inventory.broken`` with its problems, stray files of the sites folder
    to ``Inventory.stray``, and every other site loads. Problems of the province file, or of
    the hub's site file (every site's configuration needs the hub), still raise.
    """
    problems: list[Problem] = []
    province_path = root / PROVINCE_FILE
    province, _ = _parse(Province, province_path, str(PROVINCE_FILE), problems)
    files, found = site_files(root)
    problems.extend(found)
    sites: dict[str, Site] = {}
    paths: dict[str, Path] = {}
    for path in files:
        display = str(path.relative_to(root))
        site, _data = _parse(Site, path, display, problems)
        if site is None:
            continue
        if site.slug != path.stem:
            problems.append(
                Problem(
                    display,
                    "slug",
                    f"slug '{site.slug}' does not match the file name '{path.name}'",
                    f"rename the file to {site.slug}.yml or set slug: {path.stem}",
                    line_of(path.read_text(encoding="utf-8"), ("slug",)),
                )
            )
            continue
        sites[site.slug] = site
        paths[site.slug] = path
    if province is None:
        raise InvalidInventory(problems)
    inventory = Inventory(root, province, dict(sorted(sites.items())), paths)
    if tolerant:
        return _tolerant(inventory, problems, check)
    if check:
        problems.extend(check_inventory(inventory))
    if problems:
        raise InvalidInventory(problems)
    return inventory


def _site_of(problem: Problem) -> str | None:
    """The slug whose site file the problem is about (None: not a site file)."""
    path = Path(problem.file)
    if path.parent == SITES_DIR and path.suffix in SITE_SUFFIXES:
        return path.stem
    return None


def _tolerant(inventory: Inventory, problems: list[Problem], check: bool) -> Inventory:
    """Set the broken sites aside until the rest passes the checks (see load_inventory)."""
    broken: dict[str, list[Problem]] = {}
    stray: list[Problem] = []
    for problem in problems:
        slug = _site_of(problem)
        (broken.setdefault(slug, []) if slug else stray).append(problem)
    sites = {s: v for s, v in inventory.sites.items() if s not in broken}
    hub = inventory.province.hub
    while True:
        current = Inventory(inventory.root, inventory.province, sites, inventory.files)
        found = check_inventory(current) if check else []
        hub_broken = hub in broken or any(_site_of(p) == hub for p in found)
        if hub_broken or any(_site_of(p) is None for p in found):
            everything = [*stray, *(p for ps in broken.values() for p in ps), *found]
            if hub_broken:
                everything.append(
                    Problem(
                        str(PROVINCE_FILE),
                        "hub",
                        f"the hub site '{hub}' has problems; every site's configuration needs it",
                        f"fix inventory/sites/{hub}.yml first (rollout validate {hub})",
                    )
                )
            raise InvalidInventory(everything)
        if not found:
            return Inventory(
                inventory.root,
                inventory.province,
                sites,
                inventory.files,
                {slug: tuple(ps) for slug, ps in sorted(broken.items())},
                tuple(stray),
            )
        for problem in found:
            slug = _site_of(problem)
            assert slug is not None
            broken.setdefault(slug, []).append(problem)
        sites = {s: v for s, v in sites.items() if s not in broken}
