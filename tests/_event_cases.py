"""Synthetic event sequences and renewal predictions shared by the temporal-complexity tests."""

import numpy as np


def fgn(n, H, seed):
    """Fractional Gaussian noise by circulant embedding (Davies & Harte 1987)."""
    rng = np.random.default_rng(seed)
    k = np.arange(n + 1, dtype=float)
    g = 0.5 * (np.abs(k + 1) ** (2 * H) - 2 * k ** (2 * H) + np.abs(k - 1) ** (2 * H))
    c = np.concatenate([g, g[-2:0:-1]])
    lam = np.maximum(np.fft.fft(c).real, 0)
    w = np.sqrt(lam / c.size) * (rng.standard_normal(c.size) + 1j * rng.standard_normal(c.size))
    return np.fft.fft(w)[:n].real


def modulated_events(n, seed):
    """Non-renewal: waiting times exp(g_k) * Exp(1), g an fGn with H = 0.9 (correlated)."""
    g = fgn(n, 0.9, seed)
    return np.cumsum(np.exp(g) * np.random.default_rng(seed + 1).exponential(size=n))


def renewal_H(mu, rule):
    """Renewal predictions (science.md section 6) for the ensemble scaling."""
    if rule == "SJ" or mu > 3:
        return 0.5
    if mu < 2:
        return mu / 2 if rule == "AJ" else 1.0
    return (4 - mu) / 2


def renewal_delta(mu):
    return mu - 1 if mu < 2 else 1 / (mu - 1) if mu < 3 else 0.5
