"""The Netmiko side of the Group Series API: its prompt and a connection class.

The API prompt is ``-> `` (gs-avispl, docs/codec.md); there is no paging, no enable and no
configuration mode, so every command is sent with `send_command`.
"""

from __future__ import annotations

import importlib
from typing import Any

from netmiko.base_connection import BaseConnection
from netmiko.no_config import NoConfig
from netmiko.no_enable import NoEnable

__all__ = ["DEVICE_TYPE", "PROMPT", "PROMPT_PATTERN", "PolycomGroupSeriesSSH", "register"]

DEVICE_TYPE = "polycom_group_series"
PROMPT = "->"
PROMPT_PATTERN = r"->"
"""The API prompt is ``-> ``; Netmiko strips the trailing space."""


class PolycomGroupSeriesSSH(NoEnable, NoConfig, BaseConnection):
    """Netmiko session with the Group Series API over SSH (``-> `` prompt, no paging, no modes).

    Every setting is changed by a plain command at the prompt, so there is no configuration
    mode: `check_config_mode` is False and configuration goes through `send_command`.
    """

    def session_preparation(self) -> None:
        # The session opens with the whoami block, then the prompt.
        self._test_channel_read(pattern=PROMPT_PATTERN)
        self.set_base_prompt()

    def set_base_prompt(
        self,
        pri_prompt_terminator: str = PROMPT,
        alt_prompt_terminator: str = "",
        delay_factor: float = 1.0,
        pattern: str | None = None,
    ) -> str:
        prompt = self.find_prompt(delay_factor=delay_factor, pattern=pattern or PROMPT_PATTERN)
        if not prompt.endswith(pri_prompt_terminator):
            raise ValueError(f"Polycom API prompt not found: {prompt!r}")
        # The prompt has no hostname part: the whole "->" is the base prompt.
        self.base_prompt = pri_prompt_terminator
        return self.base_prompt

    def check_config_mode(
        self, check_string: str = "", pattern: str = "", force_regex: bool = False
    ) -> bool:
        return False

    def disable_paging(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def set_terminal_width(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def save_config(self, *args: Any, **kwargs: Any) -> str:
        # Settings are persistent as soon as they are set.
        return ""

    def cleanup(self, command: str = "exit") -> None:
        try:
            self.write_channel(command + self.RETURN)
        except OSError:  # the channel may already be gone
            return


def register() -> None:
    """Make ``ConnectHandler(device_type="polycom_group_series", ...)`` work (idempotent)."""
    dispatcher = importlib.import_module("netmiko.ssh_dispatcher")
    dispatcher.CLASS_MAPPER[DEVICE_TYPE] = PolycomGroupSeriesSSH
    if DEVICE_TYPE not in dispatcher.platforms:
        dispatcher.platforms.append(DEVICE_TYPE)
