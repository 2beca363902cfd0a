"""Why a filter value of the explorer found no row: a name of no entry, a name of several
(Suzhou: 苏州 and 宿州, listed so that one can be picked), or a code without data in the
selection. One message per value, in the view's language."""

from __future__ import annotations

from typing import Any

from shumao import query as store_query
from shumao.labels import dimension_name, pick
from shumao.web.services.explorer import Query, View
from shumao.web.services.explorer_rows import Rows


def codes_in(found: View, dim: str) -> set[Any]:
    """The codes of ``dim`` the view holds."""
    if isinstance(found, Rows):
        return found.codes(dim)
    return set(found[dim].unique().to_list()) if found.height else set()


def unmatched(query: Query, found: View, lang: str) -> tuple[str, ...]:
    """A message for every filter value that found no row."""
    wanted = {d: list(v) for d, v in query.filters.items()}
    resolved = store_query.resolve_filters(query.dataflow, wanted)
    unknown = store_query.unknown_names(query.dataflow, wanted)
    out = []
    for dim, values in wanted.items():
        present = codes_in(found, dim)
        for given, code in zip(values, resolved[dim], strict=True):
            if code not in present:
                known = given not in unknown.get(dim, ())
                out.append(_no_row(query.dataflow, dim, given, known, lang))
    return tuple(out)


def _no_row(dataflow: str, dim: str, given: str, known: bool, lang: str) -> str:
    zh, en = dimension_name(dim, "zh"), dimension_name(dim, "en")
    if known:
        return pick(
            f"{zh}“{given}”在所选条件下没有数据（可放宽时期、版本或其他筛选）",
            f"{en} “{given}” has no data in this selection (widen the "
            "periods, vintage or other filters)",
            lang,
        )
    several = store_query.ambiguity(dataflow, dim, given)
    if several is not None:
        how = f"，或写明所在地区，如“{several.example}”" if several.example else ""
        how_en = f", or say where it lies, as in “{several.example}”" if several.example else ""
        return pick(
            f"{zh}“{given}”对应多个条目：{'；'.join(several.candidates)}。请在列表中选择或使用代码{how}",
            f"{en} “{given}” names several entries: {'; '.join(several.candidates_en)}. "
            f"Pick one from the list or use its code{how_en}",
            lang,
        )
    return pick(
        f"{zh}中没有“{given}”：它不是代码，也不是名称，请在列表中选择",
        f"{en} has no “{given}”: it is neither a code nor a name; pick one from the list",
        lang,
    )
