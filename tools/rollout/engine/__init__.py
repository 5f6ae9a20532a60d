"""The one engine for device steps: every caller (the CLI, the Ansible modules, drift and the
network lab) reads, plans, pushes, verifies, confirms, saves and rolls back a device here.

- ``steps``: one function per device step (``read_plan``, ``plan_device``, ``plan_one``,
  ``backup_one``, ``backup_read``, ``push_one``, ``verify_one``, ``confirm_one``, ``save_one``,
  ``rollback_one``) and the commit safety order ``COMMIT_ORDER``.
- ``audited``: the audit line and the driver session of one step on one device.
- ``lost``: a push or a rollback that lost the device, decided on ``ErrorKind``.
- ``pool``: every device of a run on the one worker pool (``fleet.run_all``).
- ``facts``: what the engine reads of a target (its revert-timer minute, lab or live).
- ``site``: the site-wide transaction through Ansible; ``interrupt``: an interrupted one.
- ``transaction``: the site transaction itself, every site of a batch at once (what the role's
  one task runs), with ``sitelocks`` (its locks) and ``outcome`` (each device's result).
- ``devlock``: the site's lock held on its WAN router (across checkouts and machines).
- ``journal``: the site's transaction journal (var/journal/<site>.jsonl), written by ``site``
  and by every step; ``unfinished``: what a command reports first of a run left unfinished
  (and a device's unconfirmed change); ``recover``: ``rollout recover`` (all new or all old).
"""
