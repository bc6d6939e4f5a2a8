#!/usr/bin/env python
"""Django's command-line utility for Madang."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The Django project lives in platform/madang; platform/ itself is no package,
# so Python's own ``platform`` module stays importable.
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
