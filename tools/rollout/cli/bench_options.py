"""The options every `rollout bench` command shares: where it works, what it keeps, where its
results go, which repository it copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def run_options(results: str, work_help: str, keep_help: str) -> Callable[[F], F]:
    """``--work``, ``--keep``, ``--json`` (default ``build/<results>``) and ``--repo``."""

    def decorate(func: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--work",
                    type=click.Path(file_okay=False, path_type=Path),
                    default=None,
                    help=work_help,
                ),
                click.option("--keep", is_flag=True, help=keep_help),
                click.option(
                    "--json",
                    "json_out",
                    type=click.Path(dir_okay=False, path_type=Path),
                    default=Path("build") / results,
                    show_default=True,
                    help="Where to write the results.",
                ),
                click.option(
                    "--repo",
                    type=click.Path(file_okay=False, path_type=Path),
                    default=None,
                    help="Repository to copy (default: found from the current folder).",
                ),
            )
        ):
            func = option(func)
        return func

    return decorate
