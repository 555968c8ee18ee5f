"""Whole-state comparison of models: every array and random generator reachable from them.

A claim that two ways of running the model give the same run (a forked run and the run alone, a
reform continued from today and the reform run from the start) is a claim about the whole state,
not about a few summaries: :func:`model_state` walks every attribute reachable from a model
(ledgers, policies, trust, beds, physician and facility state, agents, random generators) and
:func:`assert_same_state` compares two such walks exactly.

Examples
--------
>>> import copy
>>> from abm import ReferralModel, preset
>>> a = ReferralModel(preset("small"), rng=1)
>>> a.run_for(5)
>>> b = copy.deepcopy(a)
>>> b.run_for(5); a.run_for(5)
>>> assert_same_state(a, b)
>>> len(model_state(a)) > 100
True
"""

from __future__ import annotations

import random
import re
import types
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

#: Leaves compared by ``==`` (immutable values).
_SCALARS = (bool, int, float, complex, str, bytes, type(None), np.generic)
#: Skipped: code, not state.
_CODE = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.ModuleType,
         type, weakref.ref, weakref.WeakMethod)
_LEAVES = (np.ndarray, np.random.Generator, np.random.SeedSequence, random.Random,
           pd.DataFrame, pd.Series, pd.Index)


#: Labels that Mesa numbers with process-wide counters (its events and scenarios): they name
#: objects, do not enter any decision, and differ between two models built in one process.
PROCESS_LABELS = re.compile(r"(_current_event|_events\[\d+\])\.unique_id$|\._scenario_id$")


def _key(k: Any, i: int) -> str:
    return repr(k) if isinstance(k, _SCALARS + (tuple,)) else f"#{i}"


def _attributes(x: Any) -> dict[str, Any]:
    """Instance attributes of ``x``: its ``__dict__`` and the slots of its classes."""
    attrs = dict(getattr(x, "__dict__", {}))
    for cls in type(x).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(x, name):
                attrs.setdefault(name, getattr(x, name))
    return attrs


def _leaves(obj: Any, path: str = "model", ancestors: frozenset[int] = frozenset()
            ) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, leaf)`` for every leaf reachable from ``obj``.

    Leaves: scalars, numpy arrays, numpy and stdlib random generators and seed sequences, pandas
    objects. Containers (mappings, weak ones included, and sequences) and other objects (their
    ``__dict__`` and slots) are walked; functions, modules, classes and weak references are code,
    not state. An object reached by several paths is walked under each (so the paths do not
    depend on which objects happen to be shared); only a cycle (an object inside itself, such
    as an agent's ``model``) is cut.
    """
    if isinstance(obj, _SCALARS + _LEAVES):
        yield path, obj
        return
    if isinstance(obj, _CODE) or id(obj) in ancestors:
        return
    inner = ancestors | {id(obj)}
    if isinstance(obj, (dict, weakref.WeakKeyDictionary, weakref.WeakValueDictionary,
                        types.MappingProxyType)):
        for i, (k, v) in enumerate(list(obj.items())):
            yield from _leaves(v, f"{path}[{_key(k, i)}]", inner)
            if not isinstance(k, _SCALARS + (tuple,)):
                yield from _leaves(k, f"{path}.keys[{i}]", inner)
    elif isinstance(obj, (list, tuple, set, frozenset, weakref.WeakSet)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else list(obj)
        for i, v in enumerate(items):
            yield from _leaves(v, f"{path}[{i}]", inner)
    else:
        for name, v in _attributes(obj).items():
            yield from _leaves(v, f"{path}.{name}", inner)


def _snapshot(x: Any) -> Any:
    """Return a comparable copy of a leaf (generators by their state)."""
    if isinstance(x, (np.ndarray, pd.DataFrame, pd.Series, pd.Index)):
        return x.copy()
    if isinstance(x, np.random.Generator):
        return x.bit_generator.state
    if isinstance(x, np.random.SeedSequence):
        return (x.entropy, x.spawn_key, x.n_children_spawned)
    if isinstance(x, random.Random):
        return x.getstate()
    return x


def model_state(obj: Any) -> dict[str, Any]:
    """Return every leaf of the state reachable from ``obj``, keyed by its attribute path.

    Arrays are copied and random generators stand as their states, so a snapshot taken now
    does not move when the model runs on.
    """
    return {path: _snapshot(x) for path, x in _leaves(obj)}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
        return type(a) is type(b) and a.equals(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # both NaN
    return type(a) is type(b) and bool(a == b)


def state_differences(a: Any, b: Any) -> list[str]:
    """Paths where the states of ``a`` and ``b`` differ (present in one only, or unequal).

    Mesa's process-wide labels (:data:`PROCESS_LABELS`) are left out.
    """
    sa, sb = model_state(a), model_state(b)
    for s in (sa, sb):
        for p in [p for p in s if PROCESS_LABELS.search(p)]:
            del s[p]
    diff = [f"{p}: only in the first" for p in sa.keys() - sb.keys()]
    diff += [f"{p}: only in the second" for p in sb.keys() - sa.keys()]
    diff += [f"{p}: differs" for p in sa.keys() & sb.keys() if not _same(sa[p], sb[p])]
    return sorted(diff)


def assert_same_state(a: Any, b: Any, *, ignore: tuple[str, ...] = ()) -> None:
    """Raise ``AssertionError`` naming the paths where the states of two models differ.

    ``ignore``: path prefixes left out (for example the run label of a scenario).
    """
    diff = [d for d in state_differences(a, b) if not d.startswith(ignore)]
    if diff:
        raise AssertionError(f"{len(diff)} differences in the model state, e.g.\n  "
                             + "\n  ".join(diff[:20]))


def shared_buffers(obj: Any) -> list[tuple[str, str]]:
    """Pairs of distinct arrays reachable from ``obj`` that share memory (views of each other).

    A deep copy turns each such view into an array of its own, so a copied model whose code
    writes one of the pair would no longer see the write through the other.
    """
    by_root: dict[int, list[tuple[str, np.ndarray]]] = {}
    arrays = {id(x): (path, x) for path, x in _leaves(obj) if isinstance(x, np.ndarray)}
    for path, x in arrays.values():
        root = x
        while isinstance(root.base, np.ndarray):
            root = root.base
        by_root.setdefault(id(root), []).append((path, x))
    return [(pa, pb) for group in by_root.values() for i, (pa, a) in enumerate(group)
            for pb, b in group[i + 1:] if np.shares_memory(a, b)]
