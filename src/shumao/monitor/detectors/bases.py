"""Export-base re-review risk (基地复审风险): a base whose latest figures fall below the
application thresholds of its region, from data.

The list of bases, the thresholds and the targets come from a data file (``params.bases``,
default ``monitor/data/export_bases.yaml``: 商办服贸函〔2019〕245号): the east (东部) needs 200
亿元 of output and 60 亿元 of ICT-services exports, the other regions 100 and 20. The figures
are read from the store as the file says (``MOFCOM_BASE_OUTPUT`` 数字产业产值; ``MOFCOM_REPORT``
可数字化交付服务出口 of 表3, converted to 亿元 at the year's average rate). Digitally
deliverable exports include ICT services, so a base below the ICT threshold on the wider
figure is certainly below it. The 2022/2025 targets (share of the base's foreign-trade
exports) need the bases' foreign-trade exports, which the store does not hold yet: ``gaps``
says so rather than passing silently. Issue 17 (the export-base registry) replaces the file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from sqlalchemy import Connection

from shumao.compute import aggregate
from shumao.errors import StoreError
from shumao.monitor.detectors.common import HIT_SCHEMA, empty_hits
from shumao.monitor.rules import Rule
from shumao.reference import geo, parks
from shumao.storage import vintages

DATA = Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=4)
def load(name: str) -> dict[str, Any]:
    path = Path(name) if Path(name).is_absolute() else DATA / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def region_class(park: parks.Park) -> str:
    region = geo.region_of(park.province_code)
    return "east" if region is not None and region.code == "EAST" else "other"


def watched(spec: dict[str, Any]) -> list[parks.Park]:
    listed = spec.get("bases", "all")
    every = list(parks.parks())
    return every if listed == "all" else [p for p in every if p.code in set(listed)]


def figures(
    conn: Connection, threshold: dict[str, Any], codes: list[str], as_of: vintages.AsOf = None
) -> dict[str, tuple[str, float]]:
    """park code → (latest period, value in the threshold's unit)."""
    where = {**threshold.get("where", {}), "ref_area": codes}
    try:
        frame = vintages.read(conn, threshold["dataflow"], where=where, as_of=as_of)
    except StoreError:  # as of a date before the dataflow's first vintage: no figure
        return {}
    frame = frame.filter(pl.col("value").is_not_null())
    if frame.is_empty():
        return {}
    frame = aggregate.to_unit(frame.drop("vintage_id"), threshold["unit"])
    last = frame.sort("time_period").group_by("ref_area").last()
    return {
        r: (p, v)
        for r, p, v in last.select("ref_area", "time_period", "value").iter_rows()
        if v is not None
    }


def rereview(conn: Connection, rule: Rule, as_of: vintages.AsOf = None) -> pl.DataFrame:
    spec = load(str(rule.params["bases"]))
    bases = watched(spec)
    out = []
    for cls in ("east", "other"):
        members = [b for b in bases if region_class(b) == cls]
        short: dict[str, list[dict[str, Any]]] = {}
        for threshold in spec["thresholds"][cls]:
            for code, (period, value) in figures(
                conn, threshold, [b.code for b in members], as_of
            ).items():
                if value < float(threshold["min"]):
                    short.setdefault(code, []).append(
                        {**threshold, "period": period, "value": round(value, 2)}
                    )
        out += [_hit(code, misses) for code, misses in short.items()]
    return pl.DataFrame(out, schema=HIT_SCHEMA) if out else empty_hits()


def _hit(code: str, misses: list[dict[str, Any]]) -> dict[str, Any]:
    first = misses[0]
    fields = {
        "measure_zh": first["name_zh"],
        "measure_en": first["name_en"],
        "misses": [
            {k: m[k] for k in ("measure", "name_zh", "min", "unit", "period", "value")}
            for m in misses
        ],
    }
    row = dict.fromkeys(HIT_SCHEMA)
    row.update(
        dataflow=first["dataflow"],
        series_key=f"BASE:{code}",
        ref_area=code,
        period=first["period"],
        value=first["value"],
        threshold=float(first["min"]),
        measure=float(len(misses)),
        unit=first["unit"],
        unit_mult=0,
        fields=json.dumps(fields, ensure_ascii=False),
    )
    return row


def gaps(conn: Connection, rule: Rule) -> list[str]:
    """What the rule cannot judge for lack of data (shown with the targets)."""
    spec = load(str(rule.params["bases"]))
    return [
        f"{t['year']}年目标“{t['name_zh']}{t['comparator']}{t['value']}{t['unit']}”需要"
        f"{t['needs']}，库中暂无 / the {t['year']} target needs {t['needs']}, not in the store"
        for t in spec.get("targets", [])
    ]
