"""The policy library (行业政策库): search and browse pages, a document's page, and their JSON API.
Policy documents are public: every role may read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from shumao.policy.search import Filters
from shumao.web.deps import ScopeDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.schemas_policy import PolicyDocumentOut, PolicySearchOut
from shumao.web.services import policy as service

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/policy", tags=["policy"])

DocId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=200, description="检索词 / what to look for")]
Name = Annotated[str | None, Query(max_length=100)]
Year = Annotated[int | None, Query(ge=1949, le=2100)]


def _filters(
    issuer: str | None,
    level: str | None,
    doc_type: str | None,
    year: int | None,
    year_from: int | None,
    year_to: int | None,
) -> Filters:
    return service.filters(
        issuer=issuer,
        level=level,
        doc_type=doc_type,
        year=year,
        year_from=year_from,
        year_to=year_to,
    )


@pages.get("/policy")
def search_page(
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    q: Text = "",
    issuer: Name = None,
    level: Name = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=20)] = None,
    year: Year = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=25)] = 1,
) -> Response:
    lang = lang_of(request)
    chosen = {
        "q": q,
        "issuer": issuer or "",
        "level": level or "",
        "type": doc_type or "",
        "year": str(year or ""),
    }
    found = service.search_page(
        conn,
        q=q,
        filters=_filters(issuer, level, doc_type, year, None, None),
        page=page_no,
        lang=lang,
    )
    return page(
        request, "policy.html", {"r": found, "chosen": chosen, "highlight": service.highlight}
    )


@pages.get("/policy/{doc_id}")
def document_page(
    request: Request,
    doc_id: DocId,
    conn: SessionDep,
    scope: ScopeDep,
    original: Annotated[bool, Query(description="原文字形 / own script")] = False,
) -> Response:
    lang = lang_of(request)
    found = service.document(conn, doc_id=doc_id, lang=lang)
    return page(
        request,
        "policy_document.html",
        {
            "d": found,
            "original": original,
            "labels": {
                k: service.field_label(k, lang)
                for k in ("title", "doc_number", "issuers", "issue_date", "level", "doc_type")
            },
        },
    )


@api.get(
    "/search",
    response_model=PolicySearchOut,
    summary="检索政策库（无检索词时按日期浏览）/ search the policy library (browse by date "
    "without a query)",
)
def search_api(
    request: Request,
    conn: SessionDep,
    q: Text = "",
    issuer: Name = None,
    level: Name = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=20)] = None,
    year: Year = None,
    year_from: Year = None,
    year_to: Year = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=25)] = 1,
) -> PolicySearchOut:
    return service.search_page(
        conn,
        q=q,
        filters=_filters(issuer, level, doc_type, year, year_from, year_to),
        page=page_no,
        lang=lang_of(request),
    )


@api.get(
    "/documents/{doc_id}",
    response_model=PolicyDocumentOut,
    summary="政策文件：元数据、来源文件、目标、正文 / a document: metadata, files, targets, text",
)
def document_api(request: Request, doc_id: DocId, conn: SessionDep) -> PolicyDocumentOut:
    return service.document(conn, doc_id=doc_id, lang=lang_of(request))


router.include_router(pages)
router.include_router(api)
