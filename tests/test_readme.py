"""README runs as written: its Python blocks, in order, in one fresh process started in a
directory outside the repository (as a newcomer pastes them into a session)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(text: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_blocks_are_found():
    blocks = python_blocks("a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = 2\n```\n")
    assert blocks == ["x = 1\n", "y = 2\n"]


@pytest.mark.slow
def test_readme_python_blocks_run_in_order_outside_the_repository(tmp_path):
    blocks = python_blocks(README.read_text())
    assert len(blocks) >= 8
    # each block runs as one cell would: a failure names the block
    script = "import matplotlib\nmatplotlib.use('Agg')\n" + "".join(
        f"print('--- block {i}', flush=True)\n{block}" for i, block in enumerate(blocks, 1))
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=1800)
    ran = re.findall(r"^--- block (\d+)$", out.stdout, flags=re.M)
    assert out.returncode == 0, (f"README block {ran[-1] if ran else '?'} failed:\n"
                                 f"{out.stderr[-3000:]}")
    assert ran == [str(i) for i in range(1, len(blocks) + 1)]
