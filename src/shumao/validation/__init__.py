"""Validation: findings as data (stable codes, severity, location, bilingual messages)."""

from shumao.validation.findings import Finding, Report, Severity, finding

__all__ = ["Finding", "Report", "Severity", "finding"]
