"""DFA and second-moment scaling: known answers, fathon cross-check, exactness, bad input."""

import numpy as np
import pytest

from neurodam.analysis.scaling import ScalingFit, dfa, second_moment_scaling


def fgn(n, H, seed):
    """Fractional Gaussian noise by circulant embedding (Davies & Harte 1987)."""
    rng = np.random.default_rng(seed)
    k = np.arange(n + 1, dtype=float)
    g = 0.5 * (np.abs(k + 1) ** (2 * H) - 2 * k ** (2 * H) + np.abs(k - 1) ** (2 * H))
    c = np.concatenate([g, g[-2:0:-1]])
    lam = np.fft.fft(c).real
    assert lam.min() > -1e-9
    m = c.size
    w = np.sqrt(np.maximum(lam, 0) / m) * (rng.standard_normal(m) + 1j * rng.standard_normal(m))
    return np.fft.fft(w)[:n].real


# --------------------------------------------------------------- known answers
def test_dfa_white_noise_half():
    x = np.random.default_rng(0).standard_normal(2**16)
    fit = dfa(x)
    # DFA1 on 65536 samples, scales 4..16384: sd of H over seeds is about 0.015; 0.05 = 3 sd
    assert abs(fit.exponent - 0.5) < 0.05
    assert fit.method == "DFA1"
    assert fit.fit_range == (fit.scales[0], fit.scales[-1])


def test_dfa_takes_increments_not_the_walk():
    """The cumulated random walk measures H + 1: dfa expects increments."""
    x = np.random.default_rng(1).standard_normal(2**16)
    h_inc = dfa(x).exponent
    h_walk = dfa(np.cumsum(x)).exponent
    # random walk: H = 3/2 (same 3-sd tolerance as white noise)
    assert abs(h_walk - 1.5) < 0.05
    assert abs((h_walk - h_inc) - 1.0) < 0.05


@pytest.mark.parametrize("H", [0.3, 0.8])
def test_dfa_and_second_moment_recover_fgn_hurst(H):
    x = fgn(2**16, H, seed=2)
    # scales 16..4096 avoid the small-scale DFA bias of anti-persistent noise;
    # 0.05 is ~3 sd of the estimate over seeds at this length
    assert abs(dfa(x, fit_range=(16, 4096)).exponent - H) < 0.05
    assert abs(second_moment_scaling(x, fit_range=(4, 4096)).exponent - H) < 0.05


def test_dfa2_white_noise_half():
    x = np.random.default_rng(3).standard_normal(2**15)
    fit = dfa(x, order=2)
    assert fit.method == "DFA2"
    assert abs(fit.exponent - 0.5) < 0.06  # fewer samples than above: ~3 sd


# ------------------------------------------------- independent implementation
@pytest.mark.parametrize("order", [1, 2])
def test_dfa_matches_fathon_float(order):
    fathon = pytest.importorskip("fathon")
    from fathon import fathonUtils

    x = fgn(20000, 0.7, seed=4)
    ours = dfa(x, order=order)
    ref = fathon.DFA(fathonUtils.toAggregated(x))
    _, F = ref.computeFlucVec(ours.scales.astype(np.int64), revSeg=False, polOrd=order)
    # same definition (forward windows, mean squared residual): agreement to rounding
    np.testing.assert_allclose(ours.values, F, rtol=1e-7)


@pytest.mark.parametrize("order", [1, 2])
def test_dfa_exact_integer_path_matches_fathon(order):
    fathon = pytest.importorskip("fathon")
    from fathon import fathonUtils

    rng = np.random.default_rng(5)
    xi = (rng.random(100_000) < 0.2).astype(np.int8)  # an AJ-like event-count signal
    ours = dfa(xi, order=order)
    ref = fathon.DFA(fathonUtils.toAggregated(xi.astype(float)))
    _, F = ref.computeFlucVec(ours.scales.astype(np.int64), revSeg=False, polOrd=order)
    np.testing.assert_allclose(ours.values, F, rtol=1e-7)


def test_exact_integer_path_keeps_precision_on_a_wandering_walk():
    """A Levy-like walk (long runs of +-1) wanders ~1e6 steps away; windows stay exact.

    The float path re-centres every window before summing; the integer path uses global
    cumulative sums. They must agree although the global sums reach ~1e19 (int64 wraps).
    """
    rng = np.random.default_rng(6)
    lengths = np.minimum((1 - rng.random(4000)) ** -2.0, 1e6).astype(np.int64) + 1  # mu=1.5
    v = np.repeat(rng.choice(np.array([-1, 1], dtype=np.int8), lengths.size), lengths)
    v = v[:2_000_000]
    scales = np.array([5, 13, 50, 200, 1000, 10_000, 100_000, 400_000])
    a = dfa(v, scales=scales)
    b = dfa(v.astype(float), scales=scales)
    assert np.all(a.values > 0)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-6)


def test_large_scales_fall_back_to_the_direct_form():
    """Steps up to 127 on a drifting walk: scales >= ~1.2e5 exceed the exact int64 bound."""
    from neurodam.analysis.scaling import _fits_int64

    rng = np.random.default_rng(7)
    x = rng.integers(0, 128, size=600_000).astype(np.int8)
    r = int(np.cumsum(x, dtype=np.int64)[-1])
    scales = np.array([10, 1000, 100_000, 150_000])
    assert _fits_int64(100_000, 127, r, 1) and not _fits_int64(150_000, 127, r, 1)
    ours = dfa(x, scales=scales).values
    # reference: a per-window np.polyfit loop on the exact profile (integers < 2^53)
    Y = np.cumsum(x, dtype=np.int64).astype(float)
    for s, f in zip(scales, ours, strict=True):
        j = np.arange(s, dtype=float)
        res = [
            np.sum((w - np.polyval(np.polyfit(j, w, 1), j)) ** 2)
            for w in Y[: (Y.size // s) * s].reshape(-1, s)
        ]
        np.testing.assert_allclose(f, np.sqrt(np.mean(res) / s), rtol=1e-8)


# ------------------------------------------------------------------ the object
def test_scaling_fit_is_frozen_and_plots():
    fit = dfa(np.random.default_rng(8).standard_normal(4096))
    assert isinstance(fit, ScalingFit)
    with pytest.raises(AttributeError):
        fit.exponent = 1.0
    np.testing.assert_allclose(
        fit.predict(fit.scales[:1]), np.exp(fit.intercept) * fit.scales[0] ** fit.exponent
    )
    ax = fit.plot()
    assert ax.get_xscale() == "log" and len(ax.lines) == 3


# -------------------------------------------------------------------- bad input
def test_bad_inputs():
    x = np.random.default_rng(9).standard_normal(1000)
    with pytest.raises(ValueError, match="x: expected at least 32 samples"):
        dfa(x[:10])
    with pytest.raises(ValueError, match="x: expected a 1-D"):
        dfa(x.reshape(10, 100))
    y = x.copy()
    y[5] = np.nan
    with pytest.raises(ValueError, match="x: expected finite"):
        dfa(y)
    with pytest.raises(ValueError, match="order"):
        dfa(x, order=0)
    with pytest.raises(ValueError, match="scales"):
        dfa(x, scales=[2, 10, 100])  # below order + 3
    with pytest.raises(ValueError, match="scales"):
        dfa(x, scales=[10, 100, 5000])  # longer than the signal
    with pytest.raises(ValueError, match="fit_range"):
        dfa(x, fit_range=(100, 120))  # fewer than 3 scales inside
    with pytest.raises(ValueError, match="fit_range"):
        dfa(x, fit_range=(100, 10))
    with pytest.raises(TypeError, match="x: expected a numeric"):
        dfa(np.array(["a"] * 100))
    with pytest.raises(ValueError, match="max_windows"):
        second_moment_scaling(x, max_windows=1)
