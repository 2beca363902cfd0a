"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""

from __future__ import annotations

from typing import Any

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (raises ValueError on bad characters)."""
    if len(first17) != 17:
        raise ValueError("need exactly 17 characters")
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None if ``code`` is a valid USCC, else a bilingual reason."""
    if len(code) != 18:
        return f"长度应为18位，实际为{len(code)}位 / must be 18 characters, found {len(code)}"
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        return f"含有不允许的字符 {''.join(bad)} / contains characters not allowed: {''.join(bad)}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"校验位错误：应为 {expected}，实际为 {code[17]} / "
            f"wrong check character: expected {expected}, found {code[17]}"
        )
    return None


def problem_texts(code: str) -> dict[str, Any]:
    """The problem of ``code`` in Chinese and in English: the ``uscc-invalid`` finding's
    ``detail_zh`` and ``detail_en`` (each message gives the problem in its own language)."""
    zh, _, en = (problem(code) or "").partition(" / ")
    return {"detail_zh": zh, "detail_en": en}


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(prefix17: str) -> str:
    """Complete 17 characters with their check character (for tests and synthetic data)."""
    return prefix17 + check_character(prefix17)
