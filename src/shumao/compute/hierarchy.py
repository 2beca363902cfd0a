"""汇总层级 / the hierarchies aggregation runs along, built from the reference data.

A ``Hierarchy`` is a tree over the codes of one dimension, kept as a frame of nodes
``code, parent, level`` (the root has no parent). Levels may be skipped (a Beijing district
hangs directly under the province 110000; a park under a municipality hangs under the
province), so aggregation works from each node's ancestors, never from a fixed number of steps.

Trees shipped with the reference data:

- ``geography``  企业 enterprise → 基地 park / 区县 county → 地市 city → 省 province →
  NBS 地区 region → 全国 nation (``CHN``). Enterprises come from the caller (the registry lives
  elsewhere): a mapping USCC → park code or GB/T 2260 code. 台湾、香港、澳门 belong to no NBS
  region and are therefore not part of the national total (as in MOFCOM's tables).
- ``ebops``      EBOPS 2010 sub-item → main item → 可数字化交付的服务 ``DD`` (or services ``S``).
- ``dt_categories`` EBOPS item → 数字贸易 category (``DT_TECH`` …) → 数字交付贸易 ``DT``.

Country groupings are not a tree (a country is in several groups, and membership changes):
``grouping_map`` gives ``code, time_period, group`` with membership **as of each period**.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from shumao.errors import UnknownCode
from shumao.reference import ebops, geo, groupings, parks

NATION = "CHN"
DT_ROOT = "DT"
NODE_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "parent": pl.String(),
    "level": pl.String(),
}
GEO_LEVELS = ("enterprise", "park", "county", "city", "province", "region", "nation")
EBOPS_LEVELS = ("detail", "sub_item", "main_item", "total")
DT_LEVELS = ("item", "category", "total")


@dataclass(frozen=True)
class Hierarchy:
    """A tree over the codes of dimension ``dim``; ``levels`` run from the leaves up."""

    name: str
    dim: str
    levels: tuple[str, ...]
    nodes: pl.DataFrame
    _memo: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def closure(self) -> pl.DataFrame:
        """``code, ancestor, depth``: every node with itself (depth 0) and each ancestor
        (computed once per tree: the cube asks for it on every call)."""
        if "closure" not in self._memo:
            self._memo["closure"] = _closure(self.nodes)
        return self._memo["closure"]

    def level_of(self) -> pl.DataFrame:
        return self.nodes.select("code", "level")

    def codes(self, level: str | None = None) -> list[str]:
        nodes = self.nodes if level is None else self.nodes.filter(pl.col("level") == level)
        return nodes["code"].to_list()

    def parent(self, code: str) -> str | None:
        found = self.nodes.filter(pl.col("code") == code)
        if found.is_empty():
            raise UnknownCode(f"层级 {self.name} hierarchy", code)
        parent: str | None = found["parent"][0]
        return parent

    def ancestors(self, code: str) -> list[str]:
        """Parents of ``code`` from the nearest up (the code itself excluded)."""
        chain: list[str] = []
        node = self.parent(code)
        while node is not None:
            chain.append(node)
            node = self.parent(node)
        return chain

    def children(self, code: str) -> list[str]:
        return self.nodes.filter(pl.col("parent") == code)["code"].sort().to_list()

    def extend(self, extra: pl.DataFrame) -> Hierarchy:
        """This tree with more nodes (``code, parent, level``) added below existing ones."""
        nodes = pl.concat(
            [extra.select(list(NODE_SCHEMA)).cast(pl.Schema(NODE_SCHEMA)), self.nodes]
        )
        return Hierarchy(
            self.name, self.dim, self.levels, _checked(nodes.unique("code", keep="first"))
        )


def node_frame(rows: Iterable[tuple[str, str | None, str]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=NODE_SCHEMA, orient="row")


def _checked(nodes: pl.DataFrame) -> pl.DataFrame:
    """Reject a parent that is not a node and a code listed twice (not a tree)."""
    dup = nodes.filter(pl.col("code").is_duplicated())["code"].unique().to_list()
    if dup:
        raise ValueError(f"hierarchy: codes listed twice {sorted(dup)[:5]}")
    orphans = nodes.filter(
        pl.col("parent").is_not_null() & ~pl.col("parent").is_in(nodes["code"].implode())
    )
    if orphans.height:
        raise ValueError(f"hierarchy: unknown parents {orphans['parent'].unique().to_list()[:5]}")
    return nodes


def _closure(nodes: pl.DataFrame) -> pl.DataFrame:
    """Transitive closure by repeated joins (depth ≤ the tree height, ≈ 7)."""
    parent = nodes.select("code", pl.col("parent").alias("ancestor")).drop_nulls()
    out = [nodes.select("code", pl.col("code").alias("ancestor"), pl.lit(0).alias("depth"))]
    step, depth = parent, 1
    while step.height:
        out.append(step.with_columns(pl.lit(depth).alias("depth")))
        step = step.join(parent.rename({"code": "ancestor", "ancestor": "next"}), on="ancestor")
        step = step.select("code", pl.col("next").alias("ancestor"))
        depth += 1
        if depth > 64:
            raise ValueError("hierarchy: cycle")
    return pl.concat(out).with_columns(pl.col("depth").cast(pl.Int32))


# --------------------------------------------------------------------------- geography


@lru_cache(maxsize=1)
def _admin_nodes() -> pl.DataFrame:
    """Counties, cities and provinces of GB/T 2260, the four NBS regions and the nation."""
    rows: list[tuple[str, str | None, str]] = [(NATION, None, "nation")]
    rows += [(r.code, NATION, "region") for r in geo.regions()]
    region = {p: r.code for r in geo.regions() for p in r.provinces}
    for area in geo.provinces():
        if area.code in region:
            rows.append((area.code, region[area.code], "province"))
    frontier = [code for code, _, level in rows if level == "province"]
    while frontier:
        below = [a for code in frontier for a in geo.children(code)]
        rows += [(a.code, a.parent, a.level) for a in below]
        frontier = [a.code for a in below]
    return _checked(node_frame(rows))


def _park_parent(park: parks.Park, known: set[str]) -> str:
    """The park's city; where that is no GB/T 2260 node (469000 海南省直辖县级行政区划, or a
    municipality) the nearest node above the park's county, else its province."""
    if park.city_code in known:
        return park.city_code
    above = [a.code for a in geo.ancestors(park.area_code)] if park.area_code in known else []
    return next((code for code in above if code in known), park.province_code)


def _park_nodes(known: set[str]) -> list[tuple[str, str | None, str]]:
    return [(p.code, _park_parent(p, known), "park") for p in parks.parks()]


def geography(enterprises: Mapping[str, str] | pl.DataFrame | None = None) -> Hierarchy:
    """企业 → 基地/区县 → 地市 → 省 → 地区 → 全国.

    ``enterprises`` maps an enterprise code (USCC) to its park code (``DSEB05``) or GB/T 2260
    area code; as a frame it has columns ``code`` and ``parent``.
    """
    admin = _admin_nodes()
    nodes = pl.concat([admin, node_frame(_park_nodes(set(admin["code"].to_list())))])
    hier = Hierarchy("geography", "ref_area", GEO_LEVELS, _checked(nodes))
    if enterprises is None:
        return hier
    if isinstance(enterprises, pl.DataFrame):
        extra = enterprises.select("code", "parent")
    else:
        extra = pl.DataFrame({"code": list(enterprises), "parent": list(enterprises.values())})
    return hier.extend(extra.with_columns(pl.lit("enterprise").alias("level")))


# --------------------------------------------------------------------------- EBOPS


def _ebops_level(item: ebops.EbopsItem) -> str:
    return {0: "total", 1: "main_item", 2: "sub_item"}.get(item.level, "detail")


def ebops_tree(root: str = "DD") -> Hierarchy:
    """EBOPS 2010 sub-item → main item → ``DD`` (可数字化交付, SF…SK) or ``S`` (all services)."""
    if root not in ("DD", "S"):
        raise UnknownCode("EBOPS 层级根 hierarchy roots (DD, S)", root)
    mains = (
        ebops.digitally_deliverable_main_items()
        if root == "DD"
        else [it.code for it in ebops.main_items()]
    )
    rows: list[tuple[str, str | None, str]] = [(root, None, "total")]
    for main in mains:
        rows.append((main, root, "main_item"))
        rows += [(it.code, it.parent, _ebops_level(it)) for it in ebops.descendants(main)]
    return Hierarchy(f"ebops:{root}", "product", EBOPS_LEVELS, _checked(node_frame(rows)))


def dt_categories() -> Hierarchy:
    """EBOPS item → 数字贸易 category (数字技术/服务/产品/数据贸易) → 数字交付贸易 ``DT``.

    Each item maps to its own category; an item without one (``SK``, whose parts fall into
    two categories) is not in the tree, so data must be given at ``SK1``/``SK2`` to be counted.
    Items of one category are nested (``SI`` and ``SI1``): aggregate the most detailed rows only
    (``aggregate.leaves_only``) so nothing is counted twice.
    """
    rows: list[tuple[str, str | None, str]] = [(DT_ROOT, None, "total")]
    rows += [(c.code, DT_ROOT, "category") for c in ebops.dt_categories()]
    rows += [
        (it.code, it.dt_category, "item")
        for it in ebops.all_items()
        if it.dt_category and not it.is_aggregate
    ]
    return Hierarchy("dt_categories", "product", DT_LEVELS, _checked(node_frame(rows)))


# --------------------------------------------------------------------------- groupings


def grouping_map(
    codes: Iterable[str], periods: Iterable[str], groups: Sequence[str]
) -> pl.DataFrame:
    """``code, time_period, group``: which of ``codes`` belong to each group in each period.

    Membership is taken at the end of the period (``groupings.members``): BRICS has five
    members in 2023 and nine in 2024.
    """
    wanted = set(codes)
    rows = [
        (code, period, groupings.lookup_group(group).code)
        for period in sorted(set(periods))
        for group in groups
        for code in sorted(groupings.members(group, period) & wanted)
    ]
    schema = {"code": pl.String, "time_period": pl.String, "group": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def by_name(name: str, **kwargs: object) -> Hierarchy:
    """A tree by name: ``geography``, ``ebops`` (DD), ``ebops-s``, ``dt`` (categories)."""
    builders = {
        "geography": lambda: geography(**kwargs),  # type: ignore[arg-type]
        "ebops": lambda: ebops_tree("DD"),
        "ebops-s": lambda: ebops_tree("S"),
        "dt": dt_categories,
    }
    if name not in builders:
        raise UnknownCode("层级 hierarchies (geography, ebops, ebops-s, dt)", name)
    return builders[name]()
