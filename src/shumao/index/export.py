"""The coin as a workbook, every step on its own sheet (as COINr's ``export_to_excel``):
the framework, the units, each data set in build order, the ranks, the treatment and
screening details, the run's settings and data vintages."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import polars as pl
import xlsxwriter

from shumao.index.aggregate import results
from shumao.index.data import Coin
from shumao.output import inert


def _framework_sheet(coin: Coin) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "code": n.code,
                "level": n.level,
                "parent": n.parent or "",
                "name_zh": n.name_zh,
                "name_en": n.name_en,
                "weight": n.weight,
                "direction": n.direction,
                "unit": n.unit,
                "denominator": n.denominator or "",
                "target": n.target,
            }
            for n in coin.framework.nodes
        ]
    )


def _named(coin: Coin, frame: pl.DataFrame) -> pl.DataFrame:
    names = [coin.units.name(u) for u in frame["uCode"]]
    return frame.insert_column(1, pl.Series("uName", names))


def sheets(coin: Coin, extra: Mapping[str, Any] | None = None) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {"Framework": _framework_sheet(coin)}
    for name, ds in coin.data.items():
        out[name[:31]] = _named(coin, ds.to_polars())
    if "Aggregated" in coin.data:
        out["Ranks"] = _named(coin, results(coin).to_polars())
    treated = coin.details.get("Treated", {}).get("table")
    if treated:
        out["Treatment"] = pl.DataFrame(
            [
                {k: (json.dumps(v) if isinstance(v, bool | None) else v) for k, v in r.items()}
                for r in treated
            ],
            infer_schema_length=None,
        )
    screened = coin.details.get("Screened")
    if screened:
        out["Screening"] = pl.DataFrame(
            {k: screened[k] for k in ("units", "dat_avail", "non_zero", "included")}
        )
    log = [
        {
            "step": s.name,
            "reads": s.reads,
            "writes": s.writes,
            "settings": json.dumps(s.settings, ensure_ascii=False, default=str),
        }
        for s in coin.log
    ]
    out["Log"] = pl.DataFrame(log)
    for key, value in (extra or {}).items():
        out[key[:31]] = pl.DataFrame(
            {"item": list(value), "value": [str(v) for v in value.values()]}
        )
    return out


def to_xlsx(coin: Coin, extra: Mapping[str, Any] | None = None) -> bytes:
    buf = io.BytesIO()

    with xlsxwriter.Workbook(buf, {"nan_inf_to_errors": True}) as wb:
        for name, frame in sheets(coin, extra).items():
            inert(frame).write_excel(wb, worksheet=name, autofit=True)
    return buf.getvalue()
