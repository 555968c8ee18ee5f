"""Build and execute notebooks/04_reform_panel.ipynb (a model reform panel with a known truth).

Run from the project root: ``.venv/bin/python notebooks/build_04_reform_panel.py``.
"""

from _build import code, execute_and_write, md

cells = [
    md("# A reform panel with a known truth\n\n"
       "`abm.reform_panel` draws heterogeneous counties (`datasets/county_distribution.csv`), "
       "gives each a first reform year, and runs every county with the `compact_consortium` "
       "package from that year and without it, on the same random numbers. The observed panel "
       "looks like the county panels applied studies estimate on; the difference of the two arms "
       "is the true effect of every county-year. This notebook keeps the panel tiny (4 counties, "
       "3 years, 1 simulated patient per 2,000 residents) so that it runs in a minute; "
       "`papers/estimator_lab` has the national-timing panel."),
    code("import abm\n"
         "import econometrics as em\n\n"
         "rp = abm.reform_panel(4, years=3, start_year=2018, adoption={2019: 0.5, 2020: 0.25},\n"
         "                      scale=2000, seed=4, scheduler='synchronous', progress=False)\n"
         "rp.panel[['county', 'year', 'cohort', 'primary_outpatient_share', 'residents']]"),
    md("## The truth\n\n"
       "Before a county's reform year both arms are the same run, so the effect is exactly "
       "zero; from the reform year on it is the reform's effect on that county in that year."),
    code("t = rp.truth[rp.truth.outcome == 'primary_outpatient_share']\n"
         "t.pivot(index='county', columns='year', values='effect').round(4)"),
    md("## Estimates against the truth\n\n"
       "The panel goes straight into the estimators; `true_att` gives the estimand of each "
       "aggregation of `att_gt` with the same weights."),
    code("cols = dict(y='primary_outpatient_share', unit='county', time='year', cohort='cohort')\n"
         "fit = em.att_gt(rp.panel, control='notyet', **cols)\n"
         "est = fit.aggregate('simple').overall\n"
         "print(f'Callaway-Sant\\'Anna ATT {est.estimate:.4f} (SE {est.std_error:.4f}); '\n"
         "      f'true ATT {rp.true_att(\"primary_outpatient_share\"):.4f}')"),
    code("imp = em.event_study(rp.panel, estimator='imputation', **cols).tidy()\n"
         "imp.set_index('event_time')[['estimate', 'std_error']].join(\n"
         "    rp.true_att('primary_outpatient_share', 'dynamic'))"),
    md("How close one panel's estimate comes to the truth, against its own standard error "
       "(computed from the outputs above):"),
    code("truth = rp.true_att('primary_outpatient_share')\n"
         "lo, hi = est.estimate - 1.96 * est.std_error, est.estimate + 1.96 * est.std_error\n"
         "miss = (est.estimate - truth) / est.std_error\n"
         "print(f'95% interval {lo:.4f} to {hi:.4f} ({hi - lo:.4f} wide); it '\n"
         "      f'{\"covers\" if lo <= truth <= hi else \"misses\"} the true ATT {truth:.4f}; '\n"
         "      f'the estimate is {abs(miss):.1f} standard errors '\n"
         "      f'{\"above\" if miss > 0 else \"below\"} it.')"),
    md("One panel of four counties cannot say how often that happens: the estimator lab "
       "(`econometrics.estimator_lab` with `abm.ReformPanel.dgp`) repeats this over many panels "
       "and reports bias and coverage with their Monte Carlo standard errors "
       "(`papers/estimator_lab`)."),
]

if __name__ == "__main__":
    execute_and_write(cells, "04_reform_panel.ipynb")
