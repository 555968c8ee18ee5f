"""Fingerprint the model's whole state over years, to show a change leaves results identical.

A change meant to keep results identical to the bit is checked on the whole state, not on a few
summaries: every leaf that :func:`abm.runs.testing.model_state` reaches from the model (every
array, frame, generator state and number) is hashed with SHA-256 after three years and ten days,
for both patient representations, every named reform package, a plain lever step, and x_county
at scale 20. Run it on two checkouts and compare::

    python tests/tools/fingerprint_state.py before.json          # on the old commit
    python tests/tools/fingerprint_state.py after.json           # on the new one
    python tests/tools/fingerprint_state.py --compare before.json after.json

``--compare`` prints the cases and paths that differ and exits 1 if any does. Run it under other
thread counts too (``NUMBA_NUM_THREADS=1``, ``OMP_NUM_THREADS=1``): the fingerprint must not move.
Not part of the test suite (a few minutes of simulation); the fork tests check the same walk.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import numpy as np
import pandas as pd

import abm
from abm import ReferralModel
from abm.runs.testing import PROCESS_LABELS, model_state

DAYS = 3 * 365 + 10
REFORM_DAY = 100


def cases() -> dict[str, tuple[abm.Params, str]]:
    """Name -> (parameters, patient representation) of every fingerprinted run."""
    small = abm.preset("small")
    out: dict[str, tuple[abm.Params, str]] = {}
    for patients in ("agents", "arrays"):
        out[f"small/baseline/{patients}"] = (small, patients)
        out[f"small/step/{patients}"] = (small.with_reform(
            {"consortium_budget": 1.0, "revenue_share": 0.6}, day=REFORM_DAY), patients)
        for name in sorted(abm.reform_packages()["package"].unique()):
            out[f"small/{name}/{patients}"] = (small.with_reform(name, day=REFORM_DAY), patients)
    x_county = abm.preset("x_county").replace(**{"setting.scale": 20.0})
    out["x_county/compact_consortium/arrays"] = (
        x_county.with_reform("compact_consortium", day=365), "arrays")
    return out


def digest(x) -> str:
    """SHA-256 of one state leaf (arrays by dtype, shape and bytes; frames by their values)."""
    h = hashlib.sha256()
    if isinstance(x, np.ndarray):
        h.update(f"{x.dtype}{x.shape}".encode())
        h.update(repr(x.tolist()).encode() if x.dtype == object
                 else np.ascontiguousarray(x).tobytes())
    elif isinstance(x, (pd.DataFrame, pd.Series, pd.Index)):
        h.update(pd.util.hash_pandas_object(x).to_numpy().tobytes())
        h.update(repr(x.dtypes if isinstance(x, pd.DataFrame) else x.dtype).encode())
    else:
        h.update(repr(x).encode())
    return h.hexdigest()


def fingerprint(params: abm.Params, patients: str, seed: int = 7) -> dict[str, str]:
    """Path -> digest of every leaf of the model's state after :data:`DAYS` days."""
    m = ReferralModel(params, rng=seed, patients=patients)
    m.run_for(DAYS)
    return {path: digest(x) for path, x in model_state(m).items()
            if not PROCESS_LABELS.search(path)}


def compare(a: dict, b: dict) -> list[str]:
    """Lines naming each case and leaf that differs between two fingerprint files."""
    out = [f"{case}: only in one file" for case in sorted(a.keys() ^ b.keys())]
    for case in sorted(a.keys() & b.keys()):
        fa, fb = a[case], b[case]
        diff = sorted(p for p in fa.keys() | fb.keys() if fa.get(p) != fb.get(p))
        out += [f"{case}: {p}" for p in diff]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="JSON file to write the fingerprints to")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="compare two fingerprint files instead of running")
    args = parser.parse_args(argv)
    if args.compare:
        a, b = (json.loads(open(f).read())["cases"] for f in args.compare)
        diff = compare(a, b)
        leaves = sum(len(v) for v in a.values())
        print(f"{len(a)} cases, {leaves} leaves: {len(diff)} differ")
        print("\n".join(diff[:50]))
        return 1 if diff else 0
    if not args.out:
        parser.error("give an output file, or --compare A B")
    start, result = time.time(), {}
    for name, (params, patients) in cases().items():
        result[name] = fingerprint(params, patients)
        print(f"{name}: {len(result[name])} leaves ({time.time() - start:.0f} s)", flush=True)
    with open(args.out, "w") as fh:
        json.dump({"days": DAYS, "cases": result}, fh, indent=0, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
