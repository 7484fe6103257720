"""Gaussian averages of ``tanh`` and ``sech^2`` for the mean-field theory of Hebbian memories.

The replica-symmetric equations of the Hopfield model (Amit, Gutfreund & Sompolinsky 1987)
and the large-dataset equations of learning from examples (Agliari et al. 2023) need

    t(m, s, beta) = < tanh(beta (m + s z)) >_z ,    c(m, s, beta) = < sech^2(beta (m + s z)) >_z

for a standard normal z. Plain Gauss-Hermite quadrature is exact to machine precision when
the kink of ``tanh`` is wide on the scale of the Gaussian (``beta s`` small) but fails at low
temperature, where ``tanh(beta x)`` is almost a step. There the average is split at x = 0::

    < tanh(beta x) > = erf(m / (s sqrt 2))
                       + (1/beta) int_0^inf e^-v [g(-v/2beta) - g(v/2beta)] / (1 + e^-v) dv
    < sech^2(beta x) > = (2/beta) int_0^inf e^-v [g(-v/2beta) + g(v/2beta)] / (1 + e^-v)^2 dv

(x = m + s z, g the N(m, s^2) density; from ``tanh u - sign u = -sign(u) 2 e^{-2|u|} /
(1 + e^{-2|u|})`` and ``sech^2 u = 4 e^{-2|u|} / (1 + e^{-2|u|})^2``, substituting
``v = 2 beta |x|``), and the two half-line integrals, smooth in v, go to Gauss-Laguerre
quadrature. The switch is at ``beta s = 0.7``; both branches agree with adaptive quadrature
(scipy.integrate.quad) to about 1e-13 over 1e-4 <= beta s <= 1e4.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

__all__ = ["gauss_tanh_moments"]

_N_HERMITE = 64
_N_LAGUERRE = 64
_SWITCH = 0.7  # beta s below: Gauss-Hermite; above: sign + Gauss-Laguerre split


def _hermite() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite.hermgauss(_N_HERMITE)
    return x * math.sqrt(2.0), w / math.sqrt(math.pi)  # nodes and weights for N(0, 1)


def _laguerre() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.laguerre.laggauss(_N_LAGUERRE)


_Z, _WZ = _hermite()
_V, _WV = _laguerre()
_LW1 = _WV / (1.0 + np.exp(-_V))  # Laguerre weights times 1/(1 + e^-v)
_LW2 = _WV / (1.0 + np.exp(-_V)) ** 2
for _a in (_Z, _WZ, _V, _WV, _LW1, _LW2):
    _a.flags.writeable = False  # read-only quadrature tables
del _a


def gauss_tanh_moments(m, s, beta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``<tanh>``, ``<tanh^2>`` and ``<sech^2>`` of ``beta (m + s z)`` over z ~ N(0, 1).

    Parameters
    ----------
    m : array_like
        Mean of the argument (any real).
    s : array_like
        Standard deviation, >= 0.
    beta : array_like
        Inverse temperature, finite and > 0.

    Returns
    -------
    t, q, c : ndarray
        The three averages, broadcast over the inputs; ``q + c = 1``, and each is computed
        to full relative precision where it is small (q directly where ``beta s < 1``,
        ``q = 1 - c`` otherwise, where q is not small), so neither ``q`` at high T nor
        ``beta (1 - q) = beta c`` at low T suffers cancellation.
    """
    m = np.asarray(m, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    low = beta * s < _SWITCH
    if low.all():
        return _hermite_moments(m, s, beta)
    if not low.any():
        return _laguerre_moments(m, s, beta)
    m, s, beta = np.broadcast_arrays(m, s, beta)
    out = [np.empty(m.shape) for _ in range(3)]
    for mask, f in ((low, _hermite_moments), (~low, _laguerre_moments)):
        for o, v in zip(out, f(m[mask], s[mask], beta[mask]), strict=True):
            o[mask] = v
    return out[0], out[1], out[2]


def _hermite_moments(m, s, beta):
    x = beta[..., None] * (m[..., None] + s[..., None] * _Z)
    th = np.tanh(x)
    ch = np.cosh(np.minimum(np.abs(x), 350.0))
    return th @ _WZ, (th * th) @ _WZ, (1.0 / (ch * ch)) @ _WZ


def _laguerre_moments(m, s, beta):
    mh, sh, bh = m[..., None], s[..., None], beta[..., None]
    xv = _V / (2.0 * bh)  # |x| at the Laguerre nodes
    norm = 1.0 / (bh * sh * math.sqrt(2.0 * math.pi))  # N(m, s^2) density / beta <= 1
    gm = norm * np.exp(-0.5 * ((xv + mh) / sh) ** 2)
    gp = norm * np.exp(-0.5 * ((xv - mh) / sh) ** 2)
    t = erf(m / (s * math.sqrt(2.0))) + (gm - gp) @ _LW1
    c = 2.0 * ((gm + gp) @ _LW2)
    return t, 1.0 - c, c
