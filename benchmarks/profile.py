"""Summarise py-spy's collapsed stacks: where a Daphne process spends its CPU.

    BENCH_PROFILE=/tmp/prof python -m benchmarks --quick -s 1
    python -m benchmarks.profile /tmp/prof/madang-step3-*.txt

Prints the share of samples spent inside each function (inclusive) and at the top of
the stack (self), for the frames that matter most.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^(.*) (\d+)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:)]*)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> ``module.py:func`` (line numbers dropped)."""
    found = _FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    path = found.group("file")
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{short}:{found.group('func')}"


def summarise(paths: list[Path], top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            found = _LINE.match(line)
            if not found:
                continue
            count = int(found.group(2))
            frames = [frame_name(f) for f in found.group(1).split(";") if f]
            # The first entry may name the thread/process; keep real frames only.
            frames = [f for f in frames if ":" in f]
            if not frames:
                continue
            total += count
            own[frames[-1]] += count
            for name in set(frames):
                inclusive[name] += count
    lines = [f"{total} samples from {len(paths)} file(s)", "", "inclusive:"]
    for name, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / max(1, total):5.1f}%  {name}")
    lines += ["", "self:"]
    for name, count in own.most_common(top):
        lines.append(f"  {100 * count / max(1, total):5.1f}%  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise([Path(p) for p in sys.argv[1:]]))
