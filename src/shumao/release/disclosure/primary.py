"""Primary suppression: which cells are sensitive, why, and how much protection each needs.

A cell's contributions, largest first, are ``x1 ≥ x2 ≥ …`` (columns ``top1``, ``top2`` … from
``aggregate``), its total ``T`` (``value``) and its contributor count ``n_contributors``.

| rule | sensitive when | protection level (each side) |
|---|---|---|
| threshold N | 0 < contributors < N, or 0 < non-zero contributors < N | ``protection`` % of T |
| p% (p, n) | T − x1 − … − x(n+1) < p/100 · x1 | p/100 · x1 − (T − x1 − … − x(n+1)) |
| pq (p, q) | the p% rule with p/q · 100 | as p% |
| (n, k) | x1 + … + xn > k/100 · T | 100/k · (x1 + … + xn) − T |

A contributor of 0 (a zero report, 零申报) counts as a contributor — the total is complete — but
does not make a cell safe: the threshold also counts the contributors with a value other than
0, which with non-negative contributions are fewer than N exactly when ``x1 + … + x(N−1)`` is
the whole total (docs/methods.md §1.1, "Zero contributors").

The levels are what the rule needs an attacker's interval to reach above (and below) the true
value (τ-ARGUS manual §2.2, §2.5; Loeve 2001). A cell several rules flag gets the largest. The
lower level is capped at the value itself (cells are non-negative).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from shumao.release.disclosure.rules import Rules

REASON_THRESHOLD = "threshold"
ZERO_TOLERANCE = 1e-9
"""Relative: a remainder this small after the largest contributions is zero (float sums)."""


def dominance_reason(n: int, k: float) -> str:
    return f"dominance({n},{k:g})"


def p_percent_reason(p: float, n: int) -> str:
    return f"p%({p:g})" if n == 1 else f"p%({p:g},{n})"


def pq_reason(p: float, q: float) -> str:
    return f"pq({p:g},{q:g})"


def _top(i: int) -> pl.Expr:
    return pl.col(f"top{i}").fill_null(0.0)


def _tops(n: int) -> pl.Expr:
    return pl.sum_horizontal(_top(i) for i in range(1, n + 1))


def _require(cells: pl.DataFrame, rules: Rules) -> None:
    missing = [
        f"top{i}" for i in range(1, rules.needed_tops() + 1) if f"top{i}" not in cells.columns
    ]
    if missing:
        raise ValueError(
            f"规则需要最大贡献列 {missing} / the rules need columns {missing} "
            "(aggregate with a larger top=)"
        )


def _few_non_zero(threshold: int, columns: list[str]) -> pl.Expr:
    """Fewer than ``threshold`` contributors with a value other than 0 (and at least one): the
    ``threshold − 1`` largest (as many of them as the cells carry) make up the whole
    non-negative total, the rest are zeros."""
    k = min(threshold - 1, sum(f"top{i}" in columns for i in range(1, threshold)))
    if k < 1:
        return pl.lit(False)
    value = pl.col("value")
    rest = value - _tops(k)
    return (value > 0) & (rest.abs() <= ZERO_TOLERANCE * value.abs())


def _rule_hits(rules: Rules, columns: list[str]) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(reason, sensitive?, protection level) for every rule, in the order reasons are given."""
    n = pl.col("n_contributors")
    value = pl.col("value")
    present = (n > 0) & value.is_not_null()
    few = (n < rules.threshold) | _few_non_zero(rules.threshold, columns)
    hits = [(REASON_THRESHOLD, present & few, value.abs() * rules.protection / 100.0)]
    intruders = [(p_percent_reason(p, k), p, k) for p, k in rules.p_percent]
    intruders += [(pq_reason(p, q), p / q * 100.0, 1) for p, q in rules.pq]
    for reason, p, k in intruders:
        remainder = value - _tops(k + 1)  # T − x1 − … − x(k+1)
        need = p / 100.0 * _top(1) - remainder
        hits.append((reason, present & (value > 0) & (need > 0), need))
    for size, share in rules.dominance:
        need = 100.0 / share * _tops(size) - value
        hits.append((dominance_reason(size, share), present & (value > 0) & (need > 0), need))
    return hits


def primary(cells: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """``cells`` with ``primary`` (bool), ``reason`` (the first rule that applies) and the
    protection levels ``lpl``/``upl`` a sensitive cell needs (null for the others)."""
    rules = rules or Rules()
    _require(cells, rules)
    hits = _rule_hits(rules, cells.columns)
    reason: Any = pl.when(hits[0][1]).then(pl.lit(hits[0][0]))
    for name, hit, _ in hits[1:]:
        reason = reason.when(hit).then(pl.lit(name))
    level = pl.max_horizontal(*(pl.when(hit).then(need) for _, hit, need in hits))
    marked = cells.with_columns(reason.otherwise(None).alias("reason"), level.alias("upl"))
    return marked.with_columns(
        pl.col("reason").is_not_null().alias("primary"),
        pl.min_horizontal("upl", pl.col("value").abs()).alias("lpl"),
    )
