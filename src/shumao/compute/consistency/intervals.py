"""A printed figure as the interval of unrounded values it stands for (96.2 → [96.15, 96.25]), with interval arithmetic."""

from __future__ import annotations

import math
from dataclasses import dataclass


def decimals(value: float, most: int = 6) -> int:
    """Decimals a printed figure had: 96.2 → 1, 151.38 → 2, 3727 → 0."""
    for d in range(most + 1):
        if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value)):
            return d
    return most


def half_unit(value: float) -> float:
    return 0.5 * 10.0 ** -decimals(value)


@dataclass(frozen=True)
class Span:
    """The unrounded values a printed figure may stand for."""

    low: float
    high: float

    @classmethod
    def printed(cls, value: float) -> Span:
        h = half_unit(value)
        return cls(value - h, value + h)

    def __add__(self, other: Span) -> Span:
        return Span(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Span) -> Span:
        return Span(self.low - other.high, self.high - other.low)

    def __truediv__(self, other: Span) -> Span:
        if other.low <= 0:
            return Span(-math.inf, math.inf)
        candidates = [
            self.low / other.low,
            self.low / other.high,
            self.high / other.low,
            self.high / other.high,
        ]
        return Span(min(candidates), max(candidates))

    def overlaps(self, other: Span) -> bool:
        eps = 1e-9 * max(1.0, abs(self.low), abs(other.low))
        return self.low <= other.high + eps and other.low <= self.high + eps


def pct(span: Span, minus_one: bool) -> Span:
    shift = 1.0 if minus_one else 0.0
    return Span((span.low - shift) * 100.0, (span.high - shift) * 100.0)


def fmt(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "∞"
