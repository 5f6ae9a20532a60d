"""Cisco IOS password hashes: type 5 (md5-crypt), 7 (reversible), 8 (PBKDF2), 9 (scrypt)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_CISCO = str.maketrans(_STD_ALPHABET, CRYPT_ALPHABET)
_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def _cisco_b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=").translate(_TO_CISCO)


def type9_hash(password: str, salt: str | None = None) -> str:
    """``$9$<14-char salt>$<43 chars>``: scrypt N=16384 r=1 p=1, salt used as ASCII."""
    if salt is None:
        salt = "".join(secrets.choice(CRYPT_ALPHABET) for _ in range(14))
    dk = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=1, p=1, dklen=32)
    return f"$9${salt}${_cisco_b64(dk)}"


def type8_hash(password: str, salt: str | None = None) -> str:
    """``$8$<14-char salt>$<43 chars>``: PBKDF2-HMAC-SHA256, 20000 iterations."""
    if salt is None:
        salt = "".join(secrets.choice(CRYPT_ALPHABET) for _ in range(14))
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 20000, 32)
    return f"$8${salt}${_cisco_b64(dk)}"


def md5_crypt(password: str, salt: str) -> str:
    """The FreeBSD md5-crypt IOS uses for type 5 secrets (``$1$salt$hash``)."""
    pw = password.encode()
    s = salt.encode()[:8]
    magic = b"$1$"
    alt = hashlib.md5(pw + s + pw).digest()
    ctx = pw + magic + s
    n = len(pw)
    while n > 0:
        ctx += alt[: min(16, n)]
        n -= 16
    n = len(pw)
    while n:
        ctx += b"\0" if n & 1 else pw[:1]
        n >>= 1
    final = hashlib.md5(ctx).digest()
    for i in range(1000):
        c = pw if i & 1 else final
        if i % 3:
            c += s
        if i % 7:
            c += pw
        c += final if i & 1 else pw
        final = hashlib.md5(c).digest()
    out = ""
    for a, b, c2 in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        v = (final[a] << 16) | (final[b] << 8) | final[c2]
        for _ in range(4):
            out += CRYPT_ALPHABET[v & 0x3F]
            v >>= 6
    v = final[11]
    for _ in range(2):
        out += CRYPT_ALPHABET[v & 0x3F]
        v >>= 6
    return f"$1${salt}${out}"


def type7_decode(text: str) -> str:
    """Reverse a type 7 ``password 7 XXXX`` string."""
    try:
        seed = int(text[:2])
        raw = bytes.fromhex(text[2:])
    except ValueError:
        return ""
    return "".join(
        chr(b ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)])) for i, b in enumerate(raw)
    )


def type7_encode(password: str, seed: int = 2) -> str:
    return f"{seed:02d}" + "".join(
        f"{ord(ch) ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)]):02X}"
        for i, ch in enumerate(password)
    )


@lru_cache(maxsize=256)
def verify(kind: str, secret: str, password: str) -> bool | None:
    """Check ``password`` against a stored secret; None when the format is unknown.

    ``kind`` is the type number as written in the config (``0``, ``5``, ``7``, ``8``, ``9``)
    or ``""`` when the config line gave none.
    """
    if kind in {"", "0"}:
        return hmac.compare_digest(secret, password)
    if kind == "7":
        return hmac.compare_digest(type7_decode(secret), password)
    parts = secret.split("$")
    if kind == "9" and len(parts) == 4 and parts[1] == "9":
        return hmac.compare_digest(type9_hash(password, parts[2]), secret)
    if kind == "8" and len(parts) == 4 and parts[1] == "8":
        return hmac.compare_digest(type8_hash(password, parts[2]), secret)
    if kind == "5" and len(parts) == 4 and parts[1] == "1":
        return hmac.compare_digest(md5_crypt(password, parts[2]), secret)
    return None
