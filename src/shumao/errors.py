"""One small exception tree for shumao.

    ShumaoError                     base of everything the platform raises on purpose
    ├── ConfigError                 a setting is missing or unsafe
    ├── UnknownCode (LookupError)   a code or name is not in a reference code list
    ├── StoreError                  the database is missing, unmigrated or inconsistent
    │   └── ConflictError           optimistic-lock conflict: somebody else changed it first
    ├── ImportRejected              an input failed validation; carries the findings report
    │   └── RulesRejected           a warning-rule file failed its checks; the rules in force stay
    └── NotAllowed                  the current user's role or scope forbids the action

Validation problems inside a file are *findings* (data, see ``shumao.validation``), not
exceptions: an import collects all of them and raises ``ImportRejected`` once, at the end.
Every message is Chinese first, English second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shumao.validation.findings import Report


class ShumaoError(Exception):
    """Base class: ``str(err)`` is the bilingual message shown to the user."""


class ConfigError(ShumaoError):
    pass


class UnknownCode(ShumaoError, LookupError):
    def __init__(self, codelist: str, value: object) -> None:
        self.codelist = codelist
        self.value = value
        super().__init__(f"未知代码：{codelist} 中没有“{value}” / unknown code: {value!r} is not in {codelist}")


class StoreError(ShumaoError):
    pass


class ConflictError(StoreError):
    pass


class ImportRejected(ShumaoError):
    def __init__(self, report: Report) -> None:
        self.report = report
        n = len(report.errors)
        super().__init__(f"导入被拒绝：{n} 个错误，未写入任何数据 / import rejected: {n} error(s), nothing was written")


class RulesRejected(ImportRejected):
    def __init__(self, report: Report) -> None:
        super().__init__(report)
        n = len(report.errors)
        self.args = (f"预警规则文件被拒绝：{n} 个错误，现行规则保持不变 / the rule file was rejected: "
                     f"{n} error(s); the rules in force stay",)


class NotAllowed(ShumaoError):
    pass
