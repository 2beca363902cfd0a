"""The revision policy counts one publisher's releases: customs' cross-border e-commerce
releases and the provinces' own, loaded as the demo loads them (demo/manifest.yaml, in release
order) and released one by one, ask for a reason only where customs revised its own figure
later than its policy allows."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from shumao.auth.scope import Scope
from shumao.errors import OutsidePolicy
from shumao.ingest.pipeline import ImportResult, run_import
from shumao.release import notes, releases

ADMIN = Scope("admin", username="tester")
SOURCES = ("customs-cbec", "province-cbec")
SURVEY = "2024-08-02_cbec_2018_2023_survey.csv"  # revises 2018–2023, years after
PRELIMINARY = "2025-03-11_cbec_2024_preliminary.csv"  # adds 2021's share of goods trade
FINAL = "2025-11-25_cbec_2024.csv"  # customs' final 2024 figure: 2.63 → 2.71 万亿元


def _load_in_release_order(engine: Engine, demo_data: Path) -> dict[str, ImportResult]:
    manifest = yaml.safe_load((demo_data.parent / "manifest.yaml").read_text(encoding="utf-8"))
    entries = [e for e in manifest["imports"] if e["source"] in SOURCES]
    loaded = {
        Path(e["file"]).name: run_import(engine, e["source"], demo_data.parent / e["file"])
        for e in entries
    }
    assert all(r.report.ok and r.vintage_id for r in loaded.values())
    return loaded


def _release(engine: Engine, result: ImportResult, reason: str = "") -> int:
    with engine.begin() as conn:
        made = releases.release(
            conn,
            scope=ADMIN,
            dataflow_id=result.dataflow,
            vintage_id=result.vintage_id,
            revision_reason=reason,
        )
    return made.id


def test_customs_final_figure_needs_no_reason_after_the_provinces_releases(
    engine: Engine, demo_data: Path
) -> None:
    """Henan's figures (2025-02-26) and Zhejiang's (2025-06-27) came out around customs'
    preliminary 2024 figure (2025-03-11). Customs' final figure (2025-11-25) is the first
    release of customs since its preliminary one, inside its policy of two: no reason asked."""
    loaded = _load_in_release_order(engine, demo_data)
    assert list(loaded).index("2025-02-26_henan_2015_2024.csv") < list(loaded).index(FINAL)
    made: dict[str, int] = {}
    needed = []  # the releases refused without a reason
    for name, result in loaded.items():
        try:
            made[name] = _release(engine, result)
        except OutsidePolicy:
            needed.append(name)
            made[name] = _release(engine, result, "海关修订 / customs' own revision")
    # only customs' own late changes need a reason: its survey of 2024-08-02 (2018 revised nine
    # customs releases after it was first published) and its release of 2025-03-11 (2021's share
    # of goods trade added eight customs releases after 2021 was first published)
    assert needed == [SURVEY, PRELIMINARY]
    with engine.connect() as conn:
        final = notes.get(conn, made[FINAL])
    assert final is not None
    facts = final["generated"]
    assert (facts["dataflow"], facts["outside_policy_count"], facts["reason"]) == (
        "CUSTOMS_CBEC",
        0,
        "",
    )
    revised = [(r["period"], r["before"], r["after"]) for r in facts["largest"]]
    assert ("2024", 2.63, 2.71) in revised  # the revision happened, inside the policy
    assert "超出修订政策" not in final["text_zh"]
    assert {loaded[n].dataflow for n in loaded if "_cbec_" in n} == {"CUSTOMS_CBEC"}
    provinces = {n for n in loaded if loaded[n].dataflow == "PROVINCE_CBEC"}
    assert provinces == {
        "2021-02-08_chongqing_2020.csv",
        "2022-04-25_chongqing_2021.csv",
        "2024-10-09_guangdong_2015_2023.csv",
        "2024-10-10_guangdong_2023.csv",
        "2025-02-26_henan_2015_2024.csv",
        "2025-06-27_zhejiang_2024.csv",
    }


def test_customs_revising_a_figure_a_third_time_still_needs_a_reason(
    engine: Engine, cbec_vintages: dict[str, int], tmp_path: Path
) -> None:
    """The policy still binds customs: 2024, first published on 2025-03-11, may be revised by
    customs' next two releases (the final figure of 2025-11-25 and one more, constructed:
    2.71 → 2.72 万亿元); a third revision (2.73) is refused without a reason."""
    with engine.begin() as conn:
        for vid in cbec_vintages.values():
            releases.release(
                conn,
                scope=ADMIN,
                dataflow_id="CUSTOMS_CBEC",
                vintage_id=vid,
                revision_reason="按海关公布顺序 / in customs' order",
            )
    later = []
    for day, value in (("2026-01-13", "2.72"), ("2026-03-10", "2.73")):
        path = tmp_path / f"{day}_cbec_2024.csv"
        path.write_text(
            "发布日期,年份,地区,流向,指标,数值,单位,口径,来源\n"
            f"{day},2024,全国,进出口,金额,{value},万亿元,统计调查,test\n",
            encoding="utf-8",
        )
        later.append(run_import(engine, "customs-cbec", path))
    assert all(r.report.ok for r in later)
    _release(engine, later[0])  # the second release since 2024 was first published: inside
    with pytest.raises(OutsidePolicy, match="修订政策"):
        _release(engine, later[1])  # the third: outside
