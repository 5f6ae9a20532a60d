"""Parsers of device output: our TextFSM templates (shipped in ``templates/``) and the
small typed modules that turn their records into dataclasses."""
