"""Who may log in, what each role may see and do, and the record of what they did.

    roles.py        the roles (公众, 企业填报员 … 系统管理员): one vocabulary, one name each
    actors.py       ``Actor``: who acts in the filing workflow (a role and its scope code)
    scope.py        ``Scope``: a logged-in user (or the public) as the web layer sees it
    permissions.py  who may see, file, review, approve, maintain, release and administer —
                    decided here only, for reads and for actions, asked by collection, the
                    web layer and the CLI alike
    passwords.py    argon2id hashing
    users.py        users: create, list, change password/role/scope, authenticate
    sessions.py     server-side sessions behind a signed cookie; CSRF tokens
    ratelimit.py    login attempts per user name and per address
    audit.py        the audit log: record, browse, export
    tables.py       the tables (migrations ``auth_0001``, ``auth_0002``)

Reads go through ``shumao.access.read`` (above ``auth``, ``collection`` and ``release``);
releases, what they publish and disclosure control are ``shumao.release``.
"""

from shumao.auth import tables as tables
