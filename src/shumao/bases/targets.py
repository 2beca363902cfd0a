"""The bases' 2022 and 2025 targets (notice 二(一)) computed per base and year, with the data
behind them.

    BASE_DS_EXPORT_SHARE      数字服务出口 ÷ 外贸出口: the numerator is a declared 数字服务出口额
                              or, failing that, the 2022 report's 可数字化交付服务出口 (表3), the
                              closest published measure; the denominator (the base's foreign-
                              trade exports, goods and services) is published nowhere and must
                              be declared
    BASE_ICT_DELIVERED_SHARE  利用现代信息技术完成交付或实现的服务出口 ÷ 外贸出口: both declared

A year is compared with the first target whose deadline is not before it (2020–2022 with the
2022 targets, 2023–2025 with the 2025 ones, later years with the 2025 ones). Without a figure
the check says which one is missing — never a share made up from partial data.

Where the targets come from: the policy library's extracted targets once a person confirmed
them with one of the two indicator codes above (``shumao policy`` / the policy pages: confirm
the candidate "占外贸出口比重 ≥ 40 %" of 商办服贸函〔2019〕245号 as ``BASE_DS_EXPORT_SHARE``);
for an indicator with no confirmed target, ``data/targets.csv`` (the same targets transcribed,
the hand-over to the monitoring targets table of issue 16). A confirmed target replaces the
file's targets of its indicator and names itself (``POLICY_<id>``, 政策库目标 #id).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from shumao.bases import figures, registry, rules
from shumao.bases.tables import base_application, base_application_item
from shumao.policy import documents

PARTS = {
    "BASE_DS_EXPORT_SHARE": ("DS_EXPORT", "FT_EXPORT"),
    "BASE_ICT_DELIVERED_SHARE": ("ICT_DELIVERED_EXPORT", "FT_EXPORT"),
}
PART_NAMES = {
    "DS_EXPORT": ("数字服务出口额", "digital service exports"),
    "FT_EXPORT": ("外贸出口额", "foreign-trade exports"),
    "ICT_DELIVERED_EXPORT": (
        "利用现代信息技术完成交付或实现的服务出口额",
        "services exports delivered with modern IT",
    ),
}


@dataclass(frozen=True)
class Part:
    code: str
    value_usd: float | None
    """亿美元."""
    source: str


@dataclass(frozen=True)
class TargetCheck:
    target: rules.Target
    year: str
    share: float | None
    numerator: Part
    denominator: Part
    reached: bool | None
    note_zh: str
    note_en: str


_COMPARATORS = {"≥": ">=", "about": "~"}


def from_policy(row: dict[str, object], file: tuple[rules.Target, ...]) -> rules.Target | None:
    """A confirmed policy-library target as a base target (None: not a share in % with a
    comparator the check knows)."""
    code, comparator = str(row["indicator_code"]), _COMPARATORS.get(str(row["comparator"]))
    if code not in PARTS or comparator is None or row["unit"] != "%":
        return None
    same = [t for t in file if t.indicator == code]
    tolerance = (
        next((t.tolerance for t in same if t.comparator == "~"), 5.0) if comparator == "~" else 0.0
    )
    value, year = float(str(row["value"])), int(str(row["target_year"]))
    sign = "以上" if comparator == ">=" else "左右"
    return rules.Target(
        f"POLICY_{row['id']}",
        code,
        comparator,
        value,
        tolerance,
        "%",
        year,
        f"{row['subject']}{row['indicator']}达到{value:g}%{sign}（{year}年；政策库目标 "
        f"#{row['id']}）",
        f"{PART_NAMES[PARTS[code][0]][1]} {comparator} {value:g}% of foreign-trade exports by "
        f"{year} (policy library target #{row['id']})",
        str(row["section_path"]),
        f"policy:{row['id']}",
    )


def current(conn: Connection) -> list[rules.Target]:
    """The targets in force: confirmed policy-library targets per indicator, else the file's."""
    file = rules.targets()
    confirmed = [
        t for r in documents.confirmed_targets(conn) if (t := from_policy(r, file)) is not None
    ]
    mapped = {t.indicator for t in confirmed}
    return [*confirmed, *(t for t in file if t.indicator not in mapped)]


def applicable(year: str, every: list[rules.Target] | None = None) -> list[rules.Target]:
    every = every if every is not None else list(rules.targets())
    later = sorted({t.year for t in every if t.year >= int(year)})
    deadline = later[0] if later else max(t.year for t in every)
    return [t for t in every if t.year == deadline]


def declared_usd(conn: Connection, base_code: str, code: str, year: str) -> Part | None:
    row = conn.execute(
        select(base_application_item.c.value, base_application_item.c.unit, base_application.c.id)
        .join(base_application, base_application.c.id == base_application_item.c.application_id)
        .where(
            base_application.c.base_code == base_code,
            base_application_item.c.code == code,
            base_application_item.c.year == year,
            base_application_item.c.decision == "accepted",
        )
        .order_by(base_application.c.id.desc())
        .limit(1)
    ).first()
    if row is None or row.value is None:
        return None
    value = row.value if row.unit == "亿美元" else row.value / figures.cny_rate(year)[0]
    return Part(code, value, f"申报材料 {row.id} / declared in application {row.id}")


def published_dd(conn: Connection, base_code: str, year: str) -> Part | None:
    found = figures.exports_published(conn, base_code, [year])
    if not found or found[0].rate is None:
        return None
    return Part(
        "DS_EXPORT",
        found[0].value / found[0].rate,
        "表3 可数字化交付服务出口（代数字服务出口）/ table 3 digitally deliverable exports "
        "(for digital service exports)",
    )


def check(conn: Connection, *, base: registry.Base, year: str) -> list[TargetCheck]:
    out = []
    for target in applicable(year, current(conn)):
        num_code, den_code = PARTS[target.indicator]
        num = declared_usd(conn, base.code, num_code, year) or (
            published_dd(conn, base.code, year) if num_code == "DS_EXPORT" else None
        )
        den = declared_usd(conn, base.code, den_code, year)
        out.append(
            _checked(target, year, num or Part(num_code, None, ""), den or Part(den_code, None, ""))
        )
    return out


def _checked(target: rules.Target, year: str, num: Part, den: Part) -> TargetCheck:
    lacking = [p.code for p in (num, den) if p.value_usd is None]
    if lacking or not den.value_usd:
        zh = "、".join(PART_NAMES[c][0] for c in lacking) or PART_NAMES[den.code][0]
        en = ", ".join(PART_NAMES[c][1] for c in lacking) or PART_NAMES[den.code][1]
        return TargetCheck(
            target,
            year,
            None,
            num,
            den,
            None,
            f"无法计算：缺{zh}（无公开数据，须申报）",
            f"cannot be computed: {en} missing (not published; to be declared)",
        )
    assert num.value_usd is not None
    share = 100.0 * num.value_usd / den.value_usd
    reached = target.reached(share)
    sign = "≥" if target.comparator == ">=" else "约"
    return TargetCheck(
        target,
        year,
        share,
        num,
        den,
        reached,
        f"{share:.2f}%（目标 {sign}{target.value:g}%，{target.year}年）",
        f"{share:.2f}% (target {target.comparator}{target.value:g}% by {target.year})",
    )
