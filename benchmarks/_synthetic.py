"""Deterministic synthetic files for benchmarks (shared; import it from any benchmark script).

``ent_dds_tidy(directory)`` writes a national-scale tidy CSV of enterprise direct reporting
(dataflow ``ENT_DDS``): enterprises × months × EBOPS digitally-deliverable sub-items ×
partners × flows, with Chinese headers as a filer's spreadsheet has them, plus the mapping
YAML ``shumao import tidy FILE --mapping MAPPING`` needs. Same seed, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from shumao.validation import uscc

PRODUCTS = ("SI1", "SI2", "SI3", "SJ1", "SJ2", "SK1", "SH")
"""EBOPS 2010 digitally deliverable sub-items (codes, as filers write them)."""
PARTNERS = ("美国", "日本", "德国")
"""Partner countries by their Chinese names (the importer looks them up)."""
FLOWS = ("出口", "进口")
HEADERS = {
    "ref_area": "统一社会信用代码",
    "counterpart_area": "伙伴国家",
    "product": "服务类别",
    "flow": "流向",
    "time_period": "期间",
    "value": "金额（万美元）",
}
MISSING_EVERY = 997
"""Every n-th value is written as "-" (not reported), which imports as status M."""


@dataclass(frozen=True)
class SyntheticFile:
    csv: Path
    mapping: Path
    rows: int


def enterprises(n: int) -> list[str]:
    """``n`` distinct valid 统一社会信用代码 (Hangzhou, enterprise legal persons)."""
    return [uscc.make(f"91330100{i:09d}") for i in range(n)]


def months(year: int = 2024, n: int = 12) -> list[str]:
    return [f"{year + (m // 12)}-{m % 12 + 1:02d}" for m in range(n)]


def ent_dds_frame(
    rows: int = 1_000_000, *, n_enterprises: int = 2_000, seed: int = 20240101
) -> pl.DataFrame:
    """The rows of the file (headers in Chinese), trimmed to exactly ``rows``."""
    periods = months(n=12)
    per_ent = len(periods) * len(PRODUCTS) * len(PARTNERS) * len(FLOWS)
    n_ent = max(n_enterprises, -(-rows // per_ent))
    index = np.arange(rows, dtype=np.int64)
    flow_i, rest = index % len(FLOWS), index // len(FLOWS)
    partner_i, rest = rest % len(PARTNERS), rest // len(PARTNERS)
    product_i, rest = rest % len(PRODUCTS), rest // len(PRODUCTS)
    period_i, ent_i = rest % len(periods), rest // len(periods)
    rng = np.random.default_rng(seed)
    amounts = np.round(rng.lognormal(mean=3.0, sigma=1.5, size=rows), 2)
    text = pl.Series(amounts).cast(pl.String)
    text = pl.select(
        pl.when(pl.Series(index % MISSING_EVERY == MISSING_EVERY - 1))
        .then(pl.lit("-"))
        .otherwise(text)
    ).to_series()
    codes = enterprises(n_ent)
    return pl.DataFrame(
        {
            HEADERS["ref_area"]: pl.Series(codes).gather(ent_i),
            HEADERS["counterpart_area"]: pl.Series(PARTNERS).gather(partner_i),
            HEADERS["product"]: pl.Series(PRODUCTS).gather(product_i),
            HEADERS["flow"]: pl.Series(FLOWS).gather(flow_i),
            HEADERS["time_period"]: pl.Series(periods).gather(period_i),
            HEADERS["value"]: text,
        }
    )


def ent_dds_mapping() -> dict[str, object]:
    return {
        "dataflow": "ENT_DDS",
        "unit": "万美元",
        "columns": dict(HEADERS),
        "constants": {"freq": "M"},
        "recode": {"flow": {"出口": "X", "进口": "M"}},
        "lookup": {"counterpart_area": "country", "product": "ebops"},
    }


def ent_dds_tidy(directory: Path, rows: int = 1_000_000, *, seed: int = 20240101) -> SyntheticFile:
    """Write ``ent_dds_<rows>.csv`` and ``ent_dds_<rows>.yaml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / f"ent_dds_{rows}.csv"
    mapping = directory / f"ent_dds_{rows}.yaml"
    ent_dds_frame(rows, seed=seed).write_csv(csv)
    mapping.write_text(
        yaml.safe_dump(ent_dds_mapping(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return SyntheticFile(csv=csv, mapping=mapping, rows=rows)


# --- the audit's million-row workbook ----------------------------------------------------------

XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="填报表" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
    "xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{t}</t></si>" for t in ("服务类别", "出口", *PRODUCTS))
        + "</sst>"
    ),
}


def million_row_xlsx(path: Path, rows: int = 1_048_576) -> Path:
    """The workbook of the audit: one sheet 填报表 of ``rows`` rows (Excel's maximum by
    default) under the quarterly form's header, a service item and an export value on each
    line — about 10 MB zipped (80 MB of XML), far past any row limit. Written as raw XML (seconds, where
    openpyxl takes minutes); same rows, same bytes."""
    import zipfile

    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    )
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{2 + r % 7}</v></c>'
        f'<c r="B{r}"><v>{(r * 7919) % 100_000 / 100}</v></c></row>'
        for r in range(2, rows + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, head + body + "</sheetData></worksheet>")
    return path
