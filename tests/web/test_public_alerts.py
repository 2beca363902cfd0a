"""What the public reads of 监测预警: only alerts of public rules on released, disclosure-
controlled figures — never one on an unreleased vintage or a confidential cell, and an alert
becomes public once its figures are released."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao.monitor import evaluate, rules
from shumao.monitor import tables as t
from shumao.storage import vintages
from web.factories import World, obs, release, write

PUBLIC_DECLINE = rules.PACKAGED.read_text(encoding="utf-8").replace(
    "    dataflows: [MOFCOM_REPORT, MOFCOM_SERVICES, WTO_DDS, ENT_DDS]\n",
    "    dataflows: [UNCTAD_DDS]\n    public: true\n",
    1,
)


def _rows(years: dict[str, tuple[float, float]], secret_2023: bool = False) -> list[dict]:
    return [
        row
        for area, (a, b) in years.items()
        for row in (
            obs(ref_area=area, flow="X", time_period="2022", value=a),
            obs(
                ref_area=area,
                flow="X",
                time_period="2023",
                value=b,
                conf_status="C" if secret_2023 and area == "USA" else "F",
            ),
        )
    ]


def _alerts(engine: Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.alert).where(t.alert.c.rule_code == "decline-yoy"))
        return {r.ref_area: dict(r._mapping) for r in rows}


def test_the_public_reads_only_alerts_on_released_unsuppressed_figures(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    with engine.begin() as conn:
        rules.load(conn, PUBLIC_DECLINE, username="admin", role="admin", note="public decline")
    # released: China −30 % (public), the USA −40 % with its 2023 cell confidential
    first = write(
        engine, "UNCTAD_DDS", _rows({"CHN": (100.0, 70.0), "USA": (100.0, 60.0)}, secret_2023=True)
    )
    release(engine, "UNCTAD_DDS", first)
    # not yet released: India −50 %
    write(
        engine,
        "UNCTAD_DDS",
        _rows({"CHN": (100.0, 70.0), "USA": (100.0, 60.0), "IND": (100.0, 50.0)}, secret_2023=True),
    )
    evaluate.run(engine, trigger="test", notify=False)
    found = _alerts(engine)
    assert {a: (r["level"], r["public"]) for a, r in found.items()} == {
        "CHN": ("orange", True),
        "USA": ("orange", False),
        "IND": ("red", False),
    }

    public = as_role("public")
    body = public.get("/api/alerts?state=all").json()
    assert [a["area"] for a in body["alerts"]] == ["CHN"]
    assert body["alerts"][0]["message"] == (
        "2023年中国可数字化交付的服务出口70.00亿美元，同比下降30.00%，超过预警阈值20%"
    )
    assert body["worst_by_province"] == {} and body["counts"] == {"orange": 1}
    for area in ("USA", "IND"):  # neither the confidential 60 nor the unreleased 50
        assert public.get(f"/api/alerts/{found[area]['id']}").status_code == 404
    page = public.get("/monitor?state=all")
    assert page.status_code == 200 and "同比下降30.00%" in page.text
    assert "美国" not in page.text and "印度" not in page.text and "60.00" not in page.text
    assert {
        a["area"] for a in as_role("ministry").get("/api/alerts?state=all").json()["alerts"]
    } >= {"CHN", "USA", "IND"}

    # the newest vintage released: India's figure is public now; the USA's cell stays secret
    with engine.connect() as conn:
        newest = vintages.list_vintages(conn, "UNCTAD_DDS")[-1].id
    release(engine, "UNCTAD_DDS", newest)
    evaluate.run(engine, trigger="test", notify=False)
    assert {a: r["public"] for a, r in _alerts(engine).items()} == {
        "CHN": True,
        "USA": False,
        "IND": True,
    }
    assert sorted(a["area"] for a in public.get("/api/alerts?state=all").json()["alerts"]) == [
        "CHN",
        "IND",
    ]
