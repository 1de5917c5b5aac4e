"""The layer rules are enforced mechanically; these tests keep the enforcement honest."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import videotime_client

ROOT = Path(__file__).resolve().parents[1]
NOT_CORE = {"ui", "media", "cli", "__main__"}


def _contracts() -> list[dict[str, object]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(data["tool"]["importlinter"]["contracts"])


def test_every_core_module_is_under_the_qt_free_contract() -> None:
    core_contract = next(c for c in _contracts() if str(c["name"]).startswith("Core imports"))
    listed = set(core_contract["source_modules"])  # type: ignore[arg-type]
    actual = {
        f"videotime_client.{m.name}"
        for m in pkgutil.iter_modules(videotime_client.__path__)
        if m.name not in NOT_CORE
    }
    assert actual - listed == set(), "add new core modules to the import-linter contract"
    assert listed - actual == set(), "the contract lists modules that no longer exist"


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_catch_a_violation(tmp_path: Path) -> None:
    """Plant a core module that imports PySide6 in a copy of the tree: the linter must fail."""
    import shutil

    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bad = tmp_path / "src" / "videotime_client" / "texts.py"
    bad.write_text(bad.read_text() + "\nimport PySide6.QtCore  # planted violation\n")
    lint = Path(sys.executable).with_name("lint-imports")
    env = {"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [str(lint)], cwd=tmp_path, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode != 0
    assert "Core imports neither Qt" in result.stdout
    assert "BROKEN" in result.stdout
