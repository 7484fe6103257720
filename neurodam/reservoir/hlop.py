"""Continual learning of reservoir readouts by Hebbian orthogonal projection (HLOP).

Xiao, M., Meng, Q., Zhang, Z., He, D. & Lin, Z. (2024). Hebbian learning based orthogonal
projection for continual learning of spiking neural networks. ICLR 2024.

Lateral units ``y = H x`` learn the principal subspace of a layer's inputs with Oja's
subspace rule (Oja 1989, "Neural networks, principal components, and subspaces", Int. J.
Neural Syst. 1:61-68)::

    dH = eta y (x - H^T y)^T

whose fixed points are the orthonormal bases (H H^T = I) of the top principal subspace
of E[x x^T]. After each task, new lateral units learn the inputs of that task with the
units of the earlier tasks fixed (in the reconstruction ``x - H^T y``, ``H`` holds all
rows, and the new rows start orthogonal to the old ones), so that they take the
principal subspace of what the earlier subspaces do not explain; the subspaces accumulate
task by task (units left without any input variance are dropped). Readout updates for a
new task use the projected presynaptic activity::

    dW = eta_w (z - W x) (x - H^T H x)^T

which leaves the responses to inputs inside the earlier subspaces (nearly) unchanged:
little forgetting. Without the projection (``project=False``) this is plain sequential
training by the delta rule, which forgets.

Here the readout is a linear map of liquid states (with a constant input for the bias)
trained by the delta rule in mini-batches over epochs, and classification is by the
largest output; the whole algorithm runs in numpy over liquid states (it is a
readout-side algorithm: the reservoir itself does not learn). The rates ``eta`` are
relative to the mean squared norm of the inputs, so they do not depend on the scale of
the states.

Scoring (Lopez-Paz & Ranzato 2017, "Gradient episodic memory for continual learning"):
``R[i, j]`` is the accuracy on task j after training task i, and the backward transfer
``BWT = mean_{j < T} (R[T, j] - R[j, j])`` (T the last task): negative means forgetting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_finite, check_int, check_number
from neurodam.reservoir.readouts import NotTrainedError

__all__ = [
    "ContinualResult",
    "HLOPReadout",
    "backward_transfer",
    "continual_learning",
    "liquid_state_tasks",
    "oja_subspace",
]


def _samples(X: Any, name: str = "X", n_features: int | None = None) -> np.ndarray:
    a = np.asarray(X)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty (samples, features) array, got {a.shape}")
    if n_features is not None and a.shape[1] != n_features:
        raise ValueError(f"{name}: expected {n_features} features, got {a.shape[1]}")
    a = a.astype(np.float64)
    check_finite(a, name)
    return a


def _rate(eta: float, X: np.ndarray) -> float:
    """``eta`` relative to the mean squared norm of the samples."""
    scale = float(np.mean(np.sum(X * X, axis=1)))
    return eta / scale if scale > 0 else eta


def oja_subspace(
    X: Any,
    n_components: int,
    *,
    eta: float = 0.5,
    n_epochs: int = 300,
    batch_size: int = 16,
    fixed: Any = None,
    seed: Any = None,
) -> np.ndarray:
    """Lateral units learning the principal subspace of ``X`` by Oja's subspace rule.

    ``dH = eta_t y (x - H_all^T y_all)^T`` per mini-batch (averaged over its samples),
    ``y = H x``, with ``eta_t = eta / mean |x|^2`` for the first half of the epochs and then
    decaying as ``1 / (1 + (epoch - n_epochs / 2) / 10)`` so that the rows settle on the
    subspace. Directions of small variance converge at a rate ~ eta_t lambda: the epochs
    must be many when the spectrum falls steeply (liquid states). ``H_all`` stacks the
    ``fixed`` rows (units of earlier tasks, not updated) and the new ones: the new units
    learn the principal subspace of what the fixed ones do not reconstruct (HLOP, Xiao et
    al. 2024).

    Parameters
    ----------
    X : array_like, shape (samples, features)
        The inputs (not centred: the rule learns the subspace of E[x x^T]).
    n_components : int
        New lateral units (1 <= n_components <= features - fixed rows).
    eta : float
        Learning rate relative to the mean squared norm of the samples (> 0).
    n_epochs, batch_size : int
    fixed : array_like, shape (k, features), optional
        Rows learned before, kept fixed.
    seed : int, Generator or None
        Initial rows (small random) and sample order.

    Returns
    -------
    ndarray, shape (n_components, features)
        The new rows (orthonormal and orthogonal to ``fixed`` at convergence).
    """
    X = _samples(X)
    n, p = X.shape
    old = np.zeros((0, p))
    if fixed is not None and np.size(fixed):
        old = _samples(fixed, "fixed", p)
    n_components = check_int(n_components, "n_components", min=1, max=p - old.shape[0])
    if n < n_components:
        raise ValueError(
            f"X: expected at least n_components={n_components} samples to learn a "
            f"subspace of that size, got {n}"
        )
    eta = check_number(eta, "eta", min=0.0, min_open=True)
    n_epochs = check_int(n_epochs, "n_epochs", min=1)
    batch_size = check_int(batch_size, "batch_size", min=1)
    rng = np.random.default_rng(seed)
    H = rng.standard_normal((n_components, p)) / np.sqrt(p)  # rows of norm ~ 1
    # start orthogonal to the fixed rows: the updates y (x - H_all^T y_all)^T never change a
    # row's component along them, so a random start would keep it for ever
    H -= (H @ old.T) @ old
    base = _rate(eta, X)
    for epoch in range(n_epochs):
        lr = base / (1.0 + max(0.0, epoch - n_epochs / 2) / 10.0)
        order = rng.permutation(n)
        for lo in range(0, n, batch_size):
            xb = X[order[lo : lo + batch_size]]
            y_old = xb @ old.T
            y_new = xb @ H.T
            resid = xb - y_old @ old - y_new @ H  # x - H_all^T y_all
            H += lr * (y_new.T @ resid) / xb.shape[0]
    return H


def backward_transfer(R: Any) -> float:
    """``mean_{j < T} (R[T, j] - R[j, j])`` of an accuracy matrix (T the last task)."""
    R = np.asarray(R, dtype=np.float64)
    if R.ndim != 2 or R.shape[0] != R.shape[1] or R.shape[0] < 2:
        raise ValueError(f"R: expected a square matrix of at least 2 tasks, got {R.shape}")
    last = R.shape[0] - 1
    return float(np.mean(R[last, :last] - np.diag(R)[:last]))


class HLOPReadout:
    """A linear classifier of liquid states trained task by task, with or without HLOP.

    Parameters
    ----------
    n_outputs : int
        Output units (classes; shared by every task).
    n_components : int
        Lateral units added per task (the dimension of its protected subspace).
    eta : float
        Delta-rule rate, relative to the mean squared norm of the inputs (> 0).
    n_epochs, batch_size : int
        Readout training per task.
    hebb_eta, hebb_epochs : float, int
        Oja's subspace rule (:func:`oja_subspace`) per task.
    project : bool
        Project the readout updates orthogonally to the earlier tasks' subspaces (HLOP);
        False: plain sequential training.
    seed : int, Generator or None

    Attributes
    ----------
    coef_ : ndarray, shape (n_outputs, n_features + 1)
        The weights (last column: the bias, on a constant input 1).
    H_ : ndarray, shape (k, n_features + 1)
        The lateral units of the tasks learned so far.
    n_tasks_ : int
    """

    def __init__(
        self,
        n_outputs: int,
        n_components: int = 10,
        *,
        eta: float = 0.5,
        n_epochs: int = 100,
        batch_size: int = 16,
        hebb_eta: float = 0.5,
        hebb_epochs: int = 300,
        project: bool = True,
        seed: Any = None,
    ) -> None:
        self.n_outputs = check_int(n_outputs, "n_outputs", min=2)
        self.n_components = check_int(n_components, "n_components", min=1)
        self.eta = check_number(eta, "eta", min=0.0, min_open=True)
        self.n_epochs = check_int(n_epochs, "n_epochs", min=1)
        self.batch_size = check_int(batch_size, "batch_size", min=1)
        self.hebb_eta = check_number(hebb_eta, "hebb_eta", min=0.0, min_open=True)
        self.hebb_epochs = check_int(hebb_epochs, "hebb_epochs", min=1)
        self.project = bool(project)
        # separate streams: the sample order of the readout does not depend on the Hebbian
        # units' epochs
        self._rng, self._rng_hebb = np.random.default_rng(seed).spawn(2)
        self.coef_: np.ndarray | None = None
        self.H_: np.ndarray | None = None
        self.n_tasks_ = 0

    def __repr__(self) -> str:
        return (
            f"HLOPReadout(n_outputs={self.n_outputs}, n_components={self.n_components}, "
            f"project={self.project}, tasks={self.n_tasks_})"
        )

    @staticmethod
    def _aug(X: np.ndarray) -> np.ndarray:
        return np.hstack([X, np.ones((X.shape[0], 1))])

    def _labels(self, y: Any, n: int) -> np.ndarray:
        lab = np.asarray(y)
        if lab.ndim != 1 or not np.issubdtype(lab.dtype, np.integer):
            raise TypeError(f"y: expected a 1-D array of integer class labels, got {lab.dtype}")
        if lab.size != n:
            raise ValueError(f"y: expected one label per sample ({n}), got {lab.size}")
        if lab.min() < 0 or lab.max() >= self.n_outputs:
            raise ValueError(
                f"y: expected labels in [0, {self.n_outputs}), got [{lab.min()}, {lab.max()}]"
            )
        return lab

    def learn_task(self, X: Any, y: Any) -> HLOPReadout:
        """Train on one task (inputs ``X``, labels ``y``), then add its lateral units."""
        p = None if self.coef_ is None else self.coef_.shape[1] - 1
        X = _samples(X, "X", p)
        lab = self._labels(y, X.shape[0])
        Xa = self._aug(X)
        n, q = Xa.shape
        if self.coef_ is None:
            self.coef_ = np.zeros((self.n_outputs, q))
            self.H_ = np.zeros((0, q))
        room = q - self.H_.shape[0]
        k = min(self.n_components, room)
        if n < max(2, k):
            raise ValueError(
                f"X: expected at least {max(2, k)} samples for a task "
                f"(n_components={self.n_components}), got {n}"
            )
        Z = np.eye(self.n_outputs)[lab]
        H = self.H_
        lr = _rate(self.eta, Xa)
        for _ in range(self.n_epochs):
            order = self._rng.permutation(n)
            for lo in range(0, n, self.batch_size):
                idx = order[lo : lo + self.batch_size]
                xb = Xa[idx]
                err = Z[idx] - xb @ self.coef_.T
                pre = xb - (xb @ H.T) @ H if (self.project and H.shape[0]) else xb
                self.coef_ += lr * (err.T @ pre) / idx.size
        if k > 0:
            new = oja_subspace(
                Xa, k, eta=self.hebb_eta, n_epochs=self.hebb_epochs,
                batch_size=self.batch_size, fixed=H, seed=self._rng_hebb,
            )  # fmt: skip
            # units left without input (the task's inputs have no variance outside the
            # earlier subspaces in their direction) learned nothing: drop them
            power = np.mean((Xa @ new.T) ** 2, axis=0)
            live = power > 1e-9 * np.mean(np.sum(Xa * Xa, axis=1))
            self.H_ = np.vstack([H, new[live]])
        self.n_tasks_ += 1
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The outputs ``W [x; 1]`` (samples, n_outputs)."""
        if self.coef_ is None:
            raise NotTrainedError("X: the readout is not trained yet; call learn_task first")
        X = _samples(X, "X", self.coef_.shape[1] - 1)
        return self._aug(X) @ self.coef_.T

    def predict(self, X: Any) -> np.ndarray:
        """The class of each sample (the largest output)."""
        return np.argmax(self.decision_function(X), axis=1)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on ``(X, y)``."""
        guess = self.predict(X)
        return float(np.mean(guess == self._labels(y, guess.size)))


@dataclass(frozen=True)
class ContinualResult:
    """The outcome of :func:`continual_learning`.

    Attributes
    ----------
    accuracy : ndarray, shape (T, T)
        ``R[i, j]``: test accuracy on task j after training task i (j > i: before
        training it).
    bwt : float
        Backward transfer (:func:`backward_transfer`).
    final_accuracy : float
        Mean of the last row.
    project : bool
        Whether the updates were projected (HLOP).
    subspace_dims : tuple of int
        Lateral units after each task.
    """

    accuracy: np.ndarray
    bwt: float
    final_accuracy: float
    project: bool
    subspace_dims: tuple


def continual_learning(
    tasks: Sequence[tuple],
    n_outputs: int | None = None,
    *,
    project: bool = True,
    **readout_options: Any,
) -> ContinualResult:
    """Train one readout on a sequence of tasks and score it after each.

    Parameters
    ----------
    tasks : sequence of (X_train, y_train, X_test, y_test)
        Liquid states (samples, features) and integer labels; every task uses the same
        features and output units.
    n_outputs : int, optional
        Number of classes (default: the largest label + 1).
    project : bool
        HLOP (True) or plain sequential training (False).
    **readout_options
        Passed to :class:`HLOPReadout` (``n_components``, ``eta``, ``n_epochs``,
        ``hebb_eta``, ``hebb_epochs``, ``batch_size``, ``seed``).
    """
    tasks = list(tasks)
    if len(tasks) < 2:
        raise ValueError(f"tasks: expected at least 2 tasks, got {len(tasks)}")
    for t, task in enumerate(tasks):
        if not isinstance(task, tuple | list) or len(task) != 4:
            raise TypeError(f"tasks: expected (X_train, y_train, X_test, y_test) at position {t}")
    if n_outputs is None:
        n_outputs = int(max(np.max(task[1]) for task in tasks)) + 1
    ro = HLOPReadout(n_outputs, project=project, **readout_options)
    T = len(tasks)
    R = np.zeros((T, T))
    dims = []
    for i, (Xtr, ytr, _, _) in enumerate(tasks):
        ro.learn_task(Xtr, ytr)
        dims.append(int(ro.H_.shape[0]))
        for j, (_, _, Xte, yte) in enumerate(tasks):
            R[i, j] = ro.score(Xte, yte)
    return ContinualResult(
        accuracy=R,
        bwt=backward_transfer(R),
        final_accuracy=float(R[-1].mean()),
        project=project,
        subspace_dims=tuple(dims),
    )


def liquid_state_tasks(
    model: Any,
    n_tasks: int = 3,
    n_classes: int = 2,
    n_train: int = 60,
    n_test: int = 30,
    *,
    n_channels: int = 10,
    rate: float = 40.0,
    jitter_sd: float = 0.005,
    sample_duration: float = 0.1,
    gap: float = 0.1,
    tau: float = 0.03,
    p_connect: float = 0.1,
    weight: float | None = None,
    shared_channels: bool = False,
    backend: str = "runtime",
    seed: Any = None,
) -> list[tuple]:
    """A sequence of classification tasks on the liquid states of a reservoir.

    Task t has its own input family: ``n_channels`` input channels of its own (or, with
    ``shared_channels``, the same channels for every task), projecting onto a random part
    of the reservoir (each onto each neuron with probability ``p_connect``), and
    ``n_classes`` Poisson spike templates on them (``rate`` Hz for
    ``sample_duration`` s). A sample is a template with Gaussian jitter of SD
    ``jitter_sd``; its liquid state (``tau``) is read at the end of the presentation, and
    presentations are ``gap`` s apart. Every task labels its classes 0 .. n_classes - 1,
    so all tasks share the readout's output units. All samples of all tasks run in one
    simulation of ``model`` (tasks in order, classes shuffled within a task).

    Returns
    -------
    list of (X_train, y_train, X_test, y_test)
        One per task, for :func:`continual_learning`.
    """
    from neurodam._validate import check_seconds
    from neurodam.reservoir.encoders import jitter, spike_input, spike_template
    from neurodam.reservoir.simulate import simulate
    from neurodam.reservoir.state import liquid_state

    n_tasks = check_int(n_tasks, "n_tasks", min=2)
    n_classes = check_int(n_classes, "n_classes", min=2)
    n_train = check_int(n_train, "n_train", min=2)
    n_test = check_int(n_test, "n_test", min=1)
    n_channels = check_int(n_channels, "n_channels", min=1)
    sample_duration = check_seconds(sample_duration, "sample_duration")
    gap = check_number(gap, "gap", min=0.0)
    rng = np.random.default_rng(seed)
    templates = [
        [spike_template(n_channels, sample_duration, rate, seed=rng) for _ in range(n_classes)]
        for _ in range(n_tasks)
    ]
    per_task = n_train + n_test
    period = sample_duration + gap
    times, chans, labels, ends = [], [], [], []
    for t in range(n_tasks):
        lab = np.resize(np.arange(n_classes), per_task)
        rng.shuffle(lab)
        for m, c in enumerate(lab):
            start = (t * per_task + m) * period
            tt, ch = templates[t][c]
            times.append(start + jitter(tt, jitter_sd, sample_duration, seed=rng))
            chans.append(ch if shared_channels else ch + t * n_channels)
            ends.append(start + sample_duration)
        labels.append(lab)
    inp = spike_input(
        np.concatenate(times),
        np.concatenate(chans),
        n_channels if shared_channels else n_tasks * n_channels,
        p_connect=p_connect,
        weight=weight,
        seed=rng,
    )
    duration = round(n_tasks * per_task * period / model.dt) * model.dt
    run = simulate(model, duration, inputs=inp, backend=backend, seed=int(rng.integers(2**31 - 1)))
    X = liquid_state(run.spikes, np.array(ends) - model.dt, tau=tau)
    out = []
    for t in range(n_tasks):
        Xt = X[t * per_task : (t + 1) * per_task]
        out.append((Xt[:n_train], labels[t][:n_train], Xt[n_train:], labels[t][n_train:]))
    return out
