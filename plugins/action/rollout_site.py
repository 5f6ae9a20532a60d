"""Action plugin: every site of the play's batch, one transaction per site, in Ansible's worker
on the controller (the role site_rollout runs it once per batch: ``run_once``).

Ansible runs an action plugin named after a task's module instead of its generic one
(ansible-core ``TaskExecutor._get_action_handler_with_module_context``: ``action_loader
.has_plugin(task.action)``), and the plugin's ``run()`` executes in the worker process Ansible
forked for the host and task. This one never calls ``_execute_module``: nothing is shipped
(no AnsiballZ payload), no interpreter is started; it validates the task's arguments against
the module's argument spec and calls the engine (``rollout.ansible_step.run_site``), as
``ansible.netcommon``'s ``cli_parse`` action plugin runs its parsers on the controller
(https://github.com/ansible-collections/ansible.netcommon, plugins/action/cli_parse.py).
The module ``plugins/modules/rollout_site.py`` documents the arguments and runs the same
function where this plugin is not found.

The worker is a fork of ansible-playbook: rollout and its heavy libraries, imported and the
inventory loaded once by the inventory plugin (``rollout.ansible_module.preload``), come with
it already loaded.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):  # type: ignore[misc]
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    # The devices are reached over the rollout drivers' own SSH sessions, not Ansible's
    # connection: no connection plugin is set up for the host.
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        from rollout.ansible_step import SITE_ARGSPEC, run_site

        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=SITE_ARGSPEC)
        result.update(run_site(args, check=bool(self._task.check_mode), diff=bool(self._task.diff)))
        return result
