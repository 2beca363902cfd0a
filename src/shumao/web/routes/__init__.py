"""Thin routes: each maps a request onto one service call and a page or JSON response."""

from fastapi import APIRouter

from shumao.web.routes import admin, auth, data, filings, monitor, pages, policy, sdmx

ROUTERS: tuple[APIRouter, ...] = (auth.router, pages.router, data.router, sdmx.router,
                                  filings.router, policy.router, monitor.router, admin.router)
