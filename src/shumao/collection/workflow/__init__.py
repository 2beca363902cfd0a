"""Filings and their review: upload → submit → approve, or return with a reason → resubmit.

    (none) ──upload──▶ draft ──submit──▶ submitted ──approve──▶ approved
                         ▲                  │                      │
                         └──upload── returned ◀──return (reason)───┘ upload (a revision)

- Every upload is kept — accepted or rejected — with the file, its findings and its cells, so a
  clerk can come back to a rejected one. An upload never changes approved data.
- An accepted upload also keeps its observations, in the shape approval stores them (the
  figures it accepted, a zero report's explicit zeros): approval copies them into the vintage,
  it never re-reads, re-parses or re-checks the upload.
- Submitting needs an upload without errors and a written explanation for every warning.
- Who may see, file, review and approve is decided in ``auth.permissions``.
- Approval writes the filing's observations as a new vintage of the form's dataflow
  (``ENT_DDS`` for the quarterly form) in the same transaction. Approving a resubmission after
  an approval is a revision: a new vintage, never an overwrite; cells dropped by the revision
  are stored as withdrawn (status M).
- Every step is a row of ``filing_transition`` (who, role, scope, when, why).
- Optimistic locking: each state change is ``UPDATE … WHERE version = <the version the actor
  saw>``; of two reviewers acting at once exactly one wins and the other gets a bilingual
  ``ConflictError``.

    clock.py       the moment a step happens (and the demo's replayed moments), Beijing time
    filings.py     a filing: its status, finding and listing it, state changes and their log
    uploads.py     upload a file or JSON: read and check it, store it with its cells
    accepted.py    the observations of an accepted upload, stored once at upload time
    contents.py    what an upload holds: findings, cells, the export of the cells
    context.py     what the checks compare with: the store's history, other forms, providers
    submission.py  explanations of warnings and submitting
    review.py      approve (→ vintage.py) and return, the approval hooks of other domains
    vintage.py     the approved observations as a new vintage of the form's dataflow
    deadlines.py   due dates and the last period whose deadline has passed

Service functions are keyword-only, take a ``Connection`` (the caller owns the transaction:
``with engine.begin() as conn``) and the acting ``Actor``; a web route only maps a request onto
one call.
"""
