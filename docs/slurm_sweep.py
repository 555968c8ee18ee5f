"""Run an ``abm.sweep`` on a SLURM cluster with dask-jobqueue (see docs/experiments.md).

Install the extra once on the cluster's login node: ``pip install
referral-incentives-lab[cluster]`` (or ``make env``, which installs every extra). Edit
``slurm_cluster`` for your site (partition, account, memory, time limit, network interface), then
run this file on the login node, inside ``tmux`` or ``screen`` so the sweep outlives your SSH
session::

    python docs/slurm_sweep.py sweeps/levers

Each SLURM job is one Dask worker process with one thread (one run at a time); the sweep on the
login node hands out batches of runs and writes every finished run to the store, so if the login
session dies, rerunning the same command computes only the missing runs.
``tests/abm/test_experiments.py`` renders this configuration's job script without SLURM.
"""

import sys

import abm
from abm.runs.levers import LEVERS


def slurm_cluster(**overrides):
    """Return a ``dask_jobqueue.SLURMCluster`` with the site's configuration for sweeps."""
    from dask_jobqueue import SLURMCluster

    options = dict(
        queue="normal",                   # partition (#SBATCH -p)
        account="my_project",             # account charged (#SBATCH -A)
        cores=1, processes=1,             # one worker process, one thread: one run at a time
        job_cpu=1,                        # #SBATCH --cpus-per-task
        memory="4GiB",                    # x_county runs with arrays need well under 2 GiB
        walltime="04:00:00",              # a job runs many batches; the sweep resubmits none
        job_name="abm-sweep",
        log_directory="slurm-logs",
        worker_extra_args=["--lifetime", "230m", "--lifetime-stagger", "5m"],  # leave cleanly
        interface=None,                   # e.g. "ib0" if the login node has several networks
        scheduler_options={"dashboard_address": ":0"},
    )
    options.update(overrides)
    return SLURMCluster(**options)


def main(out: str) -> None:
    """Sweep every lever of the reform experiment over 20 seeds on 10 SLURM jobs."""
    base = abm.preset("x_county")
    scenarios = {"baseline": base, **{
        name: base.replace(**{"reform.day": 365, f"reform.incentives.{name}": lever.reform_value})
        for name, lever in LEVERS.items()}}
    with slurm_cluster() as cluster:
        cluster.scale(jobs=10)            # or cluster.adapt(minimum_jobs=0, maximum_jobs=50)
        frame = abm.sweep(scenarios, seeds=range(20), days=730, windows=365, out=out,
                          scheduler=cluster)
    print(frame.groupby(["scenario", "period"])["downward_referral_rate"].mean())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sweeps/levers")
