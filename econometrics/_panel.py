"""Panel preparation and data checks shared by every estimator.

Every estimator calls :func:`prepare_panel` first. It validates the user's frame, never mutates it,
and returns a :class:`Panel`: a fresh copy of the needed columns under canonical names, sorted by
unit and time, plus facts about the panel (units, periods, balance, cohorts) and ``notes`` that the
result objects report (an unbalanced panel is allowed and reported, not warned about).

Canonical columns of ``Panel.frame``:

``_y``, ``_unit``, ``_time``
    outcome (float), unit identifier, time period (int64 when the periods are integers).
``_cohort``
    first treated period (float; 0 means never treated; present when a cohort column was given,
    or a treatment column with numeric periods).
``_treat``
    0/1 treatment indicator (float; present when a cohort or a treatment column was given).
``_weight``
    observation weights (present when ``weights`` was given).
``_cluster0``, ``_cluster1``
    cluster identifiers as integer codes (present when ``cluster`` was given).

Covariates keep their own names (they may not start with an underscore).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "Panel",
    "PanelError",
    "check_choice",
    "normalize_cohort",
    "prepare_panel",
]

_MAX_EXAMPLES = 5  # how many offending units / rows an error message lists


class PanelError(ValueError):
    """The data cannot be used as a panel for the requested estimator (message says why)."""


def check_choice(argument: str, value, allowed: Iterable):
    """Return ``value`` if it is one of ``allowed``; raise a ValueError naming the argument.

    Parameters
    ----------
    argument : str
        Name of the argument, used in the message.
    value : object
        The value passed by the user.
    allowed : iterable
        The allowed values (e.g. ``typing.get_args`` of a ``Literal`` alias).

    Returns
    -------
    object
        ``value`` unchanged.

    Examples
    --------
    >>> check_choice("weights", "webb", ("webb", "rademacher"))
    'webb'
    """
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{argument}={value!r} must be one of {list(allowed)}")
    return value


def normalize_cohort(values) -> np.ndarray:
    """Return cohorts (first treated period) as floats with never-treated coded 0.

    0, NaN (or None / pd.NA) and +inf all mean "never treated" and become 0.

    Parameters
    ----------
    values : array-like
        Cohort values, one per row or per unit.

    Returns
    -------
    numpy.ndarray
        Float array, never-treated entries equal to 0.

    Raises
    ------
    PanelError
        If a value is not numeric, or is negative or -inf.

    Examples
    --------
    >>> normalize_cohort([2005, 0, float("nan"), float("inf")]).tolist()
    [2005.0, 0.0, 0.0, 0.0]
    """
    try:
        arr = pd.to_numeric(pd.Series(values, dtype="object"), errors="raise")
    except (TypeError, ValueError) as exc:
        raise PanelError(f"cohort values must be numeric (first treated period): {exc}") from exc
    out = np.asarray(arr, dtype=float).copy()
    never = np.isnan(out) | (out == np.inf)
    out[never] = 0.0
    if np.any(out < 0):
        bad = np.unique(out[out < 0])[:_MAX_EXAMPLES].tolist()
        raise PanelError(
            f"cohort values must be a first treated period, or 0/NaN/inf for never treated; "
            f"got negative values {bad}"
        )
    return out


@dataclass(frozen=True, eq=False)
class Panel:
    """A validated panel: canonical columns (see module docstring) plus facts about it.

    Attributes
    ----------
    frame : pandas.DataFrame
        Fresh copy of the needed columns, sorted by unit and time, default integer index.
    names : dict
        Role -> the user's column name (keys ``y``, ``unit``, ``time`` and, when given,
        ``cohort``, ``treat``, ``weights``, ``cluster``), for labels in results.
    covariates : tuple of str
        Covariate column names (kept under their own names in ``frame``).
    n_units, n_obs : int
        Number of units and of observations (rows after dropping missing values).
    times : numpy.ndarray
        Sorted distinct periods.
    balanced : bool
        Every unit is observed in every period.
    cohorts : tuple of float
        Distinct treated cohorts (first treated periods), never-treated (0) excluded.
    n_never_treated : int
        Units never treated within the data (cohort 0 or first treated after the last period).
    n_always_treated : int
        Units already treated in their first observed period (never observed untreated).
    n_clusters : tuple of int
        Number of clusters for each cluster variable (empty if none).
    notes : tuple of str
        Facts the results report (unbalanced panel, dropped rows, ...).
    """

    frame: pd.DataFrame
    names: dict
    covariates: tuple[str, ...]
    n_units: int
    n_obs: int
    times: np.ndarray
    balanced: bool
    cohorts: tuple[float, ...] = ()
    n_never_treated: int = 0
    n_always_treated: int = 0
    n_clusters: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_treatment(self) -> bool:
        """Whether ``_treat`` and ``_cohort`` columns are present."""
        return "_treat" in self.frame.columns

    @property
    def cluster_columns(self) -> tuple[str, ...]:
        """Canonical names of the cluster columns present (``_cluster0``, ``_cluster1``)."""
        return tuple(c for c in ("_cluster0", "_cluster1") if c in self.frame.columns)

    def unit_cohort(self) -> pd.Series:
        """Cohort of each unit (index: unit), 0 for never treated."""
        if "_cohort" not in self.frame.columns:
            raise PanelError("this panel was prepared without a cohort column")
        return self.frame.groupby("_unit", sort=True)["_cohort"].first()


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _examples(values: Sequence) -> str:
    values = list(values)
    more = f" (and {len(values) - _MAX_EXAMPLES} more)" if len(values) > _MAX_EXAMPLES else ""
    return f"{values[:_MAX_EXAMPLES]}{more}"


def _check_columns(data: pd.DataFrame, roles: dict[str, list[str]]) -> None:
    missing = [
        f"{col!r} ({role}=)" for role, cols in roles.items() for col in cols
        if col not in data.columns
    ]
    if missing:
        raise PanelError(
            f"column(s) not found in data: {', '.join(missing)}; "
            f"available columns: {_examples(list(data.columns))}"
        )


def _numeric(series: pd.Series, role: str, name: str) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
    ):
        raise PanelError(
            f"{role} column {name!r} must be numeric, got dtype {series.dtype}"
        )
    return np.asarray(series.astype(float), dtype=float)


def _integer_periods(time: pd.Series, name: str) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(time) or pd.api.types.is_bool_dtype(time):
        raise PanelError(
            f"time column {name!r} must hold integer periods (e.g. years) for cohort-based "
            f"estimators, got dtype {time.dtype}"
        )
    values = time.astype(float)
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        raise PanelError(f"time column {name!r} must hold integer periods (e.g. 2005, 2006)")
    return values.astype(np.int64)


def prepare_panel(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str | None = None,
    treat: str | None = None,
    covariates: Sequence[str] | str | None = (),
    cluster: Sequence[str] | str | None = None,
    weights: str | None = None,
) -> Panel:
    """Validate a long panel and return a fresh, sorted copy of its columns with facts.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per (unit, time). Never modified.
    y, unit, time : str
        Outcome, unit identifier and time period columns.
    cohort : str, optional
        First treated period of each unit; 0, NaN or +inf mean never treated. Must be constant
        within a unit. Requires integer periods. If ``treat`` is not given, the treatment is
        ``time >= cohort`` for treated units.
    treat : str, optional
        0/1 treatment indicator that never switches off. If ``cohort`` is not given, a unit's
        cohort is its first treated period (0 if never treated).
    covariates : str or sequence of str, optional
        Numeric time-varying controls.
    cluster : str or sequence of str, optional
        One or two cluster columns.
    weights : str, optional
        Positive observation weights.

    Returns
    -------
    Panel
        See :class:`Panel`.

    Raises
    ------
    PanelError
        Missing columns, non-numeric outcome, duplicate (unit, time) rows, missing unit or time,
        non-binary treatment, treatment that switches off, cohort varying within a unit,
        treatment inconsistent with the cohort, non-positive weights, more than two cluster
        columns, or an empty panel.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [0.0, 1.0, 0.5, 0.4],
    ...                    "g": [2, 2, 0, 0]})
    >>> p = prepare_panel(df, y="y", unit="u", time="t", cohort="g")
    >>> p.n_units, p.balanced, p.cohorts, p.frame["_treat"].tolist()
    (2, True, (2.0,), [0.0, 1.0, 0.0, 0.0])
    """
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    covs = _as_list(covariates)
    clusters = _as_list(cluster)
    if len(clusters) > 2:
        raise PanelError(f"cluster= takes one or two columns, got {len(clusters)}: {clusters}")
    roles = {"y": [y], "unit": [unit], "time": [time], "covariates": covs, "cluster": clusters}
    for role, name in (("cohort", cohort), ("treat", treat), ("weights", weights)):
        if name is not None:
            roles[role] = [name]
    for role, cols in roles.items():
        for col in cols:
            if not isinstance(col, str):
                raise PanelError(f"{role}= must name a column (str), got {col!r}")
    _check_columns(data, roles)
    bad_cov = [c for c in covs if c.startswith("_")]
    if bad_cov:
        raise PanelError(f"covariate names may not start with an underscore: {bad_cov}")
    if len(data) == 0:
        raise PanelError("data has no rows")

    notes: list[str] = []
    src = data  # read only
    out = pd.DataFrame(index=pd.RangeIndex(len(src)))
    out["_y"] = _numeric(src[y], "outcome", y)
    for role, col in (("unit", unit), ("time", time)):
        if src[col].isna().any():
            n_missing = int(src[col].isna().sum())
            raise PanelError(f"{role} column {col!r} has {n_missing} missing values")
    out["_unit"] = src[unit].to_numpy(copy=True)
    if cohort is not None:
        out["_time"] = _integer_periods(src[time], time).to_numpy()
    else:
        out["_time"] = src[time].to_numpy(copy=True)
    for c in covs:
        out[c] = _numeric(src[c], "covariate", c)
    if weights is not None:
        out["_weight"] = _numeric(src[weights], "weights", weights)
    for i, c in enumerate(clusters):
        out[f"_cluster{i}"] = src[c].to_numpy(copy=True)
    if treat is not None:
        out["_treat"] = _numeric(src[treat], "treatment", treat)
    if cohort is not None:
        out["_cohort"] = normalize_cohort(src[cohort].to_numpy())

    # Rows with a missing outcome, covariate, weight or cluster are dropped (reported).
    check = ["_y", *covs, *[k for k in ("_weight", "_treat") if k in out], *[
        f"_cluster{i}" for i in range(len(clusters))]]
    missing = out[check].isna().any(axis=1).to_numpy()
    if missing.any():
        cols = [col for col, k in zip([y, *covs, weights, treat, *clusters], [
            "_y", *covs, "_weight", "_treat", *[f"_cluster{i}" for i in range(len(clusters))]],
            strict=True) if k in out and out[k].isna().any()]
        notes.append(f"dropped {int(missing.sum())} rows with missing values in {cols}")
        out = out.loc[~missing].reset_index(drop=True)
        if len(out) == 0:
            raise PanelError("no rows left after dropping rows with missing values")

    dup = out.duplicated(["_unit", "_time"], keep=False).to_numpy()
    if dup.any():
        pairs = out.loc[dup, ["_unit", "_time"]].drop_duplicates().itertuples(index=False)
        raise PanelError(
            f"duplicate ({unit}, {time}) rows: {_examples([tuple(p) for p in pairs])}; "
            "a panel needs one row per unit and period"
        )
    out = out.sort_values(["_unit", "_time"], kind="mergesort").reset_index(drop=True)

    if weights is not None and not np.all(out["_weight"].to_numpy() > 0):
        raise PanelError(f"weights column {weights!r} must be strictly positive")
    for i in range(len(clusters)):
        out[f"_cluster{i}"] = pd.factorize(out[f"_cluster{i}"], sort=True)[0].astype(np.int64)

    if treat is not None:
        d = out["_treat"].to_numpy()
        if not np.all(np.isin(d, (0.0, 1.0))):
            raise PanelError(
                f"treatment column {treat!r} must be 0/1 (or boolean), got values "
                f"{_examples(np.unique(d[~np.isin(d, (0.0, 1.0))]).tolist())}"
            )
        off = out.groupby("_unit", sort=False)["_treat"].diff().to_numpy() < 0
        if off.any():
            units = pd.unique(out.loc[off, "_unit"])
            raise PanelError(
                f"treatment {treat!r} switches off (1 then 0) for units {_examples(units)}; "
                "treatment that switches off is not supported (staggered adoption only)"
            )
    if cohort is not None:
        nuniq = out.groupby("_unit", sort=False)["_cohort"].nunique()
        if (nuniq > 1).any():
            raise PanelError(
                f"cohort column {cohort!r} varies within units "
                f"{_examples(nuniq.index[nuniq > 1].tolist())}; it must be the unit's first "
                "treated period"
            )
        if np.any(out["_time"].to_numpy() <= 0):
            raise PanelError(
                f"time column {time!r} has periods <= 0, but cohort 0 means never treated; "
                "shift the periods so they are positive (e.g. calendar years)"
            )
        g = out["_cohort"].to_numpy()
        implied = ((g > 0) & (out["_time"].to_numpy() >= g)).astype(float)
        if treat is not None:
            bad = implied != out["_treat"].to_numpy()
            if bad.any():
                units = pd.unique(out.loc[bad, "_unit"])
                raise PanelError(
                    f"treatment {treat!r} disagrees with cohort {cohort!r} (treated from the "
                    f"cohort period on) for units {_examples(units)}"
                )
        else:
            out["_treat"] = implied
    elif treat is not None and pd.api.types.is_numeric_dtype(out["_time"]):
        # The cohort implied by the treatment: a unit's first treated period (0 if never).
        first = out.loc[out["_treat"] > 0].groupby("_unit", sort=False)["_time"].first()
        out["_cohort"] = out["_unit"].map(first).astype(float).fillna(0.0).to_numpy()

    times = np.sort(pd.unique(out["_time"]))
    n_units = int(out["_unit"].nunique())
    per_unit = out.groupby("_unit", sort=False).size()
    balanced = bool((per_unit == len(times)).all())
    if not balanced:
        notes.append(
            f"unbalanced panel: {int((per_unit < len(times)).sum())} of {n_units} units are not "
            f"observed in all {len(times)} periods (allowed)"
        )

    cohorts: tuple[float, ...] = ()
    n_never = n_always = 0
    if "_treat" in out:
        first_treat = out.groupby("_unit", sort=False)["_treat"].first()
        ever = out.groupby("_unit", sort=False)["_treat"].max()
        n_never = int((ever == 0).sum())
        n_always = int((first_treat == 1).sum())
        if n_always:
            notes.append(
                f"{n_always} units are treated in every period they are observed (never "
                "observed untreated); they carry no information on the treatment effect"
            )
        if "_cohort" in out and pd.api.types.is_numeric_dtype(out["_cohort"]):
            g = np.unique(out["_cohort"].to_numpy())
            cohorts = tuple(float(v) for v in g if v > 0)
            if pd.api.types.is_numeric_dtype(out["_time"]):
                late = [c for c in cohorts if c > times[-1]]
                if late:
                    notes.append(
                        f"cohorts {late} are first treated after the last period; they are "
                        "untreated throughout the data"
                    )
        if n_never == 0:
            notes.append("no never-treated units: comparisons rely on later-treated units")

    n_clusters = tuple(int(out[f"_cluster{i}"].nunique()) for i in range(len(clusters)))
    names = {"y": y, "unit": unit, "time": time}
    for role, name in (("cohort", cohort), ("treat", treat), ("weights", weights)):
        if name is not None:
            names[role] = name
    if clusters:
        names["cluster"] = tuple(clusters)
    return Panel(
        frame=out,
        names=names,
        covariates=tuple(covs),
        n_units=n_units,
        n_obs=len(out),
        times=times,
        balanced=balanced,
        cohorts=cohorts,
        n_never_treated=n_never,
        n_always_treated=n_always,
        n_clusters=n_clusters,
        notes=tuple(notes),
    )
