"""Say once, on screen, that the model's compiled kernels are being compiled, and how long.

On a fresh machine (or after an edit of ``abm/``, which keys a new cache, see
:func:`abm._key_numba_cache`) the first simulated day compiles the numba kernels: under a minute
on one core, with nothing to see. A numba event listener prints one line to standard error when
the first kernel starts compiling; loading kernels from the cache fires no such event, so a warm
machine prints nothing. The line is printed once per cache: the first process to compile creates
a marker file in the cache folder, so the workers of a sweep do not repeat it.
``ABM_COMPILE_NOTICE=0`` turns the line off (the notebook builds do, to keep it out of the
committed outputs).

Imported by the modules that define compiled functions (:mod:`abm.engine.rules`,
:mod:`abm.engine.sampling`).
"""

from __future__ import annotations

import os
import sys

from numba.core import event

#: What the user reads. The time is this package's measurement (README, Speed): 32-35 s of
#: compile on one core of a 2-core machine, 56-75 s before the day's tuples were inlined.
MESSAGE = ("abm: compiling the model's kernels for this machine (once after installing or "
           "editing abm/; under a minute on one core, longer on a busy machine; then cached "
           "in {cache}) ...")


def _marker() -> str | None:
    from numba.core.config import CACHE_DIR

    return os.path.join(CACHE_DIR, ".compile-notice") if CACHE_DIR else None


class CompileNotice(event.Listener):
    """A numba event listener that prints :data:`MESSAGE` at the first compile of a process."""

    def __init__(self) -> None:
        self.said = False

    def on_start(self, ev: event.Event) -> None:
        """Print the notice at the first compile (once per cache, across processes)."""
        if self.said:
            return
        self.said = True
        if os.environ.get("ABM_COMPILE_NOTICE", "1") == "0":
            return
        marker = _marker()
        if marker is not None:
            try:
                os.makedirs(os.path.dirname(marker), exist_ok=True)
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return  # another process of this cache said it already
            except OSError:
                pass  # an unwritable cache: say it in every process rather than never
        print(MESSAGE.format(cache=os.path.dirname(marker) if marker else "numba's cache"),
              file=sys.stderr, flush=True)

    def on_end(self, ev: event.Event) -> None:
        """Nothing: the compiles of one first day are many, their end is not announced."""


NOTICE = CompileNotice()
event.register("numba:compile", NOTICE)
