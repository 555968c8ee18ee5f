"""Build and execute notebooks/01_quickstart.ipynb.

Run from the project root: ``.venv/bin/python notebooks/build_01_quickstart.py``.

Set QUICKSTART_PATIENTS=arrays and QUICKSTART_PRESET=x_county to execute it at full size.
"""

from _build import code, execute_and_write, md

cells = [
    ("md", """# Quickstart: the referral incentives model

A Mesa model of two-way referral in a county medical consortium (see `docs/odd.md`). Here we
run a small county for a year, look at outcomes by tier, switch on a reform at a day and
compare it with the baseline on the same random numbers."""),
    ("code", """import os
import abm
import matplotlib.pyplot as plt
import seaborn as sns

PRESET = os.environ.get("QUICKSTART_PRESET", "small")       # "x_county" for a full county
PATIENTS = os.environ.get("QUICKSTART_PATIENTS", "agents")   # "arrays" for large runs
DAYS = 365
params = abm.preset(PRESET)
if PATIENTS == "arrays":
    params = params.replace(**{"setting.scale": 1.0})
params.setting"""),
    ("md", "## Run the baseline"),
    ("code", """base = abm.simulate(params, days=DAYS, seed=1, patients=PATIENTS)
base.summary().round(4)"""),
    ("md", """An outcome shown as `NaN` is a ratio with nothing to divide by in this run: the cell
below names each one and checks the reason."""),
    ("code", """summary = base.summary()
by_tier = base.by_tier().set_index("tier")
for metric in summary[summary.isna()].index:
    if metric == "downward_referral_rate_provincial":
        # the small county has no provincial hospital: no admissions there to refer down
        assert by_tier.loc["provincial", "admissions"] == 0
        print(f"{metric} is NaN: no admissions at a provincial hospital in this county")
    else:
        raise AssertionError(f"unexplained NaN: {metric}")"""),
    ("md", """The daily frame is tidy: run keys, `day`, `tier`, counters. Counters of illness
episodes and of patients (`episodes`, `forgone`, `patients`, ...) belong to the whole county,
not to a tier: they are NaN in the tier rows and filled in the `tier == "all"` rows (checked
below)."""),
    ("code", """county_only = ["episodes", "forgone", "patients", "first_contact_primary",
               "county_internal", "trust_primary_sum"]
tier_rows = base.daily.tier != "all"
assert base.daily.loc[tier_rows, county_only].isna().all().all()
assert base.daily.loc[~tier_rows, county_only].notna().all().all()
base.daily.head()"""),
    ("md", "## Outcomes by tier"),
    ("code", """tiers = base.by_tier()
tiers = tiers[tiers["tier"] != "all"]
fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
sns.barplot(data=tiers, x="tier", y="visits_per_capita", ax=axes[0], color="C0")
sns.barplot(data=tiers, x="tier", y="admissions", ax=axes[1], color="C1")
sns.barplot(data=tiers, x="tier", y="up_sent", ax=axes[2], color="C2")
for ax, title in zip(axes, ["visits per person-year", "admissions", "upward referrals sent"]):
    ax.set_title(title); ax.set_xlabel(""); ax.tick_params(axis="x", rotation=45)
fig.tight_layout()"""),
    ("md", """## Switch on a reform

A reform is a second set of incentives switched on at a day. Here: unified accounting
(revenue sharing), an information platform and a higher primary reimbursement from day 120."""),
    ("code", """reform_params = params.replace(**{
    "reform.day": 120,
    "reform.incentives.revenue_share": 0.4,
    "reform.incentives.information_platform": 0.8,
    "reform.incentives.primary_reimbursement_premium": 0.15,
})
reform = abm.simulate(reform_params, days=DAYS, seed=1, patients=PATIENTS)
before = (0, 120)
after = (120, DAYS)
import pandas as pd
pd.DataFrame({
    "baseline before": base.summary(window=before), "reform before": reform.summary(window=before),
    "baseline after": base.summary(window=after), "reform after": reform.summary(window=after),
}).round(4)"""),
    ("md", """Same seed, so both runs are identical before day 120 (common random numbers;
checked here). `downward_referral_rate_provincial` is NaN in both, as above: no provincial
hospital."""),
    ("code", """cols = ["visits", "up_sent", "down_sent"]
first_120 = base.daily.day < 120
same = (base.daily[first_120][cols].to_numpy() == reform.daily[first_120][cols].to_numpy()).all()
assert same
print("identical before day 120:", same)"""),
    ("code", """periods = pd.concat([base.periods(30), reform.periods(30)])
long = periods.melt(id_vars=["scenario", "first_day"],
                    value_vars=["primary_outpatient_share", "downward_referral_rate"])
g = sns.relplot(data=long, x="first_day", y="value", hue="scenario", col="variable",
                kind="line", facet_kws={"sharey": False}, height=3, aspect=1.3)
for ax in g.axes.flat:
    ax.axvline(120, color="grey", ls=":")"""),
    ("md", """## Inspect agents

Facilities, physicians (and, with `patients="agents"`, patients) are Mesa agents."""),
    ("code", """m = abm.ReferralModel(params, rng=1, patients=PATIENTS)
m.run_for(30)
facilities = list(m.agents_by_type[abm.Facility])[:6]
[(f.name, f.tier, round(f.capability, 2), int(f.visits)) for f in facilities]"""),
]


if __name__ == "__main__":
    execute_and_write([md(src) if kind == "md" else code(src) for kind, src in cells],
                      "01_quickstart.ipynb")
