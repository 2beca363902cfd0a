"""What routes call: keyword-only functions over a connection and a ``Scope``.

labels.py     names of codes in the user's language (areas, parks, countries, EBOPS …)
dashboard.py  the overview and the province / city / park / enterprise pages
explorer.py   the data explorer: query, sort, page, chart, downloads
sdmx.py       the SDMX data endpoint: key syntax, SDMX-CSV 2.0, SDMX-JSON 1.0, the DSD
filings.py    the filing pages over ``shumao.collection.workflow`` (with the audit log)
admin.py      users, releases, reference versions, backups (with the audit log)
auth.py       log in and out
"""
