"""Small text helpers shared by the inventory tools and the templates."""

from __future__ import annotations

import unicodedata


def ascii_name(text: str) -> str:
    """Vietnamese to plain ASCII for fields without diacritics ('Bảo Thắng' -> 'Bao Thang')."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
