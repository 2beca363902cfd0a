"""JSON shapes of the monitoring API (预警与目标) for OpenAPI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AlertOut(BaseModel):
    id: int
    rule: str
    rule_name: str
    level: str = Field(description="red | orange | yellow | blue（红、橙、黄、蓝）")
    level_name: str
    state: str = Field(description="pending | firing | acknowledged | resolved")
    state_name: str
    area: str
    area_name: str
    period: str
    value: float | None
    threshold: float | None
    message: str = Field(description="一句话说明（所选语言）/ one sentence in the chosen language")
    dataflow: str
    fired_at: datetime | None
    version: int


class AlertEventOut(BaseModel):
    at: datetime
    username: str
    action: str
    action_name: str
    from_state: str | None
    to_state: str
    note: str


class SeriesPoint(BaseModel):
    period: str
    value: float | None


class AlertDetailOut(AlertOut):
    series_key: str
    series: list[SeriesPoint] = Field(default_factory=list, description="预警所在序列 / the series")
    unit: str = ""
    silenced_until: datetime | None = None
    events: list[AlertEventOut]
    target: TargetOut | None = Field(
        default=None,
        description="目标进度预警的目标：所需路径、预测及区间 / the target of a "
        "target-trajectory alert: required path, projection and its band",
    )


class AlertListOut(BaseModel):
    total: int
    page: int
    pages: int
    counts: dict[str, int] = Field(description="各等级数量 / alerts per level")
    worst_by_province: dict[str, str] = Field(
        description="省 → 最严重未解除等级 / worst open level"
    )
    alerts: list[AlertOut]
    empty_reason: str = ""


CODE = r"^[0-9A-Za-z_-]*$"


class AlertListQuery(BaseModel):
    """The alert list's filters and page (``/api/alerts``, ``/monitor``); empty means any."""

    level: str | None = Field(
        None, pattern="^(red|orange|yellow|blue)?$", description="red|orange|yellow|blue"
    )
    state: str = Field(
        "open",
        pattern="^(open|all|pending|firing|acknowledged|resolved)$",
        description="open（默认）|all|pending|firing|acknowledged|resolved",
    )
    rule: str | None = Field(None, max_length=40, pattern=CODE)
    area: str | None = Field(None, max_length=18, pattern=CODE)
    period: str | None = Field(None, max_length=10, pattern=r"^[0-9Q-]*$")
    page: int = Field(1, ge=1, le=10_000)


class AlertActionIn(BaseModel):
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=2000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    until: datetime | None = None
    until_change: bool = False


class ProjectionPoint(BaseModel):
    year: int
    mean: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float


class TargetPoint(BaseModel):
    year: int
    value: float
    source: str
    interpolated: bool = False


class TargetOut(BaseModel):
    key: str
    version: int
    name: str
    indicator: str
    scope: str
    area: str
    comparator: str
    value: float
    unit: str
    deadline: int
    sentence: str
    document_id: int | None
    current: TargetPoint | None
    required_per_year: float | None
    trend_per_year: float | None
    at_deadline: float | None
    probability: float | None
    crossing_year: int | None
    status: str
    status_name: str
    points: list[TargetPoint]
    projection: list[ProjectionPoint]
    gap: str = ""


AlertDetailOut.model_rebuild()  # its ``target`` is a TargetOut, defined after it
