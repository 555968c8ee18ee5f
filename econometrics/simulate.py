"""A small simulated staggered-adoption panel with a known effect (for tests and demos)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from econometrics._panel import check_count, check_seed

__all__ = ["simulate_panel", "true_event_path"]


def _real(name: str, value) -> float:
    """Return a finite real number (numpy numbers too, bools and strings not) as a float."""
    if (not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_)
            or not np.isfinite(value)):
        raise ValueError(f"{name}={value!r} must be a finite number")
    return float(value)


def simulate_panel(
    *,
    n_units: int,
    n_periods: int,
    cohorts: Sequence[int],
    effect: float | Mapping[int, float],
    dynamic: float = 0.0,
    never_treated: float = 0.25,
    sigma: float = 1.0,
    seed: int | np.random.SeedSequence | None = None,
) -> pd.DataFrame:
    """Simulate a balanced staggered panel ``y = a_i + l_t + true_effect + e``.

    Units are split as evenly as possible between the ``cohorts`` after a share
    ``never_treated`` of never-treated units. Unit effects differ by cohort (so a cross-section
    comparison is biased and DiD is needed) and period effects follow a random walk.

    Parameters
    ----------
    n_units, n_periods : int
        Units and periods (periods are 1..n_periods).
    cohorts : sequence of int
        First treated periods of the treated cohorts.
    effect : float or mapping cohort -> float
        Effect on impact (event time 0), the same for all cohorts or one per cohort.
    dynamic : float
        Added to the effect for each period since treatment: effect + dynamic * (t - cohort).
    never_treated : float
        Share of never-treated units (cohort 0).
    sigma : float
        Standard deviation of the idiosyncratic error.
    seed : int or numpy.random.SeedSequence, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        Columns unit, time, cohort (0 = never treated), treat (0/1), y, true_effect.

    Examples
    --------
    >>> df = simulate_panel(n_units=10, n_periods=5, cohorts=(3,), effect=1.0, seed=0)
    >>> df.shape, sorted(df.cohort.unique().tolist())
    ((50, 6), [0, 3])
    """
    n_units = check_count("n_units", n_units, 2)
    n_periods = check_count("n_periods", n_periods, 2)
    never_treated = _real("never_treated", never_treated)
    if not 0 <= never_treated < 1:
        raise ValueError(f"never_treated={never_treated!r} must be a share in [0, 1)")
    dynamic = _real("dynamic", dynamic)
    sigma = _real("sigma", sigma)
    if sigma < 0:
        raise ValueError(f"sigma={sigma!r} must be a standard deviation >= 0")
    if isinstance(cohorts, str | bytes) or not isinstance(cohorts, Iterable):
        raise ValueError(f"cohorts={cohorts!r} must be a non-empty sequence of periods in "
                         f"1..n_periods, e.g. (3, 5)")
    cohorts = list(cohorts)
    if not cohorts or not all(isinstance(c, numbers.Integral) and not isinstance(c, bool)
                              and c >= 1 for c in cohorts):
        raise ValueError(f"cohorts={cohorts!r} must be a non-empty sequence of periods >= 1, "
                         "e.g. (3, 5)")
    cohorts = [int(c) for c in cohorts]
    if min(cohorts) > n_periods:
        raise ValueError(f"cohorts={cohorts!r} are all first treated after the last period "
                         f"(n_periods={n_periods}): the panel would have no treated "
                         "observation")
    if isinstance(effect, Mapping):
        keys = {int(k) if isinstance(k, numbers.Integral) else k for k in effect}
        if keys != set(cohorts):
            raise ValueError(f"effect={dict(effect)!r} must give one effect per cohort "
                             f"{sorted(set(cohorts))} (a mapping cohort -> effect), or be one "
                             "number for all")
        effects = {int(k): _real("effect", v) for k, v in effect.items()}
    else:
        effects = dict.fromkeys(cohorts, _real("effect", effect))
    rng = np.random.default_rng(check_seed(seed))
    n_never = int(round(never_treated * n_units))
    unit_cohort = np.concatenate([
        np.zeros(n_never, dtype=np.int64),
        np.array(cohorts, dtype=np.int64)[np.arange(n_units - n_never) % len(cohorts)],
    ])
    unit_cohort = np.sort(unit_cohort)
    level = {0: 0.0, **{c: 0.5 * (i + 1) for i, c in enumerate(sorted(cohorts))}}
    unit_fe = rng.normal(size=n_units) + np.array([level[c] for c in unit_cohort])
    time_fe = np.cumsum(rng.normal(scale=0.5, size=n_periods))
    unit = np.repeat(np.arange(1, n_units + 1), n_periods)
    time = np.tile(np.arange(1, n_periods + 1), n_units)
    g = np.repeat(unit_cohort, n_periods)
    treat = ((g > 0) & (time >= g)).astype(np.int64)
    base = np.array([effects.get(c, 0.0) for c in g])
    true_effect = treat * (base + dynamic * (time - g))
    y = (unit_fe[unit - 1] + time_fe[time - 1] + true_effect
         + rng.normal(scale=sigma, size=n_units * n_periods))
    return pd.DataFrame({"unit": unit, "time": time, "cohort": g, "treat": treat, "y": y,
                         "true_effect": true_effect.astype(float)})


def true_event_path(panel: pd.DataFrame) -> pd.Series:
    """Return the known truth of a simulated panel: mean true effect by event time.

    Averaged over the treated unit-periods of a :func:`simulate_panel` frame, indexed by
    ``event_time`` = time - cohort. The overall truth (the estimand of ``.overall``) is
    ``panel.loc[panel.treat == 1, "true_effect"].mean()``.

    Examples
    --------
    >>> df = simulate_panel(n_units=8, n_periods=5, cohorts=(3,), effect=1.0, dynamic=0.5,
    ...                     seed=0)
    >>> true_event_path(df).tolist()
    [1.0, 1.5, 2.0]
    """
    treated = panel[panel["treat"] == 1]
    event_time = (treated["time"] - treated["cohort"]).rename("event_time")
    return treated["true_effect"].groupby(event_time).mean().rename("true_effect")
