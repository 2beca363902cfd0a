"""Who may log in, what each role may see and do, and the record of what they did.

    roles.py      the roles (企业填报员 … 系统管理员, plus the public) and what each may do
    scope.py      ``Scope``: the part of the data a role may see, as ref_area codes / SQL
    access.py     the ONE function every data read goes through (``access.read``): scope
                  filtering, released vintages for the public, disclosure control
    releases.py   making a vintage public (``data_release``)
    publish.py    what a release of enterprise micro-data publishes: protected aggregates
    passwords.py  argon2id hashing
    users.py      users: create, list, change password/role/scope, authenticate
    sessions.py   server-side sessions behind a signed cookie; CSRF tokens
    ratelimit.py  login attempts per user name and per address
    audit.py      the audit log: record, browse, export
    tables.py     the tables (migration ``auth_0001``)
"""

from shumao.auth import tables as tables
