"""披露控制 / statistical disclosure control for anything published (docs/methods.md §1).

1. **Primary suppression** (``primary``): a cell is sensitive when it has fewer than ``N``
   contributors (threshold rule), when its largest contributor could be estimated to within
   p % by the next ones (p% and pq rules) or when its ``n`` largest contributors make up more
   than ``k`` % of it ((n, k) dominance). Each rule also says how much protection the cell
   needs (its protection levels). Which rules apply is a named rule set of ``rules.yaml``
   (``Rules``; the setting ``SHUMAO_DISCLOSURE_RULES``), recorded with each release.
2. **Secondary suppression** (``suppress``): a published table is a set of cells tied by
   additive relations; the ``optimal`` method (``optimal.py``) solves one mixed-integer
   programme per table with HiGHS, minimising the suppressed value (or the number of cells)
   subject to every primary cell's protection levels; the ``greedy`` method (``greedy.py``)
   is the fast fallback when the programme finds nothing within its time limit.
3. **Known cells** (``table.py``): empty cells and structural zeros are published zeros
   everybody knows; they are never chosen as secondary suppressions and the audit treats
   them as published.
4. **Audit** (``audit.py``): for every suppressed cell two linear programmes give the smallest
   and largest value an attacker can infer; a primary cell must reach its protection levels,
   a secondary cell must not be a point.
5. **Frames** (``frames.py``): ``protect_frame`` runs all of it on every table of a frame,
   ``protect_linked`` on tables that share cells (protected together), ``public_view`` blanks
   what the public may not see.
"""

from shumao.compute.disclosure.audit import Interval, audit, feasible_interval
from shumao.compute.disclosure.frames import (
    REASON_SECONDARY,
    protect_frame,
    protect_linked,
    public_view,
    view_for,
)
from shumao.compute.disclosure.greedy import secondary
from shumao.compute.disclosure.primary import (
    REASON_THRESHOLD,
    dominance_reason,
    p_percent_reason,
    pq_reason,
    primary,
)
from shumao.compute.disclosure.rules import Rules, configured, load
from shumao.compute.disclosure.suppress import suppress
from shumao.compute.disclosure.table import Cell, Table, build_table, flat

__all__ = [
    "REASON_SECONDARY",
    "REASON_THRESHOLD",
    "Cell",
    "Interval",
    "Rules",
    "Table",
    "audit",
    "build_table",
    "configured",
    "dominance_reason",
    "feasible_interval",
    "flat",
    "load",
    "p_percent_reason",
    "pq_reason",
    "primary",
    "protect_frame",
    "protect_linked",
    "public_view",
    "secondary",
    "suppress",
    "view_for",
]
