"""DNS servers the codec cannot take: exit 1 naming the file, the field and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

PROVINCE = "inventory/province.yml"


@pytest.mark.parametrize(
    ("servers", "said"),
    [
        (["10.9.0.14", "10.9.0.14"], "repeated: 10.9.0.14"),
        ([f"10.9.0.{n}" for n in range(14, 19)], "at most 4"),
        (["dns.example"], "dns_servers"),
    ],
)
def test_bad_dns_servers_are_refused(
    rollout: Callable[..., Any], repo: Path, servers: list[str], said: str
) -> None:
    path = repo / PROVINCE
    data = yaml.safe_load(path.read_text("utf-8"))
    data["dns_servers"] = servers
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = rollout("validate")
    out = result.stdout + result.stderr
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert "inventory/province.yml" in out and "dns_servers" in out
    assert said in out
