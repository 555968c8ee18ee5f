"""Set the baseline's free constants so x_county's pre-reform year matches its calibration targets.

Not a statistical calibration (that is ``abm.calibrate``'s job, with uncertainty): a few rounds of
damped fixed-point updates, each constant moved by the gap of the one target it mainly sets, on
x_county at scale 20 (year 2 of a 2-year run, mean of two seeds). Prints the values to copy into
``abm/inputs/params.py`` and the targets reached.

    .venv/bin/python docs/scripts/calibrate_baseline.py
"""

from __future__ import annotations

import math

import numpy as np

from abm import preset, simulate
from abm.inputs import data

SEEDS = (1, 2)
SCALE = 20.0
DAYS = 730


def logit(x: float) -> float:
    """Log-odds of a probability."""
    return math.log(x / (1.0 - x))


def run(p) -> dict[str, float]:
    """Mean of the year-2 summaries over the seeds."""
    rows = [simulate(p, days=DAYS, seed=s).summary(window=(365, DAYS)) for s in SEEDS]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0].index}


def main(rounds: int = 5) -> None:
    """Iterate and print."""
    t = {k: data.target(k) for k in ("visits_per_capita", "forgone_care_rate",
                                     "admissions_per_capita", "upward_referral_rate",
                                     "downward_referral_rate", "county_internal_rate")}
    t["primary_outpatient_share"] = 0.55  # middle of the 0.50-0.60 band
    base = preset("x_county").replace(**{"setting.scale": SCALE})
    d, c, rf = base.demand, base.choice, base.referral
    x = {"episode_rate": d.episode_rate, "asc_self_care": c.asc_self_care,
         "acute_scale": 1.0, "up_margin": rf.up_margin, "down_intercept": rf.down_intercept,
         "asc_primary": c.asc[3], "asc_outside": c.asc_outside}
    probs, probs_c = np.array(d.severity_probs), np.array(d.severity_probs_chronic)

    def params(x):
        def scaled(pr):
            q = pr.copy()
            q[2:] *= x["acute_scale"]
            q[0] = 1.0 - q[1:].sum()
            return tuple(float(v) for v in q)
        return base.replace(**{
            "demand.episode_rate": x["episode_rate"], "choice.asc_self_care": x["asc_self_care"],
            "demand.severity_probs": scaled(probs), "demand.severity_probs_chronic": (
                float(1.0 - probs_c[1] - probs_c[2:].sum() * x["acute_scale"]), float(probs_c[1]),
                *(float(v) for v in probs_c[2:] * x["acute_scale"])),
            "referral.up_margin": x["up_margin"], "referral.down_intercept": x["down_intercept"],
            "choice.asc": (0.0, 0.0, 0.0, x["asc_primary"], x["asc_primary"]),
            "choice.asc_outside": x["asc_outside"]})

    for k in range(rounds):
        s = run(params(x))
        print(f"round {k}: " + ", ".join(f"{m}={s[m]:.4f}" for m in t))
        x["episode_rate"] *= (t["visits_per_capita"] / s["visits_per_capita"]) ** 0.8
        x["asc_self_care"] += 0.8 * (logit(t["forgone_care_rate"]) - logit(s["forgone_care_rate"]))
        x["acute_scale"] *= (t["admissions_per_capita"] / s["admissions_per_capita"]) ** 0.8
        x["up_margin"] -= 0.15 * (logit(t["upward_referral_rate"])
                                  - logit(s["upward_referral_rate"]))
        x["down_intercept"] += 0.8 * math.log(t["downward_referral_rate"]
                                              / max(s["downward_referral_rate"], 1e-4))
        x["asc_primary"] += 0.8 * (logit(t["primary_outpatient_share"])
                                   - logit(s["primary_outpatient_share"]))
        x["asc_outside"] -= 0.8 * (logit(t["county_internal_rate"])
                                   - logit(s["county_internal_rate"]))
    print({k: round(v, 4) for k, v in x.items()})
    p = params(x)
    print("severity_probs", tuple(round(v, 4) for v in p.demand.severity_probs))
    print("severity_probs_chronic", tuple(round(v, 4) for v in p.demand.severity_probs_chronic))


if __name__ == "__main__":
    main()
