"""Enterprise direct reporting (企业直报, 数据采集): registry, forms, templates, uploads, workflow.

registry.py   the enterprise database and roster import
forms.py      form definitions (forms/*.yaml) and periods
templates.py  the Excel template of a form for an enterprise and period
upload.py     reading what clerks send (xlsx, csv, json), refusing dangerous files early;
              upload_xlsx.py, upload_text.py read them, headers.py finds their headers
workflow/     filings: upload → submit → approve / return; vintages; deadlines (see its __init__)
response.py   who responded: on time, late, missing (漏报)
tables.py     the tables (migration collection_0001)

checks/       the checks of a filing: rules.yaml, the engine, HB edits (see checks/__init__)
"""

from shumao.collection import tables as tables
