"""The finding codes of filings and uploads, and the form-level rule kinds (``rules.yaml``).

``rules.yaml`` holds every finding code the collection domain adds to the shared catalogue
(``validation.findings``): reading uploads, the checks, the workflow, the roster. Importing
this module (``collection.forms`` does) registers them. An entry with a ``kind`` is a rule a form may list under
``rules:``; its ``defaults`` are the parameters a form need not write.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from shumao.errors import UnknownCode
from shumao.validation import findings

RULES_FILE = Path(__file__).with_name("rules.yaml")


@lru_cache(maxsize=1)
def definitions() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return data


def register_findings() -> None:
    """Add the codes of ``rules.yaml`` to the findings catalogue (once)."""
    known = findings.catalogue()
    missing = {c: d for c, d in definitions().items() if c not in known}
    if missing:
        findings.register(missing)


register_findings()


def rule_definition(code: str) -> dict[str, Any]:
    """A form rule's kind and defaults: from ``rules.yaml`` or a domain's registered codes."""
    entry = definitions().get(code) or findings.catalogue().get(code)
    if entry is None or "kind" not in entry:
        raise UnknownCode("rules.yaml form rules", code)
    return entry
