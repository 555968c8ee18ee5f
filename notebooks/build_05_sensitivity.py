"""Build and execute notebooks/05_sensitivity.ipynb (pre-trends and HonestDiD sensitivity).

Run from the project root: ``.venv/bin/python notebooks/build_05_sensitivity.py``.
"""

from _build import code, execute_and_write, md

cells = [
    md("# How robust is an event study to violations of parallel trends?\n\n"
       "A pre-trend test that does not reject is weak evidence for parallel trends: it has low "
       "power, and testing for pre-trends distorts later inference. Rambachan and Roth (2023) "
       "instead ask how large a violation of parallel trends would have to be to overturn the "
       "conclusion. This notebook runs their sensitivity analysis (`econometrics.honest_did`) "
       "on a public panel: Medicaid expansion and health insurance coverage of low-income "
       "childless adults in US states, the example of the HonestDiD package's README "
       "(data as shipped by the `moderndid` package)."),
    code("import matplotlib.pyplot as plt\n"
         "from moderndid import load_ehec\n\n"
         "from econometrics import event_study, honest_did\n\n"
         "ehec = load_ehec()  # a polars frame; the estimators accept it as it is\n"
         "# As the README: years before 2016, without the states that expanded in 2015, so one\n"
         "# cohort (2014) is compared with the never-expanding states.\n"
         "panel = ehec.to_pandas()\n"
         "panel = panel[(panel.year < 2016) & (panel.yexp2.isna() | (panel.yexp2 != 2015))]\n"
         "panel.groupby(panel.yexp2.fillna(0)).stfips.nunique()"),
    md("## 1. The event study and its pre-trend test\n\n"
       "Two-way fixed effects with state and year effects, event time relative to expansion, "
       "2013 (event time -1) as the reference year, standard errors clustered by state. The "
       "joint Wald test of the five leads is in the summary."),
    code("es = event_study(panel, y='dins', unit='stfips', time='year', cohort='yexp2')\n"
         "print(es.summary())"),
    code("es.plot();"),
    md("`es.vcov` is the covariance matrix of the event-time estimates, indexed by event "
       "time: what the sensitivity analysis needs."),
    code("es.vcov.round(6)"),
    md("## 2. Smoothness restrictions: how far may the pre-trend bend?\n\n"
       "Under Delta^SD(M) the slope of the difference in trends may change by at most M per "
       "year (M = 0 extrapolates a linear pre-trend). The fixed-length confidence intervals "
       "for the effect in the first year of expansion (2014):"),
    code("sd = honest_did(es, restriction='smoothness', m=[0.0, 0.01, 0.02, 0.03])\n"
         "print(sd.summary())"),
    code("sd.plot();"),
    code("smooth = sd.tidy().dropna(subset=['m'])\n"
         "covers = smooth[(smooth.conf_low <= 0) & (smooth.conf_high >= 0)]\n"
         "assert sd.breakdown == covers.m.min()\n"
         "kept = smooth[smooth.m < sd.breakdown].m.max()\n"
         "print(f'Of the bounds tried, the interval excludes 0 up to M = {kept:g} and first '\n"
         "      f'contains 0 at M = {sd.breakdown:g} (the breakdown value): the effect stays '\n"
         "      f'significant if the slope of the trend difference changes by at most {kept:g} '\n"
         "      f'per year.')"),
    md("## 3. Relative magnitudes: post-treatment violations as large as pre-treatment ones\n\n"
       "Under Delta^RM(Mbar) a change in the violation after expansion is at most Mbar times "
       "the largest change before it. The sentence after the output is computed from it."),
    code("import os\n\n\n"
         "def quiet(f, *args, **kwargs):\n"
         "    \"\"\"Call f with the process's standard output closed: HiGHS, the LP solver the\n"
         "    relative-magnitudes intervals use, prints its licence banner there (below\n"
         "    Python's sys.stdout, so redirect_stdout does not catch it).\"\"\"\n"
         "    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)\n"
         "    os.dup2(null, 1)\n"
         "    try:\n"
         "        return f(*args, **kwargs)\n"
         "    finally:\n"
         "        os.dup2(saved, 1)\n"
         "        os.close(null)\n"
         "        os.close(saved)\n\n\n"
         "rm = quiet(honest_did, es, m=[0.5, 1.0])\n"
         "print(rm.summary())\n"
         "rm.plot();"),
    code("robust = rm.tidy().dropna(subset=['m'])\n"
         "largest = robust.m.max()\n"
         "low = robust.set_index('m').conf_low[largest]\n"
         "if rm.breakdown != rm.breakdown:  # NaN: no bound tried gives an interval with 0\n"
         "    assert (robust.conf_low > 0).all()\n"
         "    print(f'Breakdown value nan means: no Mbar tried (up to {largest:g}) gives an '\n"
         "          f'interval containing 0, so the breakdown value is above {largest:g}. With '\n"
         "          f'Mbar = {largest:g} the interval still starts at {low:.4f} > 0: the effect '\n"
         "          f'survives post-expansion violations '\n"
         "          f'{\"\" if largest == 1 else f\"{largest:g} times \"}as large as the worst '\n"
         "          f'pre-period movement.')\n"
         "else:\n"
         "    print(f'The interval first contains 0 at Mbar = {rm.breakdown:g}.')"),
    md("The numbers equal the published HonestDiD output for this example to its printed "
       "precision (see `tests/econometrics/test_honest.py`). For staggered adoption, run the "
       "same analysis on `att_gt(...).aggregate('dynamic').to_event_study()` with "
       "`base_period='universal'`, or on `event_study(..., estimator='sun_abraham')`."),
]

if __name__ == "__main__":
    execute_and_write(cells, "05_sensitivity.ipynb")
