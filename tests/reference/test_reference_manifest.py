from __future__ import annotations

from datetime import date
from pathlib import Path

import shumao.reference
from shumao import reference

PACKAGE = Path(shumao.reference.__file__).parent
DATA = PACKAGE / "data"


def _has_header_comment(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:2000].lower()
    return head.startswith("#") and "version" in head and "source" in head


def test_every_data_file_has_a_manifest_entry_or_a_header_comment() -> None:
    entries = reference.versions()
    listed = {e["file"] for e in entries}
    assert all((DATA / name).is_file() for name in listed)
    for path in DATA.glob("*.csv"):
        assert path.name in listed or _has_header_comment(path), path.name
    for entry in entries:
        for key in ("file", "version", "valid_from", "source", "license"):
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["file"], key)
        date.fromisoformat(entry["valid_from"])


def test_versions_returns_copies() -> None:
    reference.versions()[0]["version"] = "tampered"
    assert reference.versions()[0]["version"] != "tampered"


def test_submodules_are_exported() -> None:
    assert set(reference.__all__) >= {
        "countries",
        "ebops",
        "fx",
        "geo",
        "groupings",
        "units",
        "versions",
    }


def test_code_does_not_read_the_shared_folder_at_run_time() -> None:
    mine = ["__init__", "_data", "countries", "ebops", "fx", "geo", "groupings", "units"]
    for name in mine:
        module = PACKAGE / f"{name}.py"
        text = module.read_text(encoding="utf-8")
        assert "shared" not in text.replace("shared_", ""), module.name
