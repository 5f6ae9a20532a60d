"""A converged lab twin of three sites (9 devices) for the fleet drift tests, over real SSH."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fleetlab import Fleet, converged_fleet


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with converged_fleet(tmp_path_factory.mktemp("fleet")) as f:
        yield f
