"""The WebGL map engine's pure JavaScript (number and hover formatting, escaping, colour scales, selection geometry), tested
with Node's own test runner (`npm test`): Node comes with scripts/test.sh, which also builds the engine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_map_engines_javascript_passes_its_unit_tests():
    node = shutil.which("node")
    assert node, "Node is needed (scripts/test.sh installs Debian's nodejs)"
    done = subprocess.run([node, "--test", "dashboard/mapgl/tests/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 5" in done.stdout, done.stdout[-1500:]
