"""The code passes the linter configured in pyproject.toml (ruff), so CI fails on lint too."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_code_passes_ruff():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")

    result = subprocess.run([ruff, "check", "--output-format", "concise", "."], cwd=REPO_ROOT,
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
