"""Run one of the package's TextFSM templates over device output."""

from __future__ import annotations

import io
from importlib import resources

from rollout.errors import RolloutError


def parse_records(template: str, text: str) -> list[dict[str, str]]:
    """Records of ``templates/<template>.textfsm`` over ``text``, one dict per record.

    Keys are the template's value names in lower case; values are strings ('' when the
    output did not print the field).
    """
    import textfsm

    source = resources.files("rollout.parsers").joinpath("templates", f"{template}.textfsm")
    try:
        fsm = textfsm.TextFSM(io.StringIO(source.read_text(encoding="utf-8")))
        rows = fsm.ParseText(text)
    except (textfsm.TextFSMError, textfsm.TextFSMTemplateError) as exc:
        raise RolloutError(
            f"the TextFSM template {template} could not read the device output: {exc}",
            "save the output (rollout lab send / a session log) and extend the template",
        ) from None
    names = [name.lower() for name in fsm.header]
    return [dict(zip(names, row, strict=True)) for row in rows]
