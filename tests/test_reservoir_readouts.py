"""Liquid state and readouts: known answers and bad input."""

import numpy as np
import pytest

from neurodam import SpikeTrains
from neurodam.reservoir import NotTrainedError, RidgeReadout, RLSReadout, liquid_state, nrmse


# ------------------------------------------------------------------ liquid state
def _brute_state(spikes, times, tau):
    out = np.zeros((len(times), spikes.n_neurons))
    for k, t in enumerate(times):  # the definition, spike by spike
        for s, i in zip(spikes.times, spikes.senders, strict=True):
            if s <= t:
                out[k, i] += np.exp(-(t - s) / tau)
    return out


def test_liquid_state_equals_the_definition():
    rng = np.random.default_rng(1)
    st = SpikeTrains(rng.uniform(0, 1, 300), rng.integers(0, 7, 300), n_neurons=8, t_stop=1.0)
    times = np.r_[rng.uniform(0, 1, 40), st.times[:5]]  # some readouts exactly at a spike
    got = liquid_state(st, times, tau=0.03)
    np.testing.assert_allclose(got, _brute_state(st, times, 0.03), rtol=1e-10, atol=1e-12)
    assert np.all(got[:, 7] == 0)  # a silent neuron has state 0


def test_liquid_state_single_spike_decays_exponentially():
    st = SpikeTrains([0.1], [0], n_neurons=1, t_stop=1.0)
    t = np.array([0.05, 0.1, 0.13, 0.4])
    np.testing.assert_allclose(liquid_state(st, t, tau=0.03)[:, 0], [0, 1, np.exp(-1), np.exp(-10)])


def test_liquid_state_neuron_subset_and_order():
    st = SpikeTrains([0.1, 0.2, 0.3], [2, 0, 2], n_neurons=3, t_stop=0.5)
    full = liquid_state(st, [0.5, 0.25], tau=0.1)
    sub = liquid_state(st, [0.5, 0.25], tau=0.1, neurons=[2, 0])
    np.testing.assert_allclose(sub, full[:, [2, 0]])


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "name"),
    [
        (([], 0.03), {}, ValueError, "times"),
        (([np.nan], 0.03), {}, ValueError, "times"),
        ((["a"], 0.03), {}, TypeError, "times"),
        (([0.1], -0.03), {}, ValueError, "tau"),
        (([0.1], 0.03), {"neurons": [5]}, ValueError, "neurons"),
    ],
)
def test_liquid_state_bad_input_names_the_argument(args, kwargs, exc, name):
    st = SpikeTrains([0.1], [0], n_neurons=2, t_stop=1.0)
    with pytest.raises(exc, match=f"^{name}"):
        liquid_state(st, *args, **kwargs)
    with pytest.raises(TypeError, match="^spikes"):
        liquid_state(np.zeros(3), [0.1])


# ------------------------------------------------------------------ ridge
def test_ridge_recovers_a_known_linear_map_from_a_linear_reservoir():
    rng = np.random.default_rng(0)
    n, p = 4000, 30
    X = rng.standard_normal((n, p)) @ rng.standard_normal((p, p))  # correlated "states"
    W = rng.standard_normal((p, 2))
    Y = X @ W + np.array([1.0, -2.0]) + 0.01 * rng.standard_normal((n, 2))
    r = RidgeReadout().fit(X, Y)
    # noise 0.01 over 4000 samples: coefficient errors ~ 0.01 / sqrt(4000 * var(x)) << 1e-3
    np.testing.assert_allclose(r.coef_, W, atol=2e-3)
    np.testing.assert_allclose(r.intercept_, [1.0, -2.0], atol=2e-3)
    assert r.alpha_rel_ <= 1e-3  # almost no penalty is best for a well-posed problem
    assert r.score(X, Y) < 0.01


def test_ridge_cross_validation_prefers_a_penalty_on_noisy_data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((120, 100))
    y = X[:, 0] + 2.0 * rng.standard_normal(120)  # 100 features, 120 samples, strong noise
    r = RidgeReadout().fit(X, y)
    assert r.alpha_rel_ >= 1.0
    assert r.predict(X).shape == (120,)


def test_ridge_single_alpha_equals_the_normal_equations():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((200, 5)), rng.standard_normal(200)
    r = RidgeReadout(alphas=0.5).fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    lam = 0.5 * np.mean(np.var(X, axis=0) * 200)
    w = np.linalg.solve(Xc.T @ Xc + lam * np.eye(5), Xc.T @ yc)
    np.testing.assert_allclose(r.coef_[:, 0], w, rtol=1e-10)


def test_rls_equals_ridge_with_the_same_penalty():
    """RLS from P(0) = I / alpha after n samples is the ridge solution with penalty alpha on
    all weights (intercept included): an exact identity, up to rounding."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((500, 6))
    y = X @ rng.standard_normal(6) + 0.3 + 0.1 * rng.standard_normal(500)
    rls = RLSReadout(alpha=2.0).fit(X, y)
    Xa = np.hstack([X, np.ones((500, 1))])
    w = np.linalg.solve(Xa.T @ Xa + 2.0 * np.eye(7), Xa.T @ y)
    np.testing.assert_allclose(np.r_[rls.coef_[:, 0], rls.intercept_], w, rtol=1e-8)
    assert abs(rls.errors_[-50:]).mean() < abs(rls.errors_[:5]).mean()


def test_rls_with_forgetting_follows_a_switched_target():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((2000, 3))
    y = np.r_[X[:1000] @ [1.0, 0.0, 0.0], X[1000:] @ [0.0, 0.0, -1.0]]
    rls = RLSReadout(alpha=1.0, forgetting=0.98).fit(X, y)
    np.testing.assert_allclose(rls.coef_[:, 0], [0, 0, -1], atol=1e-6)  # noise-free target


def test_nrmse_of_the_mean_predictor_is_one():
    y = np.random.default_rng(5).standard_normal(100)
    assert nrmse(y, np.full(100, y.mean())) == pytest.approx(1.0)
    assert nrmse(y, y) == 0.0
    with pytest.raises(ValueError, match="^y_true"):
        nrmse(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match="^y_pred"):
        nrmse(y, y[:10])


@pytest.mark.parametrize("readout", [RidgeReadout(), RLSReadout()])
def test_readout_bad_input_names_the_argument(readout):
    with pytest.raises(NotTrainedError, match="^X"):
        readout.predict(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="^y"):
        readout.fit(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="^X"):
        readout.fit(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="^X"):
        readout.fit(np.full((10, 2), np.nan), np.zeros(10))
    readout.fit(np.random.default_rng(0).standard_normal((20, 2)), np.arange(20.0))
    with pytest.raises(ValueError, match="^X"):
        readout.predict(np.zeros((3, 5)))


def test_readout_constructor_checks():
    with pytest.raises(ValueError, match="^alphas"):
        RidgeReadout(alphas=[-1.0])
    with pytest.raises(ValueError, match="^cv"):
        RidgeReadout(cv=1)
    with pytest.raises(ValueError, match="^alpha"):
        RLSReadout(alpha=0.0)
    with pytest.raises(ValueError, match="^forgetting"):
        RLSReadout(forgetting=1.5)
