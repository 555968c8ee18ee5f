"""Properties of the pure rule functions (abm.engine.rules, abm.engine.episodes), checked with
hypothesis.

Where a rule is vectorised for speed, it is compared with a plain loop that states the rule the
obvious way.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.engine import rules
from abm.engine.rules import referral_destination
from abm.engine.stages.outcome import wom_deltas

settings.register_profile("rules", max_examples=200, deadline=None)
settings.load_profile("rules")

unit = st.floats(0.0, 1.0)
# arrival keys on a 1/64 grid: exact in floating point and with frequent ties
grid = st.integers(0, 64).map(lambda k: k / 64)


@st.composite
def arrivals(draw):
    n_fac = draw(st.integers(1, 5))
    n = draw(st.integers(0, 40))
    facility = np.array(draw(st.lists(st.integers(0, n_fac - 1), min_size=n, max_size=n)),
                        dtype=np.int64)
    order = np.array(draw(st.lists(grid, min_size=n, max_size=n)), dtype=float)
    # whole and fractional slot counts (a fraction of a slot still serves one arrival)
    slots = st.integers(0, 8).map(float) | st.floats(0.0, 8.0)
    free = np.array(draw(st.lists(slots, min_size=n_fac, max_size=n_fac)))
    return facility, order, free


@given(arrivals())
def test_allocate_slots_serves_the_earliest_arrivals_while_slots_last(case):
    facility, order, free = case
    served = rules.allocate_slots(facility, order, free)
    expected = np.zeros(facility.size, dtype=bool)
    for f in np.unique(facility):
        # arrival order: the key (capped just below 1), ties in the order of the batch
        queue = sorted(np.flatnonzero(facility == f), key=lambda i: (min(order[i], 0.999999), i))
        for rank, i in enumerate(queue):
            expected[i] = rank < free[f]
    np.testing.assert_array_equal(served, expected)


@given(st.data())
def test_logit_choice_best_and_second_best_available(data):
    n, k = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    values = st.floats(-5.0, 5.0)
    u = np.array(data.draw(st.lists(st.lists(values, min_size=k, max_size=k), min_size=n,
                                    max_size=n)))
    avail = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k),
                                        min_size=n, max_size=n)))
    avail[:, 0] = True  # every episode has at least one alternative
    g = np.array(data.draw(st.lists(st.lists(values, min_size=k, max_size=k), min_size=n,
                                    max_size=n)))
    utility = np.where(avail, u, -np.inf)
    best, second = rules.logit_choice(utility, g)
    total = utility + g
    for i in range(n):
        assert avail[i, best[i]] and avail[i, second[i]]
        assert total[i, best[i]] == total[i].max()
        if avail[i].sum() >= 2:
            assert second[i] != best[i]
            assert total[i, second[i]] == np.delete(total[i], best[i]).max()
        else:
            assert second[i] == best[i]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6), unit), min_size=1, max_size=30))
def test_pick_member_stays_inside_its_group(rows):
    start, count, u = (np.array(c) for c in zip(*rows, strict=True))
    picked = rules.pick_member(start, count, u.astype(float))
    for s, c, p in zip(start, count, picked, strict=True):
        assert (p == -1) if c == 0 else (s <= p < s + c)


@given(st.lists(st.tuples(st.lists(unit, min_size=5, max_size=5), st.integers(0, 5000)),
                min_size=1, max_size=20),
       st.lists(unit, min_size=5, max_size=5), st.floats(0.0, 5.0))
def test_decay_trust_moves_toward_the_prior_without_overshooting(rows, prior, rate):
    trust = np.array([r[0] for r in rows])  # (patients, tiers)
    elapsed = np.array([r[1] for r in rows], dtype=float)
    prior = np.array(prior)  # one prior per tier
    out = rules.decay_trust(trust, prior, elapsed, rate)
    lo, hi = np.minimum(trust, prior), np.maximum(trust, prior)
    assert np.all((out >= lo - 1e-12) & (out <= hi + 1e-12))
    np.testing.assert_allclose(rules.decay_trust(trust, prior, np.zeros_like(elapsed), rate),
                               trust, rtol=0, atol=1e-12)


@given(st.lists(st.tuples(unit, st.booleans()), min_size=1, max_size=20), unit)
def test_update_trust_moves_toward_the_outcome(rows, rate):
    trust, outcome = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    out = rules.update_trust(trust, outcome, rate)
    assert np.all(np.abs(out - outcome) <= np.abs(trust - outcome) + 1e-12)
    assert np.all((out >= 0.0) & (out <= 1.0))


@given(st.lists(st.tuples(unit, unit), min_size=1, max_size=30), st.booleans())
def test_draw_severity_class_follows_the_cumulative_probabilities(rows, chronic):
    u_class, u_within = (np.array(c) for c in zip(*rows, strict=True))
    probs, probs_chronic = (0.6, 0.2, 0.15, 0.05), (0.3, 0.5, 0.15, 0.05)
    x = rules.draw_severity(u_class, u_within, np.full(u_class.size, chronic), probs,
                            probs_chronic)
    cum = np.cumsum(probs_chronic if chronic else probs)
    for score, u, w in zip(x, u_class, u_within, strict=True):
        cls = min(int(np.sum(cum / cum[-1] <= u)), 3)
        assert score == cls + w


@given(st.data())
def test_referral_destination_is_the_lowest_capable_facility_above(data):
    k = data.draw(st.integers(1, 6))
    alts = np.array([data.draw(st.lists(st.integers(-1, 30), min_size=k, max_size=k))])
    rank = np.array([data.draw(st.lists(st.integers(0, 4), min_size=k, max_size=k))])
    cap = np.array([data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0, 4.0]), min_size=k,
                                       max_size=k))])
    from_rank = data.draw(st.integers(0, 4))
    assessed = data.draw(st.floats(0.0, 4.0))
    got = int(referral_destination(alts, alts >= 0, rank, cap, np.array([from_rank]),
                                   np.array([assessed]))[0])
    above = [j for j in range(k) if alts[0, j] >= 0 and rank[0, j] > from_rank]
    if not above:
        assert got == -1
        return
    treats = [j for j in above if cap[0, j] >= assessed]
    if treats:  # the lowest-ranked one that treats the assessed severity
        assert got in alts[0, [j for j in treats if rank[0, j] == min(rank[0, treats])]]
    else:  # else the most capable one above
        assert got in alts[0, [j for j in above if cap[0, j] == max(cap[0, above])]]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.booleans()), min_size=1,
                max_size=20), st.floats(0.0, 1.0))
def test_word_of_mouth_adds_the_tellings_from_the_same_start(tellings, rate):
    rows, tier, outcome = (np.array(c) for c in zip(*tellings, strict=True))
    trust = np.linspace(0.1, 0.9, 20).reshape(4, 5)
    out = wom_deltas(trust, rows, tier, outcome.astype(float), rate)
    expected = trust.copy()
    for r, t, o in zip(rows, tier, outcome, strict=True):
        expected[r, t] += rate * (float(o) - trust[r, t])
    np.testing.assert_allclose(out, np.clip(expected, 0.0, 1.0), rtol=0, atol=1e-12)
