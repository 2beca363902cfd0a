"""The checks of a filing (校验): every failure a finding at its cell, vectorised.

    rules.yaml       the finding codes of filings and uploads; the form rule kinds and defaults
    rulebook.py      reads rules.yaml, registers its codes in the findings catalogue
    model.py         Sheet (what a reader read), Context (what the store says), Run
    engine.py        validate: the steps in order, the form rules by kind
    structure.py     identity, numbers, text, duplicate lines, the totals line
    codes.py         code fields: the code lists (EBOPS, countries, a domain's registered lists)
    arithmetic.py    required-one-of, flow-total, sum-to-total, not-greater-than
    crossform.py     quarters against the annual form
    outliers.py      Hidiroglou–Berthelot against the enterprise's own history and its peers;
                     zeros HB cannot see (``validation.hb``, ``validation.zeros``)
    completeness.py  a blank form (filing-blank) and a zero report (零申报)
    results.py       Checked: typed lines, findings, the cells to keep, the observations; the
                     stored observations read back as history

What every input shares (findings and their catalogue, code lists, the credit code, HB, number
parsing) stays in ``shumao.validation``.
"""
