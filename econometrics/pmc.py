"""PMC index of policy documents (Ruiz Estrada's Policy Modeling Consistency index).

A policy document is coded on secondary variables (1: the text covers the item, 0: it does not);
each primary variable scores the mean of its secondaries and the PMC index is the sum of the
primary scores (seed 001, Methods). :func:`pmc_score` does this for any number of documents and
returns a :class:`PMCResult` with the scores, grades, the 3 x 3 PMC surface, plots, and the draft
incentive design the coded measures imply for the model's levers.

The default framework is ``datasets/pmc_framework.csv``: the 9 primary and 43 secondary variables
of seed 001 (its Tables 3-4 are not in the available text, so most definitions are reconstructed
and marked ``origin = reconstructed`` with a note). :func:`suggest_codings` proposes a coding from
a policy text by the keyword rules kept in the same file, for an analyst to confirm.

Examples
--------
>>> from econometrics import pmc_score
>>> fw = {"X1": ["a", "b"], "X2": ["c"]}
>>> res = pmc_score({"doc": {"a": 1, "b": 0, "c": 1}}, framework=fw)
>>> res.tidy()
  policy primary  score
0    doc      X1    0.5
1    doc      X2    1.0
>>> float(res.index["doc"])
1.5
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["GRADES", "PMCError", "PMCResult", "load_framework", "pmc_score", "suggest_codings"]

FRAMEWORK_FILE = "pmc_framework.csv"
#: Grades of seed 001 (Methods) for 9 primary variables: lower bound of each grade, best first.
#: For a framework with n primaries the bounds scale by n / 9 (our assumption; seed 001 has 9).
GRADES: tuple[tuple[str, float], ...] = (("perfect", 8.0), ("excellent", 6.0),
                                        ("acceptable", 4.0), ("qualified", 0.0))
_GRADE_SCALE = 9
_SURFACE_SIDE = 3
PlotKind = Literal["radar", "surface", "bar"]
_PLOT_KINDS = ("radar", "surface", "bar")


class PMCError(ValueError):
    """Bad codings or framework; the message names the policy, variable or primary at fault."""


# ------------------------------------------------------------------------------ framework
def _framework_path() -> Path:
    """``datasets/pmc_framework.csv`` of a clone, or the copy an installed wheel carries."""
    root = Path(__file__).resolve().parent.parent
    for folder in (root / "datasets", root / "abm" / "_datasets"):
        if (folder / FRAMEWORK_FILE).is_file():
            return folder / FRAMEWORK_FILE
    raise FileNotFoundError(f"{FRAMEWORK_FILE} not found in {root / 'datasets'} (clone) or "
                            f"{root / 'abm' / '_datasets'} (installed wheel)")


def load_framework() -> pd.DataFrame:
    """Load the default framework: one row per secondary variable (seed 001's 9 x 43).

    Columns: ``id, primary, primary_name, primary_origin, primary_note, name, definition, origin,
    source, note, keywords_zh, keywords_en, lever, lever_value`` (see datasets/README.md).

    >>> fw = load_framework()
    >>> len(fw), fw["primary"].nunique()
    (43, 9)
    """
    fw = pd.read_csv(_framework_path(), dtype=str, keep_default_na=False)
    fw["lever_value"] = pd.to_numeric(fw["lever_value"].replace("", np.nan))
    return fw


def _framework_frame(framework: pd.DataFrame | Mapping[str, Sequence[str]] | None
                     ) -> pd.DataFrame:
    """Normalise and check a framework: a frame with ``id, primary`` or ``{primary: [ids]}``."""
    if framework is None:
        fw = load_framework()
    elif isinstance(framework, Mapping):
        empty = [p for p, ids in framework.items() if len(list(ids)) == 0]
        if empty:
            raise PMCError(f"framework: primary variable(s) {empty} have no secondary variables; "
                           "each primary needs at least one")
        fw = pd.DataFrame([{"id": str(v), "primary": str(p)}
                           for p, ids in framework.items() for v in ids])
    elif isinstance(framework, pd.DataFrame):
        missing = sorted({"id", "primary"} - set(framework.columns))
        if missing:
            raise PMCError(f"framework: missing column(s) {missing}; a framework frame needs "
                           "'id' (secondary variable) and 'primary'")
        fw = framework.copy()
        blank = fw["id"].isna() | (fw["id"].astype(str).str.strip() == "")
        if blank.any():
            prim = sorted(fw.loc[blank, "primary"].astype(str).unique())
            raise PMCError(f"framework: primary variable(s) {prim} listed with no secondary "
                           "variable id; each primary needs at least one secondary")
        fw["id"] = fw["id"].astype(str)
        fw["primary"] = fw["primary"].astype(str)
    else:
        raise PMCError("framework must be None (the default), a DataFrame with columns 'id' and "
                       f"'primary', or a mapping {{primary: [secondary ids]}}; got "
                       f"{type(framework).__name__}")
    dup = sorted(fw.loc[fw["id"].duplicated(), "id"].unique())
    if dup:
        raise PMCError(f"framework: secondary variable id(s) {dup} appear more than once")
    if fw.empty:
        raise PMCError("framework: no variables")
    return fw.reset_index(drop=True)


# ------------------------------------------------------------------------------ codings
def _tidy_codings(codings: pd.DataFrame | Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """Codings as a tidy frame ``policy, variable, value`` from tidy, wide or nested-dict input."""
    if isinstance(codings, Mapping):
        codings = pd.DataFrame.from_dict(dict(codings), orient="index")
        codings.index.name = "policy"
    if not isinstance(codings, pd.DataFrame):
        raise PMCError("codings must be a DataFrame (tidy: policy, variable, value; or wide: one "
                       "row per policy, one column per secondary variable) or a mapping "
                       f"{{policy: {{variable: 0/1}}}}; got {type(codings).__name__}")
    if {"variable", "value"} <= set(codings.columns):
        if "policy" not in codings.columns:
            raise PMCError("tidy codings need the columns 'policy', 'variable' and 'value'; "
                           "'policy' is missing")
        tidy = codings[["policy", "variable", "value"]].copy()
    else:
        wide = codings.set_index("policy") if "policy" in codings.columns else codings
        # an empty cell of a wide table is a missing variable, reported as such below
        tidy = (wide.rename_axis(index="policy", columns="variable")
                .stack(future_stack=True).dropna().rename("value").reset_index())
    tidy["policy"] = tidy["policy"].astype(str)
    tidy["variable"] = tidy["variable"].astype(str)
    return tidy


def _check_codings(tidy: pd.DataFrame, fw: pd.DataFrame) -> pd.DataFrame:
    """Unknown ids, values other than 0/1, duplicates and missing variables are errors."""
    valid = list(fw["id"])
    unknown = sorted(set(tidy["variable"]) - set(valid))
    if unknown:
        raise PMCError(f"unknown variable id(s) {unknown}; valid ids: {', '.join(valid)}")
    numeric = pd.to_numeric(tidy["value"], errors="coerce")
    bad = ~numeric.isin([0, 1])
    if bad.any():
        r = tidy[bad].iloc[0]
        raise PMCError(f"policy {r['policy']!r}, variable {r['variable']!r}: value must be 0 or 1 "
                       f"(1 = the text covers it), got {r['value']!r} ({int(bad.sum())} bad "
                       "value(s) in all)")
    dup = tidy.duplicated(["policy", "variable"])
    if dup.any():
        r = tidy[dup].iloc[0]
        raise PMCError(f"policy {r['policy']!r}, variable {r['variable']!r}: coded more than once")
    for policy, ids in tidy.groupby("policy", sort=False)["variable"]:
        missing = [v for v in valid if v not in set(ids)]
        if missing:
            raise PMCError(f"policy {policy!r} is missing variable(s) {missing}; every policy "
                           "needs a 0/1 value for each secondary variable of the framework")
    out = tidy.assign(value=numeric.astype(np.int64))
    return out.merge(fw[["id", "primary"]], left_on="variable", right_on="id").drop(columns="id")


# ------------------------------------------------------------------------------ numerics
def primary_scores(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of the 0/1 secondary values within each primary: (policies, secondaries) -> primaries.

    >>> primary_scores(np.array([[1, 0, 1]]), np.array([0, 0, 1]), 2)
    array([[0.5, 1. ]])
    """
    counts = np.bincount(groups, minlength=n_groups)
    sums = np.zeros((values.shape[0], n_groups))
    np.add.at(sums.T, groups, values.T)
    return sums / counts


def grade_of(index: float, n_primaries: int = _GRADE_SCALE) -> str:
    """Grade of a PMC index: seed 001's perfect 8-9, excellent 6-7.99, acceptable 4-5.99.

    Below 4 is qualified. For a framework of ``n_primaries`` the bounds scale by n / 9.

    >>> grade_of(6.86), grade_of(4.99), grade_of(8.0), grade_of(3.99)
    ('excellent', 'acceptable', 'perfect', 'qualified')
    """
    scaled = round(index * _GRADE_SCALE / n_primaries, 9)  # 5.9999999 from sums of means is 6
    return next(name for name, lower in GRADES if scaled >= lower)


def surface_layout(primaries: Sequence[str]) -> list[list[str]]:
    """Which primaries fill the 3 x 3 PMC surface: the first nine, row by row.

    The literature (Ruiz Estrada's PMC surface and its applications) arranges nine primary
    scores in a 3 x 3 matrix in their numbering order; frameworks with a tenth variable (often
    policy openness, scored 1 everywhere) leave it out. Seed 001 has exactly nine.

    >>> surface_layout([f"X{i}" for i in range(1, 10)])[1]
    ['X4', 'X5', 'X6']
    """
    n = _SURFACE_SIDE * _SURFACE_SIDE
    if len(primaries) < n:
        raise PMCError(f"the PMC surface needs at least {n} primary variables; the framework "
                       f"has {len(primaries)}")
    first = list(primaries[:n])
    return [first[i:i + _SURFACE_SIDE] for i in range(0, n, _SURFACE_SIDE)]


# ------------------------------------------------------------------------------ result
@dataclass(frozen=True)
class PMCResult:
    """PMC scores of coded policies.

    ``scores``: one row per policy, one column per primary variable (mean of its secondaries);
    ``codings``: tidy ``policy, variable, value, primary``; ``framework``: one row per secondary.
    """

    scores: pd.DataFrame
    codings: pd.DataFrame
    framework: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """One row per policy and primary variable: ``policy, primary, score``."""
        return (self.scores.rename_axis(index="policy", columns="primary")
                .stack().rename("score").reset_index())

    @property
    def index(self) -> pd.Series:
        """PMC index of each policy: the sum of its primary scores."""
        return self.tidy().groupby("policy", sort=False)["score"].sum().rename("pmc_index")

    @property
    def grade(self) -> pd.Series:
        """Grade of each policy (perfect, excellent, acceptable, qualified)."""
        n = self.scores.shape[1]
        return self.index.map(lambda v: grade_of(v, n)).rename("grade")

    def _policy(self, policy: str) -> str:
        if policy not in self.scores.index:
            raise PMCError(f"unknown policy {policy!r}; coded policies: "
                           f"{', '.join(self.scores.index)}")
        return policy

    def surface(self, policy: str) -> pd.DataFrame:
        """Return the 3 x 3 PMC surface matrix of one policy (rows X1-X3, X4-X6, X7-X9).

        Cells hold primary scores in :func:`surface_layout` order; the row label names the
        primaries of that row.
        """
        layout = surface_layout(list(self.scores.columns))
        row = self.scores.loc[self._policy(policy)]
        return pd.DataFrame([[row[p] for p in r] for r in layout],
                            index=[" ".join(r) for r in layout], columns=[1, 2, 3])

    def draft_design(self, policy: str) -> dict[str, float]:
        """Model levers the policy's coded measures imply: ``{lever: value}``.

        Each secondary variable with a ``lever`` in the framework that the policy covers (1)
        switches that lever on at the framework's ``lever_value`` (a documented assumption: the
        PMC coding records that a measure is in the text, not its intensity). Levers of uncovered
        variables are left out (the model keeps its baseline value).
        """
        policy = self._policy(policy)
        if "lever" not in self.framework.columns:
            return {}
        coded = self.codings[(self.codings["policy"] == policy)
                             & (self.codings["value"] == 1)]
        fw = self.framework[self.framework["lever"].fillna("").astype(str) != ""]
        hits = fw[fw["id"].isin(coded["variable"])]
        return {str(lev): float(val) for lev, val
                in hits.groupby("lever", sort=False)["lever_value"].max().items()}

    def plot(self, kind: PlotKind = "radar", *, policies: Sequence[str] | None = None, ax=None):
        """Radar of primary scores, surface heat map of one policy, or bar chart of the index.

        ``policies`` selects and orders the policies (``surface`` takes exactly one). Returns
        the Axes.
        """
        import matplotlib.pyplot as plt

        if kind not in _PLOT_KINDS:
            raise PMCError(f"kind must be one of {', '.join(_PLOT_KINDS)}; got {kind!r}")
        names = list(self.scores.index) if policies is None else [self._policy(p)
                                                                   for p in policies]
        if kind == "surface":
            if len(names) != 1:
                raise PMCError("kind='surface' draws one policy: pass policies=[name]")
            return _plot_surface(self.surface(names[0]), names[0], ax, plt)
        if kind == "bar":
            return _plot_bar(self.index.loc[names], self.scores.shape[1], ax, plt)
        return _plot_radar(self.scores.loc[names], ax, plt)


def _plot_radar(scores: pd.DataFrame, ax, plt):
    angles = np.linspace(0.0, 2 * np.pi, scores.shape[1], endpoint=False)
    closed = np.append(angles, angles[0])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6), subplot_kw={"projection": "polar"})
    elif getattr(ax, "name", "") != "polar":
        raise PMCError("kind='radar' needs a polar Axes (subplot_kw={'projection': 'polar'})")
    for policy, row in scores.iterrows():
        vals = row.to_numpy(dtype=float)
        ax.plot(closed, np.append(vals, vals[0]), linewidth=1.2, label=str(policy))
    ax.set_xticks(angles, list(scores.columns))
    ax.set_ylim(0.0, 1.0)
    ax.legend(loc="lower left", bbox_to_anchor=(1.05, 0.0), fontsize=8)
    return ax


def _plot_surface(surface: pd.DataFrame, policy: str, ax, plt):
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    im = ax.imshow(surface.to_numpy(dtype=float), vmin=0.0, vmax=1.0, cmap="viridis")
    for (i, j), v in np.ndenumerate(surface.to_numpy(dtype=float)):
        label = surface.index[i].split()[j]
        ax.text(j, i, f"{label}\n{v:.2f}", ha="center", va="center",
                color="white" if v < 0.6 else "black", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"PMC surface: {policy}", fontsize=9)
    ax.figure.colorbar(im, ax=ax, label="primary score")
    return ax


def _plot_bar(index: pd.Series, n_primaries: int, ax, plt):
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.5 * len(index) + 2), 3.5))
    ax.bar([str(p) for p in index.index], index.to_numpy(dtype=float), color="C0")
    for name, lower in GRADES[:-1]:
        y = lower * n_primaries / _GRADE_SCALE
        ax.axhline(y, color="grey", linestyle="--", linewidth=0.8)
        ax.text(len(index) - 0.5, y, f" {name} >= {y:g}", va="bottom", ha="right", fontsize=7)
    ax.set_ylim(0.0, float(n_primaries))
    ax.set_ylabel("PMC index")
    return ax


# ------------------------------------------------------------------------------ entry point
def pmc_score(codings: pd.DataFrame | Mapping[str, Mapping[str, int]], *,
              framework: pd.DataFrame | Mapping[str, Sequence[str]] | None = None) -> PMCResult:
    """PMC index of coded policies.

    Parameters
    ----------
    codings
        Tidy frame with columns ``policy, variable, value``; or a wide frame with one row per
        policy (index or a ``policy`` column) and one 0/1 column per secondary variable; or a
        mapping ``{policy: {variable: 0/1}}``. Every policy needs every secondary variable.
    framework
        ``None`` for seed 001's framework (``datasets/pmc_framework.csv``), a frame with columns
        ``id`` (secondary) and ``primary`` (optionally ``lever``, ``lever_value``), or a mapping
        ``{primary: [secondary ids]}``. Primaries keep their order of first appearance.

    Examples
    --------
    >>> fw = load_framework()
    >>> full = {v: 1 for v in fw["id"]}
    >>> res = pmc_score({"all": full, "none_of_X9": {**full, **dict.fromkeys(
    ...     fw.loc[fw["primary"] == "X9", "id"], 0)}})
    >>> res.index.round(2).to_dict()
    {'all': 9.0, 'none_of_X9': 8.0}
    >>> res.grade.to_dict()
    {'all': 'perfect', 'none_of_X9': 'perfect'}
    >>> res.surface("none_of_X9").loc["X7 X8 X9"].tolist()
    [1.0, 1.0, 0.0]
    >>> res.draft_design("all")["reserved_referral_share"]
    0.2
    """
    fw = _framework_frame(framework)
    tidy = _check_codings(_tidy_codings(codings), fw)
    primaries = list(dict.fromkeys(fw["primary"]))
    wide = tidy.pivot(index="policy", columns="variable", values="value")
    wide = wide.loc[list(dict.fromkeys(tidy["policy"])), list(fw["id"])]
    groups = fw["primary"].map({p: i for i, p in enumerate(primaries)}).to_numpy()
    scores = pd.DataFrame(primary_scores(wide.to_numpy(dtype=float), groups, len(primaries)),
                          index=pd.Index(wide.index, name="policy"),
                          columns=pd.Index(primaries, name="primary"))
    return PMCResult(scores=scores, codings=tidy, framework=fw)


# ------------------------------------------------------------------------------ text helper
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _keywords(cell: object) -> list[str]:
    return [k.strip() for k in str(cell or "").split("|") if k.strip()]


def _chinese_tokens(text: str, words: tuple[str, ...]) -> set[str]:
    """Tokens of a Chinese text by jieba, with the framework's keywords added to its dictionary."""
    return set(_tokenizer(words).cut(text, HMM=False))


@functools.lru_cache(maxsize=4)
def _tokenizer(words: tuple[str, ...]):
    """Build a jieba tokenizer that knows the keywords (once per keyword set: loading is slow)."""
    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - the [text] extra is part of `make env`
        raise ImportError("suggest_codings on Chinese text needs jieba: install the [text] extra "
                          "(pip install 'referral-incentives-lab[text]')") from exc
    import logging

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for w in words:
        tokenizer.add_word(w)
    return tokenizer


def suggest_codings(text: str, *, framework: pd.DataFrame | None = None) -> pd.DataFrame:
    """Suggest a coding of a policy text by the framework's keyword rules; the analyst confirms.

    A secondary variable is suggested as 1 when one of its keywords occurs: Chinese keywords
    (``keywords_zh``) inside a jieba token, never across two (the ``[text]`` extra), English ones
    (``keywords_en``) at the start of a word, case-insensitively. Returns one row per variable:
    ``variable, primary, name, value, matched`` (the keywords found). The suggestion is a draft:
    keyword rules miss paraphrases and cannot see negation.

    Examples
    --------
    >>> s = suggest_codings("Hospitals keep a green channel and reserve 20% of appointment slots.")
    >>> s.set_index("variable").loc["X4:5", "matched"]
    'green channel|appointment|reserve'
    >>> int(s["value"].sum())
    1
    """
    fw = load_framework() if framework is None else _framework_frame(framework)
    for col in ("keywords_zh", "keywords_en"):
        if col not in fw.columns:
            raise PMCError(f"framework: suggest_codings needs the column {col!r} (keywords "
                           "separated by '|')")
    zh = [_keywords(c) for c in fw["keywords_zh"]]
    en = [_keywords(c) for c in fw["keywords_en"]]
    tokens = (_chinese_tokens(text, tuple(w for ws in zh for w in ws)) if _CJK.search(text)
              else set())
    rows = []
    for i, r in fw.iterrows():
        found = [w for w in zh[i] if any(w in t for t in tokens)]
        found += [w for w in en[i]
                  if re.search(r"\b" + re.escape(w), text, flags=re.IGNORECASE)]
        rows.append({"variable": r["id"], "primary": r["primary"], "name": r.get("name", ""),
                     "value": int(bool(found)), "matched": "|".join(found)})
    return pd.DataFrame(rows)
