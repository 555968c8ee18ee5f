"""The referral-lab command line: happy paths on the small preset, and bad input -> exit 2."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from abm.apps.cli import main
from abm.apps.designs import shipped_designs

BAD = sorted((Path(__file__).parent / "bad_designs").glob("*.toml"))
SCRIPT = Path(sys.executable).parent / "referral-lab"


def expected_fragment(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def test_corpus_has_at_least_twenty_bad_files():
    assert len(BAD) >= 20


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_design_file_exits_2_naming_the_problem(path, capsys):
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert err.startswith("referral-lab: error: ")
    assert str(path) in err
    assert expected_fragment(path) in err
    assert "Traceback" not in err


BAD_ARGS = {
    "no command": ([], "required: COMMAND"),
    "unknown command": (["frobnicate"], "invalid choice: 'frobnicate'"),
    "unknown design name": (["run", "no_such_design"], "not a shipped design"),
    "missing file": (["validate", "missing/dir/x.toml"], "no such file"),
    "days not a number": (["run", "TINY", "--days", "ten"],
                          "argument --days: must be an integer from 1 to 36500, got 'ten' (str)"),
    "days zero": (["run", "TINY", "--days", "0"],
                  "argument --days: must be an integer from 1 to 36500, got 0"),
    "reform day after given days": (["run", "TINY", "--days", "10", "--reform-day", "15"],
                                    "--reform-day 15 (command line): must be before the end of "
                                    "the run, in [0, 9] for 10 days (--days)"),
    "reform day after the file's days": (["run", "TINY", "--reform-day", "40"],
                                         "--reform-day 40 (command line): must be before the end "
                                         "of the run, in [0, 39] for 40 days (the design's days "
                                         "= 40 ("),
    "reform day negative": (["run", "TINY", "--reform-day", "-1"],
                            "argument --reform-day: must be an integer from 0 to 36499, got -1"),
    "seeds not ints": (["run", "TINY", "--seeds", "1", "x"],
                       "argument --seeds: must be an integer >= 0, got 'x' (str)"),
    "seeds repeated": (["run", "TINY", "--seeds", "1", "1"],
                       "--seeds 1 1 (command line): give each seed once"),
    "compare without --out": (["compare", "TINY"], "the following arguments are required: --out"),
    "compare out not html": (["compare", "TINY", "--out", "report.pdf"],
                             "--out 'report.pdf': the file name must end in .html"),
    "compare out folder missing": (["compare", "TINY", "--out", "no/such/dir/r.html"],
                                   "does not exist or is not writable"),
    "compare same design twice": (["compare", "TINY", "TINY", "--out", "OUT.html"],
                                  "is given more than once"),
    "compare different horizons": (["compare", "TINY", "reimbursement_plus10", "--out",
                                    "OUT.html"], "must share preset"),
    "run out not csv": (["run", "TINY", "--out", "runs.xlsx"], "must end in .csv"),
    "sweep unknown lever": (["sweep", "TINY", "--lever", "bonus", "--values", "1"],
                            "--lever 'bonus' (command line): not a lever; levers: revenue_share"),
    "sweep misspelt lever": (["sweep", "TINY", "--lever", "revenu_share", "--values", "1"],
                             "--lever 'revenu_share' (command line): not a lever (did you mean "
                             "revenue_share?)"),
    "sweep value out of range": (["sweep", "TINY", "--lever", "revenue_share", "--values", "2"],
                                 "--values 2 (command line): 2 is outside revenue_share's range "
                                 "[0, 1]"),
    "sweep repeated values": (["sweep", "TINY", "--lever", "revenue_share", "--values", "0.2",
                               "0.2"], "give each value once"),
    "sweep without values": (["sweep", "TINY", "--lever", "revenue_share"],
                             "required: --values"),
    "scheduler not an address": (["run", "TINY", "--scheduler", "my cluster"],
                                 "--scheduler must be 'synchronous', 'local' or a Dask scheduler "
                                 "address"),
    "show unknown design": (["designs", "--show", "nope"], "--show 'nope': not a shipped design"),
    "port out of range": (["dashboard", "--port", "70000"],
                          "argument --port: must be an integer from 1 to 65535, got 70000"),
    "port not a number": (["dashboard", "--port", "http"],
                          "argument --port: must be an integer from 1 to 65535, got 'http' (str)"),
    "calibrate unknown parameter": (["calibrate", "--parameters", "choice.nope", "--targets",
                                     "forgone_care_rate"],
                                    "--parameters: unknown parameter 'choice.nope'"),
    "calibrate bad prior": (["calibrate", "--parameters", "choice.asc_self_care=2", "--targets",
                             "forgone_care_rate"], "--parameters takes NAME=LOW:HIGH"),
    "calibrate prior outside range": (["calibrate", "--parameters", "choice.asc_self_care=2:99",
                                       "--targets", "forgone_care_rate"],
                                      "prior of choice.asc_self_care = (2, 99) is outside"),
    "calibrate unknown fact": (["calibrate", "--parameters", "choice.asc_self_care",
                                "--targets", "no_such_fact"],
                               "--targets: unknown fact(s) ['no_such_fact']"),
    "calibrate budget 0": (["calibrate", "--parameters", "choice.asc_self_care", "--targets",
                            "forgone_care_rate", "--budget", "0"],
                           "argument --budget: must be an integer >= 1, got 0"),
    "calibrate dest not parquet": (["calibrate", "--parameters", "choice.asc_self_care",
                                    "--targets", "forgone_care_rate", "--dest", "post.csv"],
                                   "--dest 'post.csv': the file name must end in .parquet"),
    "calibrate unknown preset": (["calibrate", "--preset", "mars", "--parameters",
                                  "choice.asc_self_care", "--targets", "forgone_care_rate"],
                                 "argument --preset: invalid choice: 'mars'"),
    "panel bad package": (["panel", "--package", "free_lunch", "--out", "p"],
                          "argument --package: invalid choice: 'free_lunch'"),
    "panel one county": (["panel", "--counties", "1", "--out", "p"],
                         "argument --counties: must be an integer from 2 to 3000, got 1"),
    "panel years not a number": (["panel", "--years", "two", "--out", "p"],
                                 ("argument --years: must be an integer from 2 to "
                                  "100, got 'two' (str)")),
    "panel adoption": (["panel", "--adoption", "staggered", "--out", "p"],
                       "argument --adoption: invalid choice: 'staggered'"),
    "panel scale zero": (["panel", "--scale", "0", "--out", "p"],
                         ("argument --scale: must be a number of residents per "
                          "simulated patient in [1, 10000], got '0'")),
    "panel out folder missing": (["panel", "--out", "no/such/dir/p"],
                                 "--out 'no/such/dir/p': the folder 'no/such/dir' does not exist"),
    "panel without --out": (["panel"], "the following arguments are required: --out"),
}


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_arguments_exit_2_with_one_line(case, tiny_design, tmp_path, capsys):
    argv, fragment = BAD_ARGS[case]
    argv = [str(tiny_design) if a == "TINY" else str(tmp_path / "r.html") if a == "OUT.html"
            else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_command_line_errors_do_not_blame_the_design_file(tiny_design, capsys):
    # the typo is on the command line: the message must not name the file or its [levers]
    assert main(["sweep", str(tiny_design), "--lever", "revenu_share", "--values", "0.5"]) == 2
    err = capsys.readouterr().err
    assert str(tiny_design) not in err and "[levers]" not in err, err


def test_help_shows_percent_signs_once():
    for command in ("run", "calibrate"):
        text = subprocess.run([SCRIPT, command, "--help"], capture_output=True, text=True,
                              check=True).stdout
        assert "%%" not in text, text
        assert "% interval" in text


def test_shorter_days_moves_the_reform_into_the_run_and_says_so(capsys):
    # revenue_sharing starts its reform on day 365: --days 60 alone used to exit 2
    assert main(["run", "revenue_sharing", "--days", "6", "--seeds", "1", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert ("note: revenue_sharing: the file starts the reform on day 365, after the 6-day "
            "horizon: it starts on day 3 instead (half the horizon; --reform-day N chooses "
            "another day)") in captured.err
    assert "mean over 1 seed, no interval" in captured.out  # not "1 seeds"


def test_horizon_before_the_end_of_a_ramp_is_said(capsys):
    assert main(["run", "consortium_budget", "--days", "5", "--reform-day", "0", "--seeds",
                 "1", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert ("the run ends on day 5, before the ramp of consortium_budget (0% of the way from 0 "
            "to 1) finishes") in err
    assert "--days 730 --reform-day 0 runs it to the end" in err


def test_console_script_exit_codes_and_help(tiny_design):
    ok = subprocess.run([SCRIPT, "designs"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    assert ok.stdout.split() == shipped_designs()
    bad = subprocess.run([SCRIPT, "validate", str(tiny_design.with_name("nope.toml"))],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "no such file" in bad.stderr
    h = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=False)
    assert h.returncode == 0 and h.stdout.startswith("usage: referral-lab")


@pytest.mark.parametrize("cmd", ["designs", "validate", "run", "compare", "sweep", "dashboard",
                                 "calibrate", "panel"])
def test_help_on_each_subcommand(cmd, capsys):
    assert main([cmd, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: referral-lab {cmd}")


def test_internal_error_exits_1_without_traceback(monkeypatch, capsys):
    import abm.apps.cli

    def boom(args):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(abm.apps.cli.COMMANDS, "designs", boom)
    assert main(["designs"]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err and "Traceback" not in err
    assert main(["--debug", "designs"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_designs_and_validate(capsys):
    assert main(["designs"]) == 0
    assert capsys.readouterr().out.split() == shipped_designs()
    assert main(["validate", *shipped_designs()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(shipped_designs()) and all(line.startswith("ok: ") for line in out)


def test_show_prints_a_valid_starting_file(tmp_path, capsys):
    assert main(["designs", "--show", "revenue_sharing"]) == 0
    path = tmp_path / "mine.toml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["validate", str(path)]) == 0


def test_run_prints_effects_and_writes_runs(tiny_design, tmp_path, capsys):
    out = tmp_path / "runs.csv"
    assert main(["run", str(tiny_design), "--seeds", "1", "2", "--out", str(out),
                 "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "Downward referral rate from county hospitals" in text
    assert "mean over 2 seeds, 95% interval" in text
    runs = pd.read_csv(out)
    assert set(runs["scenario"]) == {"status quo", "tiny"}
    assert set(runs["seed"]) == {1, 2}


def test_sweep_runs_each_value(tiny_design, tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    assert main(["sweep", str(tiny_design), "--lever", "revenue_share", "--values", "0", "1",
                 "--seeds", "3", "--out", str(out), "--no-progress"]) == 0
    runs = pd.read_csv(out)
    assert set(runs["scenario"]) == {"status quo", "revenue_share=0", "revenue_share=1"}
    after = runs[(runs["window"] == "after_reform") & (runs["grouping"] == "county")]
    after = after.set_index("scenario")
    # the design also switches the information platform on, so both values move the rate
    assert after.loc["revenue_share=1", "downward_referral_rate"] > after.loc[
        "status quo", "downward_referral_rate"]
    assert "revenue_share=1: change against the status quo" in capsys.readouterr().out


def test_compare_writes_a_report(tiny_design, tiny_design_b, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["compare", str(tiny_design), str(tiny_design_b), "--seeds", "1", "--out",
                 str(out), "--no-progress"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count('data-figure="') == 5  # effects, time paths, budget, equity, capacity
    for group in ("remoteness quintile 1 (nearest to care)", "remoteness quintile 5 (most "
                  "remote)", "resident scheme", "urban employee scheme"):
        assert html.count(group) >= 8, group  # one row per outcome and design
    assert "tiny_b" in html and "Provenance" in html
    assert f"wrote {out}" in capsys.readouterr().out


POSTERIOR = """title = "Tiny design over posterior draws"
preset = "small"
days = 20
reform_day = 10

[parameters]
"setting.scale" = 150.0

[levers]
revenue_share = 0.8
information_platform = 1.0

[replications]
seeds = [1, 2]
posterior_draws = 2
"""


def test_run_over_posterior_draws_pairs_seed_and_draw(tmp_path, capsys):
    design = tmp_path / "draws.toml"
    design.write_text(POSTERIOR, encoding="utf-8")
    out = tmp_path / "runs.csv"
    assert main(["run", str(design), "--out", str(out), "--no-progress"]) == 0
    assert "mean over 2 seeds x 2 posterior draws, 95% interval" in capsys.readouterr().out
    runs = pd.read_csv(out)
    county = runs[(runs["grouping"] == "county") & (runs["window"] == "after_reform")]
    assert sorted(county["draw"].unique()) == ["draw0", "draw1"]
    # every scenario has each (draw, seed) pair once: paired on common random numbers
    pairs = county.groupby("scenario")[["draw", "seed"]].apply(
        lambda g: sorted(map(tuple, g.to_numpy().tolist())))
    assert pairs["status quo"] == pairs["draws"] == [
        ("draw0", 1), ("draw0", 2), ("draw1", 1), ("draw1", 2)]
    # the draws differ in parameters, so the status quo differs between draws on one seed
    sq = county[county["scenario"] == "status quo"].set_index(["draw", "seed"])
    assert sq.loc[("draw0", 1), "primary_outpatient_share"] != sq.loc[
        ("draw1", 1), "primary_outpatient_share"]
    from abm.apps.designs import paired_effects

    eff = paired_effects(runs, baseline="status quo", metrics=["oop_per_capita"])
    d = county.set_index(["scenario", "draw", "seed"])["oop_per_capita"]
    by_hand = (d["draws"] - d["status quo"]).mean()
    assert eff["n_seeds"].item() == 4
    assert eff["effect"].item() == pytest.approx(by_hand, rel=1e-12)


def test_calibrate_prints_the_summary_and_writes_the_posterior(tmp_path, capsys):
    dest = tmp_path / "post.parquet"
    assert main(["calibrate", "--preset", "small", "--parameters", "choice.asc_self_care=-10:10",
                 "--targets", "forgone_care_rate", "--budget", "8", "--dest", str(dest),
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "choice.asc_self_care" in out and "median" in out and "q95" in out
    draws = pd.read_parquet(dest)
    assert "choice.asc_self_care" in draws.columns
    assert draws["choice.asc_self_care"].between(-10, 10).all()
    assert (draws["weight"] > 0).all() and draws["weight"].sum() == pytest.approx(1.0)


def test_panel_writes_panel_and_truth(tmp_path, capsys):
    out = tmp_path / "panel"
    assert main(["panel", "--counties", "2", "--years", "2", "--start-year", "2018", "--scale",
                 "2000", "--seed", "3", "--out", str(out), "--no-progress"]) == 0
    panel = pd.read_csv(out / "panel.csv")
    truth = pd.read_csv(out / "truth.csv")
    assert len(panel) == 4 and set(panel["year"]) == {2018, 2019}
    assert (panel["cohort"] == 2019).any()  # a panel without a treated county is refused
    assert (truth["effect"] == truth["observed"] - truth["counterfactual"]).all()
    # never-treated county-years have no effect: observed is the counterfactual
    assert (truth.loc[truth["cohort"] == 0, "effect"] == 0).all()
    assert "wrote" in capsys.readouterr().out


def test_compare_over_posterior_draws_says_so(tmp_path):
    design = tmp_path / "draws.toml"
    # a larger county than the run test's, so every outcome has events to plot
    design.write_text(POSTERIOR.replace("150.0", "100.0"), encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["compare", str(design), "--seeds", "1", "--days", "40", "--reform-day", "20",
                 "--out", str(out), "--no-progress"]) == 0
    html = " ".join(out.read_text(encoding="utf-8").split())
    assert "the same 2 draws of the model's calibrated parameters" in html
    assert "<th>posterior draws</th><td>2 draws of the calibrated posterior of small" in html
    assert "seed x draw pairs" in html
    assert "4 simulations" in html  # status quo and the design x 1 seed x 2 draws
