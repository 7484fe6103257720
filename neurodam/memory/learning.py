"""Hebbian learning from examples: the couplings of supervised and unsupervised networks.

An archetype ``xi^mu`` (mu = 1..K) is never shown to the network; it sees M examples
``eta^{mu,a}`` (a = 1..M) of each, e.g. the noisy copies of
:func:`neurodam.patterns.noisy_examples` (``P(eta_i = xi_i) = (1 + r)/2``, quality r) or
real images of a digit class. The Hebbian rule is then applied to the examples (Agliari,
Albanese, Alemanno, Alessandrelli, Barra, Giannotti, Lotito & Pedreschi, "Dense Hebbian
neural networks: a replica symmetric picture of supervised learning" and "... of
unsupervised learning", Physica A 2023; Agliari, Alemanno, Barra & De Marzo 2022). Every
network of :mod:`neurodam.memory` is a function F of the overlaps with a pattern matrix,
so learning from examples is a choice of "patterns" handed to :func:`~neurodam.memory.simulate`
(F = ``"hopfield"`` or ``"dense:P"``; every backend):

Supervised (a teacher groups the examples by class)
    ``xi_hat^mu = (1 / (M sqrt(R))) sum_a eta^{mu,a}``, K real-valued patterns, so that the
    energy of ``F = "dense:P"`` is
    ``E = -(N/P) sum_mu (xi_hat^mu . sigma / N)^P
        = -(1 / (P N^(P-1) R^(P/2) M^P)) sum_mu (sum_a sum_i eta_i^{mu,a} sigma_i)^P``:
    the examples are averaged within a class *before* the P-body interaction. For P = 2
    the couplings are ``J_ij = (1/N) sum_mu xi_hat_i^mu xi_hat_j^mu =
    (1 / (N R M^2)) sum_mu sum_{a,b} eta_i^{mu,a} eta_j^{mu,b}`` (J_ii excluded, as in
    every neurodam engine).
Unsupervised (no labels)
    ``E = -(1 / (P N^(P-1) R^(P/2) M)) sum_mu sum_a (eta^{mu,a} . sigma)^P``: the P-body
    terms of every example are summed. In the registry these are the K M examples as
    patterns, scaled by ``c = 1 / (sqrt(R) M^(1/P))`` (for P = 2:
    ``J_ij = (1 / (N R M)) sum_{mu,a} eta_i^{mu,a} eta_j^{mu,a}``, the Hebbian matrix of
    K M patterns divided by R M).

``R = E[eta_bar_i^2] = r^2 + (1 - r^2) / M = r^2 (1 + rho)`` with the dataset entropy
``rho = (1 - r^2) / (M r^2)`` (:func:`neurodam.memory.theory.dataset_entropy`). With
this normalisation (``normalisation="R"``, the default) the pairwise low-load retrieval
transition is at T = 1 for every r and M, and :func:`neurodam.memory.theory.supervised_overlap`
(T = 0: ``2 P(Binomial(M, (1 + r)/2) > M/2) - 1`` for odd M, -> ``erf(1/sqrt(2 rho))``)
gives the archetype overlap at the Glauber temperature T of neurodam. Other
normalisations scale the energy by a positive factor lambda, so they have the same T = 0
dynamics and every transition at lambda T:

=================  ===============================  =======================================
normalisation      supervised patterns              unsupervised patterns
=================  ===============================  =======================================
``"R"``            ``eta_bar / sqrt(R)``            ``eta / (sqrt(R) M^(1/P))``
``"mean"``         ``eta_bar`` (lambda = R^(P/2))   ``eta / M^(1/P)`` (lambda = R^(P/2))
``"sum"``          ``M eta_bar`` (integers for      ``eta`` (the examples themselves,
                   +-1 examples: exact fields)      lambda = M R^(P/2))
                   (lambda = M^P R^(P/2))
=================  ===============================  =======================================

``eta_bar^mu = (1/M) sum_a eta^{mu,a}`` is the class average. With ``"R"`` the patterns are
irrational, and a field that vanishes in exact arithmetic (a tie) is decided by rounding,
which differs between engines (summation order); ``"sum"`` (integers, exact ties) runs
bit-identically on every engine. The dense couplings are never
a tensor: every engine evaluates them from the K (or K M) overlaps with these patterns
(:mod:`neurodam.memory.kernel`; memory O(N K) supervised, O(N K M) unsupervised).

Functions
---------
:func:`from_examples`     the patterns of the supervised or unsupervised couplings
:func:`coupling_norm`     R, and the factor c applied to the examples
:func:`overlaps_with`     overlaps of the recorded states of a run with other patterns
                          (archetypes, examples)
:func:`class_examples`    examples grouped by class from labelled data (K, M, N)
:func:`mnist_examples`    binarised MNIST digits grouped by class (shared data or the
                          shipped subset)
:func:`digits_examples`   scikit-learn's 8x8 digits grouped by class
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int, check_probability
from neurodam.memory.results import MemoryRun
from neurodam.patterns import real_patterns

__all__ = [
    "NORMALISATIONS",
    "RULES",
    "class_examples",
    "coupling_norm",
    "digits_examples",
    "from_examples",
    "mnist_examples",
    "overlaps_with",
]

RULES = ("supervised", "unsupervised")
NORMALISATIONS = ("R", "mean", "sum")


def _examples(examples: Any, rule: str, M: int | None) -> tuple[np.ndarray, int | None]:
    """The examples as float64, (K, M, N) or (K*M, N) as given, and M (None when unknown)."""
    x = np.asarray(examples)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"examples: expected a numeric array, got dtype {x.dtype}")
    if rule == "supervised":
        if x.ndim != 3:
            raise ValueError(
                "examples: the supervised rule needs the examples grouped by class, shape "
                f"(K, M, N), got shape {x.shape}"
            )
    elif x.ndim not in (2, 3):
        raise ValueError(
            f"examples: expected a (K*M, N) array (or (K, M, N) grouped), got shape {x.shape}"
        )
    if x.ndim == 3:
        if x.shape[0] < 1 or x.shape[2] < 1:
            raise ValueError(f"examples: expected K >= 1 classes of N >= 1 entries, got {x.shape}")
        m = x.shape[1]
        if m < 1:
            raise ValueError(f"M: expected at least 1 example per class, got shape {x.shape}")
        if M is not None and check_int(M, "M", min=1) != m:
            raise ValueError(f"M: the examples hold M={m} per class, got M={M}")
    else:
        if x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"examples: expected K*M >= 1 examples of N >= 1, got {x.shape}")
        m = None if M is None else check_int(M, "M", min=1)
        if m is not None and x.shape[0] % m:
            raise ValueError(f"M: {x.shape[0]} examples are not K*M for M={m}")
    xf = real_patterns(x.reshape(-1, x.shape[-1]), name="examples").reshape(x.shape)
    return xf, m


def coupling_norm(
    examples: Any,
    rule: str = "supervised",
    *,
    P: int = 2,
    normalisation: str = "R",
    r: float | None = None,
    M: int | None = None,
) -> tuple[float, float]:
    """``(R, c)``: the mean square of the class averages and the factor of the examples.

    ``R = r^2 + (1 - r^2)/M`` when the quality ``r`` is given, else the measured mean of
    ``eta_bar_i^mu ^ 2`` over classes and sites (for +-1 examples an unbiased estimate of
    the same value). ``c`` multiplies the class sums ``sum_a eta^{mu,a}`` (supervised) or
    the examples (unsupervised): see the module docstring's table. Arguments as in
    :func:`from_examples`.
    """
    x, m = _checked(examples, rule, P, normalisation, M)
    return _norm(x, m, rule, P, normalisation, r)


def _checked(examples, rule, P, normalisation, M):
    check_choice(rule, "rule", RULES)
    check_choice(normalisation, "normalisation", NORMALISATIONS)
    check_int(P, "P", min=2)
    return _examples(examples, rule, M)


def _norm(x, m, rule, P, normalisation, r) -> tuple[float, float]:
    if r is not None:
        r = check_probability(r, "r")
    if m is None:
        if normalisation != "sum":
            raise ValueError(
                "M: ungrouped (K*M, N) examples need M, the number of examples per class "
                "(or pass them grouped as a (K, M, N) array)"
            )
        return math.nan, 1.0
    if r is not None:
        R = r * r + (1.0 - r * r) / m
    elif x.ndim == 3:
        R = float(np.mean(x.mean(axis=1) ** 2))
    else:
        R = math.nan
    if normalisation == "sum":
        return R, 1.0
    if normalisation == "R":
        if math.isnan(R):
            raise ValueError(
                "r: the 'R' normalisation of ungrouped (K*M, N) examples needs the quality r "
                "(or pass them grouped as a (K, M, N) array)"
            )
        if R <= 0:
            raise ValueError("examples: the class averages are all zero (R = 0); nothing to learn")
    s = math.sqrt(R) if normalisation == "R" else 1.0
    if rule == "supervised":
        return R, 1.0 / (m * s)
    return R, 1.0 / (s * m ** (1.0 / P))


def from_examples(
    examples: Any,
    rule: str = "supervised",
    *,
    P: int = 2,
    normalisation: str = "R",
    r: float | None = None,
    M: int | None = None,
) -> np.ndarray:
    """The patterns whose Hebbian couplings are those learnt from the examples.

    Parameters
    ----------
    examples : array
        Supervised: shape (K, M, N), the M examples of each of the K classes. Unsupervised:
        shape (K*M, N) (or (K, M, N), flattened; the grouping is then only used for R).
        Any finite real values (+-1 noisy examples, binarised or grey-level images).
    rule : {"supervised", "unsupervised"}
        Average the examples within each class before the interaction (K patterns), or
        sum the interaction over every example (K M patterns).
    P : int
        Order of the interaction the patterns are meant for (``F = "hopfield"``: 2,
        ``"dense:P"``: P); enters only the unsupervised factor ``M^(1/P)``.
    normalisation : {"R", "mean", "sum"}
        The scale of the patterns (module docstring): ``"R"`` (default) is that of
        Agliari et al. (2023) and of :mod:`neurodam.memory.theory`.
    r : float, optional
        Quality of the examples in [0, 1], when known: ``R = r^2 + (1 - r^2)/M``.
        Otherwise R is measured on the class averages (grouped examples).
    M : int, optional
        Examples per class of ungrouped unsupervised examples (needed for ``"R"`` and
        ``"mean"``); checked against the shape of grouped ones.

    Returns
    -------
    ndarray, float64, shape (K, N) (supervised) or (K*M, N) (unsupervised)
        What :func:`neurodam.memory.simulate` takes as ``patterns``; with
        ``normalisation="sum"`` and integer examples the values are integers (exact fields
        and ties of the polynomial interactions). ``init=mu`` starts a supervised run at
        the sign of the class average mu.

    Raises
    ------
    TypeError
        Non-numeric examples; ``P`` or ``M`` not an integer.
    ValueError
        A shape that does not fit the rule, M < 1, r outside [0, 1], a missing M or r
        (ungrouped examples), an unknown rule or normalisation; the message names the
        argument.

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(3, 1000, seed=0)
    >>> eta = patterns.noisy_examples(xi, M=5, r=0.4, seed=1)       # (3, 5, 1000)
    >>> J_patterns = from_examples(eta, "supervised", r=0.4)         # (3, 1000)
    >>> from_examples(eta.reshape(15, 1000), "unsupervised", r=0.4, M=5).shape
    (15, 1000)
    """
    x, m = _checked(examples, rule, P, normalisation, M)
    _, c = _norm(x, m, rule, P, normalisation, r)
    if rule == "supervised":
        out = x.sum(axis=1)
    else:
        out = x.reshape(-1, x.shape[-1])
    if c != 1.0:
        out = out * c
    return np.ascontiguousarray(out, dtype=np.float64)


# ------------------------------------------------------------------ overlaps
def overlaps_with(run: MemoryRun, patterns: Any, *, final: bool = False) -> np.ndarray:
    """Overlaps ``m_mu(t) = xi^mu . sigma(t) / N`` of a run's states with other patterns.

    A network that learnt from examples stores class averages (or the examples
    themselves); its ``run.overlaps`` are with those. This gives the overlaps with the
    archetypes, the examples or any other (K', N) matrix, from the recorded states.

    Parameters
    ----------
    run : MemoryRun
        Simulated with ``"states"`` in ``record`` (unless ``final``).
    patterns : array, shape (K', N) or (N,)
        Any finite real values (e.g. archetypes, examples reshaped to (K*M, N)).
    final : bool
        Only the final state: shape (K',).

    Returns
    -------
    ndarray, float64, shape (T, K') (or (K',) with ``final``)

    Raises
    ------
    TypeError
        ``run`` is not a MemoryRun.
    ValueError
        No recorded states (without ``final``), or patterns whose N is not the run's.
    """
    if not isinstance(run, MemoryRun):
        raise TypeError(f"run: expected a MemoryRun, got {type(run).__name__}")
    N = int(run.spikes.n_neurons)
    xi = real_patterns(patterns, N=N, name="patterns")
    if final:
        if run.final_state is None:
            raise ValueError("run: no final state recorded")
        return xi @ run.final_state.astype(np.float64) / N
    if run.states is None:
        raise ValueError(
            "run: overlaps over time need the states; simulate with 'states' in record, "
            "or pass final=True"
        )
    return run.states.astype(np.float64) @ xi.T / N


# ------------------------------------------------------------------ data sets
def class_examples(data: Any, labels: Any, M: int, classes: Any = None) -> np.ndarray:
    """The first M items of each class, grouped: shape (K, M, N).

    Parameters
    ----------
    data : array, shape (n, N)
    labels : array, shape (n,)
    M : int
        Examples per class (>= 1; every class must have that many).
    classes : sequence, optional
        The classes, in order (default: the sorted distinct labels).
    """
    x = np.asarray(data)
    lab = np.asarray(labels).ravel()
    if x.ndim != 2 or x.shape[0] != lab.size:
        raise ValueError(
            f"labels: expected one label per row of data {x.shape}, got {lab.size} labels"
        )
    M = check_int(M, "M", min=1)
    classes = np.unique(lab) if classes is None else list(classes)
    out = []
    for k in classes:
        idx = np.flatnonzero(lab == k)
        if idx.size < M:
            raise ValueError(f"M: class {k!r} has {idx.size} examples, fewer than M={M}")
        out.append(x[idx[:M]])
    return np.stack(out)


def digits_examples(M: int, classes: Any = range(10)) -> np.ndarray:
    """scikit-learn's binarised 8x8 digits grouped by class: (K, M, 64) int8 (M <= 174)."""
    from neurodam.patterns import digits

    x, labels = digits()
    return class_examples(x, labels, M, classes)


def _mnist_dirs(path: str | os.PathLike | None) -> list[Path]:
    if path is not None:
        return [Path(path)]
    dirs = []
    env = os.environ.get("NEURODAM_SHARED_DATA")
    if env:
        dirs.append(Path(env) / "mnist")
    repo = Path(__file__).resolve().parents[2]
    dirs.append(repo.parent / "shared" / "data" / "mnist")
    return dirs


def mnist_examples(
    M: int, classes: Any = range(10), *, path: str | os.PathLike | None = None
) -> np.ndarray:
    """Binarised MNIST test digits grouped by class: (K, M, 784) int8, pixel > 127 -> +1.

    Reads ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` from ``path``,
    else from ``$NEURODAM_SHARED_DATA/mnist`` or ``../shared/data/mnist`` beside the
    repository (:func:`neurodam.patterns.read_mnist_idx`); without them, the shipped subset
    ``data/mnist_subset.npz`` (50 images per class, the first of each class in test-set
    order, as in the full set). The first M images of each class in test-set order.
    """
    from neurodam.patterns import binarize, read_mnist_idx

    M = check_int(M, "M", min=1)
    for d in _mnist_dirs(path):
        images, lab = d / "t10k-images-idx3-ubyte.gz", d / "t10k-labels-idx1-ubyte.gz"
        if images.is_file() and lab.is_file():
            x = binarize(read_mnist_idx(images), 127)
            return class_examples(x, read_mnist_idx(lab), M, classes)
    if path is not None:
        raise FileNotFoundError(f"path: no MNIST test-set files in {path}")
    subset = Path(__file__).resolve().parents[2] / "data" / "mnist_subset.npz"
    if not subset.is_file():
        raise FileNotFoundError(
            "MNIST: neither the test set (NEURODAM_SHARED_DATA/mnist) nor data/mnist_subset.npz"
        )
    with np.load(subset) as z:
        bits = np.unpackbits(z["packed"], axis=1)[:, : int(z["n_pixels"])]
        labels = z["labels"]
    x = np.where(bits > 0, 1, -1).astype(np.int8)
    return class_examples(x, labels, M, classes)
