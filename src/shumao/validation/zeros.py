"""Zeros the HB edit cannot see (docs/methods.md §2.4).

HB needs a ratio, so a unit whose value is zero now or was zero before is left out of it
(univOutl and Banff do the same). Those units are exactly the ones to look at: a value that
drops to exactly zero while the same unit's earlier periods were not zero (business stopped,
or a blank typed as 0, or the wrong unit), or that appears from zeros. ``switches`` finds
them in a series × period matrix; the filing rules (``hb-history``) and the official-table
edits (``compute.table_edits``) turn them into findings of their own.

A printed total that equals one of its parts says the other parts are zero; when they were not
zero in the neighbouring periods it is the same question (``total_equals_part``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TO_ZERO = "to_zero"
FROM_ZERO = "from_zero"


@dataclass(frozen=True)
class Switches:
    """Per row of the matrix: ``kind`` ("" / ``to_zero`` / ``from_zero``), the latest earlier
    value ``previous`` and how many earlier periods had a value (``n_previous``)."""

    kind: np.ndarray
    previous: np.ndarray
    n_previous: np.ndarray


def switches(values: np.ndarray, min_previous: int = 1) -> Switches:
    """Rows whose last value is exactly zero while every earlier value is not (``to_zero``),
    or not zero while every earlier value was zero (``from_zero``); at least ``min_previous``
    earlier periods with a value. ``values``: one series per row, oldest first, NaN = none."""
    earlier, current = values[:, :-1], values[:, -1]
    present = np.isfinite(earlier)
    n_previous = present.sum(axis=1)
    zeros = (earlier == 0) & present
    all_zero = zeros.sum(axis=1) == n_previous
    none_zero = ~zeros.any(axis=1)
    enough = n_previous >= max(min_previous, 1)
    kind = np.full(values.shape[0], "", dtype=object)
    kind[enough & (current == 0) & none_zero] = TO_ZERO
    kind[enough & np.isfinite(current) & (current != 0) & all_zero] = FROM_ZERO
    return Switches(kind, _latest(earlier, present), n_previous)


def _latest(earlier: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The most recent value of each row (NaN when it has none)."""
    if earlier.shape[1] == 0:
        return np.full(earlier.shape[0], np.nan)
    last = earlier.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1)
    found = earlier[np.arange(earlier.shape[0]), last]
    return np.where(present.any(axis=1), found, np.nan)


def total_equals_part(
    total: float, part: float, others_now: float, others_near: list[float], tolerance: float = 0.0
) -> bool:
    """A printed total equal to one printed part (so the other parts, ``others_now``, are
    zero) while those other parts were not zero in a neighbouring period."""
    if not (np.isfinite(total) and np.isfinite(part)) or total == 0:
        return False
    if abs(total - part) > tolerance or abs(others_now) > tolerance:
        return False
    return any(np.isfinite(v) and abs(v) > tolerance for v in others_near)
