"""Compiled sampling that reproduces numpy's Generator draws to the bit (the daily onset).

The array representation draws the day's ill patients group by group: a binomial count, then
a uniform sample without replacement (``Generator.choice(n, k, replace=False, shuffle=False)``).
:func:`onset_sample` does all groups in one compiled call with the same generator, the same
numbers and the same consumption of its stream as those numpy calls, so the random stream, and
every result, stays what it was. The sample without replacement follows numpy's own algorithm
(``numpy/random/_generator.pyx``, ``Generator.choice``): a tail shuffle of ``arange(n)`` when
``n > 10000`` and ``k > n // 20``, Robert Floyd's algorithm otherwise, each draw a bounded
integer by Lemire's rejection method (numpy's ``random_bounded_uint64``, as ported in numba's
``numba.np.random.random_methods``; numba is pinned in uv.lock, and tests/abm/test_sampling.py
compares the draws with numpy's).

Examples
--------
Two groups (40 patients with probability 0.1, 20 with 0.3) against the numpy calls:

>>> import numpy as np
>>> prob, start, members = np.array([0.1, 0.3]), np.array([0, 40, 60]), np.arange(60)
>>> ill = onset_sample(np.random.default_rng(4), prob, start, members)
>>> g = np.random.default_rng(4)
>>> numpy_ill = np.sort(np.concatenate([
...     members[lo:hi][g.choice(hi - lo, g.binomial(hi - lo, q), replace=False, shuffle=False)]
...     for q, lo, hi in zip(prob, start[:-1], start[1:])]))
>>> np.array_equal(ill, numpy_ill)
True
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.np.random.generator_core import next_uint32, next_uint64
from numba.np.random.random_methods import bounded_lemire_uint64, buffered_bounded_lemire_uint32

from abm.engine import compile_notice  # noqa: F401  (says once on screen when kernels compile)

#: numpy's threshold for the tail shuffle of ``choice(replace=False, shuffle=False)``: a
#: population above this size, and a sample above ``n // TAIL_SHUFFLE_DIVISOR``.
TAIL_SHUFFLE_ABOVE = 10_000
TAIL_SHUFFLE_DIVISOR = 20
_U32 = np.uint64(0xFFFFFFFF)
_U64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True)
def bounded_integer(gen: np.random.Generator, high: int) -> int:
    """One uniform integer in ``[0, high]`` (inclusive) as numpy draws it.

    numpy's ``random_bounded_uint64(bitgen, 0, high, 0, False)``: the same number and the same
    advance of the generator as ``gen.integers(0, high + 1)``, without an array per draw.
    Compiled; call with a :class:`numpy.random.Generator`.

    >>> g1, g2 = np.random.default_rng(1), np.random.default_rng(1)
    >>> [bounded_integer(g1, 9) for _ in range(4)] == [int(g2.integers(0, 10)) for _ in range(4)]
    True
    """
    bitgen = gen.bit_generator
    rng = np.uint64(high)
    if rng == 0:
        return 0
    if rng < _U32:
        return np.int64(buffered_bounded_lemire_uint32(bitgen, rng))
    if rng == _U32:
        return np.int64(next_uint32(bitgen))
    if rng == _U64:
        return np.int64(next_uint64(bitgen))
    return np.int64(bounded_lemire_uint64(bitgen, rng))


@njit(cache=True)
def _floyd(gen: np.random.Generator, n: int, k: int, out: np.ndarray) -> None:
    """Write Floyd's sample of ``k`` of ``range(n)`` (numpy's, with its open hash set)."""
    mask = np.int64(1)
    while mask < np.int64(1.2 * k):
        mask = 2 * mask + 1
    table = np.full(mask + 1, -1, np.int64)
    for j in range(n - k, n):
        val = bounded_integer(gen, j)
        loc = val & mask
        while table[loc] != -1 and table[loc] != val:
            loc = (loc + 1) & mask
        if table[loc] == -1:  # val not drawn before
            table[loc] = val
        else:  # take j instead (never drawn: all earlier values are below j)
            val = j
            loc = j & mask
            while table[loc] != -1:
                loc = (loc + 1) & mask
            table[loc] = j
        out[j - n + k] = val


@njit(cache=True)
def _tail_shuffle(gen: np.random.Generator, n: int, k: int, out: np.ndarray) -> None:
    """Write the last ``k`` of ``arange(n)`` after numpy's partial Fisher-Yates shuffle."""
    idx = np.arange(n)
    for i in range(n - 1, max(n - k, 1) - 1, -1):
        j = bounded_integer(gen, i)
        idx[i], idx[j] = idx[j], idx[i]
    out[:] = idx[n - k:]


@njit(cache=True)
def sample_without_replacement(gen: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``k`` distinct integers of ``range(n)``: ``gen.choice(n, k, replace=False, shuffle=False)``.

    The same values in the same order, and the same state of ``gen`` afterwards. Compiled.

    >>> a = sample_without_replacement(np.random.default_rng(2), 20_000, 1_500)
    >>> b = np.random.default_rng(2).choice(20_000, 1_500, replace=False, shuffle=False)
    >>> np.array_equal(a, b)
    True
    """
    out = np.empty(k, np.int64)
    if k == 0:
        return out
    if n > TAIL_SHUFFLE_ABOVE and k > n // TAIL_SHUFFLE_DIVISOR:
        _tail_shuffle(gen, n, k, out)
    else:
        _floyd(gen, n, k, out)
    return out


@njit(cache=True)
def _onset_unsorted(gen: np.random.Generator, prob: np.ndarray, start: np.ndarray,
                    members: np.ndarray) -> np.ndarray:
    out = np.empty(members.size, np.int64)
    at = 0
    for g in range(prob.size):
        lo = start[g]
        n = start[g + 1] - lo
        k = gen.binomial(n, prob[g])
        if k:
            pick = sample_without_replacement(gen, n, k)
            for t in range(k):
                out[at + t] = members[lo + pick[t]]
            at += k
    return out[:at]


def onset_sample(gen: np.random.Generator, prob: np.ndarray, start: np.ndarray,
                 members: np.ndarray) -> np.ndarray:
    """Patients falling ill today, sorted: per onset group a binomial count, then a sample.

    Parameters
    ----------
    gen
        The onset stream.
    prob
        Daily onset probability of each group.
    start
        Group ``g``'s patients are ``members[start[g]:start[g + 1]]`` (``prob.size + 1`` values).
    members
        Patient indices, grouped.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the ill (int64). The draws are numpy's: per group in order
        ``gen.binomial(n, p)``, then ``gen.choice(n, k, replace=False, shuffle=False)`` if
        ``k > 0``.
    """
    return np.sort(_onset_unsorted(gen, prob, start, members))

