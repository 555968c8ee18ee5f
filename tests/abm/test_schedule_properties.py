"""Reform schedules cannot lose a lever (issue 28, items 2 and 5): hypothesis properties.

Lever paths, reform days, named packages and repeated ``with_reform`` calls are drawn at the
edges (values in and out of each lever's range, numpy and Python numbers, start and ramp years
of 0, negative, tiny and huge, reform days of 0, inside, after a run's end and negative). Each
draw either raises :class:`abm.ParamError` whose message names the argument, or gives a
schedule where

(a) no lever is lost: after the last ramp ends ``incentives_at`` gives every lever's final value;
(b) ramps are monotone between their start and end values and move only at monthly steps
    (and on the ramp's last day);
(c) a second ``with_reform`` on the reform's day merges (every earlier path kept, in order) and
    on another day, or with a lever or package given again, is refused: never silently drops
    or moves the first;
(d) before the reform day ``incentives_at`` gives the baseline incentives;
(e) a schedule that changes nothing (every lever ends at the value it has before the reform, no
    package of plain parameters) is refused by ``with_reform``, unless ``allow_unchanged``, and
    by the run check; a run check warns by name when some written paths start after the run.

An independent oracle says which draws are valid, so a valid draw refused and an invalid draw
accepted both fail. Only the schedule objects are tested: no simulation runs here.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import abm
from abm import LeverPath, ParamError, Params
from abm.inputs.checks import check_reform_day
from abm.inputs.params import Incentives, ReformWarning, package_changes, reform_packages

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

LEVERS = [f.name for f in dataclasses.fields(Incentives)]
RANGES = {f.name: f.metadata["range"] for f in dataclasses.fields(Incentives)}
PACKAGES = sorted(reform_packages()["package"].unique())
BASE = Params()
#: A baseline whose levers are not the defaults (ramps start from these, not from 0).
MOVED = Params().replace(**{"incentives.revenue_share": 0.2,
                            "incentives.family_doctor_coverage": 0.6,
                            "incentives.primary_reimbursement_premium": 0.5})
YEAR = 365


# ------------------------------------------------------------------------------------------
# Oracle: which inputs are valid, and what they become


def _number(v):
    """``v`` as a Python number if it is a real, finite number (numpy included), else None."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    if isinstance(v, np.floating):
        v = float(str(v))  # the documented rule: np.float32(0.4) is 0.4
    elif isinstance(v, np.integer):
        v = int(v)
    try:
        if not math.isfinite(v):
            return None
    except OverflowError:  # an int too large for a float
        return None
    return v


def _valid_path(lever, value, start, ramp):
    """The expected (lever, value, start, ramp) of a valid path, or the argument that is bad."""
    if not isinstance(lever, str) or lever not in LEVERS:
        return "lever"
    v = _number(value)
    lo, hi = RANGES[lever]
    if v is None or not lo <= v <= hi:
        return "value"
    s, r = _number(start), _number(ramp)
    if s is None or not 0 <= s <= 100:
        return "start_year"
    if r is None or not 0 <= r <= 100:
        return "ramp_years"
    return (lever, v, s, r)


def _changes_nothing(base, step, values, packages=()):
    """Whether a schedule leaves every lever where it was (oracle of property (e)).

    ``step``: the reform's step incentives (None: none); ``values``: lever -> final value of
    every path; ``packages``: the named packages of the reform.
    """
    if step is not None and step != base.incentives:
        return False
    if any(package_changes(name)[1] for name in packages):
        return False  # a package that sets plain parameters (trends) changes the runs
    return all(v == getattr(base.incentives, lever) for lever, v in values.items())


def _valid_day(day):
    if isinstance(day, (bool, np.bool_)) or not isinstance(day, (int, np.integer)) or day < 0:
        return None
    return int(day)


# ------------------------------------------------------------------------------------------
# Strategies


def _values(lever):
    lo, hi = RANGES[lever]
    return st.one_of(
        st.sampled_from([lo, hi, (lo + hi) / 2, lo - 1e-9, hi + 1e-9, -1.0, 1.5, 100.0]),
        st.floats(lo - 0.5, hi + 0.5),
        st.floats(lo, hi),
        st.floats(lo, hi).map(np.float64),
        st.floats(lo, hi).map(np.float32),
        st.integers(-1, 6),
        st.integers(-1, 6).map(np.int64),
        st.sampled_from([math.nan, math.inf, -math.inf, 10**400, True, np.bool_(False), None,
                         "0.5", [0.5], 1j]),
    )


YEARS = st.one_of(
    st.sampled_from([0, 0.0, 1, 2.5, 100, 100.0, 1 / YEAR, 0.5 / YEAR, 1.5 / YEAR, 29 / YEAR,
                     31 / YEAR]),
    st.floats(0, 5),
    st.floats(0, 100),
    st.integers(0, 3).map(np.int64),
    st.floats(0, 3, width=32).map(np.float32),
    st.sampled_from([-1, -1e-9, 100.0001, 101, 1e308, 10**400, math.nan, math.inf, True, None,
                     "1"]),
)

BAD_LEVERS = st.sampled_from(["nope", "Revenue_share", "incentives.revenue_share", "", 5, None])


@st.composite
def path_args(draw, lever=None):
    if lever is None:
        lever = draw(st.one_of(st.sampled_from(LEVERS), BAD_LEVERS)
                     if draw(st.integers(0, 9)) == 0 else st.sampled_from(LEVERS))
    value = draw(_values(lever) if lever in LEVERS else st.floats(0, 1))
    return lever, value, draw(YEARS), draw(YEARS)


def _ok_path(lever):
    """A valid path of ``lever`` (value in range, start and ramp within a few years)."""
    lo, hi = RANGES[lever]
    return st.builds(LeverPath, st.just(lever), st.floats(lo, hi),
                     st.one_of(st.just(0.0), st.floats(0, 3)),
                     st.one_of(st.just(0.0), st.floats(0, 4), st.just(1 / YEAR)))


@st.composite
def schedules(draw):
    """A schedule as with_reform takes it: (kind, schedule, levers it names, lever -> final
    value, named packages)."""
    kind = draw(st.sampled_from(["paths", "dict", "package", "generator"]))
    levers = draw(st.lists(st.sampled_from(LEVERS), min_size=1, max_size=4, unique=True))
    if kind == "package":
        name = draw(st.sampled_from(PACKAGES))
        paths = package_changes(name)[0]
        return kind, name, [p.lever for p in paths], {p.lever: p.value for p in paths}, [name]
    if kind == "dict":
        values = {lev: draw(st.floats(*RANGES[lev])) for lev in levers}
        return kind, values, levers, values, []
    paths = [draw(_ok_path(lev)) for lev in levers]
    return (kind, (iter(paths) if kind == "generator" else paths), levers,
            {x.lever: x.value for x in paths}, [])


DAYS = st.one_of(st.sampled_from([0, 1, 10, 364, 365, 366, 10_000, 10**12]),
                 st.integers(0, 3 * YEAR), st.integers(0, 3 * YEAR).map(np.int64))
BAD_DAYS = st.sampled_from([-1, -365, 1.5, 10.0, "10", None, True, np.float64(3.0), math.nan])


# ------------------------------------------------------------------------------------------
# Checks of a schedule


def _days_to_check(path, day):
    """Days (absolute) around a path's start, its monthly steps and its end."""
    start = day + round(path.start_year * YEAR)
    ramp = round(path.ramp_years * YEAR)
    months = list(range(0, ramp + 1, 30))
    months = months[:14] + months[-14:] + months[:: max(1, len(months) // 20)]
    out = {start - 1, start, start + ramp - 1, start + ramp, start + ramp + 1}
    for m in months:
        out |= {start + m - 1, start + m, start + m + 1, start + m + 15}
    return sorted(d for d in out if d >= day)


def check_schedule(p, baseline, step=None):
    """Properties (a), (b) and (d) of the schedule carried by ``p``.

    ``baseline``: the incentives before the reform day; ``step``: the reform incentives of a
    step set with replace (None: none), from which the paths start.
    """
    r = p.reform
    day = r.day
    assert isinstance(day, int) and day >= 0
    # (d) the baseline is unchanged before the reform day
    for d in {0, day // 2, day - 1} - {-1}:
        if d < day:
            assert p.incentives_at(d) == baseline
    start_from = step if step is not None else baseline
    # (a) after the last ramp ends every lever given has its final value
    end = day + max([round(x.start_year * YEAR) + round(x.ramp_years * YEAR) for x in r.paths],
                    default=0)
    final = {f.name: getattr(start_from, f.name) for f in dataclasses.fields(Incentives)}
    final.update({x.lever: x.value for x in r.paths})
    for d in (end, end + 1, end + 10 * YEAR):
        got = p.incentives_at(d)
        assert {k: getattr(got, k) for k in final} == final, (d, r.paths)
    # (b) each ramp is monotone from its start value to its final value, moves monthly
    for x in r.paths:
        a, b = getattr(start_from, x.lever), x.value
        lo, hi = min(a, b), max(a, b)
        start = day + round(x.start_year * YEAR)
        ramp = round(x.ramp_years * YEAR)
        days = _days_to_check(x, day)
        vals = [getattr(p.incentives_at(d), x.lever) for d in days]
        for d, v in zip(days, vals, strict=True):
            assert lo <= v <= hi, (x, d, v)
            if d < start:
                assert v == a
            elif d >= start + ramp:
                assert v == b
            else:  # inside the ramp: the value of the month's first day
                month = start + (d - start) // 30 * 30
                assert v == getattr(p.incentives_at(month), x.lever), (x, d)
        steps = np.diff(vals) * (1 if b >= a else -1)
        assert (steps >= 0).all(), (x, list(zip(days, vals, strict=True)))


# ------------------------------------------------------------------------------------------
# Properties


@SETTINGS
@given(args=path_args())
def test_lever_path_is_valid_or_names_the_bad_argument(args):
    lever, value, start, ramp = args
    expected = _valid_path(lever, value, start, ramp)
    if isinstance(expected, str):
        with pytest.raises(ParamError) as info:
            LeverPath(lever, value, start_year=start, ramp_years=ramp)
        msg = str(info.value)
        assert {"lever": "lever", "value": str(lever), "start_year": "start_year",
                "ramp_years": "ramp_years"}[expected] in msg, msg
        if expected in ("start_year", "ramp_years"):
            assert "[0, 100]" in msg
        elif expected == "value" and _number(value) is not None:
            assert "out of range" in msg
        return
    path = LeverPath(lever, value, start_year=start, ramp_years=ramp)
    assert (path.lever, path.value, path.start_year, path.ramp_years) == expected
    for attr in ("value", "start_year", "ramp_years"):  # numpy numbers become Python numbers
        assert type(getattr(path, attr)) in (int, float)


@SETTINGS
@given(base=st.sampled_from([BASE, MOVED]),
       paths=st.lists(path_args(), min_size=0, max_size=5),
       day=st.one_of(DAYS, BAD_DAYS),
       container=st.sampled_from([list, tuple, iter]))
def test_with_reform_keeps_every_lever_or_raises(base, paths, day, container):
    expected = [_valid_path(*a) for a in paths]
    try:
        built = [LeverPath(a[0], a[1], start_year=a[2], ramp_years=a[3]) for a in paths]
    except ParamError:
        assert any(isinstance(e, str) for e in expected)
        return
    assert not any(isinstance(e, str) for e in expected)
    levers = [x.lever for x in built]
    nothing = _changes_nothing(base, None, {x.lever: x.value for x in built})
    try:
        p = base.with_reform(container(built), day=day)
    except ParamError as e:
        msg = str(e)
        # every problem of the draw, each with the words naming it; the message names one
        problems = []
        if not built:
            problems.append(["empty"])
        twice = sorted({lv for lv in levers if levers.count(lv) > 1})
        if twice:
            problems.append(["twice", twice[0]])
        if _valid_day(day) is None:
            problems.append(["day"])
        if nothing and not twice:
            problems.append(["changes nothing"])
        assert any(all(word in msg for word in words) for words in problems), msg
        return
    assert built and len(set(levers)) == len(levers) and _valid_day(day) is not None
    assert not nothing
    assert p.reform.day == _valid_day(day) and type(p.reform.day) is int
    assert p.reform.paths == tuple(built)  # every path kept, in order
    assert p.without_reform() == base.without_reform()  # nothing else changed
    check_schedule(p, base.incentives)


@SETTINGS
@given(base=st.sampled_from([BASE, MOVED]),
       values=st.dictionaries(st.one_of(st.sampled_from(LEVERS), BAD_LEVERS),
                              st.one_of(st.floats(-0.5, 1.5), st.sampled_from([math.nan, None])),
                              max_size=4),
       day=DAYS)
def test_with_reform_dict_steps_every_lever(base, values, day):
    try:
        p = base.with_reform(values, day=day)
    except ParamError as e:
        msg = str(e)
        bad = [k for k, v in values.items() if isinstance(_valid_path(k, v, 0, 0), str)]
        if values and not bad:
            assert _changes_nothing(base, None, values) and "changes nothing" in msg, msg
            return
        assert not values and "empty" in msg or bad, msg
        assert not values or str(bad[0]) in msg or "lever" in msg, msg
        return
    assert values and all(not isinstance(_valid_path(k, v, 0, 0), str) for k, v in values.items())
    assert not _changes_nothing(base, None, values)
    assert {x.lever: x.value for x in p.reform.paths} == values
    assert all((x.start_year, x.ramp_years) == (0, 0) for x in p.reform.paths)
    check_schedule(p, base.incentives)
    on_day = p.incentives_at(int(day))
    assert all(getattr(on_day, k) == v for k, v in values.items())  # steps on the reform day


@SETTINGS
@given(base=st.sampled_from([BASE, MOVED]),
       calls=st.lists(st.tuples(schedules(), st.sampled_from([0, 10, 365]),
                                st.booleans()), min_size=1, max_size=4),
       step=st.one_of(st.none(), st.tuples(st.sampled_from(LEVERS), st.floats(0, 0.5),
                                           st.sampled_from([0, 10, 365]))))
def test_repeated_with_reform_merges_or_refuses(base, calls, step):
    """(c): same day -> merged (earlier paths kept in order); another day or a repeat -> refused."""
    p = base
    if step is not None:  # a reform step set with replace, which with_reform must not move
        lever, value, sday = step
        p = p.replace(**{"reform.day": sday, f"reform.incentives.{lever}": value})
    step_inc = p.reform.incentives
    final: dict = {}  # lever -> final value of every path so far
    packages: list = []
    for (kind, schedule, levers, values, named), day, np_day in calls:
        before = p
        old = before.reform
        has_reform = old.day is not None and (old.paths or old.incentives is not None
                                              or old.package)
        given_before = [x.lever for x in old.paths]
        packages_before = old.package.split("+") if old.package else []
        nothing = _changes_nothing(base, step_inc, {**final, **values}, [*packages, *named])
        try:
            p = p.with_reform(schedule, day=np.int64(day) if np_day else day)
        except ParamError as e:
            msg = str(e)
            moved = has_reform and old.day != day
            twice = set(levers) & set(given_before)
            again = kind == "package" and schedule in packages_before
            assert moved or twice or again or nothing, msg
            if moved:
                assert f"day {old.day}" in msg, msg
            elif again:  # the package given again is named
                assert f"package {schedule!r}" in msg, msg
            elif twice:  # a lever given again is named
                assert "twice" in msg and sorted(twice)[0] in msg, msg
            else:
                assert "changes nothing" in msg, msg
            assert p is before  # nothing half-applied
            return
        assert not nothing, "a reform that changes nothing was accepted"
        final.update(values)
        packages.extend(named)
        r = p.reform
        assert not (has_reform and old.day != day), "the first reform was moved"
        assert r.day == day
        assert r.paths[:len(old.paths)] == old.paths, "an earlier path was dropped"
        assert [x.lever for x in r.paths[len(old.paths):]] == levers
        assert r.incentives == old.incentives  # an earlier step is kept
        if kind == "package":
            assert r.package.split("+") == [*packages_before, schedule]
        else:
            assert r.package == old.package
        check_schedule(p, base.incentives, step=step_inc)


@SETTINGS
@given(base=st.sampled_from([BASE, MOVED]), sched=schedules(), day=DAYS,
       run_days=st.one_of(st.integers(1, 5 * YEAR), st.sampled_from([1, 2, 365, 366, 730])))
def test_run_check_refuses_a_reform_that_cannot_act(base, sched, day, run_days):
    """check_reform_day (what simulate calls) refuses exactly the reforms that never act, and
    warns by name when some paths the user wrote start after the run ends."""
    kind, schedule, _, values, named = sched
    p = base.with_reform(schedule, day=day, allow_unchanged=True)
    day = int(day)
    starts = {x.lever: day + round(x.start_year * YEAR) for x in p.reform.paths}
    acts = (day < run_days and (not starts or min(starts.values()) < run_days)
            and not _changes_nothing(base, None, values, named))
    if acts:
        late = sorted(lv for lv, s in starts.items() if s >= run_days)
        if late and kind != "package":
            with pytest.warns(ReformWarning, match=late[0]):
                check_reform_day(p, run_days)
        else:
            check_reform_day(p, run_days)
        return
    with pytest.raises(ParamError) as info:
        check_reform_day(p, run_days)
    msg = str(info.value)
    assert "reform.day" in msg or "after the run ends" in msg or "changes nothing" in msg, msg


# ------------------------------------------------------------------------------------------
# Named cases found by the properties


def test_a_second_with_reform_cannot_move_a_plain_parameter_package():
    """A package of plain parameters (trends) is a reform too: another day is refused."""
    p = BASE.with_reform("secular_2011_2021", day=10)
    with pytest.raises(ParamError, match="day 10"):
        p.with_reform({"revenue_share": 0.5}, day=50)
    both = p.with_reform({"revenue_share": 0.5}, day=10)
    assert both.reform.day == 10 and both.reform.package == "secular_2011_2021"
    assert both.trends == p.trends


def test_a_package_given_twice_is_refused():
    p = BASE.with_reform("secular_2011_2021", day=10)
    with pytest.raises(ParamError, match="secular_2011_2021"):
        p.with_reform("secular_2011_2021", day=10)


def test_steps_on_the_reform_day_are_kept_by_a_merge():
    p = BASE.replace(**{"reform.day": 10, "reform.incentives.counterpart_support": 2.0})
    q = p.with_reform([LeverPath("revenue_share", 0.4, ramp_years=1)], day=10)
    assert q.incentives_at(9) == BASE.incentives
    assert q.incentives_at(10).counterpart_support == 2.0
    assert q.incentives_at(10 + YEAR).revenue_share == 0.4
    with pytest.raises(ParamError, match="day 10"):
        p.with_reform({"revenue_share": 0.4}, day=11)


def test_package_names_the_abm_namespace():
    assert abm.LeverPath is LeverPath and abm.ParamError is ParamError


def test_two_packages_cannot_set_one_plain_parameter(monkeypatch):
    from abm.inputs import data

    table = data.load_reforms()
    extra = table[table["package"] == "secular_2011_2021"].head(1).assign(
        package="other_trends", value=0.01)
    monkeypatch.setattr(data, "load_reforms", lambda: pd.concat([table, extra]))
    p = BASE.with_reform("secular_2011_2021", day=10)
    with pytest.raises(ParamError, match="trends.income_growth"):
        p.with_reform("other_trends", day=10)
