"""数据处理：汇总、指标、披露控制 / processing: aggregation, indicators, disclosure control.

Every computation here is a pure function from polars frames to polars frames (the tidy
``FRAME_SCHEMA`` of ``shumao.storage.vintages`` plus the columns a step adds); reading the store
and printing happen at the edges (``shumao.cli.compute`` and the ``load_*`` helpers).

- ``hierarchy``   the reference hierarchies as node frames (geography, EBOPS, 数字贸易 categories,
                  dated country groupings)
- ``aggregate``   sums along a hierarchy with contributor counts, the largest contributions and
                  a completeness status; unit conversion; period totals
- ``indicators``  growth, shares, CAGR, rank, balance, contribution … defined in
                  ``indicators.yaml``
- ``disclosure``  primary (threshold, p%, pq, (n,k) dominance) and secondary suppression
                  (optimal MILP with a greedy fallback), known zeros, linked tables, LP audit
- ``consistency`` arithmetic checks of official tables, as findings
- ``table_edits`` period-to-period edits of official tables (HB, ratio, zeros), as findings
- ``report2022``  the 2022 report's 表1–表4 recomputed from the store
- ``revisions_view`` the report's figures next to UNCTAD and WTO
"""
