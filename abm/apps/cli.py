"""The ``referral-lab`` command line: run, compare and sweep incentive designs; the dashboard.

Exit status: 0 on success, 2 on bad input (one line naming what is wrong), 1 on an internal error
(one line; ``--debug`` shows the traceback).

Examples
--------
>>> main(["designs"])  # doctest: +ELLIPSIS
consortium_budget
...
0
>>> main(["validate", "no_such_design"])  # the message goes to standard error
2
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import re
import shlex
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from abm.apps.designs import (
    MAX_DAYS,
    Design,
    DesignError,
    design_to_params,
    horizon_notes,
    load_design,
    paired_effects,
    period_windows,
    plural,
    run_design_replications,
    shipped_designs,
)
from abm.inputs.params import Incentives, ParamError, ReformWarning, Setting
from abm.runs.experiments import SYNCHRONOUS

PROG = "referral-lab"
DEFAULT_PORT = 8765


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _scheduler(text: str) -> str | None:
    """Parse ``--scheduler``: synchronous, local (-> None, a local cluster) or an address."""
    if text == "local":
        return None
    if text.lower() == SYNCHRONOUS:
        return SYNCHRONOUS
    if re.fullmatch(r"[a-z]+://\S+|[\w.-]+:\d+", text):
        return text
    raise argparse.ArgumentTypeError(
        f"--scheduler must be 'synchronous', 'local' or a Dask scheduler address such as "
        f"tcp://host:8786; got {text!r}")


def _scale(text: str) -> float:
    """Parse ``--scale``: residents per simulated patient (the rule of abm.reform_panel's scale)."""
    from abm.inputs.checks import check_scale

    try:
        return check_scale(float(text), "--scale")
    except ValueError:  # also "x", inf and nan; 0.5 used to be reported as setting.scale
        lo, hi = Setting.__dataclass_fields__["scale"].metadata["range"]
        raise argparse.ArgumentTypeError(
            f"must be a number of residents per simulated patient in [{lo:g}, {hi:g}], got "
            f"{text!r}") from None


def _int_option(option: str, minimum: int, maximum: int | None = None):
    """Return an argparse type: an integer checked by the shared rule (checks.check_int)."""
    from abm.inputs.checks import check_int

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = text
        try:
            return check_int(value, option, minimum, maximum)
        except ValueError as e:  # argparse puts "argument <option>: " in front
            raise argparse.ArgumentTypeError(str(e).removeprefix(f"{option} ")) from None

    parse.__name__ = option  # argparse names the type in "invalid <name> value" messages
    return parse


def _prior(text: str) -> tuple[str, tuple[float, float] | None]:
    """Parse ``--parameters NAME=LOW:HIGH`` (or ``NAME``: the field's declared range)."""
    name, eq, rng = text.partition("=")
    if not eq:
        return name, None
    low, colon, high = rng.partition(":")
    try:
        if not colon:
            raise ValueError
        return name, (float(low), float(high))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--parameters takes NAME=LOW:HIGH (e.g. choice.asc_self_care=2:6) or NAME; "
            f"got {text!r}") from None


def _scheduler_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", metavar="ADDRESS", type=_scheduler, default=SYNCHRONOUS,
                   help="where the runs go (abm.sweep): 'synchronous' (default: this process), "
                        "'local' (a local Dask cluster of 2 processes) or a Dask scheduler "
                        "address such as tcp://host:8786")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _overrides(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("overrides of the design files")
    g.add_argument("--days", type=_int_option("--days", 1, MAX_DAYS), metavar="N",
                   help="horizon of each run, days (if the design's reform day falls after it "
                        "and --reform-day is not given, the reform starts at half the horizon)")
    g.add_argument("--reform-day", type=_int_option("--reform-day", 0, MAX_DAYS - 1),
                   metavar="N", help="day the reform starts")
    g.add_argument("--seeds", type=_int_option("--seeds", 0), nargs="+", metavar="SEED",
                   help="replication seeds (the status quo runs on the same seeds)")
    _scheduler_option(p)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``referral-lab`` (all subcommands)."""
    parser = _Parser(prog=PROG, description="Incentive designs for two-way referral in county "
                     "medical consortia: run them, compare them with the status quo in an HTML "
                     "report, sweep a lever, or open the browser dashboard. A DESIGN is a path "
                     "to a .toml file or the name of a shipped design (`referral-lab designs`).")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                required=True)
    p = sub.add_parser("designs", help="list the shipped designs, one name per line",
                       description="List the designs shipped with the package, one name per "
                                   "line; --show NAME prints one (a start for your own file).")
    p.add_argument("--show", metavar="NAME", help="print this shipped design's TOML file")
    p = sub.add_parser("validate", help="check design files",
                       description="Check design files; print one line per valid design.")
    p.add_argument("designs", nargs="+", metavar="DESIGN")
    p = sub.add_parser("run", help="run one design and the status quo; print the effects",
                       description="Run a design and the status quo on the design's seeds and "
                                   "print the effect on each outcome with its 95% interval.")
    p.add_argument("design", metavar="DESIGN")
    p.add_argument("--out", metavar="FILE.csv", help="also write every run's summary (CSV)")
    _overrides(p)
    p = sub.add_parser("compare", help="compare designs with the status quo in an HTML report",
                       description="Run the status quo and each design on the same seeds and "
                                   "write one self-contained HTML report.")
    p.add_argument("designs", nargs="+", metavar="DESIGN")
    p.add_argument("--out", required=True, metavar="REPORT.html", help="report file to write")
    _overrides(p)
    p = sub.add_parser("sweep", help="run a design at several values of one lever",
                       description="Run a design at several values of one lever (keeping its "
                                   "path) and the status quo; print the effects per value.")
    p.add_argument("design", metavar="DESIGN")
    p.add_argument("--lever", required=True, help="lever to vary (abm.runs.levers.LEVERS)")
    p.add_argument("--values", required=True, type=float, nargs="+", metavar="VALUE",
                   help="values of the lever")
    p.add_argument("--out", metavar="FILE.csv", help="also write every run's summary (CSV)")
    _overrides(p)
    p = sub.add_parser("dashboard", help="open the browser dashboard (Mesa SolaraViz)",
                       description="Serve the dashboard on http://HOST:PORT (offline; needs the "
                                   "'dashboard' extra).")
    p.add_argument("--port", type=_int_option("--port", 1, 65535), default=DEFAULT_PORT,
                   help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    _calibrate_parser(sub)
    _panel_parser(sub)
    _search_parser(sub)
    return parser


def _search_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search designs for a goal (abm.search_designs)",
                       description="Search the levers named in a goal file (objectives, "
                                   "constraints, levers; see docs/design_search.md) for the "
                                   "designs that reach it best against the status quo, over "
                                   "posterior draws x seeds. Writes the Pareto front "
                                   "(front.csv), every trial (trials.csv), the front's design "
                                   "files (designs/), a figure (front.png) and an HTML page "
                                   "(search.html) to --out; its runs are stored in --out/store, "
                                   "so rerunning the same command resumes a killed search.")
    p.add_argument("goal", metavar="GOAL.toml")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results")
    p.add_argument("--trials", type=_int_option("--trials", 1, 10_000), metavar="N",
                   help="designs to try (default: the goal's trials)")
    _scheduler_option(p)


def _calibrate_parser(sub: argparse._SubParsersAction) -> None:
    from abm.fitting.calibration import METHODS
    from abm.inputs.params import PRESETS

    p = sub.add_parser("calibrate", help="fit parameters to the data package's facts "
                       "(abm.calibrate)",
                       description="Fit model parameters to facts of datasets/targets.csv "
                                   "(abm.calibrate) and print the posterior summary: prior "
                                   "range, point fit, median and 90% interval per parameter.")
    p.add_argument("--preset", choices=PRESETS, default="x_county",
                   help="county preset to start from (default x_county)")
    p.add_argument("--parameters", nargs="+", required=True, type=_prior, metavar="NAME=LOW:HIGH",
                   help="dotted parameters to fit with a uniform prior on [LOW, HIGH] (NAME "
                        "alone: the field's declared range), e.g. choice.asc_self_care=2:6")
    p.add_argument("--targets", nargs="+", required=True, metavar="FACT",
                   help="fact ids of datasets/targets.csv judged near or in a band")
    p.add_argument("--method", choices=METHODS, default="history-matching",
                   help="calibration method (default history-matching)")
    p.add_argument("--budget", type=_int_option("--budget", 1), default=150, metavar="N",
                   help="parameter sets simulated in all (default 150)")
    p.add_argument("--scale", type=_scale, metavar="X",
                   help="residents per simulated patient (default: the preset's)")
    p.add_argument("--seed", type=_int_option("--seed", 0), default=2026,
                   help="seed of the sampler and the runs")
    p.add_argument("--out", metavar="DIR", help="resumable sweep store of the runs")
    p.add_argument("--dest", metavar="FILE.parquet",
                   help="write the weighted posterior draws here (Parquet)")
    _scheduler_option(p)


def _panel_parser(sub: argparse._SubParsersAction) -> None:
    from abm.inputs.params import reform_packages

    packages = sorted(reform_packages()["package"].unique())
    p = sub.add_parser("panel", help="simulate a county-year reform panel with its true effects "
                       "(abm.reform_panel)",
                       description="Simulate a panel of counties drawn from the data package, "
                                   "adopting a reform package in staggered years "
                                   "(abm.reform_panel); write panel.csv (observed outcomes) "
                                   "and truth.csv (observed, counterfactual and effect) to --out.")
    from abm.inputs.checks import MAX_DAYS
    from abm.runs.panels import MAX_COUNTIES, YEAR_RANGE

    p.add_argument("--counties", type=_int_option("--counties", 2, MAX_COUNTIES), default=20,
                   metavar="N", help=f"counties (2 to {MAX_COUNTIES}; default 20)")
    p.add_argument("--years", type=_int_option("--years", 2, MAX_DAYS // 365), default=6,
                   metavar="N", help=f"panel years (2 to {MAX_DAYS // 365}; default 6)")
    p.add_argument("--start-year", type=_int_option("--start-year", YEAR_RANGE[0],
                                                    YEAR_RANGE[1] - 1),
                   default=2015, metavar="YEAR",
                   help=f"first panel year ({YEAR_RANGE[0]} to {YEAR_RANGE[1] - 1}; default "
                        f"2015)")
    p.add_argument("--package", choices=packages, default="compact_consortium",
                   help="reform package of datasets/reforms.csv (default compact_consortium)")
    p.add_argument("--adoption", choices=["national"], default="national",
                   help="adoption schedule (national: the national roll-out's shares by year)")
    p.add_argument("--scale", type=_scale, default=10.0, metavar="X",
                   help="residents per simulated patient (default 10)")
    p.add_argument("--seed", type=_int_option("--seed", 0), default=1,
                   help="root seed (default 1)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for panel.csv, truth.csv")
    _scheduler_option(p)


def _load(spec: str, args: argparse.Namespace) -> Design:
    """Read a design and apply the command-line overrides; print notes on choices made."""
    from abm.apps.report import STATUS_QUO

    d = load_design(spec)
    if d.name == STATUS_QUO:  # "status quo.toml": its runs must not merge with the baseline's
        raise DesignError(f"design {spec!r}: the name {STATUS_QUO!r} is reserved for the "
                          f"baseline runs; rename the file")
    over = {"days": args.days, "reform_day": args.reform_day, "seeds": args.seeds}
    over = {k: v for k, v in over.items() if v is not None}
    days = over.get("days", d.days)
    if "reform_day" in over and over["reform_day"] >= days:
        where = "--days" if "days" in over else f"the design's days = {d.days} ({d.source})"
        raise DesignError(f"--reform-day {over['reform_day']} (command line): must be before the "
                          f"end of the run, in [0, {days - 1}] for {days} days ({where})")
    if "seeds" in over and len(set(over["seeds"])) != len(over["seeds"]):
        raise DesignError(f"--seeds {' '.join(map(str, over['seeds']))} (command line): give "
                          f"each seed once")
    if over:
        try:
            d = d.with_overrides(**over)
        except DesignError as e:
            given = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in over.items())
            raise DesignError(f"{e} (after the command-line overrides {given})") from None
    for note in (*d.notes, *horizon_notes(d)):
        print(f"{PROG}: note: {d.name}: {note}", file=sys.stderr)
    return d


def _check_out(path: str | None, suffix: str, flag: str = "--out") -> Path | None:
    if path is None:
        return None
    out = Path(path)
    if out.suffix.lower() != suffix:
        raise DesignError(f"{flag} {path!r}: the file name must end in {suffix}")
    if not out.parent.exists() or not os.access(out.parent or Path("."), os.W_OK):
        raise DesignError(f"{flag} {path!r}: the folder {str(out.parent)!r} does not exist or is "
                          f"not writable")
    return out


def _check_folder(path: str, flag: str = "--out") -> Path:
    """Check an output folder: absent or a folder, in a writable folder (before any run)."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise DesignError(f"{flag} {path!r}: exists and is not a folder")
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise DesignError(f"{flag} {path!r}: the folder {str(out.parent)!r} does not exist "
                          f"or is not writable")
    return out


def _progress(args: argparse.Namespace) -> bool | None:
    return False if args.no_progress else None


def _seeds(n: int, draws: int = 0) -> str:
    """How many replications an effect averages, e.g. ``1 seed, no interval``.

    Examples
    --------
    >>> _seeds(1), _seeds(5), _seeds(6, draws=3)
    ('1 seed, no interval', '5 seeds, 95% interval', '2 seeds x 3 posterior draws, 95% interval')
    """
    runs = (f"{plural(n // draws, 'seed')} x {plural(draws, 'posterior draw')}" if draws
            else plural(n, "seed"))
    return f"{runs}, no interval" if n == 1 else f"{runs}, 95% interval"


def _print_effects(effects: pd.DataFrame, draws: int = 0) -> None:
    from abm.apps.report import fmt_change, fmt_value, label

    for scen, g in effects.groupby("scenario", sort=False):
        print(f"\n{scen}: change against the status quo from the reform start "
              f"(mean over {_seeds(int(g['n_seeds'].max()), draws)})")
        for _, r in g.iterrows():
            m = r["metric"]
            interval = ("" if pd.isna(r["lower"]) else
                        f"  [{fmt_change(m, r['lower'])}, {fmt_change(m, r['upper'])}]")
            print(f"  {label(m):<58} {fmt_value(m, r['baseline_mean']):>12} -> "
                  f"{fmt_value(m, r['scenario_mean']):>12}  {fmt_change(m, r['effect']):>12}"
                  f"{interval}")


def _run_scenarios(design: Design, scenarios: dict, args: argparse.Namespace) -> pd.DataFrame:
    return run_design_replications(scenarios, seeds=design.seeds, days=design.days,
                                   windows=period_windows(design.days, design.reform_day),
                                   scheduler=args.scheduler, progress=_progress(args),
                                   posterior_draws=design.posterior_draws)


def _write_runs(runs: pd.DataFrame, out: Path | None) -> None:
    if out is not None:
        runs.to_csv(out, index=False)
        print(f"\nwrote {out} ({len(runs)} rows: one per scenario, posterior draw, seed, "
              f"window and group of residents; grouping = county for the whole county)")


def cmd_designs(args: argparse.Namespace) -> int:
    """List the shipped designs (or print one)."""
    if args.show is not None:
        if args.show not in shipped_designs():
            raise DesignError(f"--show {args.show!r}: not a shipped design (shipped: "
                              f"{', '.join(shipped_designs())})")
        print(load_design(args.show).text, end="")
        return 0
    for name in shipped_designs():
        print(name)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate design files."""
    for spec in args.designs:
        d = load_design(spec)
        print(f"ok: {d.source}: {d.title}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one design and the status quo."""
    from abm.apps.report import STATUS_QUO

    out = _check_out(args.out, ".csv")
    d = _load(args.design, args)
    runs = _run_scenarios(d, {STATUS_QUO: d.baseline_params(), d.name: design_to_params(d)},
                          args)
    _print_effects(paired_effects(runs, baseline=STATUS_QUO, metrics=d.outcomes),
                   d.posterior_draws)
    _write_runs(runs, out)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare designs with the status quo in an HTML report."""
    from abm.apps.report import compare_designs, write_report

    out = _check_out(args.out, ".html")
    designs = [_load(s, args) for s in args.designs]
    cmp = compare_designs(designs, scheduler=args.scheduler, progress=_progress(args))
    command = shlex.join([PROG, *sys.argv[1:]]) if sys.argv[1:] else PROG
    write_report(cmp, out, command=command)
    _print_effects(cmp.effects(), cmp.first.posterior_draws)
    print(f"\nwrote {out}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a design at several values of one lever."""
    from abm.apps.report import STATUS_QUO

    out = _check_out(args.out, ".csv")
    levers = [f.name for f in dataclasses.fields(Incentives)]
    if args.lever not in levers:
        close = difflib.get_close_matches(args.lever, levers, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise DesignError(f"--lever {args.lever!r} (command line): not a lever{hint}; levers: "
                          f"{', '.join(levers)}")
    values = " ".join(f"{v:g}" for v in args.values)
    if len(set(args.values)) != len(args.values):
        raise DesignError(f"--values {values} (command line): give each value once")
    lo, hi = Incentives.__dataclass_fields__[args.lever].metadata["range"]
    bad = [v for v in args.values if not lo <= v <= hi]
    if bad:
        raise DesignError(f"--values {values} (command line): {bad[0]:g} is outside "
                          f"{args.lever}'s range [{lo:g}, {hi:g}]")
    d = _load(args.design, args)
    scenarios = {STATUS_QUO: d.baseline_params()}
    labels = [f"{args.lever}={v:g}" for v in args.values]
    same = sorted({lab for lab in labels if labels.count(lab) > 1})
    if same:
        raise DesignError(f"--values {' '.join(map(repr, args.values))}: values that print the "
                          f"same ({', '.join(same)}) would make one scenario and lose runs; give "
                          f"values that differ in the first 6 significant digits")
    for label, v in zip(labels, args.values, strict=True):
        # a value at the status quo is a legitimate point: abm.sweep notes it and runs it
        # as the status quo (the same runs)
        scenarios[label] = design_to_params(d.with_lever(args.lever, v), allow_unchanged=True)
    runs = _run_scenarios(d, scenarios, args)
    _print_effects(paired_effects(runs, baseline=STATUS_QUO, metrics=d.outcomes),
                   d.posterior_draws)
    _write_runs(runs, out)
    return 0


def dashboard_command(host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """Command line and environment of the dashboard server (solara, telemetry off).

    Examples
    --------
    >>> cmd, env = dashboard_command("127.0.0.1", 8765)
    >>> cmd[1:5], env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"]
    (['-m', 'solara', 'run', 'abm.apps.dashboard:Page'], 'False')
    """
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    cmd = [sys.executable, "-m", "solara", "run", "abm.apps.dashboard:Page", "--host", host,
           "--port", str(port), "--production", "--no-open"]
    return cmd, env


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard: this process becomes the solara server (until interrupted)."""
    import importlib.util

    missing = [m for m in ("solara", "solara_assets", "ipyvuetify")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise DesignError(f"the dashboard needs {', '.join(missing)}: install the 'dashboard' "
                          f"extra (pip install 'referral-incentives-lab[dashboard]')")
    cmd, env = dashboard_command(args.host, args.port)
    print(f"dashboard on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    # become the solara server (no child process left behind when this one is stopped)
    os.execve(sys.executable, cmd, env)
    return 1  # not reached


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate parameters to facts (abm.calibrate); print the summary, write the draws."""
    from abm.fitting.calibration import calibrate, check_targets, priors

    names = [n for n, _ in args.parameters]
    if len(set(names)) != len(names):
        raise DesignError(f"--parameters {' '.join(names)}: give each parameter once")
    try:
        prior = priors(dict(args.parameters))
    except ValueError as e:
        raise DesignError(f"--parameters: {e}") from None
    twice = sorted({t for t in args.targets if args.targets.count(t) > 1})
    if twice:
        raise DesignError(f"--targets {' '.join(args.targets)}: {', '.join(twice)} given twice; "
                          f"give each fact once")
    try:
        check_targets(args.targets)
    except ValueError as e:
        raise DesignError(f"--targets: {e}") from None
    dest = _check_out(args.dest, ".parquet", "--dest")
    cal = calibrate(args.preset, parameters=prior, targets=args.targets, method=args.method,
                    budget=args.budget, scale=args.scale, out=args.out, seed=args.seed,
                    scheduler=args.scheduler, progress=not args.no_progress)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(cal.summary().to_string(float_format=lambda v: f"{v:.4g}"))
    if dest is not None:
        cal.save(dest)
        print(f"\nwrote {dest} ({len(cal.draws)} weighted posterior draws)")
    return 0


def cmd_panel(args: argparse.Namespace) -> int:
    """Simulate a county-year reform panel (abm.reform_panel); write panel.csv and truth.csv."""
    from abm.runs.panels import check_panel_size, reform_panel

    check_panel_size(args.counties, args.years, args.start_year, names={
        "n_counties": "--counties", "years": "--years", "start_year": "--start-year"})
    out = _check_folder(args.out)
    rp = reform_panel(args.counties, years=args.years, start_year=args.start_year,
                      package=args.package, adoption=args.adoption, scale=args.scale,
                      seed=args.seed, scheduler=args.scheduler, progress=not args.no_progress)
    out.mkdir(exist_ok=True)
    rp.panel.to_csv(out / "panel.csv", index=False)
    rp.truth.to_csv(out / "truth.csv", index=False)
    print(f"wrote {out / 'panel.csv'} ({len(rp.panel)} county-years) and {out / 'truth.csv'} "
          f"({len(rp.truth)} rows: county, year, outcome, observed, counterfactual, effect)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search designs for a goal (abm.search_designs); write the front, files and a page."""
    from abm.apps.search import load_goal, search_designs

    goal = load_goal(args.goal)
    out = _check_folder(args.out)
    found = search_designs(goal, trials=args.trials, scheduler=args.scheduler, out=out,
                           progress=not args.no_progress)
    command = shlex.join([PROG, *sys.argv[1:]]) if sys.argv[1:] else PROG
    paths = found.write(out, command=command)
    for note in found.notes:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    front = found.front
    print(f"{len(found.trials)} designs tried in {found.seconds:.0f} s; "
          f"{int(found.trials['feasible'].sum())} met every constraint; "
          f"{len(front)} on the Pareto front")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        keep = [c for c in front.columns if c.endswith(("_mean", "_margin"))]
        if len(front):
            print(front[["design", *(r.lever for r in goal.levers), *keep]].to_string(
                index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nwrote {paths['report']}, {paths['front']}, {paths['trials']}, {paths['figure']} "
          f"and {len(front)} design files in {out / 'designs'}")
    return 0


COMMANDS = {"designs": cmd_designs, "validate": cmd_validate, "run": cmd_run,
            "compare": cmd_compare, "sweep": cmd_sweep, "dashboard": cmd_dashboard,
            "calibrate": cmd_calibrate, "panel": cmd_panel, "search": cmd_search}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``referral-lab``; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a bad argument (2, message already printed)
        return int(e.code or 0)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _note  # a ReformWarning is one line: a note
            warnings.simplefilter("default", ReformWarning)  # a note, whatever the filters
            return COMMANDS[args.command](args)
    except (DesignError, ParamError, ConnectionError) as e:  # bad input; no scheduler
        print(f"{PROG}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: internal error: {type(e).__name__}: {e} (rerun with --debug for the "
              f"traceback)", file=sys.stderr)
        return 1


def _note(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a :class:`abm.ReformWarning` as one ``referral-lab: note:`` line; others as usual."""
    if issubclass(category, ReformWarning):
        print(f"{PROG}: note: {' '.join(str(message).split())}", file=sys.stderr)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


_SHOW_WARNING = warnings.showwarning


def console() -> None:
    """Console-script wrapper: exit with :func:`main`'s status."""
    sys.exit(main())
