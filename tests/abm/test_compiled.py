"""The compiled kernels of the day against the plain numpy statement of what they compute."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm import ReferralModel, preset
from abm.engine import packed
from abm.engine.day import FACILITY_COUNTERS, pairwise_sum
from abm.engine.stages.admission import book_beds

# a loaded machine can stall input generation; the inputs themselves are small
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _one_day(seed):
    """Run a county for a few days and return the model and its last day's result."""
    p = preset("x_county").replace(**{"setting.scale": 20.0})
    m = ReferralModel(p, rng=seed, patients="arrays")
    m.keep_days = True
    m.run_for(3)
    return m, m.last_day


def test_facility_counts_are_the_bincounts_of_their_definitions():
    m, res = _one_day(2)
    e, nf = res.episodes, m.fac.tier.size

    def count(where, mask=None, weights=None):
        if mask is not None:
            where, weights = where[mask], None if weights is None else weights[mask]
        return np.bincount(where, weights=weights, minlength=nf).astype(float)

    charges = list(zip(e.charge_facility, e.charge_price, e.charge_oop, e.charge_visits,
                       strict=True))  # per kind of charge
    revenue = sum(count(ch[0], weights=ch[1]) for ch in charges)
    oop = sum(count(ch[0], weights=ch[2]) for ch in charges)
    expected = {
        "visits": sum(count(ch[0], weights=ch[3]) for ch in charges),
        "first_visits": count(e.first), "walkin_attempts": count(e.chosen),
        "turned_away": count(e.chosen, e.turned_away), "referred_arrivals": count(e.dest, e.up),
        "referred_turned_away": count(e.dest, e.ref_turned_away),
        "up_sent": count(e.first, e.up), "up_received": count(e.dest, e.up),
        "admissions": count(e.final, e.admitted), "stabilised": count(e.final, e.eligible),
        "down_offered": count(e.final, e.proposed), "down_accepted": count(e.final, e.accepted),
        "handovers_failed": count(e.final, e.failed), "down_sent": count(e.final, e.down),
        "down_received": count(e.receiver, e.down), "episodes_first": count(e.first),
        "episodes_final": count(e.final), "successes": count(e.final, e.success),
        "revenue": revenue - count(e.receiver, weights=e.credit)
        + count(e.final, weights=e.credit),
        "oop": oop, "insurance": revenue - oop,
        "bed_transfers": count(e.bed_full_at, e.bed_transfer)}
    assert set(expected) == set(FACILITY_COUNTERS)
    assert e.first.size > 0 and e.up.any()
    day = m._rec_groups[-1]  # (counters, groups): the kernel's matrix summed to groups
    want = np.stack([expected[k] for k in FACILITY_COUNTERS]) @ m._group_matrix
    np.testing.assert_array_equal(day, want)


@RELAXED
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 9)), max_size=20),
       st.integers(0, 7))
def test_book_beds_books_each_stay_from_tomorrow(stays, today):
    bookings = np.ones((8, 3))
    facility = np.array([s[0] for s in stays], dtype=np.int64)
    days = np.array([s[1] for s in stays], dtype=np.int64)
    expected = bookings.copy()
    expected[today] = 0.0
    for f, d in stays:
        for k in range(d):
            expected[(today + 1 + k) % 8, f] += 1.0
    book_beds(bookings, today, facility, days)
    np.testing.assert_array_equal(bookings, expected)


@RELAXED
@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans(), st.booleans(),
                          st.floats(0.0, 1.0)), min_size=1, max_size=30), st.data())
def test_packed_rows_give_back_what_was_written(patients, data):
    village, chronic, employee, contract = (np.array(c) for c in zip(*patients, strict=True))
    prior = np.linspace(0.5, 0.9, packed.N_TRUST)
    rows = packed.pack(village, chronic, employee, contract, prior)
    idx = np.array(data.draw(st.lists(st.integers(0, len(patients) - 1), max_size=10)),
                   dtype=np.int64)
    v, c, e, k = packed.read_columns(rows, idx)
    for got, want in ((v, village), (c, chronic), (e, employee), (k, contract)):
        np.testing.assert_array_equal(got, want[idx])
    trust, last = packed.read_trust(rows, idx)
    np.testing.assert_array_equal(trust, np.tile(prior, (idx.size, 1)))
    np.testing.assert_array_equal(last, np.zeros(idx.size))
    new = np.arange(idx.size * packed.N_TRUST, dtype=float).reshape(idx.size, packed.N_TRUST) / 100
    uniq = np.unique(idx)
    packed.write_trust(rows, uniq, new[: uniq.size], 7)
    trust, last = packed.read_trust(rows, uniq)
    np.testing.assert_array_equal(trust, new[: uniq.size])
    assert (last == 7).all()
    np.testing.assert_array_equal(packed.read_columns(rows, idx)[0], village[idx])


@RELAXED
@given(st.lists(st.floats(-1e6, 1e6), max_size=700))
def test_pairwise_sum_is_numpys_sum_to_the_bit(values):
    x = np.array(values, dtype=float)
    assert pairwise_sum(x) == np.sum(x)


@RELAXED
@given(st.lists(st.integers(0, 50), max_size=60))
def test_listeners_are_numpys_unique_with_inverse(contacts):
    c = np.array(contacts, dtype=np.int64)
    who, rows = packed.listeners(c)
    want_who, want_rows = np.unique(c, return_inverse=True)
    np.testing.assert_array_equal(who, want_who)
    np.testing.assert_array_equal(rows, want_rows)
