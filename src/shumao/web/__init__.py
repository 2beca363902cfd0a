"""The web platform: server-rendered pages (Chinese first, English switch) and a JSON API.

    app.py        ``create_app(settings)``: the FastAPI application (small: wiring only)
    config.py     the web's view of the settings (session length, upload and login limits)
    deps.py       typed dependencies: ``SessionDep``, ``CurrentUser``, ``ScopeDep``, CSRF
    errors.py     every ``shumao.errors`` exception → one JSON error shape (or an error page)
    i18n.py       language choice and the interface texts (``messages.yaml``)
    render.py     Jinja2 templates and number formatting (亿美元, two decimals)
    cache.py      aggregated views cached per store state (newest vintage and release)
    schemas.py    the JSON shapes of the API (pydantic), hence the OpenAPI schema
    routes/       thin routes: pages, data API, SDMX, filings, admin, login
    services/     what routes call: dashboard, explorer, SDMX, filings, admin, labels
    templates/    Jinja2 pages;  static/  CSS, JS, vendored ECharts and htmx, the China map

Data reads go through ``shumao.access.read`` (scope filtering, releases, disclosure
control); routes contain no SQL and no statistics.
"""
