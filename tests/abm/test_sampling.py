"""The compiled onset draws against numpy's own calls: same numbers, same stream afterwards."""

import numpy as np
import pytest

from abm import ReferralModel, preset
from abm.engine.sampling import bounded_integer, onset_sample, sample_without_replacement


def numpy_onset(gen, prob, start, members):
    """The day's onsets drawn by numpy calls, group by group (the model's draw before compiling)."""
    parts = []
    for g in range(prob.size):
        group = members[start[g]:start[g + 1]]
        k = gen.binomial(group.size, prob[g])
        if k:
            parts.append(group[gen.choice(group.size, k, replace=False, shuffle=False)])
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def assert_same_stream(a, b):
    assert a.bit_generator.state == b.bit_generator.state
    assert a.random(3).tolist() == b.random(3).tolist()


@pytest.mark.parametrize("seed", [0, 1, 2023])
def test_bounded_integer_is_numpys(seed):
    highs = [0, 1, 2, 9, 10_000, 2**31 + 5, 2**32 - 2, 2**32 - 1, 2**32, 3 * 2**40 + 7]
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    got = [bounded_integer(a, h) for h in highs * 20]
    want = [int(b.integers(0, h, endpoint=True)) for h in highs * 20]
    assert got == want
    assert_same_stream(a, b)


# both of numpy's algorithms: Floyd (small populations or samples) and the tail shuffle
# (population above 10,000 and sample above n // 20), at and around the switch
@pytest.mark.parametrize(("n", "k"), [(1, 1), (7, 3), (7, 7), (10_000, 9_000), (10_001, 500),
                                      (10_001, 501), (20_000, 1_001), (47_097, 2_400),
                                      (12_000, 12_000), (220_851, 3_157)])
def test_sample_without_replacement_is_numpys_choice(n, k):
    for seed in range(3):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        got = sample_without_replacement(a, n, k)
        want = b.choice(n, k, replace=False, shuffle=False)
        assert got.tolist() == want.tolist()
        assert_same_stream(a, b)


def test_onset_is_numpys_on_edge_groups():
    # probabilities 0, tiny, above 0.5 (numpy's binomial flips p) and 1; groups of 1 to 30,000
    prob = np.array([0.0, 1e-4, 0.02, 0.06, 0.7, 1.0])
    sizes = np.array([5, 30_000, 1, 25_000, 40, 3])
    start = np.r_[0, np.cumsum(sizes)]
    members = np.random.default_rng(9).permutation(start[-1])
    for seed in (0, 5):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(20):
            got = onset_sample(a, prob, start, members)
            assert np.array_equal(got, numpy_onset(b, prob, start, members))
        assert_same_stream(a, b)


@pytest.mark.parametrize("scale", [10, 30])
def test_model_onsets_are_numpys(scale):
    """The model's onset groups over 60 days and several seeds; the stream continues the same."""
    pat = ReferralModel(preset("x_county").replace(**{"setting.scale": scale}), rng=0,
                        patients="arrays").patients
    args = pat.group_prob, pat.group_start, pat.group_members
    for seed in (1, 2, 3):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(60):
            got = pat.onset(a)
            assert got.dtype == np.int64
            assert np.array_equal(got, numpy_onset(b, *args))
        assert_same_stream(a, b)
