"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021).

For one or a few treated units adopting at the same date (e.g. a single reform county), SDID
re-weights the control units (unit weights omega: a synthetic control with an intercept) and
the pre-treatment periods (time weights lambda) and takes the weighted two-way DiD. Standard
errors: ``"placebo"`` (Section 5 of the paper: re-assign treatment to as many control units as
there are treated, ``replications`` times; valid with a single treated unit), ``"jackknife"``
(leave one unit out; needs at least two treated units) or ``"bootstrap"`` (units resampled).

The numerics are diff-diff's ``SyntheticDiD`` (optional extra ``synthetic``), which follows R
``synthdid`` (Frank-Wolfe weights with synthdid's regularization, sparsification and stopping
rules); on the California Proposition 99 panel it reproduces the published estimate -15.60
(tests/econometrics/test_synthdid.py). This module checks the panel, maps it onto diff-diff and
returns a result in the package's convention.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from econometrics._panel import (
    PanelError,
    check_choice,
    check_count,
    check_seed,
    prepare_panel,
    single_adoption_date,
)
from econometrics.inference import t_inference
from econometrics.results import TIDY_COLUMNS, SyntheticResult, check_conf_level

__all__ = ["SeMethod", "SyntheticDiDResult", "synthetic_did"]

SeMethod = Literal["placebo", "jackknife", "bootstrap"]


@dataclass(frozen=True, eq=False, kw_only=True)
class SyntheticDiDResult(SyntheticResult):
    """Synthetic DiD estimate (one row) with the unit and time weights.

    ``unit_weights`` (control units, sum to one), ``time_weights`` (pre-treatment periods, sum
    to one), ``trajectories`` (period x treated mean / synthetic control, for the plot).
    """


def _block_design(panel, treat: str) -> tuple[np.ndarray, list]:
    """Ever-treated indicator per row and the post-treatment periods; errors name the column."""
    adoption = single_adoption_date(panel, treat, "synthetic_did")
    if adoption <= panel.times[0]:
        raise PanelError(f"treatment {treat!r} is on from the first period: no pre-treatment "
                         "period to fit the weights")
    if panel.n_never_treated < 2:
        raise PanelError("synthetic_did needs at least two never-treated control units")
    g = panel.frame.groupby("_unit", sort=False)["_cohort"].transform("first").to_numpy()
    post = [t for t in panel.times if t >= adoption]
    return (g > 0).astype(int), post


def synthetic_did(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    treat: str,
    se_method: SeMethod = "placebo",
    replications: int = 200,
    seed: int | None = None,
    conf_level: float = 0.95,
) -> SyntheticDiDResult:
    """Estimate the synthetic DiD effect of a treatment adopted by a few units at one date.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel (never modified).
    y, unit, time, treat : str
        Outcome, unit, period and 0/1 treatment columns (treatment on from one common period
        for the treated units, never on for the controls).
    se_method : {"placebo", "jackknife", "bootstrap"}
        Standard errors (see the module docstring); jackknife needs two treated units.
    replications : int
        Placebo / bootstrap replications (R synthdid's default 200).
    seed : int, optional
        Seed of the placebo / bootstrap draws.
    conf_level : float
        Confidence level of the normal interval.

    Returns
    -------
    SyntheticDiDResult
        ``tidy()`` (one row, term = ``treat``), ``unit_weights``, ``time_weights``, ``plot()``.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=30, n_periods=10, cohorts=(7,), effect=2.0,
    ...                     never_treated=0.9, sigma=0.2, seed=1)
    >>> res = synthetic_did(df, y="y", unit="unit", time="time", treat="treat", seed=1)
    >>> round(float(res.tidy().estimate.iloc[0]))
    2
    """
    check_choice("se_method", se_method, get_args(SeMethod))
    check_count("replications", replications, 2)
    conf_level = check_conf_level(conf_level)
    seed = check_seed(seed)
    panel = prepare_panel(data, y=y, unit=unit, time=time, treat=treat, require="treat")
    ever, post = _block_design(panel, treat)
    n_treated = int(panel.n_units - panel.n_never_treated)
    if se_method == "placebo" and panel.n_never_treated <= n_treated:
        raise PanelError(f"se_method='placebo' needs more controls than treated units, got "
                         f"{panel.n_never_treated} controls and {n_treated} treated (R synthdid "
                         "refuses too); use se_method='jackknife' or add never-treated units")
    if se_method == "jackknife" and n_treated < 2:
        raise ValueError("se_method='jackknife' needs at least two treated units (leaving out "
                         "the only treated unit leaves no effect to estimate); use 'placebo'")
    try:
        from diff_diff import SyntheticDiD
    except ImportError as exc:
        raise ImportError("synthetic_did needs diff-diff: install the 'synthetic' extra "
                          "(pip install referral-incentives-lab[synthetic])") from exc
    f = panel.frame
    frame = pd.DataFrame({"y": f["_y"].to_numpy(), "unit": f["_unit"].to_numpy(),
                          "time": f["_time"].to_numpy(), "d": ever})
    model = SyntheticDiD(variance_method=se_method, n_bootstrap=int(replications), seed=seed,
                         alpha=1 - conf_level)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(frame, outcome="y", treatment="d", unit="unit", time="time",
                        post_periods=post)
    if not np.isfinite(fit.att):
        raise PanelError("synthetic_did produced no finite estimate (degenerate weights)")
    inf = t_inference([fit.att], [fit.se], None, conf_level)
    table = pd.DataFrame({"term": [treat], "estimate": [fit.att], "std_error": [fit.se], **inf})
    times = np.sort(f["_time"].unique())
    traj = pd.DataFrame({"treated": np.concatenate([fit.treated_pre_trajectory,
                                                    fit.treated_post_trajectory]),
                         "synthetic": np.concatenate([fit.synthetic_pre_trajectory,
                                                      fit.synthetic_post_trajectory]),
                         "post": np.isin(times, post)}, index=pd.Index(times, name="time"))
    return SyntheticDiDResult(
        table=table[list(TIDY_COLUMNS)], estimator="Synthetic DiD (Arkhangelsky et al. 2021)",
        outcome=y, n_obs=panel.n_obs, n_units=panel.n_units,
        vcov_type=f"{se_method} ({replications} replications)" if se_method != "jackknife"
        else "jackknife", small_sample="none (normal interval)", conf_level=conf_level,
        notes=(*panel.notes, f"{n_treated} treated units, {panel.n_never_treated} controls, "
               f"{len(times) - len(post)} pre-treatment periods"),
        unit_weights=pd.Series(fit.unit_weights, name="omega").sort_values(ascending=False),
        time_weights=pd.Series(fit.time_weights, name="lambda"),
        trajectories=traj,
    )
