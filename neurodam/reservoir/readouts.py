"""Readouts: linear maps from a reservoir's state to targets.

RidgeReadout   ridge regression in closed form, the regularisation chosen by blocked
               (contiguous, unshuffled) k-fold cross-validation, as suits time series
RLSReadout     recursive least squares, online, one sample at a time: the FORCE rule of
               Sussillo & Abbott (2009) on the readout weights (Nicola & Clopath 2017 for
               spiking reservoirs)
nrmse          normalised root-mean-square error
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam._validate import check_finite, check_int, check_number

__all__ = ["DEFAULT_ALPHAS", "NotTrainedError", "RLSReadout", "RidgeReadout", "nrmse"]

#: Default penalty grid of :class:`RidgeReadout`, relative to the mean feature variance.
DEFAULT_ALPHAS = tuple(10.0**k for k in range(-7, 2))


class NotTrainedError(RuntimeError):
    """A readout was asked to predict before it was trained."""


def _matrix(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one sample, got none")
    a = a.astype(np.float64, copy=False)
    check_finite(a, name)
    return a


def _pair(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    X = _matrix(X, "X")
    y_arr = np.asarray(y)
    vector = y_arr.ndim == 1
    Y = _matrix(y_arr, "y")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"y: expected as many samples as X ({X.shape[0]}), got {Y.shape[0]}")
    return X, Y, vector


def nrmse(y_true: Any, y_pred: Any) -> float:
    """Normalised RMSE ``sqrt(mean((y - y_hat)^2) / var(y))`` (1 for predicting the mean).

    Multi-output: the squared errors and variances are summed over outputs first.
    """
    y = _matrix(y_true, "y_true")
    p = _matrix(y_pred, "y_pred")
    if p.shape != y.shape:
        raise ValueError(f"y_pred: expected shape {y.shape} as y_true, got {p.shape}")
    var = float(np.var(y, axis=0).sum())
    if not var > 0:
        raise ValueError("y_true: expected a target that varies (its variance is 0)")
    return float(np.sqrt(np.mean(((y - p) ** 2).sum(axis=1)) / var))


class RidgeReadout:
    """Ridge regression ``W = argmin |Y - X W - b|^2 + alpha |W|^2``, closed form.

    The penalty is chosen from ``alphas`` by blocked k-fold cross-validation: the samples
    are cut into ``cv`` contiguous blocks (no shuffling: neighbouring reservoir states are
    correlated), each block is predicted by the fit on the others, and the alpha of the
    least mean squared error wins; the readout is then refitted on all samples. The
    normal equations are assembled once from per-block sums (``X^T X``, ``X^T Y``), so
    cross-validation costs one pass over the data plus a Cholesky solve per fold and alpha.

    Parameters
    ----------
    alphas : float or sequence of float
        Penalties relative to the mean feature variance (``trace(C) / p``, C the centred
        ``X^T X``), so the grid does not depend on the scale of the states. A single value
        skips the cross-validation.
    cv : int
        Number of contiguous folds (>= 2).
    fit_intercept : bool

    Attributes
    ----------
    coef_ : ndarray, shape (n_features, n_outputs)
    intercept_ : ndarray, shape (n_outputs,)
    alpha_ : float
        The chosen penalty, absolute (``alpha_rel_`` relative to the mean variance).
    cv_mse_ : ndarray
        Mean squared error per alpha (summed over outputs, averaged over folds).
    """

    def __init__(
        self,
        alphas: Any = DEFAULT_ALPHAS,
        cv: int = 5,
        fit_intercept: bool = True,
    ) -> None:
        a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or a.min() < 0:
            raise ValueError(f"alphas: expected one or more finite values >= 0, got {alphas!r}")
        self.alphas = a
        self.cv = check_int(cv, "cv", min=2)
        self.fit_intercept = bool(fit_intercept)
        self.coef_: np.ndarray | None = None

    def __repr__(self) -> str:
        fitted = "" if self.coef_ is None else f", alpha_={self.alpha_:.3g}"
        return f"RidgeReadout(alphas={self.alphas.size} values, cv={self.cv}{fitted})"

    def _solve(self, G, s, XY, sy, n, alpha):
        import scipy.linalg as sla

        if self.fit_intercept:
            mx, my = s / n, sy / n
            C = G - np.outer(s, mx)
            Cxy = XY - np.outer(s, my)
        else:
            mx, my = np.zeros_like(s), np.zeros_like(sy)
            C, Cxy = G, XY
        A = C + alpha * np.eye(C.shape[0])
        W = sla.cho_solve(sla.cho_factor(A, check_finite=False), Cxy, check_finite=False)
        return W, my - mx @ W

    def _scale(self, G, s, n) -> float:
        var = np.diag(G) - (s * s / n if self.fit_intercept else 0.0)
        mean_var = float(np.mean(var))
        return mean_var if mean_var > 0 else 1.0

    def fit(self, X: Any, y: Any) -> RidgeReadout:
        """Fit on states ``X`` (samples x features) and targets ``y`` (samples [x outputs])."""
        import scipy.linalg as sla

        X, Y, self._vector = _pair(X, y)
        n, p = X.shape
        single = self.alphas.size == 1
        if not single and n < self.cv:
            raise ValueError(f"X: expected at least cv={self.cv} samples, got {n}")
        folds = np.array_split(np.arange(n), 1 if single else self.cv)
        stats = [(X[f].T @ X[f], X[f].sum(0), X[f].T @ Y[f], Y[f].sum(0), f.size) for f in folds]
        tot = [sum(st[k] for st in stats) for k in range(5)]
        scale = self._scale(tot[0], tot[1], tot[4])
        if single:
            best = 0
            self.cv_mse_ = np.full(1, np.nan)
        else:
            mse = np.zeros(self.alphas.size)
            for f, st in zip(folds, stats, strict=True):
                train = [tot[k] - st[k] for k in range(5)]
                for ai, a in enumerate(self.alphas):
                    try:
                        W, b = self._solve(*train, a * scale)
                    except (np.linalg.LinAlgError, sla.LinAlgError):
                        mse[ai] = np.inf
                        continue
                    err = X[f] @ W + b - Y[f]
                    mse[ai] += float((err * err).sum()) / n
            if not np.isfinite(mse).any():
                raise ValueError("X: the normal equations are singular for every alpha")
            best = int(np.argmin(mse))
            self.cv_mse_ = mse
        self.alpha_rel_ = float(self.alphas[best])
        self.alpha_ = self.alpha_rel_ * scale
        self.coef_, self.intercept_ = self._solve(*tot, self.alpha_)
        self.n_features_in_ = p
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for the states ``X`` (1-D when fitted on a 1-D ``y``)."""
        if self.coef_ is None:
            raise NotTrainedError("X: the readout is not trained yet; call fit(X, y) first")
        X = _matrix(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X: expected {self.n_features_in_} features as in fit, got {X.shape[1]}"
            )
        out = X @ self.coef_ + self.intercept_
        return out[:, 0] if self._vector else out

    def score(self, X: Any, y: Any) -> float:
        """:func:`nrmse` of the predictions for ``X`` against ``y``."""
        return nrmse(y, self.predict(X))


class RLSReadout:
    """Recursive least squares, online: the FORCE rule (Sussillo & Abbott 2009).

    For each sample (state ``x``, target ``y``)::

        e = W^T x - y                       (error before the update)
        k = P x / (lambda + x^T P x)
        W <- W - k e^T
        P <- (P - k x^T P) / lambda

    with ``P(0) = I / alpha`` (the inverse of the regularised correlation matrix) and the
    forgetting factor ``lambda`` (1: ordinary RLS; < 1 forgets old samples, which lets the
    readout follow a target that changes). A constant input 1 is appended for the
    intercept when ``fit_intercept``.

    Parameters
    ----------
    alpha : float
        Initial regularisation (> 0; the learning rate of FORCE is ~ 1/alpha).
    forgetting : float
        lambda in (0, 1].
    fit_intercept : bool
    """

    def __init__(self, alpha: float = 1.0, forgetting: float = 1.0, fit_intercept: bool = True):
        self.alpha = check_number(alpha, "alpha", min=0.0, min_open=True)
        self.forgetting = check_number(forgetting, "forgetting", min=0.0, max=1.0, min_open=True)
        self.fit_intercept = bool(fit_intercept)
        self.coef_: np.ndarray | None = None
        self.n_updates_ = 0

    def __repr__(self) -> str:
        return (
            f"RLSReadout(alpha={self.alpha:g}, forgetting={self.forgetting:g}, "
            f"updates={self.n_updates_})"
        )

    def _aug(self, X: np.ndarray) -> np.ndarray:
        return np.hstack([X, np.ones((X.shape[0], 1))]) if self.fit_intercept else X

    def partial_fit(self, X: Any, y: Any) -> np.ndarray:
        """Update on the samples in order; returns the errors before each update."""
        X, Y, vector = _pair(X, y)
        if self.coef_ is None:
            q = X.shape[1] + self.fit_intercept
            self._P = np.eye(q) / self.alpha
            self._W = np.zeros((q, Y.shape[1]))
            self.n_features_in_, self._vector = X.shape[1], vector
        elif X.shape[1] != self.n_features_in_ or Y.shape[1] != self._W.shape[1]:
            raise ValueError(
                f"X: expected {self.n_features_in_} features and {self._W.shape[1]} outputs "
                f"as before, got {X.shape[1]} and {Y.shape[1]}"
            )
        Xa = self._aug(X)
        P, W, lam = self._P, self._W, self.forgetting
        errors = np.empty_like(Y)
        for t in range(Xa.shape[0]):  # the online rule: one sample after the other
            x = Xa[t]
            Px = P @ x
            k = Px / (lam + x @ Px)
            e = x @ W - Y[t]
            W -= np.outer(k, e)
            P -= np.outer(k, Px)
            if lam != 1.0:
                P /= lam
            errors[t] = e
        self._P, self._W = P, W
        self.coef_ = W[: self.n_features_in_]
        self.intercept_ = (
            W[self.n_features_in_ :].ravel() if self.fit_intercept else np.zeros(W.shape[1])
        )
        self.n_updates_ += Xa.shape[0]
        return errors[:, 0] if vector else errors

    def fit(self, X: Any, y: Any) -> RLSReadout:
        """Reset and learn online from the samples in order (:meth:`partial_fit`)."""
        self.coef_ = None
        self.n_updates_ = 0
        self.errors_ = self.partial_fit(X, y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions with the current weights (1-D when trained on a 1-D ``y``)."""
        if self.coef_ is None:
            raise NotTrainedError("X: the readout is not trained yet; call fit(X, y) first")
        X = _matrix(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X: expected {self.n_features_in_} features as in fit, got {X.shape[1]}"
            )
        out = self._aug(X) @ self._W
        return out[:, 0] if self._vector else out

    def score(self, X: Any, y: Any) -> float:
        """:func:`nrmse` of the predictions for ``X`` against ``y``."""
        return nrmse(y, self.predict(X))
