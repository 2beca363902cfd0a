"""One small exception tree for shumao.

    ShumaoError                     base of everything the platform raises on purpose
    ├── ConfigError                 a setting is missing or unsafe
    ├── UnknownCode (LookupError)   a code or name is not in a reference code list
    │   └── NotVisible              no such record, or not in the caller's scope: one answer
    │                               for both, naming nothing (404), so ids cannot be probed
    ├── StoreError                  the database is missing, unmigrated or inconsistent
    │   ├── ConflictError           optimistic-lock conflict: somebody else changed it first
    │   │   └── Embargoed           a vintage under embargo asked to be released before its minute
    │   └── StoreBusy               a write waited for the database's lock too long (503)
    ├── ImportRejected              an input failed validation; carries the findings report
    │   └── RulesRejected           a warning-rule file failed its checks; the rules in force stay
    ├── BadQuery                    a query the platform cannot read (an SDMX key, a format)
    ├── InvalidParameter            a request parameter outside its range (HTTP 422)
    │   └── OutsidePolicy           revisions outside the revision policy, released without a reason
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
        super().__init__(
            f"未知代码：{codelist} 中没有“{value}” / unknown code: {value!r} is not in {codelist}"
        )


class NotVisible(UnknownCode):
    def __init__(self, what_zh: str, what_en: str) -> None:
        self.codelist = what_en
        self.value = None
        ShumaoError.__init__(
            self,
            f"未找到该{what_zh}，或不在您的查看范围内 / no such {what_en}, "
            "or not within your scope",
        )


class StoreError(ShumaoError):
    pass


class ConflictError(StoreError):
    pass


class Embargoed(ConflictError):
    pass


class StoreBusy(StoreError):
    pass


class ImportRejected(ShumaoError):
    def __init__(self, report: Report) -> None:
        self.report = report
        n = len(report.errors)
        super().__init__(
            f"导入被拒绝：{n} 个错误，未写入任何数据 / import rejected: {n} error(s), nothing was written"
        )


class RulesRejected(ImportRejected):
    def __init__(self, report: Report) -> None:
        super().__init__(report)
        n = len(report.errors)
        self.args = (
            f"预警规则文件被拒绝：{n} 个错误，现行规则保持不变 / the rule file was rejected: "
            f"{n} error(s); the rules in force stay",
        )


class BadQuery(ShumaoError):
    """A query (an SDMX key, a format, a filter) the platform cannot read; says how to write it."""


class InvalidParameter(ShumaoError):
    pass


class OutsidePolicy(InvalidParameter):
    pass


class NotAllowed(ShumaoError):
    pass
