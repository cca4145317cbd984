"""The import rules of the house (.importlinter), checked with import-linter: a new import that
runs up a floor, or a circle between two packages, fails the suite. Run as its own process:
import-linter configures logging for the whole process (it would silence our loggers)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                               "sys.exit(lint_imports_command())",
         "--config", str(config), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_every_import_goes_down_a_floor():
    result = lint_imports(ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_contract_catches_an_import_up_a_floor(tmp_path):
    """The same check on a copy of the contract where data may not import core: it must fail,
    so the test above cannot pass by checking nothing."""
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    config = config.replace("    data\n    core | matcher\n", "    core\n    data | matcher\n")
    broken = tmp_path / "importlinter.ini"
    broken.write_text(config, encoding="utf-8")
    result = lint_imports(broken)
    assert result.returncode == 1
    assert "data -> core" in result.stdout or "data." in result.stdout
