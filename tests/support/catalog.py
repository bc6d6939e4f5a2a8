"""What ``makemessages`` would add to the English catalog: the check behind test_i18n.

``makemessages`` runs over a scratch folder holding links to the sources and a copy of
the catalog, with settings whose LOCALE_PATHS point there, so the real catalog is never
touched. An entry it leaves without an English translation (new, untranslated, or
only fuzzily matched to an old one) is a string a person would see in Korean.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SETTINGS = """
from pathlib import Path
from madang.settings import *  # noqa: F403
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
"""


def po_entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) of every live entry of a .po file, header excluded."""
    entries: list[tuple[str, str, bool]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid: list[str] = []
        msgstr: list[str] = []
        target: list[str] | None = None
        for line in lines:
            if line.startswith("msgid "):
                target = msgid
                msgid.append(line[6:].strip()[1:-1])
            elif line.startswith("msgid_plural ") or line.startswith("msgstr["):
                target = msgstr if line.startswith("msgstr[0]") else None
                if target is not None:
                    msgstr.append(line.split(" ", 1)[1].strip()[1:-1])
            elif line.startswith("msgstr "):
                target = msgstr
                msgstr.append(line[7:].strip()[1:-1])
            elif line.startswith('"') and target is not None:
                target.append(line.strip()[1:-1])
        if msgid and "".join(msgid):
            entries.append(("".join(msgid), "".join(msgstr), fuzzy))
    return entries


def untranslated_after_makemessages(
    sources: list[Path] | None = None, catalog: Path | None = None
) -> list[str]:
    """msgids that ``makemessages -l en`` over ``sources`` would leave untranslated."""
    sources = sources or [ROOT / "deliberation", ROOT / "frontend", ROOT / "platform"]
    catalog = catalog or ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    with tempfile.TemporaryDirectory(prefix="madang-catalog-") as folder:
        scratch = Path(folder)
        for source in sources:
            (scratch / source.name).symlink_to(source, target_is_directory=True)
        target = scratch / "locale" / "en" / "LC_MESSAGES" / "django.po"
        target.parent.mkdir(parents=True)
        shutil.copyfile(catalog, target)
        (scratch / "catalog_settings.py").write_text(_SETTINGS, encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "--locale=en",
                "--domain=django",
                "--symlinks",
                "--no-obsolete",
                "--ignore=static/*",
                "--ignore=*/migrations/*",
                "--verbosity=0",
            ],
            cwd=scratch,
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": f"{scratch}:{ROOT}:{ROOT / 'platform'}",
                "DJANGO_SETTINGS_MODULE": "catalog_settings",
                "MADANG_DATA_DIR": str(scratch / "data"),
                "DJANGO_SECRET_KEY": "catalog-check",
            },
            check=False,
            capture_output=True,
        )
        if done.returncode != 0:
            raise RuntimeError("makemessages failed: " + done.stderr.decode("utf-8", "replace"))
        return [msgid for msgid, text, fuzzy in po_entries(target) if not text or fuzzy]
