"""The real distributed path: a sweep through a ``tcp://`` scheduler equals the same sweep run
in this process, with the scheduler and workers started by Dask's own commands, and with a
worker started by the job script that README's SLURM set-up (``docs/slurm_sweep.py``) renders.
"""

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client

import abm

ROOT = Path(__file__).resolve().parents[2]
SMALL = abm.preset("small")
SCENARIOS = {"base": SMALL, "reform": SMALL.with_reform("compact_consortium", day=40),
             "lever": SMALL.replace(**{"incentives.revenue_share": 0.4})}
SEEDS, DAYS = [1, 2, 3], 80


def stored_bytes(store: Path) -> dict[str, bytes]:
    return {f"{p.parent.name}/{p.name}": p.read_bytes() for p in sorted(store.glob("*/*.parquet"))}


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(path: Path, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            time.sleep(0.2)
    raise TimeoutError(f"{path} not written within {timeout} s")


@pytest.fixture
def dask_commands(tmp_path):
    """A scheduler and two workers started by ``dask scheduler`` / ``dask worker`` on loopback."""
    info = tmp_path / "scheduler.json"
    procs = [start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                   "--scheduler-file", str(info), cwd=tmp_path)]
    try:
        address = wait_for(info)["address"]
        procs += [start("worker", address, "--nthreads", "1", "--no-dashboard", "--host",
                        "127.0.0.1", cwd=tmp_path) for _ in range(2)]
        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=180)
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


@pytest.mark.slow
def test_sweep_through_a_tcp_scheduler_equals_the_synchronous_sweep(dask_commands, tmp_path):
    remote = abm.sweep(SCENARIOS, seeds=SEEDS, days=DAYS, scheduler=dask_commands,
                       out=tmp_path / "remote", progress=False)
    local = abm.sweep(SCENARIOS, seeds=SEEDS, days=DAYS, scheduler="synchronous",
                      out=tmp_path / "local", progress=False)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    assert remote.attrs["computed"] == local.attrs["computed"] == len(SCENARIOS) * len(SEEDS)
    assert stored_bytes(tmp_path / "remote") == stored_bytes(tmp_path / "local")


@pytest.mark.slow
def test_the_slurm_job_script_starts_a_worker_that_runs_the_sweep(tmp_path):
    """docs/slurm_sweep.py as written, except that its job script runs in bash, not sbatch."""
    pytest.importorskip("dask_jobqueue")
    spec = importlib.util.spec_from_file_location("slurm_sweep", ROOT / "docs" / "slurm_sweep.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    loopback = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
    with example.slurm_cluster(scheduler_options=loopback,
                               log_directory=str(tmp_path / "logs")) as cluster:
        script = tmp_path / "job.sh"
        script.write_text(cluster.job_script())
        job = subprocess.Popen(["bash", str(script)], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with Client(cluster, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=180)
            remote = abm.sweep(SCENARIOS, seeds=SEEDS[:1], days=DAYS, scheduler=cluster,
                               progress=False)
        finally:
            job.terminate()
            job.wait(timeout=30)
    local = abm.sweep(SCENARIOS, seeds=SEEDS[:1], days=DAYS, scheduler="synchronous",
                      progress=False)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
