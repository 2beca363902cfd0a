"""The SDMX face of the store: key syntax, SDMX-CSV 2.0, SDMX-JSON 1.0 and the structure.

    /sdmx/data/{flow}/{key}?startPeriod=&endPeriod=    data (SDMX-CSV by default; SDMX-JSON
                                                       with ?format=sdmx-json or the Accept
                                                       header application/vnd.sdmx.data+json)
    /sdmx/structure/dataflow/{flow}                    SDMX-ML 2.1 structure message: the
                                                       dataflow and its data structure (DSD)

A key lists one part per dimension, in the dataflow's dimension order, separated by dots;
an empty part means every code and ``+`` separates alternatives: ``CHN..DD.X+M.A``.
``all`` (or an empty key) selects everything. Observations carry the attributes
UNIT_MEASURE, UNIT_MULT, OBS_STATUS and CONF_STATUS. Statistical tools (sdmx1, pandasdmx,
the R package rsdmx, .Stat) read these formats with the structure from the second endpoint.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

import polars as pl

from shumao.errors import BadQuery
from shumao.storage.dataflows import Dataflow, get_dataflow

AGENCY = "SHUMAO"
VERSION = "1.0"
ATTRIBUTES = ("UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "CONF_STATUS")
CSV_TYPE = "application/vnd.sdmx.data+csv;version=2.0.0;charset=utf-8"
JSON_TYPE = "application/vnd.sdmx.data+json;version=1.0.0;charset=utf-8"
XML_TYPE = "application/vnd.sdmx.structure+xml;version=2.1;charset=utf-8"
_COLUMN = {
    "UNIT_MEASURE": "unit",
    "UNIT_MULT": "unit_mult",
    "OBS_STATUS": "obs_status",
    "CONF_STATUS": "conf_status",
}


def dimensions(flow: Dataflow) -> list[str]:
    """The key's dimensions in order (store names, e.g. ``ref_area``)."""
    return list(flow.dimensions)


def parse_key(flow: Dataflow, key: str) -> dict[str, list[str]]:
    """``CHN..DD.X+M.A`` → {"ref_area": ["CHN"], "product": ["DD"], "flow": ["X", "M"], …}."""
    if key.strip() in ("", "all", "ALL"):
        return {}
    parts = key.split(".")
    dims = dimensions(flow)
    if len(parts) != len(dims):
        order = ".".join(d.upper() for d in dims)
        raise BadQuery(
            f"键“{key}”应有 {len(dims)} 段（{order}）/ key {key!r} needs "
            f"{len(dims)} parts ({order})"
        )
    return {
        dim: [c for c in part.split("+") if c]
        for dim, part in zip(dims, parts, strict=True)
        if part
    }


def wants_json(fmt: str | None, accept: str) -> bool:
    if fmt:
        if fmt.lower() not in ("csv", "sdmx-csv", "json", "sdmx-json"):
            raise BadQuery(f"不支持的格式“{fmt}” / unknown format {fmt!r} (csv, sdmx-json)")
        return "json" in fmt.lower()
    return "application/vnd.sdmx.data+json" in accept or accept.strip() == "application/json"


def structure_id(flow: Dataflow) -> str:
    return f"{AGENCY}:{flow.id}({VERSION})"


# --------------------------------------------------------------------------- SDMX-CSV


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    return str(value)


def to_csv(flow: Dataflow, frame: pl.DataFrame) -> bytes:
    """SDMX-CSV 2.0.0: STRUCTURE, STRUCTURE_ID, ACTION, dimensions, TIME_PERIOD, OBS_VALUE,
    attributes."""
    dims = dimensions(flow)
    header = [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        *(d.upper() for d in dims),
        "TIME_PERIOD",
        "OBS_VALUE",
        *ATTRIBUTES,
    ]
    out = pl.DataFrame(
        {
            "STRUCTURE": ["dataflow"] * frame.height,
            "STRUCTURE_ID": [structure_id(flow)] * frame.height,
            "ACTION": ["I"] * frame.height,
            **{d.upper(): frame[d] for d in dims},
            "TIME_PERIOD": frame["time_period"],
            "OBS_VALUE": [_text(v) for v in frame["value"].to_list()],
            **{a: frame[_COLUMN[a]].cast(pl.String) for a in ATTRIBUTES},
        },
        schema=dict.fromkeys(header, pl.String),
    )
    return out.write_csv().encode("utf-8")


# --------------------------------------------------------------------------- SDMX-JSON


def to_json(
    flow: Dataflow, frame: pl.DataFrame, names: dict[str, dict[str, str]] | None = None
) -> bytes:
    """SDMX-JSON 1.0 data message, every dimension at the observation level."""
    names = names or {}
    dims = [*dimensions(flow), "time_period"]
    values = {d: sorted(frame[d].unique().to_list()) for d in dims}
    index = {d: {v: i for i, v in enumerate(vs)} for d, vs in values.items()}
    attr_values = {
        a: sorted(frame[_COLUMN[a]].cast(pl.String).unique().to_list()) for a in ATTRIBUTES
    }
    attr_index = {a: {v: i for i, v in enumerate(vs)} for a, vs in attr_values.items()}
    observations = {}
    for row in frame.iter_rows(named=True):
        key = ":".join(str(index[d][row[d]]) for d in dims)
        attrs = [attr_index[a][str(row[_COLUMN[a]])] for a in ATTRIBUTES]
        observations[key] = [row["value"], *attrs]
    doc = {
        "header": _json_header(),
        "dataSets": [{"action": "Information", "observations": observations}],
        "structure": {
            "name": flow.name_en,
            "dimensions": {
                "observation": [
                    _json_dimension(d, i, values[d], names.get(d, {})) for i, d in enumerate(dims)
                ]
            },
            "attributes": {
                "observation": [
                    {"id": a, "name": a, "values": [{"id": v, "name": v} for v in attr_values[a]]}
                    for a in ATTRIBUTES
                ]
            },
        },
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _json_header() -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"id": f"SHUMAO-{now}", "test": False, "prepared": now, "sender": {"id": AGENCY}}


def _json_dimension(
    dim: str, position: int, codes: list[str], names: dict[str, str]
) -> dict[str, Any]:
    sdmx_id = dim.upper()
    out: dict[str, Any] = {
        "id": sdmx_id,
        "name": sdmx_id,
        "keyPosition": position,
        "values": [{"id": c, "name": names.get(c, c)} for c in codes],
    }
    if dim == "time_period":
        out.pop("keyPosition")
        out["role"] = "time"
    return out


# --------------------------------------------------------------------------- structure


_NS = (
    'xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"'
)


def _names(zh: str, en: str) -> str:
    return (
        f'<com:Name xml:lang="zh">{escape(zh)}</com:Name>'
        f'<com:Name xml:lang="en">{escape(en)}</com:Name>'
    )


def _concept_ref(concept: str) -> str:
    return (
        f'<str:ConceptIdentity><Ref id="{concept}" maintainableParentID="CS_SHUMAO" '
        f'maintainableParentVersion="{VERSION}" agencyID="{AGENCY}" class="Concept" '
        'package="conceptscheme"/></str:ConceptIdentity>'
    )


def _text_format(kind: str = "String") -> str:
    return f'<str:LocalRepresentation><str:TextFormat textType="{kind}"/></str:LocalRepresentation>'


def structure_xml(flow_id: str) -> bytes:
    """SDMX-ML 2.1 structure message: concept scheme, the DSD and the dataflow."""
    flow = get_dataflow(flow_id)
    dims = [d.upper() for d in dimensions(flow)]
    concepts = [*dims, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES]
    dim_xml = "".join(
        f'<str:Dimension id="{d}" position="{i + 1}">{_concept_ref(d)}{_text_format()}'
        "</str:Dimension>"
        for i, d in enumerate(dims)
    )
    time_xml = (
        f'<str:TimeDimension id="TIME_PERIOD" position="{len(dims) + 1}">'
        f"{_concept_ref('TIME_PERIOD')}{_text_format('ObservationalTimePeriod')}"
        "</str:TimeDimension>"
    )
    attr_xml = "".join(
        f'<str:Attribute id="{a}" assignmentStatus="Conditional">{_concept_ref(a)}'
        f"{_text_format()}<str:AttributeRelationship><str:PrimaryMeasure>OBS_VALUE"
        "</str:PrimaryMeasure></str:AttributeRelationship></str:Attribute>"
        for a in ATTRIBUTES
    )
    measure_xml = (
        f'<str:PrimaryMeasure id="OBS_VALUE">{_concept_ref("OBS_VALUE")}</str:PrimaryMeasure>'
    )
    maint = f'agencyID="{AGENCY}" version="{VERSION}"'
    now = datetime.now(UTC).isoformat(timespec="seconds")
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><mes:Structure {_NS}>'
        f"<mes:Header><mes:ID>SHUMAO-{flow.id}</mes:ID><mes:Test>false</mes:Test>"
        f'<mes:Prepared>{now}</mes:Prepared><mes:Sender id="{AGENCY}"/></mes:Header>'
        "<mes:Structures>"
        f'<str:Dataflows><str:Dataflow id="{flow.id}" {maint}>{_names(flow.name_zh, flow.name_en)}'
        f'<str:Structure><Ref id="DSD_{flow.id}" {maint} class="DataStructure" '
        'package="datastructure"/></str:Structure></str:Dataflow></str:Dataflows>'
        f'<str:Concepts><str:ConceptScheme id="CS_SHUMAO" {maint}>{_names("概念", "Concepts")}'
        + "".join(f'<str:Concept id="{c}">{_names(c, c)}</str:Concept>' for c in concepts)
        + "</str:ConceptScheme></str:Concepts>"
        f'<str:DataStructures><str:DataStructure id="DSD_{flow.id}" {maint}>'
        f"{_names(flow.name_zh, flow.name_en)}<str:DataStructureComponents>"
        f'<str:DimensionList id="DimensionDescriptor">{dim_xml}{time_xml}</str:DimensionList>'
        f'<str:AttributeList id="AttributeDescriptor">{attr_xml}</str:AttributeList>'
        f'<str:MeasureList id="MeasureDescriptor">{measure_xml}</str:MeasureList>'
        "</str:DataStructureComponents></str:DataStructure></str:DataStructures>"
        "</mes:Structures></mes:Structure>"
    )
    return body.encode("utf-8")
