"""Thin routes: each maps a request onto one service call and a page or JSON response."""

from fastapi import APIRouter

from shumao.web.routes import (
    admin,
    auth,
    bases,
    calendar,
    data,
    filings,
    index,
    monitor,
    outbound,
    pages,
    policy,
    policy_admin,
    report,
    sdmx,
)

ROUTERS: tuple[APIRouter, ...] = (
    monitor.lists,  # first: the busiest routes are matched before a scan of every other route
    data.explorer_api_router,
    auth.router,
    pages.router,
    data.router,
    sdmx.router,
    filings.router,
    policy.router,
    monitor.router,
    admin.router,
    index.pages,
    index.api,
    report.router,
    bases.pages,
    bases.api,
    outbound.router,
    calendar.router,
    policy_admin.router,
)
