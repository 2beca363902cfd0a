"""The JSON API and pages show the stored numbers: overview, explorer, downloads, releases,
disclosure control, the error shape."""

from __future__ import annotations

import io

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.release.history import list_releases
from web.conftest import login
from web.factories import MONEY, PUBLIC_REPORT, REPORT, USCC_A, make_enterprise, obs, release, write


def test_overview_kpis_are_the_stored_numbers(as_role, world) -> None:
    board = as_role("public").get("/api/overview").json()
    kpi = {k["key"]: k for k in board["kpis"]}
    assert kpi["exports"]["value"] == pytest.approx(2200.50)
    assert kpi["imports"]["value"] == pytest.approx(1700.25)
    assert kpi["total"]["value"] == pytest.approx(3900.75)
    assert kpi["balance"]["value"] == pytest.approx(500.25)
    assert kpi["exports"]["growth"] == pytest.approx((2200.50 / 2105.37 - 1) * 100)
    assert kpi["total"]["period"] == "2023" and kpi["total"]["unit"] == "亿美元"
    assert "UNCTAD" in kpi["total"]["source"]


def test_the_overview_page_prints_numbers_with_two_decimals_and_sources(as_role, world) -> None:
    page = as_role("public").get("/").text
    assert "3,900.75" in page and "2,200.50" in page
    assert page.count("数据来源：") >= 5
    assert 'data-chart="' in page and 'id="chart-map"' in page


def test_the_province_map_has_every_province_and_the_released_values(as_role, world) -> None:
    board = as_role("public").get("/api/overview").json()
    chart = next(c for c in board["charts"] if c["kind"] == "map")
    assert len(chart["codes"]) == 34 and "710000" in chart["codes"]
    values = dict(zip(chart["codes"], chart["series"][0]["data"], strict=True))
    assert values["320000"] == pytest.approx(PUBLIC_REPORT["320000"])
    assert chart["links"][chart["codes"].index("320000")] == "/area/320000"


def test_a_missing_figure_is_a_dash_without_a_unit(as_role, world) -> None:
    """The park's report gives only its total: exports, imports and balance print as "—"."""
    import re

    page = as_role("province").get("/area/DSEB05").text
    values = re.findall(r'<div class="value">(.*?)</div>', page)
    assert "4,321.93 <small>亿美元</small>" in values and "—" in values
    assert not any(v.startswith("—") and "亿美元" in v for v in values)


def test_the_public_sees_released_vintages_only(as_role, world) -> None:
    public = as_role("public").get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=320000").json()
    assert [r["value"] for r in public["rows"]] == [PUBLIC_REPORT["320000"]]
    ministry = as_role("ministry").get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=320000").json()
    assert sorted(r["value"] for r in ministry["rows"]) == sorted(
        [PUBLIC_REPORT["320000"], REPORT["320000"]]
    )


def test_a_release_makes_a_vintage_public(as_role, world, engine: Engine) -> None:
    release(engine, "MOFCOM_REPORT", world.vintages["MOFCOM_REPORT_new"])
    rows = as_role("public").get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=330000").json()
    assert sorted(r["value"] for r in rows["rows"]) == sorted(
        [PUBLIC_REPORT["330000"], REPORT["330000"]]
    )
    with engine.connect() as conn:
        assert (
            next(r.vintage_id for r in list_releases(conn, "MOFCOM_REPORT"))
            == world.vintages["MOFCOM_REPORT_new"]
        )


def test_the_public_never_sees_enterprise_rows(as_role, world) -> None:
    body = as_role("public").get("/api/explore?dataflow=ENT_DDS&size=1000").json()
    areas = {r["ref_area"] for r in body["rows"]}
    assert USCC_A not in areas and all(len(a) != 18 for a in areas)
    nation = [
        r
        for r in body["rows"]
        if r["ref_area"] == "CHN" and r["product"] == "DD" and r["counterpart_area"] == "WLD"
    ]
    assert nation[0]["value"] == pytest.approx(sum(MONEY.values()))
    park = [r for r in body["rows"] if r["ref_area"] == "DSEB05"]
    assert park and all(r["value"] is None and r["conf_status"] == "C" for r in park)


def test_three_comparable_enterprises_make_a_publishable_park_total(
    as_role, world, engine: Engine
) -> None:
    from shumao.validation import uscc

    codes = [uscc.make(f"91320114MA1PQK{i:03d}") for i in range(3)]
    for i, code in enumerate(codes):
        make_enterprise(engine, uscc=code, name=f"企业{i}", park_code="DSEB05")
    rows = [
        obs(
            ref_area=c,
            counterpart_area="JPN",
            product="SJ2",
            freq="Q",
            time_period="2024-Q2",
            value=v,
            unit_mult=4,
        )
        for c, v in zip(codes, (100.0, 120.0, 90.0), strict=True)
    ]
    release(engine, "ENT_DDS", write(engine, "ENT_DDS", rows))
    body = (
        as_role("public")
        .get(
            "/api/explore?dataflow=ENT_DDS&ref_area=DSEB05&product=DD&counterpart_area=WLD"
            "&start=2024-Q2&end=2024-Q2"
        )
        .json()
    )
    assert [r["value"] for r in body["rows"]] == [pytest.approx(310.0)]


def test_explorer_filters_by_names_converts_units_sorts_and_pages(as_role, world) -> None:
    c = as_role("ministry")
    base = "/api/explore?dataflow=UNCTAD_DDS&ref_area=中国&unit=万美元"
    body = c.get(base + "&sort=value&desc=1&size=2").json()
    assert body["total"] == 4 and body["pages"] == 2
    assert [r["value"] for r in body["rows"]] == [
        pytest.approx(2200.50e4),
        pytest.approx(2105.37e4),
    ]
    assert body["rows"][0]["unit"] == "USD" and body["rows"][0]["unit_mult"] == 4
    assert body["rows"][0]["ref_area_name"] == "中国"
    page2 = c.get(base + "&sort=value&desc=1&size=2&page=2").json()
    assert [r["value"] for r in page2["rows"]] == [
        pytest.approx(1700.25e4),
        pytest.approx(1621.70e4),
    ]
    yuan = c.get(
        "/api/explore?dataflow=UNCTAD_DDS&ref_area=CHN&unit=亿元&flow=X&start=2022&end=2022"
    ).json()
    from shumao.reference import fx

    assert yuan["rows"][0]["value"] == pytest.approx(2105.37 * fx.rate(2022, "USD", "CNY"))


def test_the_explorer_draws_a_chart_only_for_few_series(as_role, world, engine: Engine) -> None:
    """15 partners: no chart, and the page says why (a chart of 15 lines is unreadable); the
    table keeps all 15. A view of 12 or fewer series of one unit is drawn whole."""
    rows = [
        obs(counterpart_area=code, time_period=year, value=float(k + 1))
        for k, code in enumerate(
            [
                "USA",
                "JPN",
                "DEU",
                "GBR",
                "FRA",
                "KOR",
                "SGP",
                "HKG",
                "AUS",
                "CAN",
                "IND",
                "ITA",
                "NLD",
                "IRL",
                "ESP",
            ]
        )
        for year in ("2022", "2023")
    ]
    write(engine, "WTO_DDS", rows)
    c = as_role("ministry")
    body = c.get("/api/explore?dataflow=WTO_DDS&ref_area=CHN&size=100").json()
    assert body["total"] == 30 and body["chart"] is None
    few = c.get("/api/explore?dataflow=WTO_DDS&ref_area=CHN&counterpart_area=USA,JPN").json()
    assert [s["name"] for s in few["chart"]["series"]] == ["日本", "美国"]
    assert few["chart"]["unit"] == "亿美元"  # the stored unit by name, not USD×10^8
    page = c.get("/explorer?dataflow=WTO_DDS&ref_area=CHN").text
    assert "所选数据有 15 条序列，图表只画不超过 12 条" in page


def test_the_permalink_reproduces_the_view(as_role, world) -> None:
    c = as_role("ministry")
    body = c.get(
        "/api/explore?dataflow=UNCTAD_DDS&flow=X&sort=time_period&desc=1&size=1&view=long"
    ).json()
    again = c.get(
        "/api/" + body["permalink"].removeprefix("/").replace("explorer", "explore", 1)
    ).json()
    assert again["rows"] == body["rows"] and again["total"] == body["total"] == 2
    page = c.get(body["permalink"]).text
    assert "2,200.50" in page and 'data-total="2"' in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sdmx-csv"])
def test_downloads_hold_exactly_the_rows_of_the_view(as_role, world, fmt: str) -> None:
    c = as_role("ministry")
    query = "dataflow=UNCTAD_DDS&unit=亿美元&sort=value&desc=1&size=2&view=long"
    shown = c.get(f"/api/explore?{query}").json()
    r = c.get(f"/api/explore/download?format={fmt}&{query}")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(r.content), read_only=True)["数据"]
        header, *cells = list(sheet.iter_rows(values_only=True))
        frame = pl.DataFrame([dict(zip(header, row, strict=True)) for row in cells])
    else:
        frame = pl.read_csv(io.BytesIO(r.content), infer_schema_length=0)
    value_col = "OBS_VALUE" if fmt == "sdmx-csv" else "数值（亿美元）"
    values = [float(v) for v in frame[value_col].to_list()]
    assert values == pytest.approx([2200.50, 2105.37, 1700.25, 1621.70])  # all pages, in order
    assert values[:2] == pytest.approx([row["value"] for row in shown["rows"]])


def test_downloads_are_audited(as_role, world, engine: Engine) -> None:
    as_role("park").get("/api/explore/download?format=csv&dataflow=ENT_DDS")
    from shumao.auth import audit

    with engine.connect() as conn:
        entries, _ = audit.browse(conn, action="download")
    assert entries[0].username == "park-in" and entries[0].target == "ENT_DDS csv"


def test_errors_have_one_shape(as_role, world) -> None:
    c = as_role("public")
    for path, status, kind in [
        ("/api/areas/XX9", 404, "not_found"),
        ("/api/explore?dataflow=NOPE", 404, "not_found"),
        ("/api/explore?unit=furlongs", 404, "not_found"),
        ("/api/explore?sort=nope", 400, "bad_request"),
        ("/api/explore?page=0", 422, "invalid_request"),
        ("/api/filings", 401, "login_required"),
        ("/sdmx/data/UNCTAD_DDS/CHN.X", 400, "bad_request"),
        ("/api/no-such-thing", 404, "http"),
    ]:
        r = c.get(path)
        assert r.status_code == status, (path, r.text)
        error = r.json()["error"]
        assert error["type"] == kind and error["status"] == status, path
        assert error["message_zh"] and error["message_en"], path


def test_browsers_get_an_error_page(as_role, world) -> None:
    r = as_role("public").get("/area/XX9", headers={"accept": "text/html"})
    assert r.status_code == 404 and "<html" in r.text and "出错了" in r.text


def test_requests_over_the_size_limit_are_refused_before_reading(app, world, engine) -> None:
    from web.conftest import client_for

    with client_for(app) as c:
        login(c, world.users["enterprise"])
        limit = app.state.config.upload_max_bytes
        r = c.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3"},
            files={"file": ("big.csv", b"x" * (limit + 512 * 1024), "text/csv")},
        )
    assert r.status_code == 413 and r.json()["error"]["type"] == "too_large"


def test_pages_forbid_inline_scripts_and_framing(as_role, world) -> None:
    r = as_role("public").get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text  # every script is a file under /static


def test_front_end_assets_are_served_locally(as_role, world) -> None:
    c = as_role("public")
    page = c.get("/").text
    assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]
    for path in (
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/geo/china_provinces.geojson",
        "/static/app.js",
    ):
        assert c.get(path).status_code == 200, path
    geo = c.get("/static/geo/china_provinces.geojson").json()
    assert len(geo["features"]) == 34
    docs = c.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs


def test_nul_characters_are_refused_not_stored(as_role, world) -> None:
    c = as_role("public")
    for r in (
        c.get("/api/explore?ref_area=%00"),
        c.post("/api/auth/login", json={"username": "a\u0000b", "password": "x"}),
        c.post("/login", data={"username": "a\x00b", "password": "x"}),
    ):
        assert r.status_code == 400 and r.json()["error"]["type"] == "bad_request"


def test_a_repeated_overview_is_answered_without_the_database(
    app, as_role, world, engine: Engine
) -> None:
    from sqlalchemy import event

    app.state.cache.state_ttl = 60.0  # as served: the store state is trusted for a while
    client = as_role("public")
    first = client.get("/api/overview")
    checkouts: list[object] = []

    def count(*args: object) -> None:
        checkouts.append(args)

    event.listen(engine, "checkout", count)
    try:
        again = [client.get("/api/overview") for _ in range(3)]
    finally:
        event.remove(engine, "checkout", count)
    assert [r.content for r in again] == [first.content] * 3
    assert checkouts == []
    assert first.headers["content-type"] == "application/json"
    kpi = {k["key"]: k["value"] for k in first.json()["kpis"]}
    assert kpi["total"] == pytest.approx(3900.75)


def test_a_release_by_another_process_shows_once_the_state_is_read_again(
    app, as_role, world, engine: Engine
) -> None:
    app.state.cache.state_ttl = 60.0

    def total(board: dict) -> tuple[float, str]:
        kpi = next(k for k in board["kpis"] if k["key"] == "total")
        return kpi["value"], kpi["period"]

    client = as_role("public")
    assert total(client.get("/api/areas/330000").json()) == (PUBLIC_REPORT["330000"], "2022")
    release(engine, "MOFCOM_REPORT", world.vintages["MOFCOM_REPORT_new"])  # behind the app's back
    assert total(client.get("/api/areas/330000").json()) == (PUBLIC_REPORT["330000"], "2022")
    app.state.cache.touch()  # the trusted minute is over
    assert total(client.get("/api/areas/330000").json()) == (REPORT["330000"], "2023")


@pytest.mark.parametrize("path", ["/api/explore", "/api/explore/download", "/explorer"])
def test_an_out_of_range_vintage_is_a_422_with_a_message(as_role, world, path: str) -> None:
    """``as_of=99999999999999999999`` overflowed the driver (HTTP 500 for logged-in users)."""
    c = as_role("province")
    r = c.get(
        f"{path}?dataflow=ENT_DDS&as_of=99999999999999999999",
        headers={"accept": "application/json"},
    )
    assert r.status_code == 422, r.text
    if path != "/explorer":
        error = r.json()["error"]
        assert error["type"] == "invalid_request" and "2,147,483,647" in error["message_en"]
    fine = c.get(f"{path}?dataflow=ENT_DDS&as_of={world.vintages['ENT_DDS']}")
    assert fine.status_code == 200
