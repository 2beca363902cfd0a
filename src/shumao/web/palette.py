"""The colours of every chart, defined once: a flow has one colour on every chart (出口 is
always the same blue), the map one ramp and one "no data" grey. Charts carry the colour of each
series (``Series.color``); ``static/app.js`` draws with what it is given."""

from __future__ import annotations

FLOW_COLOURS = {
    "X": "#1f5fa8",  # 出口 exports
    "M": "#e8892b",  # 进口 imports
    "T": "#7a4fa3",  # 进出口 total trade
    "B": "#3c8d5a",  # 差额 balance
}
MAP_RAMP = ("#fde8e4", "#f4a582", "#d6604d", "#b2182b")
NO_DATA = "#dfe3e8"
"""Areas without a figure: grey on the map, explained in its legend."""


def flow_colour(flow: str) -> str:
    return FLOW_COLOURS.get(flow, "")
