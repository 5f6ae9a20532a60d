"""Exit codes, error display and output formats shared by every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import click

from rollout.errors import InvalidInventory, RolloutError


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2


LEFT_OUT = "rollout.left_out"
"""Key of the click context's meta: what the command left out (rollout.scope.LeftOut)."""
SHOWN = "rollout.left_out_shown"


class RolloutGroup(click.Group):
    """A click group whose usage errors exit 1 (2 means 'changes found') and never trace back."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(Exit.ERROR)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(Exit.ERROR)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(Exit.ERROR)
        sys.exit(rv if isinstance(rv, int) else Exit.OK)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; when it left sites or devices out, say which and why, exit 1."""
        try:
            rv = super().invoke(ctx)
        finally:
            _show_left_out(ctx)
        return int(Exit.ERROR) if ctx.meta.get(LEFT_OUT) else rv


def _show_left_out(ctx: click.Context) -> None:
    """What the command left out, on stderr (unless its JSON already carries it)."""
    left = ctx.meta.get(LEFT_OUT) or []
    if not left or ctx.meta.get(SHOWN):
        return
    from rollout.scope import report_lines

    for line in report_lines(left):
        click.secho(line, fg="yellow", err=True)
    sites = len({x.site for x in left})
    click.secho(
        f"the selection was not covered: {sites} site{'s' if sites != 1 else ''} left out "
        f"in whole or in part (above): exit {int(Exit.ERROR)}",
        fg="yellow",
        err=True,
    )


def fail(error: RolloutError, fmt: str = "table") -> NoReturn:
    """Print an error for people (stderr) or machines (JSON on stdout) and exit 1.

    Everything printed passes through the redaction layer (vault values never shown).
    """
    from rollout.secrets import redact

    if not isinstance(error, InvalidInventory):
        error = RolloutError(redact(error.message), redact(error.fix))
    if fmt == "json":
        problems = error.problems if isinstance(error, InvalidInventory) else []
        payload: dict[str, Any] = {"ok": False, "error": error.message, "fix": error.fix}
        if problems:
            payload["problems"] = [p.as_dict() for p in problems]
        click.echo(redact(json.dumps(payload, ensure_ascii=False, indent=2)))
    elif isinstance(error, InvalidInventory):
        for problem in error.problems:
            click.secho(f"error: {problem.location()}: ", fg="red", err=True, nl=False)
            click.echo(problem.message, err=True)
            if problem.fix:
                click.echo(f"  fix: {problem.fix}", err=True)
        click.secho(f"{error.message}; nothing was changed.", fg="red", err=True)
    else:
        click.secho(f"error: {error.message}", fg="red", err=True)
        if error.fix:
            click.echo(f"  fix: {error.fix}", err=True)
    raise SystemExit(Exit.ERROR)


def repo_root(option: Path | None) -> Path:
    from rollout.inventory.loader import PROVINCE_FILE, find_root

    if option is not None:
        if not (option / PROVINCE_FILE).is_file():
            raise RolloutError(
                f"{option} is not a rollout repository (no {PROVINCE_FILE})",
                "pass --repo pointing at the repository's top folder",
            )
        return option.resolve()
    root = find_root()
    if root is None:
        raise RolloutError(
            f"no rollout repository here (no {PROVINCE_FILE} in this folder or above)",
            "run the command inside the repository or pass --repo PATH",
        )
    return root


def emit_json(payload: Any) -> None:
    """Print JSON (redacted). A command that selects sites gets a ``left_out`` list added."""
    from rollout.secrets import redact

    context = click.get_current_context(silent=True)
    if context is not None and isinstance(payload, dict) and LEFT_OUT in context.meta:
        payload = {**payload, "left_out": [x.as_dict() for x in context.meta[LEFT_OUT]]}
        context.meta[SHOWN] = True
    click.echo(redact(json.dumps(payload, ensure_ascii=False, indent=2, default=str)))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from rollout.secrets import redact

    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*(redact(str(c)) for c in row))
    # Piped or redirected, rich would wrap at 80 columns: keep every row on one line instead.
    Console(width=None if sys.stdout.isatty() else 1000).print(out)
