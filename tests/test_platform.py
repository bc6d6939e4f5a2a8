"""The project folder named platform/ must not hide Python's own platform module."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_standard_platform_module_is_not_shadowed() -> None:
    assert platform.system() in {"Linux", "Darwin", "Windows"}
    assert Path(platform.__file__).name == "platform.py"


def test_platform_stays_standard_from_the_project_root() -> None:
    code = "import platform, madang.settings; print(platform.system())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == platform.system()
