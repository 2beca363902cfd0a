"""Response models of the policy library API (search, documents, files, targets)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class PolicyHit(BaseModel):
    id: int
    title: str | None
    doc_number: str | None
    issue_date: date | None
    level: str | None
    level_text: str = Field(description="层级名称（按界面语言）/ the level in the user's language")
    doc_type: str | None
    doc_type_text: str
    issuers: list[str]
    issuers_text: list[str]
    section: str = Field("", description="最佳段落所在章节 / the best passage's section")
    snippet: str = Field("", description="最佳段落（简体）/ the best passage, simplified script")
    snippet_original: str = Field(
        "", description="同一段落的原文字形 / in the document's own script"
    )
    marks: list[tuple[int, int]] = Field(
        default_factory=list,
        description="检索词在片段中的位置 / where the query's terms are in the snippet",
    )
    script: str = Field(description="simplified 简体 / traditional 繁体")
    score: float | None = None


class PolicyFacetValue(BaseModel):
    value: str
    text: str
    count: int


class PolicySearchOut(BaseModel):
    query: str
    terms: list[str]
    total: int = Field(description="符合条件的文件数 / documents matching")
    more: bool = Field(False, description="超过计数上限 / more than the counted maximum")
    page: int
    pages: int
    hits: list[PolicyHit]
    facets: dict[str, list[PolicyFacetValue]] = Field(
        description="issuer 发文机关 · level 层级 · doc_type 文种 · year 年份"
    )


class PolicyFileOut(BaseModel):
    id: int
    source_file: str
    source_format: str
    script: str
    primary: bool = Field(description="文件正文取自该文件 / the document's text is taken from it")
    similarity: float | None


class PolicyTargetOut(BaseModel):
    id: int
    target_year: int
    subject: str
    indicator: str
    comparator: str
    value: float
    unit: str
    sentence: str
    section_path: str
    status: str
    indicator_code: str | None


class PolicyDocumentOut(BaseModel):
    id: int
    title: str | None
    doc_number: str | None
    issuers: list[str]
    issuers_text: list[str]
    issue_date: date | None
    level: str | None
    level_text: str
    doc_type: str | None
    doc_type_text: str
    missing: list[str] = Field(description="文中未找到的字段 / fields not found in the text")
    corrected: list[str] = Field(description="经人工更正的字段 / fields an editor corrected")
    script: str
    files: list[PolicyFileOut]
    canonical_id: int | None = Field(
        description="编辑认定的同一文件 / the record an editor linked it to"
    )
    duplicates: list[int] = Field(description="编辑链接到本文件的记录 / records linked to it")
    sections: list[dict[str, Any]]
    targets: list[PolicyTargetOut]
    paragraphs: list[dict[str, str]] = Field(
        description="段落（简体与原文）及其章节 / paragraphs, simplified and original, with section"
    )
