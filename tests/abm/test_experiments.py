"""abm.sweep on a real Dask cluster: resume after a kill, identical results for 1 and 2 workers,
the Parquet store, failures, bad input; lever_effects and the SLURM example built on it."""

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client

import abm
from abm.runs.experiments import RunSpec, SweepError, _show_progress, local_cluster
from abm.runs.levers import LEVERS, lever_effects

ROOT = Path(__file__).resolve().parents[2]
DAYS = 20
SMALL = abm.preset("small")
TWO = {"base": SMALL, "shared": SMALL.replace(**{"incentives.revenue_share": 0.4})}


@pytest.fixture(scope="module")
def client():
    """One local cluster of two worker processes for the module (starting one takes seconds)."""
    with local_cluster(2) as cluster, Client(cluster, set_as_default=False) as c:
        yield c


def stored(store: Path) -> dict[str, tuple[int, int]]:
    """Stored run files (not temporary ones) -> (inode, mtime), to tell rewritten files apart."""
    return {f"{p.parent.name}/{p.name}": (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(store.glob("*/*.parquet")) if not p.name.startswith("_")}


def file_bytes(store: Path) -> dict[str, bytes]:
    return {name: (store / name).read_bytes() for name in stored(store)}


def test_sweep_runs_on_the_cluster_it_is_given(client, monkeypatch):
    # A Client or a cluster object given as scheduler runs the sweep: no fresh local cluster
    # (whose workers start, import and load the compiled model again) is started beside it.
    from abm.runs import experiments

    def no_new_cluster(*args, **kwargs):
        raise AssertionError("sweep started a local cluster although given one")

    monkeypatch.setattr(experiments, "local_cluster", no_new_cluster)
    for scheduler in (client, client.cluster):
        df = abm.sweep({"base": SMALL}, seeds=[1], days=5, scheduler=scheduler, progress=False)
        assert df["seed"].tolist() == [1]


def test_sweep_rows_equal_plain_simulate_runs(client):
    df = abm.sweep(TWO, seeds=[3, 4], days=DAYS, scheduler=client, windows=[(0, 10), (5, 20)],
                   progress=False)
    assert list(df.columns[:7]) == ["scenario", "seed", "run_id", "period", "first_day",
                                    "end_day", "incentives.revenue_share"]
    assert list(df.columns[7:]) == list(abm.METRICS)
    assert df[["scenario", "seed", "period"]].values.tolist() == [
        [s, seed, k] for s in TWO for seed in (3, 4) for k in (0, 1)]
    for (name, seed, first, end), row in df.set_index(
            ["scenario", "seed", "first_day", "end_day"]).iterrows():
        res = abm.simulate(TWO[name], days=DAYS, seed=seed)
        expected = res.summary(window=(first, end))
        assert row["run_id"] == res.keys()["run_id"]
        pd.testing.assert_series_equal(row[list(abm.METRICS)].astype(float), expected,
                                       check_names=False, check_exact=True)


def test_differing_parameters_include_levers_of_a_reform_only_one_scenario_has(tmp_path):
    reform = SMALL.replace(**{"reform.day": 5, "reform.incentives.revenue_share": 0.8})
    df = abm.sweep({"base": SMALL, "reform": reform}, seeds=[1], days=10, out=tmp_path,
                   scheduler="synchronous", progress=False)
    assert list(df.columns[3:5]) == ["reform.day", "reform.incentives.revenue_share"]
    # the scenario without a reform has no reform levers and no reform day: missing values
    assert df["reform.incentives.revenue_share"].isna().tolist() == [True, False]
    assert df["reform.day"].isna().tolist() == [True, False]
    assert (df.loc[1, "reform.day"], df.loc[1, "reform.incentives.revenue_share"]) == (5, 0.8)
    pd.testing.assert_frame_equal(abm.load_sweep(tmp_path), df, check_exact=True)
    reversed_order = abm.sweep({"reform": reform, "base": SMALL}, seeds=[1], days=10,
                               out=tmp_path, scheduler="synchronous", progress=False)
    assert reversed_order.attrs["computed"] == 0
    assert list(reversed_order.columns[3:5]) == ["reform.day", "reform.incentives.revenue_share"]


def test_one_and_two_workers_store_identical_bytes(client, tmp_path):
    scen = [SMALL, SMALL.replace(**{"incentives.information_platform": 1.0})]
    one = abm.sweep(scen, seeds=[1, 2, 3], days=DAYS, out=tmp_path / "one", n_workers=1,
                    progress=False)
    # batches of one on two workers: completion order differs from submission order
    two = abm.sweep(scen, seeds=[1, 2, 3], days=DAYS, out=tmp_path / "two", scheduler=client,
                    batch_size=1, progress=False)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    a, b = file_bytes(tmp_path / "one"), file_bytes(tmp_path / "two")
    assert len(a) == 2 * 6 and a == b


def test_resume_after_kill_computes_exactly_the_missing_runs(client, tmp_path):
    store, seeds, n_runs = tmp_path / "store", list(range(1, 17)), 16
    script = tmp_path / "sweep_job.py"
    script.write_text(textwrap.dedent(f"""
        import abm
        if __name__ == "__main__":
            abm.sweep({{"base": abm.preset("small")}}, seeds={seeds}, days=40,
                      out={str(store)!r}, n_workers=1, batch_size=1, progress=False)
    """))
    # Own session, so the kill takes the sweep and its Dask worker processes together.
    job = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while sum(name.startswith("summary/") for name in stored(store)) < 3:
            assert job.poll() is None, f"sweep job ended early: {job.stderr.read().decode()}"
            assert time.monotonic() < deadline, "sweep job stored nothing within 300 s"
            time.sleep(0.02)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
        job.stderr.close()
    before = stored(store)
    done = sum(name.startswith("summary/") for name in before)
    print(f"{done} of {n_runs} runs stored before the kill")
    assert 3 <= done < n_runs, f"{done} runs stored before the kill: nothing left to resume"

    resumed = abm.sweep({"base": SMALL}, seeds=seeds, days=40, out=store, scheduler=client,
                        progress=False)
    after = stored(store)
    assert resumed.attrs["computed"] == n_runs - done
    assert {k: v for k, v in after.items() if k in before} == before  # stored runs untouched
    assert sum(name.startswith("summary/") for name in after) == n_runs

    clean = abm.sweep({"base": SMALL}, seeds=seeds, days=40, out=tmp_path / "clean",
                      scheduler=client, progress=False)
    pd.testing.assert_frame_equal(resumed, clean, check_exact=True)
    pd.testing.assert_frame_equal(abm.load_sweep(store), clean, check_exact=True)
    assert clean.attrs["computed"] == n_runs


def test_half_written_temporary_file_is_ignored_and_overwritten(client, tmp_path):
    store = tmp_path / "store"
    key = RunSpec(SMALL, 5, DAYS, "agents").key
    (store / "summary").mkdir(parents=True)
    (store / "daily").mkdir()
    junk = b"PAR1 half written"
    for sub in ("summary", "daily"):
        (store / sub / f"_{key}.parquet").write_bytes(junk)
    stray = store / "summary" / "_0123456789abcdef.parquet"  # a temp file of some other run
    stray.write_bytes(junk)

    df = abm.sweep({"base": SMALL}, seeds=[5], days=DAYS, out=store, patients="agents",
                   scheduler=client, progress=False)
    assert df.attrs["computed"] == 1
    assert not (store / "summary" / f"_{key}.parquet").exists()
    assert (store / "summary" / f"{key}.parquet").read_bytes()[:4] == b"PAR1"
    pd.testing.assert_frame_equal(abm.load_sweep(store), df, check_exact=True)
    # pandas skips names starting with "_" when reading the folder as one dataset
    assert len(pd.read_parquet(store / "summary")) == 1 and stray.exists()


def test_failing_run_is_reported_and_others_are_stored(client, tmp_path):
    # a run that raises inside the worker: parameters are checked when built, so corrupt a copy
    # behind the check (as a stale pickle or a bug in a rule could); the model's build refuses it
    setting = copy.copy(SMALL.setting)
    object.__setattr__(setting, "preset", "atlantis")
    bad = copy.copy(SMALL)
    object.__setattr__(bad, "setting", setting)
    with pytest.raises(SweepError, match=r"2 of 6 runs failed") as err:
        abm.sweep({"ok": SMALL, "bad": bad, "also_ok": TWO["shared"]}, seeds=[1, 2], days=DAYS,
                  out=tmp_path, scheduler=client, progress=False)
    assert "scenario 'bad', seed 1" in str(err.value) and "atlantis" in str(err.value)
    failures = err.value.failures
    assert failures[["scenario", "seed"]].values.tolist() == [["bad", 1], ["bad", 2]]
    assert failures["error"].str.contains("Traceback").all()
    assert err.value.frame["scenario"].tolist() == ["ok", "ok", "also_ok", "also_ok"]
    recorded = json.loads((tmp_path / "failures.json").read_text())
    assert [(r["scenario"], r["seed"]) for r in recorded] == [("bad", 1), ("bad", 2)]
    with pytest.raises(FileNotFoundError, match="2 of 6 runs"):
        abm.load_sweep(tmp_path)
    assert len(abm.load_sweep(tmp_path, partial=True)) == 4


@pytest.mark.parametrize("kwargs, error, match", [
    ({"scenarios": {}}, ValueError, "scenarios is empty"),
    ({"scenarios": []}, ValueError, "scenarios is empty"),
    ({"scenarios": SMALL}, TypeError, "single Params"),
    ({"scenarios": [("a", SMALL), ("a", SMALL)]}, ValueError, "duplicate scenario name 'a'"),
    ({"scenarios": {"a": {"incentives.revenue_share": 0.4}}}, TypeError, "'a' must be an abm"),
    ({"seeds": [1, 2.5]}, TypeError, r"seeds\[1\] must be an integer >= 0, got 2.5"),
    ({"seeds": ["1"]}, TypeError, r"seeds\[0\] must be an integer >= 0, got '1'"),
    ({"seeds": [True]}, TypeError, r"seeds\[0\] must be an integer >= 0, got True"),
    ({"seeds": [-1]}, ValueError, r"seeds\[0\] must be an integer >= 0, got -1"),
    ({"seeds": 3}, TypeError, "seeds must be a sequence"),
    ({"seeds": []}, ValueError, "seeds is empty"),
    ({"seeds": [1, 1]}, ValueError, r"repeated: \[1\]"),
    ({"days": 0}, ValueError, "days must be an integer from 1 to 36500"),
    ({"days": 10**6}, ValueError, "days must be an integer from 1 to 36500"),
    ({"windows": [(0, 5), (0, 5)]}, ValueError, r"windows gives \(0, 5\) twice"),
    ({"windows": [(0, 99)]}, ValueError, "windows must be"),
    ({"windows": 0}, ValueError, "windows as a period length"),
    ({"patients": "cells"}, ValueError, "patients must be one of"),
    ({"n_workers": 0}, ValueError, "n_workers must be an integer >= 1, got 0"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be an integer >= 1, got 2.5"),
    ({"scheduler": 8786}, TypeError, "scheduler must be None"),
])
def test_bad_input_fails_before_running(tmp_path, kwargs, error, match):
    args = {"scenarios": {"a": SMALL}, "seeds": [1], "days": DAYS, "out": tmp_path / "s",
            "scheduler": "synchronous", "progress": False, **kwargs}
    with pytest.raises(error, match=match):
        abm.sweep(args.pop("scenarios"), **args)
    assert not (tmp_path / "s").exists()


def test_out_not_writable(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ValueError, match="is not a writable directory"):
        abm.sweep({"a": SMALL}, seeds=[1], days=DAYS, out=blocker / "store", progress=False)


def test_unreachable_scheduler_fails_at_once(tmp_path):
    with pytest.raises(ConnectionError, match=r"scheduler='tcp://127.0.0.1:9': no Dask"):
        abm.sweep({"a": SMALL}, seeds=[1], days=DAYS, out=tmp_path, progress=False,
                  scheduler="tcp://127.0.0.1:9", connect_timeout=1)
    assert not list((tmp_path / "summary").iterdir())


def test_progress_only_when_interactive(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    assert not _show_progress(True)  # pytest captures stderr: not interactive
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert _show_progress(True) and not _show_progress(False)


def test_lever_effects_equal_paired_simulate_runs(client):
    lever = "information_platform"
    df = lever_effects(SMALL, seeds=[2], days=DAYS, levers=[lever], reform_day=5,
                       scheduler=client)
    base = abm.simulate(SMALL, days=DAYS, seed=2).summary(window=(5, DAYS))
    p = SMALL.replace(**{"reform.day": 5, f"reform.incentives.{lever}": 1.0})
    reform = abm.simulate(p, days=DAYS, seed=2).summary(window=(5, DAYS))
    metric = LEVERS[lever].metric
    row = df.iloc[0]
    assert (row["lever"], row["metric"], row["seed"]) == (lever, metric, 2)
    assert (row["baseline"], row["reform"]) == (base[metric], reform[metric])


def test_slurm_example_renders_a_job_script(tmp_path):
    pytest.importorskip("dask_jobqueue")
    import importlib.util

    spec = importlib.util.spec_from_file_location("slurm_sweep",
                                                  ROOT / "docs" / "slurm_sweep.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    # the scheduler runs here, on loopback; on a cluster it listens on the compute network
    loopback = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
    with example.slurm_cluster(scheduler_options=loopback,
                               log_directory=str(tmp_path / "logs")) as cluster:
        script = cluster.job_script()
    lines = script.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    for directive in (f"#SBATCH -o {tmp_path}/logs/abm-sweep-%J.out", "#SBATCH -p normal",
                      "#SBATCH -A my_project", "#SBATCH -n 1", "#SBATCH --cpus-per-task=1",
                      "#SBATCH --mem=4G", "#SBATCH -t 04:00:00"):
        assert directive in lines, f"{directive!r} missing from:\n{script}"
    assert "distributed.cli.dask_worker" in script and "--nthreads 1" in script
