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

import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "FEW_CLUSTERS",
    "DataWarning",
    "Panel",
    "PanelError",
    "as_pandas",
    "check_choice",
    "check_count",
    "check_flag",
    "check_seed",
    "check_window",
    "check_cluster_count",
    "few_clusters_message",
    "normalize_cohort",
    "prepare_panel",
    "single_adoption_date",
    "warn_data",
]

_MAX_EXAMPLES = 5  # how many offending units / rows an error message lists
#: Cluster-robust inference on fewer clusters than this warns (DataWarning): CRV1 standard
#: errors with t(G - 1) over-reject badly with a handful of clusters (Cameron, Gelbach and
#: Miller 2008; MacKinnon and Webb 2017); fixest and Stata compute them without a word.
FEW_CLUSTERS = 5


class PanelError(ValueError):
    """The data cannot be used as a panel for the requested estimator (message says why)."""


class DataWarning(UserWarning):
    """Data were dropped or changed on the way to an estimate (message says what and why)."""


def warn_data(message: str) -> None:
    """Issue a :class:`DataWarning` pointing at the user's call."""
    warnings.warn(message, DataWarning, stacklevel=4)


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


def _is_integer(value) -> bool:
    """Return whether ``value`` is an int or numpy integer (bools are not numbers here)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def check_window(**window) -> dict:
    """Return ``leads`` / ``lags`` (keyword: value) as Python ints >= 0 or None.

    Numpy integers are accepted; bools, floats, strings and negative numbers are refused with a
    ValueError naming the argument (a negative ``lags`` would silently keep only the leads).

    Examples
    --------
    >>> check_window(leads=None, lags=np.int64(2))
    {'leads': None, 'lags': 2}
    >>> check_window(lags=-1)
    Traceback (most recent call last):
    ...
    ValueError: lags=-1 must be a non-negative integer (event times) or None
    """
    for name, v in window.items():
        if v is not None and (not _is_integer(v) or v < 0):
            raise ValueError(f"{name}={v!r} must be a non-negative integer (event times) or None")
    return {k: None if v is None else int(v) for k, v in window.items()}


def check_seed(seed, name: str = "seed"):
    """Return a seed for ``numpy.random.default_rng``: an integer >= 0, a SeedSequence or None.

    Examples
    --------
    >>> check_seed(np.int64(3))
    3
    """
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed
    if not _is_integer(seed) or seed < 0:
        raise ValueError(f"{name}={seed!r} must be a non-negative integer, a "
                         f"numpy.random.SeedSequence or None")
    return int(seed)


def check_count(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum`` (numpy integers accepted, bools refused).

    Examples
    --------
    >>> check_count("replications", np.int64(30), 2)
    30
    """
    if not _is_integer(value) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def check_flag(name: str, value) -> bool:
    """Return ``value`` as a Python bool: True, False or a numpy bool; ValueError otherwise.

    Examples
    --------
    >>> check_flag("cband", np.True_)
    True
    >>> check_flag("cband", 1)
    Traceback (most recent call last):
    ...
    ValueError: cband=1 must be True or False
    """
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}={value!r} must be True or False")
    return bool(value)


def normalize_cohort(values, name: str = "cohort") -> np.ndarray:
    """Return cohorts (first treated period) as floats with never-treated coded 0.

    0, NaN (or None / pd.NA) and +inf all mean "never treated" and become 0.

    Parameters
    ----------
    values : array-like
        Cohort values, one per row or per unit.
    name : str
        Column name used in error messages.

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
    series = pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(series.cat.categories.dtype)
    try:
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            arr = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = pd.to_numeric(series.astype("object"), errors="raise")
    except (TypeError, ValueError) as exc:
        raise PanelError(f"cohort column {name!r} must be numeric (the first treated period; "
                         f"0 or NaN for never treated): {exc}") from exc
    out = np.asarray(arr, dtype=float).copy()
    never = np.isnan(out) | (out == np.inf)
    out[never] = 0.0
    if np.any(out < 0):
        bad = np.unique(out[out < 0])[:_MAX_EXAMPLES].tolist()
        raise PanelError(
            f"cohort column {name!r} must hold a first treated period, or 0/NaN/inf for never "
            f"treated; got negative values {bad}"
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
    absorbing: bool = True,
    absorb: Sequence[str] = (),
    require: str | None = None,
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
    absorb : sequence of str
        Columns of extra fixed effects, kept as ``_fe::<name>`` (rows where they are missing
        are dropped and reported).
    require : {"cohort", "treat"}, optional
        The role the calling estimator cannot do without: passing None for it is a ValueError
        naming the argument (not a KeyError later).
    absorbing : bool
        True (default): ``treat`` must be 0/1 and never switch off (staggered adoption). False
        (estimators for switching treatments, e.g. :func:`econometrics.dcdh`): any finite,
        non-negative treatment that may rise and fall; ``_cohort`` is then not derived.

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
    if require is not None and {"cohort": cohort, "treat": treat}[require] is None:
        words = {"cohort": "first treated period", "treat": "0/1 treatment"}[require]
        raise PanelError(f"{require}=None: this estimator needs the {words} column; pass its "
                         f"name, e.g. {require}={require!r}")
    data = as_pandas(data)
    covs, clusters = _as_list(covariates), _as_list(cluster)
    _check_arguments(data, y=y, unit=unit, time=time, cohort=cohort, treat=treat, covs=covs,
                     clusters=clusters, weights=weights, absorb=list(absorb),
                     clusters_given=cluster is not None)
    names = {"y": y, "unit": unit, "time": time}
    for role, name in (("cohort", cohort), ("treat", treat), ("weights", weights)):
        if name is not None:
            names[role] = name
    if clusters:
        names["cluster"] = tuple(clusters)
    notes: list[str] = []
    out = _canonical_columns(data, names, covs, clusters, absorb)
    if absorbing:
        out = _drop_missing(out, names, covs, clusters, notes)
    else:  # dCDH reads the treatment of rows whose outcome is missing: keep them
        out = _drop_missing(out, {}, [], clusters, notes)
        n_missing = int(out["_y"].isna().sum())
        if n_missing:
            notes.append(f"{n_missing} rows with a missing outcome kept (their treatment is "
                         "used, as in did_multiplegt_dyn)")
    _check_finite(out, names, covs)
    out = _sorted_without_duplicates(out, unit, time)
    if weights is not None and not np.all(out["_weight"].to_numpy() > 0):
        raise PanelError(f"weights column {weights!r} must be strictly positive")
    for i in range(len(clusters)):
        out[f"_cluster{i}"] = pd.factorize(out[f"_cluster{i}"], sort=True)[0].astype(np.int64)
    _check_variation(out, names, covs, clusters)
    if treat is not None:
        check = _check_treatment if absorbing else _check_switching
        check(out, treat)
    if cohort is not None:
        _check_cohort(out, cohort, time, treat)
    elif absorbing and treat is not None and pd.api.types.is_numeric_dtype(out["_time"]):
        # The cohort implied by the treatment: a unit's first treated period (0 if never).
        first = out.loc[out["_treat"] > 0].groupby("_unit", sort=False)["_time"].first()
        out["_cohort"] = out["_unit"].map(first).astype(float).fillna(0.0).to_numpy()
    return _panel_facts(out, names, covs, notes, absorbing)


def single_adoption_date(panel: Panel, treat: str, caller: str) -> float:
    """Return the one period in which every treated unit adopts (else PanelError naming caller).

    For the synthetic-control family: the panel must be balanced, have a treated unit, and all
    treated units must start in the same period.

    Examples
    --------
    >>> from econometrics.simulate import simulate_panel
    >>> df = simulate_panel(n_units=10, n_periods=5, cohorts=(4,), effect=1.0, seed=1)
    >>> panel = prepare_panel(df, y="y", unit="unit", time="time", treat="treat")
    >>> single_adoption_date(panel, "treat", "synthetic_control")
    4.0
    """
    if not panel.balanced:
        raise PanelError(f"{caller} needs a balanced panel (every unit observed in every "
                         "period); the panel is unbalanced")
    cohort = panel.frame.groupby("_unit", sort=False)["_cohort"].first().to_numpy()
    adoption = np.unique(cohort[cohort > 0])
    if len(adoption) == 0:
        raise PanelError(f"treatment {treat!r} is never 1: no treated unit")
    if len(adoption) > 1:
        raise PanelError(f"treatment {treat!r} starts in several periods "
                         f"{adoption.astype(int).tolist()}; {caller} needs one adoption date "
                         "(use att_gt for staggered adoption)")
    return float(adoption[0])


def as_pandas(data) -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame (a polars or other frame with ``to_pandas``).

    Examples
    --------
    >>> as_pandas(pd.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    to_pandas = getattr(data, "to_pandas", None)
    if callable(to_pandas):  # polars, pyarrow tables
        out = to_pandas()
        if isinstance(out, pd.DataFrame):
            return out
    raise PanelError(f"data must be a pandas DataFrame (or a polars frame), got "
                     f"{type(data).__name__}")


_ROLE_WORDS = {"y": "outcome", "unit": "unit identifier", "time": "period",
               "cohort": "first treated period", "treat": "treatment"}


def _check_arguments(data, *, y, unit, time, cohort, treat, covs, clusters, weights,
                     absorb=(), clusters_given=False) -> None:
    """Every role names an existing column; at most two clusters; no reserved names."""
    if len(clusters) > 2:
        raise PanelError(f"cluster= takes one or two columns, got {len(clusters)}: {clusters}")
    if isinstance(clusters, list) and not clusters and clusters_given:
        raise PanelError("cluster=[] names no column: pass None (cluster by unit) or one or two "
                         "cluster columns")
    if len(clusters) == 2 and clusters[0] == clusters[1]:
        raise PanelError(f"cluster={clusters!r} lists the column {clusters[0]!r} twice: pass it "
                         "once (one-way clustering)")
    roles = {"y": [y], "unit": [unit], "time": [time], "covariates": covs, "cluster": clusters,
             "fe": list(absorb)}
    for role, name in (("cohort", cohort), ("treat", treat), ("weights", weights)):
        if name is not None:
            roles[role] = [name]
    for role, cols in roles.items():
        for col in cols:
            if not isinstance(col, str):
                raise PanelError(f"{role}= must name a column (str), got {col!r}")
    _check_columns(data, roles)
    main = [(role, name) for role, name in (("y", y), ("unit", unit), ("time", time),
                                            ("cohort", cohort), ("treat", treat))
            if name is not None]
    for i, (role, name) in enumerate(main):
        for other, same in main[i + 1:]:
            if same == name:
                raise PanelError(f"{role}={name!r} and {other}={same!r} name the same column: "
                                 f"the {_ROLE_WORDS[role]} and the {_ROLE_WORDS[other]} must be "
                                 "different columns")
    bad_cov = [c for c in covs if c.startswith("_")]
    if bad_cov:
        raise PanelError(f"covariate names may not start with an underscore: {bad_cov}")
    if len(data) == 0:
        raise PanelError("data has no rows")


def _canonical_columns(src: pd.DataFrame, names: dict, covs, clusters, absorb=()
                       ) -> pd.DataFrame:
    """Build a fresh frame with the canonical columns (types checked), in the user's row order."""
    out = {"_y": _numeric(src[names["y"]], "outcome", names["y"])}
    for role in ("unit", "time"):
        col = names[role]
        if src[col].isna().any():
            n_missing = int(src[col].isna().sum())
            raise PanelError(f"{role} column {col!r} has {n_missing} missing values")
    out["_unit"] = _plain(src[names["unit"]])
    if "cohort" in names:
        out["_time"] = _integer_periods(src[names["time"]], names["time"]).to_numpy()
    else:
        out["_time"] = _plain(src[names["time"]])
    for c in covs:
        out[c] = _numeric(src[c], "covariate", c)
    if "weights" in names:
        out["_weight"] = _numeric(src[names["weights"]], "weights", names["weights"])
    for i, c in enumerate(clusters):
        out[f"_cluster{i}"] = _plain(src[c])
    for c in absorb:
        out[f"_fe::{c}"] = _plain(src[c])
    if "treat" in names:
        out["_treat"] = _numeric(src[names["treat"]], "treatment", names["treat"])
    if "cohort" in names:
        out["_cohort"] = normalize_cohort(src[names["cohort"]].to_numpy(), names["cohort"])
    return pd.DataFrame(out, index=pd.RangeIndex(len(src)))


def _plain(series: pd.Series) -> np.ndarray:
    """Return identifiers as a plain numpy array (categorical and nullable dtypes unwrapped)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(series.cat.categories.dtype)
    if pd.api.types.is_extension_array_dtype(series.dtype):
        numeric = pd.api.types.is_numeric_dtype(series)
        return series.to_numpy(dtype=float if numeric else object)
    return series.to_numpy(copy=True)


def _drop_missing(out: pd.DataFrame, names: dict, covs, clusters, notes: list) -> pd.DataFrame:
    """Drop rows with a missing outcome, covariate, weight, treatment or cluster (reported).

    With empty ``names`` only the cluster columns are checked.
    """
    roles = {"_y": names["y"], **{c: c for c in covs}} if names else {}
    for key, role in (("_weight", "weights"), ("_treat", "treat")):
        if names and key in out:
            roles[key] = names[role]
    for i, c in enumerate(clusters):
        roles[f"_cluster{i}"] = c
    for key in out.columns:
        if key.startswith("_fe::"):
            roles[key] = key.removeprefix("_fe::")
    missing = out[list(roles)].isna().any(axis=1).to_numpy()
    if missing.any():
        cols = [name for key, name in roles.items() if out[key].isna().any()]
        notes.append(f"dropped {int(missing.sum())} rows with missing values in {cols}")
        out = out.loc[~missing].reset_index(drop=True)
        if len(out) == 0:
            raise PanelError(f"no rows left after dropping rows with missing values in {cols}")
    return out


def _check_variation(out: pd.DataFrame, names: dict, covs, clusters) -> None:
    """Refuse inputs whose inference is undefined, naming the cause.

    A constant outcome (every estimate 0 with standard error 0 and NaN p-values), the outcome
    as its own covariate (a perfect fit), and a single cluster (cluster-robust variance needs
    at least two; the small-sample factor divides by G - 1).
    """
    y = out["_y"].dropna().to_numpy()
    if len(y) and np.ptp(y) == 0:
        raise PanelError(f"outcome column {names['y']!r} is constant ({y[0]:g} in every row): "
                         "there is no variation to estimate an effect or its standard error")
    if names["y"] in covs:
        raise PanelError(f"covariate {names['y']!r} is the outcome column: a covariate equal "
                         "to the outcome fits it perfectly (standard errors 0)")
    for i, c in enumerate(clusters):
        check_cluster_count(f"cluster column {c!r}", out[f"_cluster{i}"].nunique())


def check_cluster_count(what: str, n_clusters: int, *, units: bool = False) -> None:
    """Check the number of clusters of cluster-robust inference (the one rule for it).

    A single cluster is refused (:class:`PanelError`: the variance needs at least 2, its
    small-sample factor divides by G - 1); fewer than :data:`FEW_CLUSTERS` warn
    (:class:`DataWarning`, :func:`few_clusters_message`). Explicit cluster columns
    (``cluster=``) and the default clusters (the units, ``units=True``) both go through it.

    Examples
    --------
    >>> check_cluster_count("unit column 'unit' (the default clusters)", 40, units=True)
    """
    if n_clusters < 2:
        raise PanelError(f"{what} has a single cluster: cluster-robust standard errors need "
                         "at least 2 clusters (cluster by unit, or pass cluster=None)")
    if n_clusters < FEW_CLUSTERS:
        warn_data(few_clusters_message(what, n_clusters, units=units))


def few_clusters_message(what: str, n_clusters: int, *, units: bool = False) -> str:
    """Return the DataWarning text for cluster-robust inference on few clusters.

    ``units``: the clusters are the units themselves, which no finer column can replace.

    Examples
    --------
    >>> few_clusters_message("cluster column 'c'", 2).split(":")[0]
    "cluster column 'c' has only 2 clusters"
    >>> text = few_clusters_message("unit column 'u' (the default clusters)", 4, units=True)
    >>> text.split("; ")[-1]
    'with so few units, report a wild cluster bootstrap (econometrics.wild_bootstrap) beside it'
    """
    rank = ("" if n_clusters > 2 else "; with 2 clusters the cluster-robust covariance has "
            "rank 1, so no joint test of two or more estimates is defined")
    return (f"{what} has only {n_clusters} clusters: cluster-robust standard errors are "
            f"computed (as fixest, Stata and R did do), but with fewer than {FEW_CLUSTERS} "
            "clusters they are unreliable and tests over-reject"
            f"{rank}; " + ("with so few units, report" if units else
                           "cluster by a finer column (e.g. the unit) or report")
            + " a wild cluster bootstrap (econometrics.wild_bootstrap) beside it")


def _check_finite(out: pd.DataFrame, names: dict, covs) -> None:
    """Outcome, covariates and weights may not be infinite (an error, not a silent NaN)."""
    roles = {"_y": ("outcome", names["y"]), **{c: ("covariate", c) for c in covs}}
    if "_weight" in out:
        roles["_weight"] = ("weights", names["weights"])
    for key, (role, name) in roles.items():
        bad = np.isinf(out[key].to_numpy())
        if bad.any():
            rows = out.loc[bad, ["_unit", "_time"]].itertuples(index=False)
            raise PanelError(f"{role} column {name!r} has {int(bad.sum())} infinite values, "
                             f"at ({names['unit']}, {names['time']}) = "
                             f"{_examples([tuple(r) for r in rows])}; drop or fix them")


def _sorted_without_duplicates(out: pd.DataFrame, unit: str, time: str) -> pd.DataFrame:
    """Sort by unit and time (stable; skipped if sorted); duplicated (unit, time) is an error."""
    cu = pd.factorize(out["_unit"], sort=True)[0].astype(np.int64)
    ct = pd.factorize(out["_time"], sort=True)[0].astype(np.int64)
    key = cu * (int(ct.max()) + 1) + ct
    if np.any(np.diff(key) < 0):
        order = np.argsort(key, kind="stable")
        out, key = out.take(order).reset_index(drop=True), key[order]
    dup = np.flatnonzero(key[1:] == key[:-1])
    if len(dup):
        pairs = out.loc[dup, ["_unit", "_time"]].drop_duplicates().itertuples(index=False)
        raise PanelError(
            f"duplicate ({unit}, {time}) rows: {_examples([tuple(p) for p in pairs])}; "
            "a panel needs one row per unit and period"
        )
    return out


def _unit_starts(out: pd.DataFrame) -> np.ndarray:
    """First row of each unit in a frame sorted by unit."""
    u = out["_unit"].to_numpy()
    return np.flatnonzero(np.r_[True, u[1:] != u[:-1]])


def _within_unit_change(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Rows (after the first of their unit) whose value differs from the previous row's."""
    change = np.r_[False, values[1:] != values[:-1]]
    change[starts] = False
    return change


def _check_treatment(out: pd.DataFrame, treat: str) -> None:
    """Check that the treatment is 0/1 and never switches off (staggered adoption)."""
    d = out["_treat"].to_numpy()
    if not np.all(np.isin(d, (0.0, 1.0))):
        raise PanelError(
            f"treatment column {treat!r} must be 0/1 (or boolean), got values "
            f"{_examples(np.unique(d[~np.isin(d, (0.0, 1.0))]).tolist())}"
        )
    off = np.r_[False, np.diff(d) < 0]
    off[_unit_starts(out)] = False
    if off.any():
        units = pd.unique(out.loc[off, "_unit"])
        raise PanelError(
            f"treatment {treat!r} switches off (1 then 0) for units {_examples(units)}; "
            "treatment that switches off is not supported by this estimator (staggered "
            "adoption only); for a treatment that switches on and off use "
            "econometrics.dcdh (de Chaisemartin-D'Haultfoeuille)"
        )


def _check_switching(out: pd.DataFrame, treat: str) -> None:
    """Check a treatment that may switch on and off: finite, non-negative (missing allowed)."""
    d = out["_treat"].to_numpy()
    bad = np.isinf(d) | (d < 0)
    if bad.any():
        raise PanelError(f"treatment column {treat!r} must be finite and non-negative, got "
                         f"{_examples(np.unique(d[bad]).tolist())}")


def _check_cohort(out: pd.DataFrame, cohort: str, time: str, treat: str | None) -> None:
    """Cohorts are integer periods constant within units; sets ``_treat`` from them."""
    g = out["_cohort"].to_numpy()
    times = out["_time"].to_numpy()
    if np.any(g != np.round(g)):
        bad = np.unique(g[g != np.round(g)])
        raise PanelError(f"cohort column {cohort!r} must hold integer periods (the first "
                         f"treated period, like {time!r}); got {_examples(bad.tolist())}")
    treated_g = np.unique(g[g > 0])
    if len(treated_g) and set(treated_g.tolist()) <= {1.0} and times.min() > 1:
        raise PanelError(
            f"cohort column {cohort!r} holds 0/1 values, but it must be each unit's first "
            f"treated period (e.g. {int(times.min()) + 1}; 0 or NaN for never treated), not an "
            f"ever-treated dummy; periods in {time!r} run from {times.min()} to {times.max()}"
        )
    varies = _within_unit_change(g, _unit_starts(out))
    if varies.any():
        raise PanelError(
            f"cohort column {cohort!r} varies within units "
            f"{_examples(pd.unique(out.loc[varies, '_unit']).tolist())}; it must be the unit's "
            "first treated period"
        )
    if np.any(times <= 0):
        raise PanelError(
            f"time column {time!r} has periods <= 0, but cohort 0 means never treated; "
            "shift the periods so they are positive (e.g. calendar years)"
        )
    implied = ((g > 0) & (times >= g)).astype(float)
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


def _panel_facts(out: pd.DataFrame, names: dict, covs, notes: list, absorbing: bool = True
                 ) -> Panel:
    """Balance, cohorts, never/always treated and clusters of a checked frame."""
    times = np.sort(pd.unique(out["_time"]))
    starts = _unit_starts(out)
    n_units = len(starts)
    per_unit = np.diff(np.r_[starts, len(out)])
    balanced = bool((per_unit == len(times)).all())
    if not balanced:
        notes.append(
            f"unbalanced panel: {int((per_unit < len(times)).sum())} of {n_units} units are not "
            f"observed in all {len(times)} periods (allowed)"
        )
    cohorts: tuple[float, ...] = ()
    n_never = n_always = 0
    if absorbing and "_treat" in out:
        d = out["_treat"].to_numpy()
        first_treat = d[starts]
        ever = np.maximum.reduceat(d, starts)
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
    n_clusters = tuple(int(out[c].nunique()) for c in out.columns if c.startswith("_cluster"))
    return Panel(
        frame=out, names=names, covariates=tuple(covs), n_units=n_units, n_obs=len(out),
        times=times, balanced=balanced, cohorts=cohorts, n_never_treated=n_never,
        n_always_treated=n_always, n_clusters=n_clusters, notes=tuple(notes),
    )
