"""The shipped posterior of the calibrated parameters, read as data (``datasets/``).

:func:`abm.fitting.calibration.calibrate` writes it (``make calibrate``); the presets read its
mode (:func:`abm.inputs.data.load_posterior_mode`), sweeps draw scenarios from it
(``abm.sweep(..., posterior=n)``) and the facts are checked over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from abm.inputs import data
from abm.inputs.checks import check_int
from abm.inputs.params import PRESETS, Params

#: Central interval reported by :meth:`Calibration.summary` and the prediction bands.
LEVEL = 0.9


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of weighted values (inverse of the weighted empirical distribution).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0]), [0.5]).tolist()
    [2.0]
    """
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cdf = np.cumsum(w) / w.sum()
    idx = np.searchsorted(cdf, np.asarray(q, float), side="left")
    return x[np.minimum(idx, len(x) - 1)]


def posterior(preset: str = "x_county") -> pd.DataFrame:
    """Posterior draws shipped for a preset: dotted-name columns and ``weight``.

    Only x_county is calibrated; yongan and baiyun borrow its posterior (they have no facts of
    their own to fit), so ``posterior("yongan")`` returns x_county's. The provenance (call,
    seeds, versions, git revision, cost) is in ``frame.attrs["calibration"]``.

    Examples
    --------
    >>> import abm
    >>> d = abm.posterior("x_county")
    >>> d.columns[-1], round(float(d["weight"].sum()), 6), d.attrs["calibration"]["call"]["seed"]
    ('weight', 1.0, 2026)
    """
    if preset not in PRESETS or preset == "small":
        raise ValueError(f"preset must be one of {', '.join(p for p in PRESETS if p != 'small')}"
                         f" (small is not calibrated); got {preset!r}")
    frame, meta = data.read_posterior(data.posterior_path("x_county"))
    frame = frame.copy()
    frame.attrs["calibration"] = meta
    return frame


def posterior_mode(preset: str = "x_county") -> dict[str, float]:
    """Return the shipped posterior's mode among its draws (``{}`` if none is shipped).

    The draw of highest likelihood (the priors are uniform), judged on fresh seeds
    (:func:`abm.fitting.calibration.mode_on_fresh_seeds`): the defaults of :func:`abm.preset`.
    Unlike the marginal medians, it is a point of the posterior: where parameters trade off
    (the downward referral rate is one fact for four parameters), the medians of each need not
    fit the facts together (docs/calibration.md).

    Examples
    --------
    >>> mode = posterior_mode("x_county")
    >>> sorted(mode) == sorted(c for c in posterior("x_county").columns if c != "weight")
    True
    """
    if not data.posterior_path("x_county").is_file():
        return {}
    return dict(posterior(preset).attrs["calibration"]["mode"])


def posterior_median(preset: str = "x_county") -> dict[str, float]:
    """Weighted posterior medians of the shipped posterior (``{}`` if none is shipped)."""
    return dict(_median(data.posterior_path("x_county"), preset))


@cache
def _median(path: Path, preset: str) -> tuple[tuple[str, float], ...]:
    if not path.is_file():
        return ()
    d = posterior(preset)
    w = d["weight"].to_numpy()
    return tuple((c, float(weighted_quantile(d[c].to_numpy(), w, [0.5])[0]))
                 for c in d.columns if c != "weight")


def resample(draws: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` equally weighted draws by systematic resampling of the weights (no randomness).

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, 2.0], "weight": [0.25, 0.75]})
    >>> resample(d, 4)["a"].tolist()
    [1.0, 2.0, 2.0, 2.0]
    """
    n = check_int(n, "posterior", 1)
    cdf = np.cumsum(draws["weight"].to_numpy(float))
    idx = np.searchsorted(cdf / cdf[-1], (np.arange(n) + 0.5) / n)
    return draws.drop(columns="weight").iloc[np.minimum(idx, len(draws) - 1)].reset_index(
        drop=True)


def posterior_params(base: Params, n: int) -> dict[str, Params]:
    """``n`` copies of ``base`` with parameters from the shipped posterior (``draw0``, ...)."""
    draws = resample(posterior(preset_of(base)), n)
    return {f"draw{i}": base.replace(**row)
            for i, row in enumerate(draws.to_dict(orient="records"))}


def posterior_scenarios(named: Mapping[str, Params], n: int) -> dict[str, Params]:
    """Each scenario times ``n`` posterior draws, named ``<scenario>@<draw>`` (for abm.sweep)."""
    return {f"{name}@{d}": p for name, base in named.items()
            for d, p in posterior_params(base, n).items()}


def preset_of(base: Params) -> str:
    """Return the preset whose posterior ``base`` draws from (``small`` borrows x_county's)."""
    name = base.setting.preset
    return "x_county" if name == "small" else name


__all__ = ["LEVEL", "posterior", "posterior_median", "posterior_mode",
           "posterior_params", "posterior_scenarios", "preset_of", "resample",
           "weighted_quantile"]
