"""Small helpers of new-site and rendering: rates, unit titles, ASCII names, type 9 hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

import pytest

from rollout.errors import RolloutError
from rollout.inventory.model import Level
from rollout.inventory.newsite import parse_rate, unit_title
from rollout.secrets import Secrets, cisco_type9
from rollout.text import ascii_name

# --- parse_rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kbps"),
    [
        ("2048", 2048),
        ("2048k", 2048),
        ("2048K", 2048),
        ("10M", 10_000),
        ("10m", 10_000),
        ("2M", 2_000),
        ("1G", 1_000_000),
        ("1.5G", 1_500_000),
        ("1.5M", 1_500),
        ("10Mbps", 10_000),
        ("10 Mbit/s", 10_000),
        ("4096kb", 4096),
        ("  6M  ", 6_000),
    ],
)
def test_parse_rate(text: str, kbps: int) -> None:
    assert parse_rate(text) == kbps


@pytest.mark.parametrize("text", ["", "fast", "10 T", "-2M", "1e3", "10MB", "M", "1,5M", "10M10"])
def test_parse_rate_rejects_what_is_not_a_rate(text: str) -> None:
    with pytest.raises(RolloutError) as info:
        parse_rate(text)
    assert info.value.message == f"--wan-rate {text!r} is not a rate"
    assert "10M" in info.value.fix


@pytest.mark.parametrize("text", ["0", "0M", "0.5k", "0.0"])
def test_parse_rate_rejects_zero(text: str) -> None:
    with pytest.raises(RolloutError, match="must be above zero"):
        parse_rate(text)


def test_parse_rate_is_exact_for_decimal_rates() -> None:
    assert parse_rate("1.005M") == 1005


# --- unit_title and ascii_name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level", "title"),
    [
        ("Bát Xát", Level.DISTRICT, "UBND huyện Bát Xát"),
        ("Cốc San", Level.COMMUNE, "UBND xã Cốc San"),
        ("Lào Cai", Level.HUB, "UBND tỉnh Lào Cai"),
        ("Thành phố Lào Cai", Level.DISTRICT, "UBND thành phố Lào Cai"),
        ("Thị xã Sa Pa", Level.DISTRICT, "UBND thị xã Sa Pa"),
        ("Thị trấn Phố Lu", Level.COMMUNE, "UBND thị trấn Phố Lu"),
        ("Phường Cốc Lếu", Level.COMMUNE, "UBND phường Cốc Lếu"),
        ("Xã Cốc San", Level.COMMUNE, "UBND xã Cốc San"),
        ("Huyện Bảo Thắng", Level.DISTRICT, "UBND huyện Bảo Thắng"),
        # a name that merely starts with the letters of a prefix keeps its level's word
        ("Xãi", Level.COMMUNE, "UBND xã Xãi"),
        ("Phường", Level.COMMUNE, "UBND xã Phường"),
    ],
)
def test_unit_title(name: str, level: Level, title: str) -> None:
    assert unit_title(name, level) == title


def test_unit_title_accepts_decomposed_input() -> None:
    name = unicodedata.normalize("NFD", "Xã Cốc San")
    title = unit_title(name, Level.COMMUNE)
    assert unicodedata.normalize("NFC", title) == "UBND xã Cốc San"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Bảo Thắng", "Bao Thang"),
        ("Lào Cai", "Lao Cai"),
        ("Đồng Tuyển", "Dong Tuyen"),
        ("đường", "duong"),
        ("UBND huyện Mường Khương", "UBND huyen Muong Khuong"),
        ("Si Ma Cai", "Si Ma Cai"),
        (unicodedata.normalize("NFD", "Bắc Hà"), "Bac Ha"),
    ],
)
def test_ascii_name(text: str, plain: str) -> None:
    assert ascii_name(text) == plain
    assert ascii_name(text).isascii()


# --- Cisco type 9 ----------------------------------------------------------------------------

TYPE9 = re.compile(r"^\$9\$[./0-9A-Za-z]{14}\$[./0-9A-Za-z]{43}$")
_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_CISCO = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _cisco_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").translate(str.maketrans(_STD, _CISCO))


def test_type9_format() -> None:
    value = cisco_type9("correct horse battery staple", "rollout:10")
    assert TYPE9.match(value), value
    assert len(value) == 3 + 14 + 1 + 43


def test_type9_is_deterministic_and_depends_on_both_inputs() -> None:
    a = cisco_type9("s3cret-pass", "rollout:10")
    cisco_type9.cache_clear()
    assert cisco_type9("s3cret-pass", "rollout:10") == a
    assert cisco_type9("s3cret-pass", "rollout:11") != a
    assert cisco_type9("s3cret-pasS", "rollout:10") != a


def test_type9_is_scrypt_of_the_salt_as_ios_computes_it() -> None:
    password = "NocAdmin!2024"
    value = cisco_type9(password, "rollout:10")
    _, nine, salt, digest = value.split("$")
    assert nine == "9"
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=1, p=1, dklen=32)
    assert digest == _cisco_b64(key)


def test_type9_salt_does_not_reveal_the_password() -> None:
    password, seed = "NocAdmin!2024", "rollout:10"
    salt = cisco_type9(password, seed).split("$")[2]
    fast = _cisco_b64(hmac.new(password.encode(), seed.encode(), hashlib.sha256).digest())[:14]
    assert salt != fast


def test_secrets_never_show_values() -> None:
    secrets = Secrets({"vault_admin_password": "hunter2-long", "vault_pin": "123"})
    assert "hunter2" not in repr(secrets)
    text = "username noc secret hunter2-long pin 123"
    redacted = secrets.redact(text)
    assert "hunter2-long" not in redacted
    assert "<redacted>" in redacted
    assert "pin 123" in redacted  # values shorter than 4 characters are left alone
    with pytest.raises(RolloutError, match="the vault has no 'vault_missing'"):
        secrets["vault_missing"]
