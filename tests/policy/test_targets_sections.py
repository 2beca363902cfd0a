"""Quantitative targets and the section tree of the seeds."""

from __future__ import annotations

from shumao.policy import sections, targets
from shumao.policy.prepared import Prepared


def _rows(found: list[targets.Target]) -> list[tuple[object, ...]]:
    return [(t.subject, t.indicator, t.target_year, t.comparator, t.value, t.unit) for t in found]


def test_opinion_2029_and_2035_targets(prepared: dict[str, Prepared]) -> None:
    found = prepared["001"].targets
    assert _rows(found) == [
        ("可数字化交付的服务贸易规模", "占我国服务贸易总额的比重", 2029, "≥", 45.0, "%"),
        ("可数字化交付的服务贸易规模", "占我国服务贸易总额的比重", 2035, "≥", 50.0, "%"),
    ]
    assert found[0].sentence.startswith("主要目标是：到2029年，可数字化交付的服务贸易规模稳中有增")
    assert found[1].sentence.startswith("到2035年，可数字化交付的服务贸易规模占我国服务贸易总额")


def test_base_targets_for_2022_and_2025(prepared: dict[str, Prepared]) -> None:
    assert _rows(prepared["002"].targets) == [
        ("基地内数字服务出口", "占外贸出口比重", 2022, "≥", 40.0, "%"),
        ("利用现代信息技术完成交付或实现的服务出口", "占外贸出口比重", 2022, "about", 60.0, "%"),
        ("基地内数字服务出口", "占外贸出口比重", 2025, "≥", 50.0, "%"),
        ("利用现代信息技术完成交付或实现的服务出口", "占外贸出口比重", 2025, "≥", 70.0, "%"),
    ]


def test_reports_past_figures_and_forecasts_are_not_targets(prepared: dict[str, Prepared]) -> None:
    report = prepared["003"]
    text = report.cleaned.simplified_text
    assert "预计到2025年全球数据总量将达175泽字节" in text
    assert "2017年至2022年的复合增长率达48.8%" in text
    assert "截至2022年底，中国光缆线路总长度达到5958万公里" in text
    assert report.targets == []
    assert prepared["000"].targets == []


def test_comparators_and_units() -> None:
    found = targets.extract(
        [
            "力争到2025年，全省数字贸易额达到5000亿元，服务外包企业不少于300家，"
            "能耗强度控制在1.5%以内。"
        ]
    )
    assert [(t.comparator, t.value, t.unit) for t in found] == [
        ("=", 5000.0, "亿元"),
        ("≥", 300.0, "家"),
        ("≤", 1.5, "%"),
    ]
    assert found[1].subject == "服务外包企业"


def test_section_tree_of_the_opinion(prepared: dict[str, Prepared]) -> None:
    secs = prepared["001"].sections
    assert [s.heading for s in secs if s.level == 1] == [
        "一、总体要求",
        "二、支持数字贸易细分领域和经营主体发展",
        "三、推进数字贸易制度型开放",
        "四、完善数字贸易治理体系",
        "五、强化组织保障",
    ]
    stats = next(s for s in secs if s.label == "（十五）")
    assert stats.heading == "（十五）建立完善统计体系"
    assert stats.path == "五、强化组织保障 › （十五）建立完善统计体系"


def test_section_of_targets_and_report_boxes(prepared: dict[str, Prepared]) -> None:
    notice = prepared["002"]
    owner = notice.owner[notice.targets[0].paragraph]
    assert notice.sections[owner].path == "二、基地建设发展目标和主要任务 › （一）基地发展目标"
    report = prepared["003"].sections
    box = next(s for s in report if s.label.startswith("专栏8"))
    assert box.path == (
        "实践篇——国家数字服务出口基地发展实践 › 二、政策创新实践与典型案例 › "
        "（四）完善数字贸易统计方案 › "
        "专栏8：齐鲁软件园开发建设“数字服务出口数据统计监测平台”"
    )
    lines = sections.tree_lines(prepared["000"].sections)
    assert lines[:4] == [
        "一、重要意义",
        "二、总体要求",
        "三、重点工作",
        "  （一）积极融入数字经济全球产业链",
    ]
