"""examples/crosslang.py prints the agreed cross-language lines."""

import os
import re
import subprocess
import sys

from conftest import SRC

EXAMPLE = SRC.parent / "examples" / "crosslang.py"
LINE = re.compile(r"^(\d+) fast=(\d+) slow=(\d+) (\S+) (\d)$")


def test_crosslang_output():
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ), check=True).stdout
    lines = out.splitlines()
    assert 16 <= len(lines) <= 16 * 5
    for i, line in enumerate(lines):
        m = LINE.match(line)
        assert m, line
        number, fast, slow, score, status = m.groups()
        assert int(number) == i and int(fast) < int(slow)
        assert repr(float(score)) == score  # shortest round-trip text
        assert status == '0' or score == 'nan'
    again = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120,
                           check=True).stdout
    assert again == out
