"""Validation: what every input shares, official tables and filings alike.

    findings.py    findings as data (stable codes, severity, location, bilingual messages) and
                   their catalogue (catalogue.yaml; domains register their own codes)
    numbers.py     text cells → numbers the way clerks write them
    codelists.py   code lists as data
    uscc.py        the unified social credit code and its check character
    hb.py          the Hidiroglou–Berthelot edit; zeros.py the zeros it cannot see

The checks of a filing live with the filings: ``shumao.collection.checks``.
"""

from shumao.validation.findings import Finding, Report, Severity, finding

__all__ = ["Finding", "Report", "Severity", "finding"]
