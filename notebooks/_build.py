"""Shared part of the notebook build scripts: assemble the cells, execute them, write the file.

Each ``build_*.py`` script lists its cells and calls :func:`execute_and_write`; run the scripts
from the project root, e.g. ``.venv/bin/python notebooks/build_02_did_basics.py``.
"""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
# The kernel inherits this: the one-line "compiling" notice of a cold numba cache
# (abm.engine.compile_notice) is for people at a screen, not for the committed outputs.
os.environ["ABM_COMPILE_NOTICE"] = "0"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def execute_and_write(cells: list[nbformat.NotebookNode], name: str) -> Path:
    """Execute the cells as a notebook (working directory notebooks/) and write it as ``name``."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    out = HERE / name
    nbformat.write(nb, out)
    print("wrote", out)
    return out
