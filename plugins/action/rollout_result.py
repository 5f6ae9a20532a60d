"""Action plugin: one device's own result of the site transaction (``rollout_site``), as the
host's task result: changed, failed with the reason, the commands, the diff in diff mode.

It reads only the task's arguments (nothing is shipped, no device is reached): one cheap task
per host, so that AWX and the PLAY RECAP show every device's own status.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):  # type: ignore[misc]
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        from rollout.ansible_step import RESULT_ARGSPEC, device_result

        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=RESULT_ARGSPEC)
        result.update(device_result(args))
        return result
