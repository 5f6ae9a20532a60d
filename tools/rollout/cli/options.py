"""Options defined once and shared by the commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

repo_option = click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="ROLLOUT_REPO",
    help="Repository top folder (default: found from the current folder upwards).",
)

history_db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The history's database, kept by `rollout watch` "
    "(default: var/history.sqlite in the repository).",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Tables for people, JSON for machines.",
)


def sites_argument(func: F) -> F:
    func = click.option("--all", "all_sites", is_flag=True, help="Every site of the province.")(
        func
    )
    return click.argument("sites", nargs=-1, metavar="[SITE]...")(func)


def lab_options(func: F) -> F:
    func = click.option(
        "--lab-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="State folder of the lab (default: .lab, or $ROLLOUT_LAB_DIR).",
    )(func)
    return click.option(
        "--lab",
        is_flag=True,
        envvar="ROLLOUT_LAB",
        help="Talk to the lab twin started by `rollout lab up` instead of the real devices.",
    )(func)


def netlab_options(func: F) -> F:
    func = click.option(
        "--netlab-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="State folder of the network lab (default: .netlab, or $ROLLOUT_NETLAB_DIR).",
    )(func)
    return click.option(
        "--netlab",
        is_flag=True,
        help="Reach each site's WAN router as the network lab's linux_router (over its sshd); "
        "with --lab the other devices are the lab twin's, else they are left out.",
    )(func)


@dataclass(frozen=True)
class Where:
    """Which devices a command talks to: the real ones, the lab twin, the network lab's routers."""

    lab: bool = False
    lab_dir: Path | None = None
    netlab: bool = False
    netlab_dir: Path | None = None


def where_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--lab, --lab-dir, --netlab, --netlab-dir, handed to the command as one ``where``."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        lab: bool,
        lab_dir: Path | None,
        netlab: bool,
        netlab_dir: Path | None,
        **kwargs: Any,
    ) -> Any:
        return func(*args, where=Where(lab, lab_dir, netlab, netlab_dir), **kwargs)

    return lab_options(netlab_options(wrapper))


workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 512),
    default=32,
    show_default=True,
    help="Devices handled at once.",
)


MANAGED_ROLES = ("wan_router", "lan_switch", "codec")
"""The roles of the devices rollout talks to (the room client is checked, not managed)."""


def device_options(func: F) -> F:
    """--role ROLE and --device NAME|GLOB (both repeatable): only these devices of the sites."""
    func = click.option(
        "--device",
        "names",
        multiple=True,
        metavar="NAME|GLOB",
        help="Only these devices (a hostname or a glob such as '*-sw01'; repeatable).",
    )(func)
    return click.option(
        "--role",
        "roles",
        multiple=True,
        type=click.Choice(MANAGED_ROLES),
        help="Only devices of this role (repeatable).",
    )(func)
