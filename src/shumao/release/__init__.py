"""发布 / release: making data public, and only as much of it as may be public.

    releases.py   a vintage of a dataflow made public (``data_release``); who may release is
                  ``auth.permissions``; every release is in the audit log
    publish.py    what a release of enterprise micro-data publishes: aggregates along the
                  geography and the EBOPS tree (partners summed to ``WLD``), protected
    cells.py      the protected cells a release stores (``release_cell``) and reads back
    public.py     what the public sees: the released vintage, confidential cells blanked,
                  micro-data only as released cells; ``protected_by`` names their rule set
    disclosure/   披露控制 / statistical disclosure control: named rule sets (``rules.yaml``,
                  the setting ``SHUMAO_DISCLOSURE_RULES``), primary and secondary suppression,
                  LP audit
    tables.py     the tables (made on the ``auth`` migration branch, kept as history;
                  later migrations on the ``release`` branch)

A new package that publishes (a report, an index) releases through ``releases.release`` and
reads what the public may see through ``shumao.access``.
"""

from shumao.release import tables as tables
