"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from repocopy import copy_repo


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see neither an outside repository nor an outside vault password."""
    for var in ("ROLLOUT_REPO", "ROLLOUT_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A writable copy of the repository; the real one is never touched."""
    return copy_repo(tmp_path / "repo")
