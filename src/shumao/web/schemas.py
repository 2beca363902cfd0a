"""The JSON shapes of the API (pydantic models), hence its OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shumao.web import palette


class Kpi(BaseModel):
    key: str = Field(description="指标键 / key, e.g. total, exports, share")
    label: str
    value: float | None
    unit: str = Field(description="显示单位 / unit shown, e.g. 亿美元 or %")
    period: str | None = None
    growth: float | None = Field(None, description="同比增速（%）/ growth on a year earlier, %")
    targets: list[dict[str, Any]] = Field(default_factory=list)
    source: str = ""
    group: str = Field("", description="页面分区 / page section, e.g. ordered (数字订购贸易)")


class Series(BaseModel):
    name: str
    code: str = ""
    data: list[float | None]
    color: str = Field(
        "",
        description="颜色（每个流向在所有图中同色）/ colour; a flow has one colour on every chart",
    )


class Chart(BaseModel):
    id: str
    kind: Literal["line", "bar", "map", "pie"]
    title: str
    unit: str
    categories: list[str] = Field(description="横轴或地区名称 / x-axis labels or area names")
    codes: list[str] = Field(default_factory=list, description="与 categories 对应的代码 / codes")
    series: list[Series]
    source: str
    period: str | None = None
    links: list[str] = Field(default_factory=list, description="点击跳转 / page per category")
    note: str = Field(
        "", description="图注，如只显示部分序列 / a note, e.g. when only some series are drawn"
    )
    empty_reason: str = Field(
        "", description="无数据时说明原因（否则按来源）/ why it has no data, when it has none"
    )
    pieces: list[dict[str, str | int]] = Field(
        default_factory=list,
        description="分级着色（如预警等级）/ colour classes (e.g. alert levels)",
    )
    geo: str = Field(
        "china",
        description="地图：china（全国，带南海诸岛附图）或省级代码（该省地级"
        "区划）/ map: china (with the South China Sea inset) or a province code "
        "(its cities)",
    )
    legend: str = Field("", description="地图图例：灰色无数据的说明 / map legend: what grey means")
    ramp: list[str] = Field(
        default_factory=lambda: list(palette.MAP_RAMP), description="地图色阶 / map colour ramp"
    )
    no_data_color: str = palette.NO_DATA

    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.data)


class Link(BaseModel):
    code: str
    name: str
    href: str


class Dashboard(BaseModel):
    code: str
    name: str
    level: str = Field(description="nation | region | province | city | county | park | enterprise")
    scope_note: str = ""
    kpis: list[Kpi]
    charts: list[Chart]
    links: list[Link] = Field(
        default_factory=list, description="上级页面，按层级 / pages above, in hierarchy order"
    )
    kpi_note: str = Field(
        "", description="各指标最新期不同时的说明 / says so when the KPIs' latest periods differ"
    )
    empty: list[str] = Field(
        default_factory=list,
        description="暂无数据的图表及原因 / charts left out for lack of data, with the reason",
    )


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    role_name: str
    scope: str
    active: bool


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str


class DataflowOut(BaseModel):
    id: str
    name: str
    source: str
    dimensions: list[str]
    released_vintages: list[int]


class VintageOut(BaseModel):
    id: int
    created_at: str
    label: str
    kind: str
    released: bool


class ExploreOut(BaseModel):
    dataflow: str
    columns: list[str]
    column_names: list[str]
    rows: list[dict[str, Any]]
    messages: list[str] = Field(
        default_factory=list,
        description="为何没有数据，如筛选值不存在 / "
        "why there are no rows, e.g. a filter naming nothing",
    )
    total: int
    page: int
    size: int
    pages: int
    unit: str | None
    chart: Chart | None
    source: str
    protected_by: str = Field(
        "",
        description="公开的汇总数据经哪一披露控制规则集保护（企业直报等微观数据）/ "
        "the disclosure-control rule set that protected the published "
        "aggregates (micro-data dataflows such as enterprise filings)",
    )
    permalink: str
    downloads: dict[str, str]


class ReleaseIn(BaseModel):
    dataflow: str = Field(max_length=40)
    vintage_id: int | None = Field(None, ge=1, le=2**31 - 1)
    note: str = Field("", max_length=500)


class ReleaseOut(BaseModel):
    id: int
    dataflow_id: str
    vintage_id: int
    released_at: str
    released_by: str
    note: str
    disclosure_rules: dict[str, Any] | None = Field(
        None,
        description="发布的汇总数据所用的披露控制规则集（名称与参数）；按原样发布的表为空 / the "
        "disclosure-control rule set (name and parameters) that protected the cells this "
        "release published; null for tables published as they are",
    )


class UserIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(min_length=8, max_length=200)
    role: str = Field(max_length=12)
    scope: str = Field("", max_length=20)
    display_name: str = Field("", max_length=100)


class UserPatch(BaseModel):
    role: str | None = Field(None, max_length=12)
    scope: str | None = Field(None, max_length=20)
    active: bool | None = None
    display_name: str | None = Field(None, max_length=100)
    password: str | None = Field(None, min_length=8, max_length=200)


class AuditOut(BaseModel):
    entries: list[dict[str, Any]]
    total: int


class FilingOut(BaseModel):
    id: int
    form_id: str
    form_title: str = Field("", description="报表编号与名称 / the form's code and title")
    uscc: str
    enterprise: str
    period: str
    status: str
    status_text: str
    version: int
    current_upload_id: int | None
    vintage_id: int | None
    submitted_at: datetime | None = Field(
        None, description="首次提交（北京时间）/ first submitted (Beijing time)"
    )


class FilingPage(BaseModel):
    total: int = Field(description="符合条件的填报数 / filings matching the filters")
    page: int
    pages: int
    rows: list[FilingOut]


class TodoOut(BaseModel):
    form_id: str
    form_title: str
    period: str
    opens: date = Field(
        description="可开始填报的日期（报告期结束次日）/ the first day it can be filed"
    )
    due: date = Field(description="截止日期 / deadline")
    status: str = Field(description="填报状态，未填报为 none / the filing's status, none if none")
    status_text: str
    state: Literal["done", "waiting", "action", "due", "overdue", "upcoming"] = Field(
        description="done 已通过 · waiting 审核中 · action 待修改或提交 · due 待报 · overdue "
        "逾期 · upcoming 未到报送期"
    )
    state_text: str
    filing_id: int | None


class ResponseRow(BaseModel):
    code: str = Field(description="省份或基地代码 / province or park code")
    name: str
    reporters: int = Field(description="应报企业数 / enterprises that must report")
    on_time: int
    late: int
    missing: int
    pending: int
    rate: float | None = Field(description="报送率（含迟报），% / share that filed, late included")


class ResponseOverview(BaseModel):
    form_id: str
    form_title: str
    period: str
    due: date
    by: Literal["province", "park"]
    total: ResponseRow
    rows: list[ResponseRow]


class NonResponseOut(BaseModel):
    uscc: str
    enterprise: str
    park_code: str | None
    park: str = Field("", description="基地名称 / the park's name")
    kind: Literal["missing", "late", "pending"] = Field(
        description="漏报 missing / 迟报 late / 待报 pending (not yet due)"
    )
    kind_text: str
    due: date
    status: str = Field(
        description="填报状态，未建立为 none / the filing's status, none if no filing"
    )
    status_text: str
    first_submitted_at: datetime | None = Field(description="北京时间 / Beijing time")


class NonResponseReport(BaseModel):
    form_id: str
    form_title: str
    period: str
    due: date
    counts: dict[str, int] = Field(description="各类家数 / enterprises per kind")
    rows: list[NonResponseOut]


class FilingDetail(BaseModel):
    filing: FilingOut
    upload: dict[str, Any] | None = Field(
        None, description="显示其校验结果的上传 / the upload whose findings are shown"
    )
    findings: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    uploads: list[dict[str, Any]]
    history: list[dict[str, Any]]
    may_file: bool
    may_review: bool


class UploadOut(BaseModel):
    filing: FilingOut
    upload_id: int
    accepted: bool
    errors: int
    warnings: int
    findings: list[dict[str, Any]]


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1)


class ActionIn(BaseModel):
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1)
    note: str = Field("", max_length=2000)
    explanations: dict[str, str] = Field(default_factory=dict)


class FrameworkSource(BaseModel):
    dataflow: str = Field(description="数据流名称 / dataflow name")
    coverage: str = Field(
        description="精确、估计、下限或上限 / exact, estimate, lower or upper bound"
    )
    text: str


class FrameworkRow(BaseModel):
    id: str
    name: str
    part: str = Field(description="数字订购、数字交付或二者重叠 / ordered, delivered or both")
    lo: float | None = Field(None, description="下界 / lower bound (亿美元)")
    hi: float | None = Field(
        None, description="上界，无上界时为空 / upper bound, null when unbounded (亿美元)"
    )
    sources: list[FrameworkSource] = Field(default_factory=list)
    note: str = ""


class FrameworkTable(BaseModel):
    title: str
    rule: str
    handbook: str
    period: str | None = Field(None, description="数值所属年份 / the year of the values")
    unit: str
    rows: list[FrameworkRow]
    total: FrameworkRow
    source: str = ""
    empty: str = Field("", description="无数值时的原因 / why there are no values")
