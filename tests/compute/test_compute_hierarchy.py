"""The hierarchies built from the reference data."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.compute import hierarchy as hier
from shumao.errors import UnknownCode
from shumao.release.publish import enterprise_parents


def test_geography_goes_from_enterprise_to_nation() -> None:
    tree = hier.geography({"91330100MA2B000000": "DSEB06"})
    assert tree.ancestors("91330100MA2B000000") == ["DSEB06", "330100", "330000", "EAST", "CHN"]


def test_parks_in_municipalities_and_pseudo_cities_hang_under_a_real_node() -> None:
    tree = hier.geography()
    assert tree.ancestors("DSEB01") == ["110000", "EAST", "CHN"]  # 北京 中关村
    assert tree.ancestors("DSEB11") == ["460000", "EAST", "CHN"]  # 海南 (469000 is no node)


def test_counties_cities_provinces_regions() -> None:
    tree = hier.geography()
    assert tree.ancestors("330108") == ["330100", "330000", "EAST", "CHN"]
    assert tree.ancestors("110105") == ["110000", "EAST", "CHN"]  # district of a municipality
    assert sorted(tree.children("CHN")) == ["CENTRAL", "EAST", "NORTHEAST", "WEST"]
    assert len(tree.codes("province")) == 31  # 台湾、香港、澳门 are in no NBS region


def test_closure_lists_every_ancestor_once() -> None:
    closure = hier.geography().closure()
    chain = closure.filter(pl.col("code") == "330108").sort("depth")
    assert chain["ancestor"].to_list() == ["330108", "330100", "330000", "EAST", "CHN"]
    assert closure.select("code", "ancestor").is_duplicated().sum() == 0


def test_ebops_tree_under_digitally_deliverable() -> None:
    tree = hier.ebops_tree("DD")
    assert tree.children("DD") == ["SF", "SG", "SH", "SI", "SJ", "SK"]
    assert tree.ancestors("SJ311") == ["SJ31", "SJ3", "SJ", "DD"]
    assert "SC" not in tree.codes()
    assert "SC" in hier.ebops_tree("S").codes()


def test_dt_categories() -> None:
    tree = hier.dt_categories()
    assert tree.parent("SI2") == "DT_TECH"
    assert tree.parent("SK1") == "DT_PROD"
    assert tree.parent("SK2") == "DT_SERV"
    assert "SK" not in tree.codes()  # its parts fall into two categories


def test_grouping_membership_as_of_the_period() -> None:
    brics = ["BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ETH", "IRN", "ARE"]
    members = hier.grouping_map(brics, ["2023", "2024"], ["BRICS"])
    counts = dict(members.group_by("time_period").len().iter_rows())
    assert counts == {"2023": 5, "2024": 9}


def test_unknown_hierarchy_name() -> None:
    with pytest.raises(UnknownCode):
        hier.by_name("nope")


def test_enterprises_come_from_the_registry(engine: Engine) -> None:
    from datetime import UTC, datetime

    from shumao.collection.tables import enterprise

    now = datetime.now(UTC)
    rows = [("91330100MA2B000000", "DSEB06", None), ("91330100MA2B000001", None, "330108")]
    with engine.begin() as conn:
        for uscc, park, county in rows:
            conn.execute(
                enterprise.insert().values(
                    uscc=uscc,
                    name=uscc,
                    park_code=park,
                    county_code=county,
                    created_at=now,
                    updated_at=now,
                )
            )
    with engine.connect() as conn:
        tree = hier.geography(enterprise_parents(conn))
    assert tree.parent("91330100MA2B000000") == "DSEB06"
    assert tree.parent("91330100MA2B000001") == "330108"
