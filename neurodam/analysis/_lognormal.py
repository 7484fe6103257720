r"""Maximum-likelihood lognormal on a power-law fit range, in natural parameters.

With :math:`y = \ln(x / x_0)` (:math:`x_0 = x_{\min}` for continuous data,
:math:`x_{\min} - 1/2` for discrete data) a lognormal truncated to the fit range has,
in :math:`y`, the density :math:`\propto e^{a y - b y^2}` on :math:`[0, Y]`, with

.. math:: b = \frac{1}{2\sigma^2}, \qquad a = \frac{\mu - \ln x_0}{\sigma^2},
   \qquad \mu = \ln x_0 + \frac{a}{2b},

and :math:`Y = \ln(x_{\max}/x_0)` (infinite without an upper cut). In these parameters the
family is closed by its power-law limit: :math:`b = 0` is the power law
:math:`x^{-\alpha}` with :math:`\alpha = 1 - a`, reached in :math:`(\mu, \sigma)` only along
the ridge :math:`\mu = \ln x_0 + (1 - \alpha)\sigma^2`, :math:`\sigma \to \infty`, on
which an optimiser in :math:`(\mu, \sigma)` stalls. (That a lognormal of large variance
mimics a power law is why the two are so hard to tell apart; Clauset, Shalizi & Newman
2009, sec. 5.)

Continuous data. The log-likelihood :math:`n[a \bar y - b \overline{y^2} - \ln Z(a, b)]
- \sum \ln x_i`, :math:`Z = \int_0^Y e^{a y - b y^2} dy`, is that of an exponential family
and is concave in :math:`(a, b)`; so is its profile :math:`P(b) = \max_a`. Both
one-dimensional maximisations therefore find the global maximum over :math:`b \ge 0`,
on brackets that hold the optimum: :math:`a_{PL} \le a^* \le 2b\bar y` (or
:math:`a_{PL} + 2bY`), and :math:`b^* \le 1/(2 s_y^2)` (a truncated normal is narrower than
the untruncated one). Only the sufficient statistics :math:`\bar y, \overline{y^2}` enter.

Discrete data (as in the code accompanying Clauset et al. 2009: the mass of :math:`k` is
the lognormal probability of :math:`[k - 1/2, k + 1/2]`, given :math:`X > x_{\min} - 1/2`). The
log-likelihood is not concave; its profile in :math:`b` is scanned on a logarithmic grid
that includes :math:`b = 0`, and Newton's method climbs from the best grid point. All interval
integrals are computed in log space from ``erfcx`` (or Gauss-Legendre on intervals over
which the integrand is nearly constant), so values up to the float range are handled.

References
----------
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data.
SIAM Review 51:661-703.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

_LOG_HALF_SQRT_PI = 0.5 * math.log(math.pi) - math.log(2.0)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_GL_X = 0.5 * (_GL_X + 1.0)  # nodes and weights on [0, 1]
_GL_W = 0.5 * _GL_W


# ------------------------------------------------------------ interval integrals
def _log_gauss_integral(a: float, b: float, lo, width) -> np.ndarray:
    r""":math:`\ln \int_{lo}^{lo + w} e^{a y - b y^2} dy` for :math:`b \ge 0`, elementwise.

    ``width`` may be ``inf`` (then :math:`b > 0` or :math:`a < 0` is needed; otherwise the
    result is ``inf``). With :math:`\kappa = |h'(lo)| w + b w^2` the change of the exponent
    across the interval: for :math:`\kappa \le 0.03` the expansion about the midpoint
    :math:`m` (:func:`_log_narrow`); for
    :math:`\kappa \le 1` an 8-point Gauss-Legendre rule (relative error below 1e-15);
    elsewhere the closed form through ``erfcx``, in which the subtracted term is at most
    :math:`e^{-1/3}` of the first, so nothing cancels.
    """
    lo, width = np.broadcast_arrays(np.asarray(lo, np.float64), np.asarray(width, np.float64))
    out = np.empty(lo.shape)
    slope = a - 2.0 * b * lo
    with np.errstate(invalid="ignore", over="ignore"):
        kappa = np.abs(slope) * width + b * width * width
    finite = np.isfinite(width)
    tiny = finite & (kappa <= 0.03)
    if tiny.all():  # the common case of narrow intervals: no masks
        return _log_narrow(a, b, lo, width)
    if tiny.any():
        out[tiny] = _log_narrow(a, b, lo[tiny], width[tiny])
    flat = finite & (kappa <= 1.0) & ~tiny
    if flat.any():
        lf, wf = lo[flat], width[flat]
        u = wf[:, None] * _GL_X[None, :]
        e = slope[flat][:, None] * u - b * u * u
        out[flat] = a * lf - b * lf * lf + np.log(wf) + np.log(np.exp(e) @ _GL_W)
    wide = ~(finite & (kappa <= 1.0))
    if wide.any():
        out[wide] = _log_integral_wide(a, b, lo[wide], width[wide])
    return out


def _log_narrow(a: float, b: float, lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    r"""Midpoint expansion of :func:`_log_gauss_integral` for intervals with kappa <= 0.03.

    With :math:`v` uniform on :math:`[-w/2, w/2]`, :math:`E[e^{g v} e^{-b v^2}] =
    \sum_k \frac{(w/2)^{2k}}{2k+1} \sum_{i + j = k} \frac{g^{2i} (-b)^j}{(2i)!\, j!}`;
    terms up to :math:`k = 4` leave an error below :math:`(b w^2/4)^5/1320 < 2 \cdot 10^{-14}`.
    """
    m = lo + 0.5 * width
    g = a - 2.0 * b * m
    hw2 = 0.25 * width * width
    G = g * g * hw2
    B = b * hw2
    t1 = (G / 2.0 - B) / 3.0
    t2 = (G * G / 24.0 - G * B / 2.0 + B * B / 2.0) / 5.0
    t3 = (G * G * G / 720.0 - G * G * B / 24.0 + G * B * B / 4.0 - B * B * B / 6.0) / 7.0
    G2, B2 = G * G, B * B
    t4 = (G2 * G2 / 40320.0 - G2 * G * B / 720.0 + G2 * B2 / 48.0 - G * B2 * B / 12.0) / 9.0
    t4 += B2 * B2 / 216.0
    return a * m - b * m * m + np.log(width) + np.log1p(t1 + t2 + t3 + t4)


def _log_integral_wide(a: float, b: float, lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The closed forms of :func:`_log_gauss_integral` (exponent varies by more than 1)."""
    out = np.empty(lo.shape)
    inf_w = ~np.isfinite(width)
    if b == 0.0:
        if a < 0.0:
            tail = np.where(inf_w, 0.0, np.log(-np.expm1(a * np.where(inf_w, 1.0, width))))
            return a * lo + tail - math.log(-a)
        if a > 0.0:
            w = np.where(inf_w, 1.0, width)
            out = a * (lo + w) + np.log(-np.expm1(-a * w)) - math.log(a)
            return np.where(inf_w, np.inf, out)
        return np.where(inf_w, np.inf, np.log(width))
    s = math.sqrt(b)
    c = a / (2.0 * s)
    t_lo = s * lo - c
    t_hi = np.where(inf_w, np.inf, s * (lo + np.where(inf_w, 0.0, width)) - c)
    sw = s * np.where(inf_w, 0.0, width)
    base = _LOG_HALF_SQRT_PI - math.log(s)
    right = t_lo >= 0.0  # the integrand decreases over the interval
    left = t_hi <= 0.0  # it increases
    mid = ~(right | left)
    if right.any():
        tl, th, sw_r = t_lo[right], t_hi[right], sw[right]
        drop = np.where(inf_w[right], 0.0, np.exp(-sw_r * (tl + np.where(inf_w[right], 0, th))))
        second = np.where(inf_w[right], 0.0, drop * special.erfcx(np.where(inf_w[right], 0, th)))
        y = lo[right]
        out[right] = a * y - b * y * y + base + np.log(special.erfcx(tl) - second)
    if left.any():
        tl, th, sw_l = t_lo[left], t_hi[left], sw[left]
        y = lo[left] + width[left]
        second = np.exp(sw_l * (tl + th)) * special.erfcx(-tl)
        out[left] = a * y - b * y * y + base + np.log(special.erfcx(-th) - second)
    if mid.any():
        out[mid] = c * c + base + np.log(special.erf(t_hi[mid]) + special.erf(-t_lo[mid]))
    return out


def _log_z(a: float, b: float, Y: float) -> float:
    """Scalar :func:`_log_gauss_integral` on ``[0, Y]`` (the normaliser; same formulas)."""
    inf_y = not math.isfinite(Y)
    if b == 0.0:
        if inf_y:
            return -math.log(-a) if a < 0.0 else math.inf
        if a < 0.0:
            return math.log(-math.expm1(a * Y)) - math.log(-a)
        if a > 0.0:
            return a * Y + math.log(-math.expm1(-a * Y)) - math.log(a)
        return math.log(Y)
    if not inf_y and abs(a) * Y + b * Y * Y <= 1.0:
        return float(_log_gauss_integral(a, b, 0.0, Y))
    s = math.sqrt(b)
    c = a / (2.0 * s)
    t_lo = -c
    base = _LOG_HALF_SQRT_PI - math.log(s)
    if inf_y:
        if t_lo >= 0.0:
            return base + math.log(special.erfcx(t_lo))
        return c * c + base + math.log(1.0 + special.erf(-t_lo))
    t_hi = s * Y - c
    if t_lo >= 0.0:
        second = math.exp(-s * Y * (t_lo + t_hi)) * special.erfcx(t_hi)
        return base + math.log(special.erfcx(t_lo) - second)
    if t_hi <= 0.0:
        second = math.exp(s * Y * (t_lo + t_hi)) * special.erfcx(-t_lo)
        return a * Y - b * Y * Y + base + math.log(special.erfcx(-t_hi) - second)
    return c * c + base + math.log(special.erf(t_hi) + special.erf(-t_lo))


# ------------------------------------------------------------ 1-D maximisation
def _argmax_bounded(f, lo: float, hi: float, xtol: float) -> tuple[float, float]:
    """Maximise ``f`` on ``[lo, hi]`` (Brent); returns ``(x, f(x))``, the bounds included."""
    if hi <= lo:
        return lo, f(lo)
    res = optimize.minimize_scalar(
        lambda x: -f(x), bounds=(lo, hi), method="bounded", options={"xatol": xtol}
    )
    best = (float(res.x), -float(res.fun))
    for x in (lo, hi):  # Brent never evaluates the end points themselves
        fx = f(x)
        if fx > best[1]:
            best = (x, fx)
    return best


def _a_power_law(ybar: float, Y: float) -> float:
    r"""The :math:`b = 0` maximiser: :math:`E_a[y] = \bar y` under :math:`e^{a y}` on [0, Y]."""
    if not math.isfinite(Y):
        return -1.0 / ybar

    def mean_minus(a):
        z = a * Y
        if z < -700.0:  # e^{a Y} underflows: the exponential law on [0, inf)
            return -1.0 / a - ybar
        if abs(z) < 1e-6:
            return Y / 2.0 + a * Y * Y / 12.0 - ybar
        return Y / (-math.expm1(-z)) - 1.0 / a - ybar

    lo, hi = -1.0 / ybar, 1.0 / max(Y - ybar, 1e-300)
    while mean_minus(lo) > 0.0:
        lo *= 2.0
    while mean_minus(hi) < 0.0:
        hi *= 2.0
    return float(optimize.brentq(mean_minus, lo, hi, xtol=1e-14, rtol=1e-14))


# ------------------------------------------------------------ continuous data
def fit_continuous(y: np.ndarray, Y: float) -> tuple[float, float]:
    r"""MLE :math:`(a, b)`, :math:`b \ge 0`, of the density :math:`\propto e^{a y - b y^2}`
    on :math:`[0, Y]` given values ``y >= 0`` (global: the log-likelihood is concave)."""
    sc = float(y.mean())
    m2 = float(np.mean((y / sc) ** 2))
    Ys = Y / sc
    a_pl = _a_power_law(1.0, Ys)
    finite = math.isfinite(Ys)

    def inner(b):
        if b == 0.0:
            return a_pl, a_pl - _log_z(a_pl, 0.0, Ys)
        hi = a_pl + 2.0 * b * Ys if finite else 2.0 * b
        a, v = _argmax_bounded(lambda a: a - _log_z(a, b, Ys), a_pl, hi, 1e-11 * (1.0 + hi - a_pl))
        return a, v - b * m2

    var = max(m2 - 1.0, 1e-300)
    b_max = 0.75 / var  # the MLE has b <= 1/(2 var); a margin for rounding
    res = optimize.minimize_scalar(
        lambda b: -inner(b)[1], bounds=(0.0, b_max), method="bounded", options={"xatol": 1e-12}
    )
    b_best = float(res.x)
    a_best, v_best = inner(b_best)
    v0 = inner(0.0)[1]
    if v0 >= v_best:
        a_best, b_best = a_pl, 0.0
    return a_best / sc, b_best / sc**2


def loglik_continuous(x: np.ndarray, y: np.ndarray, Y: float, a: float, b: float) -> np.ndarray:
    """Log-density of each value ``x`` (``y = ln(x / xmin)``) under the fitted law."""
    sc = float(y.mean())
    log_z = _log_z(a * sc, b * sc * sc, Y / sc) + math.log(sc)
    return a * y - b * y * y - np.log(x) - log_z


# ------------------------------------------------------------ discrete data
def _discrete_intervals(k: np.ndarray, xmin: float, xmax: float | None):
    """Lower ends and widths, in y, of ``[k - 1/2, k + 1/2]``, and the end ``Y`` of the range.

    Computed from ``ln k`` and ``log1p``/``arctanh`` so that integers beyond 2**53 keep their
    half-unit intervals.
    """
    y0 = math.log(xmin - 0.5)
    lo = np.log(k) + np.log1p(-0.5 / k) - y0
    width = 2.0 * np.arctanh(0.5 / k)
    Y = math.inf if xmax is None else math.log(xmax) + math.log1p(0.5 / xmax) - y0
    return lo, width, Y


def _discrete_loglik_fn(lo, width, counts, Y, sc):
    n = float(counts.sum())
    los, ws, Ys = lo / sc, width / sc, Y / sc

    def ll(a, b):
        if b == 0.0 and a >= 0.0 and not math.isfinite(Ys):
            return -math.inf
        num = _log_gauss_integral(a, b, los, ws)
        return float(counts @ num) - n * _log_z(a, b, Ys)

    return ll


def _newton_ascent(f, x0: float, x1: float, max_iter: int = 50) -> tuple[float, float, float]:
    """Maximise a smooth ``f(x0, x1)``: Newton steps on central-difference derivatives,
    Levenberg-Marquardt damping where the Hessian is not negative definite, backtracking."""
    x = np.array([x0, x1], np.float64)
    fx = f(*x)
    for _ in range(max_iter):
        h = 1e-4 * (1.0 + np.abs(x))
        fa = f(x[0] + h[0], x[1]), f(x[0] - h[0], x[1])
        fb = f(x[0], x[1] + h[1]), f(x[0], x[1] - h[1])
        fd = f(x[0] + h[0], x[1] + h[1]), f(x[0] - h[0], x[1] - h[1])
        if not np.all(np.isfinite([*fa, *fb, *fd])):
            break
        g = np.array([(fa[0] - fa[1]) / (2 * h[0]), (fb[0] - fb[1]) / (2 * h[1])])
        H = np.empty((2, 2))
        H[0, 0] = (fa[0] - 2 * fx + fa[1]) / h[0] ** 2
        H[1, 1] = (fb[0] - 2 * fx + fb[1]) / h[1] ** 2
        H[0, 1] = H[1, 0] = (sum(fd) - sum(fa) - sum(fb) + 2 * fx) / (2 * h[0] * h[1])
        top = float(np.linalg.eigvalsh(H)[-1])
        lam = 0.0 if top < 0 else top + 1e-6 * (1.0 + abs(top))
        step = np.linalg.solve(lam * np.eye(2) - H, g)
        t, improved = 1.0, False
        for _ in range(30):
            fn = f(*(x + t * step))
            if fn > fx:
                improved = True
                break
            t *= 0.25
        if not improved:
            break
        gain = fn - fx
        x, fx = x + t * step, fn
        if gain < 1e-11 * (1.0 + abs(fx)) and np.all(np.abs(t * step) < 1e-7 * (1 + np.abs(x))):
            break
    return float(x[0]), float(x[1]), fx


def fit_discrete(k: np.ndarray, xmin: float, xmax: float | None) -> tuple[float, float]:
    r"""MLE :math:`(a, b)`, :math:`b \ge 0`, of the discretised lognormal on the fit range.

    The profile :math:`\max_a \ell(a, b)` is evaluated at :math:`b = 0` and at 8 values
    log-spaced over seven decades below :math:`2/s_y^2` (:math:`s_y^2` the variance of
    :math:`\ln k`), each maximisation over :math:`a` starting from the optimum at the
    previous :math:`b`; Newton's method in :math:`(a, \sqrt b)` then climbs from the best
    grid point (from its positive neighbour when that is :math:`b = 0`), and the better of
    the climb and the power-law limit is kept.
    """
    u, counts = np.unique(k, return_counts=True)
    counts = counts.astype(np.float64)
    lo, width, Y = _discrete_intervals(u, xmin, xmax)
    mid = lo + 0.5 * width
    sc = float(counts @ mid / counts.sum())
    ll = _discrete_loglik_fn(lo, width, counts, Y, sc)
    var = max(float(counts @ (mid / sc - 1.0) ** 2 / counts.sum()), 1e-12)
    open_top = not math.isfinite(Y)

    def inner(b, a0, xtol=1e-6):
        half = 0.5 + 0.1 * abs(a0)
        lo_a, hi_a = a0 - half, a0 + half
        capped = b == 0.0 and open_top  # a < 0 keeps the power-law limit normalisable
        if capped:
            hi_a = min(hi_a, -1e-12)
            lo_a = min(lo_a, hi_a - half)
        for _ in range(60):
            a, v = _argmax_bounded(lambda a: ll(a, b), lo_a, hi_a, xtol * (1.0 + abs(a0)))
            w = hi_a - lo_a
            if a <= lo_a + 1e-6 * w:
                lo_a -= 2.0 * w
            elif a >= hi_a - 1e-6 * w and not capped:
                hi_a += 2.0 * w
            else:
                break
        return a, v

    grid = np.concatenate([[0.0], np.geomspace(1e-7, 1.0, 8) * (2.0 / var)])
    a_prev, vals, at = _a_power_law(1.0, Y / sc), [], []
    for b in grid:
        a_prev, v = inner(b, a_prev)
        at.append(a_prev)
        vals.append(v)
    j = int(np.argmax(vals))
    # b = 0 is the best grid value: if a lognormal beats the limit, it is near grid[1]
    start = 1 if j == 0 else j
    a_n, beta, v_n = _newton_ascent(lambda a, bt: ll(a, bt * bt), at[start], grid[start] ** 0.5)
    if vals[0] >= v_n:  # the power-law limit, refined
        return inner(0.0, at[0], 1e-11)[0] / sc, 0.0
    return a_n / sc, beta * beta / sc**2


def loglik_discrete(k: np.ndarray, xmin: float, xmax: float | None, a: float, b: float):
    """Log-probability of each integer ``k`` under the fitted discretised lognormal."""
    lo, width, Y = _discrete_intervals(k, xmin, xmax)
    sc = float(np.mean(lo + 0.5 * width))
    a_s, b_s = a * sc, b * sc * sc
    num = _log_gauss_integral(a_s, b_s, lo / sc, width / sc)
    return num - _log_z(a_s, b_s, Y / sc)


def natural_to_mu_sigma(a: float, b: float, x0: float) -> tuple[float, float]:
    r"""``(mu, sigma)`` of the lognormal with natural parameters ``(a, b)`` about ``x0``;
    ``b = 0`` (the power-law limit) gives :math:`\mu = \mp\infty`, :math:`\sigma = \infty`."""
    if b == 0.0:
        return (-math.inf if a < 0 else math.inf), math.inf
    return math.log(x0) + a / (2.0 * b), 1.0 / math.sqrt(2.0 * b)
