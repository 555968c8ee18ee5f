"""referral-lab bad-input corpus (issue 28, item 5): invalid invocations exit 2 with one line.

Run in-process through ``abm.apps.cli.main``; every case fails before a simulation starts. The
cases complement ``tests/tools/test_cli.py`` (no repeats): seeds, scales, days and reform days
at the edges, sweep values and levers, calibration priors and panels.
"""

import pytest

from abm.apps.cli import main

DESIGN = "revenue_sharing"
CAL = ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate"]
SWEEP = ["sweep", DESIGN, "--lever", "revenue_share", "--values"]

# a design whose only lever stays at the status quo's value: it changes nothing
ZERO = """title = "zero"
preset = "small"
days = 30
reform_day = 10
[levers]
revenue_share = 0.0
"""

ATLANTIS = '[parameters]\n"setting.preset" = "atlantis"\n'

# id: (argv, text the one-line message must contain); FILE, DIR and OUT are filled in per test
CORPUS = {
    "panel-seed-negative": (["panel", "--seed", "-1", "--out", "OUT"], "--seed"),
    "panel-scale-below-one": (["panel", "--scale", "0.5", "--out", "OUT"], "--scale"),
    "panel-scale-inf": (["panel", "--scale", "inf", "--out", "OUT"], "--scale"),
    "panel-scale-nan": (["panel", "--scale", "nan", "--out", "OUT"], "--scale"),
    "panel-scale-huge": (["panel", "--scale", "1e9", "--out", "OUT"], "--scale"),
    "panel-start-before-adoption": (["panel", "--start-year", "1990", "--counties", "2",
                                     "--years", "2", "--out", "OUT"], "no county adopts"),
    "panel-start-far-future": (["panel", "--start-year", "99999", "--counties", "2", "--years",
                                "2", "--out", "OUT"],
                               "argument --start-year: must be an integer from 1950"),
    "panel-start-float": (["panel", "--start-year", "2015.5", "--out", "OUT"], "--start-year"),
    "panel-years-one": (["panel", "--years", "1", "--out", "OUT"], "--years"),
    "panel-counties-zero": (["panel", "--counties", "0", "--out", "OUT"], "--counties"),
    "panel-out-is-a-file": (["panel", "--out", "FILE"], "--out"),
    "run-days-exponent": (["run", DESIGN, "--days", "1e3"], "--days"),
    "run-days-huge": (["run", DESIGN, "--days", "99999999"], "--days"),
    "run-days-negative": (["run", DESIGN, "--days", "-5"], "--days"),
    "run-reform-day-float": (["run", DESIGN, "--reform-day", "1.5"], "--reform-day"),
    "run-reform-day-at-end": (["run", DESIGN, "--days", "10", "--reform-day", "10"],
                              "--reform-day 10"),
    "run-seeds-negative": (["run", DESIGN, "--seeds", "-1"], "--seeds"),
    "run-seeds-none": (["run", DESIGN, "--seeds"], "--seeds"),
    "run-design-folder": (["run", "DIR"], "not a file"),
    "run-design-not-toml": (["run", "FILE"], "not valid TOML"),
    "run-design-empty-name": (["run", ""], "design ''"),
    "run-unknown-option": (["run", DESIGN, "--dayz", "10"], "--dayz"),
    "run-scheduler-empty": (["run", DESIGN, "--scheduler", ""], "--scheduler"),
    "sweep-value-nan": ([*SWEEP, "nan"], "--values nan"),
    "sweep-value-inf": ([*SWEEP, "inf"], "--values inf"),
    "sweep-values-print-the-same": ([*SWEEP, "0.2", "0.2000001"], "--values 0.2 0.2000001"),
    "sweep-value-negative": ([*SWEEP, "-0.1"], "--values -0.1"),
    "sweep-value-word": ([*SWEEP, "half"], "--values"),
    "sweep-lever-empty": (["sweep", DESIGN, "--lever", "", "--values", "0.1"], "--lever ''"),
    "sweep-lever-dotted": (["sweep", DESIGN, "--lever", "incentives.revenue_share", "--values",
                            "0.1"], "did you mean revenue_share"),
    "sweep-lever-not-incentive": (["sweep", DESIGN, "--lever", "trends.income_growth",
                                   "--values", "0.1"], "--lever 'trends.income_growth'"),
    "calibrate-prior-reversed": ([*CAL[:2], "choice.asc_self_care=6:2", *CAL[3:]],
                                 "--parameters"),
    "calibrate-prior-nan": ([*CAL[:2], "choice.asc_self_care=nan:2", *CAL[3:]], "--parameters"),
    "calibrate-prior-empty": ([*CAL[:2], "choice.asc_self_care=2:2", *CAL[3:]], "--parameters"),
    "calibrate-parameter-twice": ([*CAL[:3], "choice.asc_self_care", *CAL[3:]],
                                  "give each parameter once"),
    "calibrate-group-only": ([*CAL[:2], "choice", *CAL[3:]], "unknown parameter 'choice'"),
    "calibrate-budget-float": ([*CAL, "--budget", "1.5"], "--budget"),
    "calibrate-scale-below-one": ([*CAL, "--scale", "0.5"], "--scale"),
    "calibrate-seed-negative": ([*CAL, "--seed", "-1"], "--seed"),
    "calibrate-unknown-method": ([*CAL, "--method", "mcmc"], "--method"),
    "calibrate-target-empty": ([*CAL[:4], ""], "--targets"),
    "dashboard-port-zero": (["dashboard", "--port", "0"], "--port"),
    "dashboard-port-float": (["dashboard", "--port", "80.5"], "--port"),
    "validate-folder": (["validate", "DIR"], "not a file"),
    "designs-show-empty": (["designs", "--show", ""], "--show ''"),
    # issue 28, fresh audit (tests/tools/audit_abm_fresh.py)
    "panel-counties-huge": (["panel", "--counties", "10000000", "--out", "OUT"],
                            "argument --counties: must be an integer from 2 to 3000"),
    "panel-years-huge": (["panel", "--years", "101", "--out", "OUT"],
                         "argument --years: must be an integer from 2 to 100"),
    "panel-start-year-early": (["panel", "--start-year", "1800", "--out", "OUT"],
                               "argument --start-year"),
    "panel-ends-after-2100": (["panel", "--start-year", "2099", "--years", "5", "--out", "OUT"],
                              "--start-year=2099 with --years=5"),
    "panel-scale-above-range": (["panel", "--scale", "10001", "--out", "OUT"],
                                "argument --scale"),
    "panel-counties-word": (["panel", "--counties", "2x", "--out", "OUT"],
                            "argument --counties"),
    "run-design-at-status-quo": (["run", "ZERO"], "every lever ends at its status quo value"),
    "validate-design-at-status-quo": (["validate", "ZERO"], "revenue_share=0.0"),
    "compare-design-at-status-quo": (["compare", "ZERO", "--out", "OUT.html"],
                                     "the design changes nothing"),
    "run-seeds-repeated": (["run", DESIGN, "--seeds", "1", "2", "1"], "--seeds"),
    "run-days-above-max": (["run", DESIGN, "--days", "36501"], "argument --days"),
    "calibrate-optuna-budget-zero": ([*CAL, "--method", "optuna-is", "--budget", "0"],
                                     "argument --budget"),
    "dashboard-port-negative": (["dashboard", "--port", "-1"], "--port"),
    "calibrate-target-twice": ([*CAL, "forgone_care_rate"], "forgone_care_rate given twice"),
    "validate-parameters-preset-atlantis": (["validate", "ATLANTIS"],
                                            "setting.preset='atlantis' is not a preset"),
}


def test_corpus_is_large():
    assert len(CORPUS) >= 20


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_invocation_exits_2_with_one_line_naming_the_option(case, tmp_path, capsys):
    argv, text = CORPUS[case]
    (tmp_path / "file.txt").write_text("not a design\n", encoding="utf-8")
    (tmp_path / "zero.toml").write_text(ZERO, encoding="utf-8")
    (tmp_path / "atlantis.toml").write_text(ZERO.replace("0.0", "0.5") + ATLANTIS,
                                            encoding="utf-8")
    fill = {"FILE": str(tmp_path / "file.txt"), "DIR": str(tmp_path),
            "OUT": str(tmp_path / "panel"), "ZERO": str(tmp_path / "zero.toml"),
            "ATLANTIS": str(tmp_path / "atlantis.toml"),
            "OUT.html": str(tmp_path / "panel.html")}
    assert main([fill.get(a, a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("referral-lab"), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert text in err, err
    assert not (tmp_path / "panel").exists()  # nothing written
    assert not (tmp_path / "panel.html").exists()
