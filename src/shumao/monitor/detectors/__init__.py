"""Detectors: one function per rule kind. Those over data (``change``, ``anomaly``) are pure
frame → hits functions (the 10-million-observation benchmark runs them); those that read the
collection, several sources, vintages or the bases (``quality``, ``bases``) take a connection.

A *hit* is one row per rule × series whose condition holds, with the columns of ``HIT_SCHEMA``:
the series (``dataflow``, its key, ``ref_area``), the ``period``(s) involved, the ``value``, the
``threshold`` and the ``measure`` the levels are read from, and ``fields`` (JSON) for the
message. ``evaluate`` maps the measure to a level, writes the sentence and keeps the alerts.
"""
