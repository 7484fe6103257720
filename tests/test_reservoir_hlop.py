"""HLOP: Oja's subspace rule, projected continual learning, backward transfer, bad input."""

import numpy as np
import pytest
from scipy.linalg import subspace_angles

from neurodam.reservoir import NotTrainedError, izhikevich_reservoir
from neurodam.reservoir.hlop import (
    HLOPReadout,
    backward_transfer,
    continual_learning,
    liquid_state_tasks,
    oja_subspace,
)


def _gaussian(n, p, variances, seed):
    """Samples of N(0, Q diag(variances) Q^T) and the exact eigenvectors Q (columns)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    X = rng.standard_normal((n, p)) * np.sqrt(variances) @ Q.T
    return X, Q


def _pca(X, k):
    return np.linalg.svd(X, full_matrices=False)[2][:k].T


# ------------------------------------------------------------------ Oja's subspace rule
def test_oja_rule_converges_to_an_orthonormal_basis_of_the_principal_subspace():
    """Known answer: the fixed points of Oja's subspace rule are orthonormal bases of the
    top-k principal subspace (Oja 1989); spectrum 10, 7, 5 | 1.5 ... 0.5 (a clear gap)."""
    X, _ = _gaussian(2000, 20, np.r_[10, 7, 5, np.linspace(1.5, 0.5, 17)], seed=0)
    H = oja_subspace(X, 3, seed=1)
    angles = np.degrees(subspace_angles(H.T, _pca(X, 3)))
    # the decaying rate leaves a jitter ~ eta_final * lambda / gap: well below a degree
    assert angles.max() < 0.5
    np.testing.assert_allclose(H @ H.T, np.eye(3), atol=5e-3)
    far = oja_subspace(X, 3, n_epochs=1, seed=1)  # one epoch is not converged yet
    assert np.degrees(subspace_angles(far.T, _pca(X, 3))).max() > angles.max()


def test_oja_units_added_with_fixed_earlier_units_learn_the_next_subspace():
    """HLOP's accumulation: new units with the old ones fixed in the reconstruction take the
    principal subspace orthogonal to the old one (here the next two directions)."""
    X, _ = _gaussian(2000, 20, np.r_[10, 8, 5, 3, np.linspace(1.0, 0.5, 16)], seed=2)
    first = oja_subspace(X, 2, seed=3)
    second = oja_subspace(X, 2, fixed=first, seed=4)
    H = np.vstack([first, second])
    assert np.degrees(subspace_angles(first.T, _pca(X, 2))).max() < 0.5
    assert np.degrees(subspace_angles(H.T, _pca(X, 4))).max() < 0.5
    np.testing.assert_allclose(first @ second.T, 0.0, atol=5e-3)


# ------------------------------------------------------------------ continual learning
def _low_rank_tasks(n_tasks=3, p=30, rank=4, n_classes=3, n=90, seed=0):
    """Tasks whose inputs lie in their own random rank-4 subspaces (overlapping ones: random
    directions in 30 dimensions), classes at random prototypes; the same output units."""
    rng = np.random.default_rng(seed)
    tasks = []
    for _ in range(n_tasks):
        U = np.linalg.qr(rng.standard_normal((p, rank)))[0]  # orthonormal within a task
        proto = 1.5 * rng.standard_normal((n_classes, rank))
        out = []
        for _ in range(2):  # train, test
            y = np.resize(np.arange(n_classes), n)
            coef = proto[y] + 0.5 * rng.standard_normal((n, rank))
            out += [coef @ U.T, y]
        tasks.append(tuple(out))
    return tasks


def test_hlop_keeps_earlier_tasks_that_plain_sequential_training_forgets():
    """Known answer: each task's inputs (with the bias input) span rank + 1 = 5 dimensions;
    with 5 lateral units per task the projected updates leave the outputs on the earlier
    tasks' inputs unchanged (up to the learned subspaces' error), so R[T, j] = R[j, j]
    (BWT = 0), while plain training forgets."""
    tasks = _low_rank_tasks()
    plain = continual_learning(tasks, project=False, n_components=5, seed=0)
    hlop = continual_learning(tasks, project=True, n_components=5, seed=0)
    # classes overlap (noise SD 0.5 against prototype distances ~ 2): accuracies ~ 0.9
    assert np.all(np.diag(hlop.accuracy) > 0.8) and np.all(np.diag(plain.accuracy) > 0.8)
    assert plain.bwt < -0.2
    assert hlop.bwt == 0.0
    assert hlop.subspace_dims[0] == 5 and hlop.subspace_dims[-1] <= 15
    assert hlop.final_accuracy > plain.final_accuracy + 0.1
    change = {}
    for project in (False, True):
        ro = HLOPReadout(3, n_components=5, project=project, seed=0)
        ro.learn_task(*tasks[0][:2])
        before = ro.decision_function(tasks[0][2])
        for X, y, _, _ in tasks[1:]:
            ro.learn_task(X, y)
        after = ro.decision_function(tasks[0][2])
        change[project] = np.linalg.norm(after - before) / np.linalg.norm(before)
    # Oja's units span the task subspaces to a fraction of a degree: outputs move < 2 %
    assert change[True] < 0.02 and change[False] > 0.5


def test_backward_transfer_of_a_known_matrix():
    R = np.array([[0.9, 0.1, 0.2], [0.7, 0.8, 0.3], [0.6, 0.5, 0.95]])
    assert backward_transfer(R) == pytest.approx(((0.6 - 0.9) + (0.5 - 0.8)) / 2)
    with pytest.raises(ValueError, match="^R"):
        backward_transfer(np.ones((2, 3)))


def test_readout_without_projection_is_plain_delta_rule_training():
    """With project=False no subspace enters the updates: the weights do not depend on H."""
    tasks = _low_rank_tasks(n_tasks=2)
    a = HLOPReadout(3, n_components=5, project=False, seed=1)
    b = HLOPReadout(3, n_components=1, project=False, seed=1, hebb_epochs=1)
    for X, y, _, _ in tasks:
        a.learn_task(X, y)
        b.learn_task(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# ------------------------------------------------------------------ bad input
def test_bad_input_names_the_argument():
    X = np.random.default_rng(0).standard_normal((20, 6))
    y = np.arange(20) % 2
    ro = HLOPReadout(2, n_components=3)
    with pytest.raises(NotTrainedError, match="^X"):
        ro.predict(X)
    with pytest.raises(ValueError, match="^X"):  # fewer samples than lateral units
        HLOPReadout(2, n_components=5).learn_task(X[:4], y[:4])
    with pytest.raises(ValueError, match="^y"):
        ro.learn_task(X, y + 1)
    with pytest.raises(ValueError, match="^y"):
        ro.learn_task(X, y[:5])
    with pytest.raises(TypeError, match="^y"):
        ro.learn_task(X, y.astype(float))
    ro.learn_task(X, y)
    with pytest.raises(ValueError, match="^X"):
        ro.predict(X[:, :5])
    with pytest.raises(ValueError, match="^X"):
        ro.learn_task(np.full((20, 6), np.nan), y)
    bad = {"eta": -1.0, "hebb_eta": 0.0, "n_components": 0, "n_epochs": 0}
    for name, value in bad.items():
        with pytest.raises(ValueError, match=f"^{name}"):
            HLOPReadout(2, **{name: value})
    with pytest.raises(ValueError, match="^n_outputs"):
        HLOPReadout(1)
    with pytest.raises(ValueError, match="^X"):
        oja_subspace(X[:2], 3)
    with pytest.raises(ValueError, match="^n_components"):
        oja_subspace(X, 7)
    with pytest.raises(ValueError, match="^fixed"):
        oja_subspace(X, 2, fixed=np.ones((2, 5)))
    with pytest.raises(ValueError, match="^tasks"):
        continual_learning([(X, y, X, y)])


# ------------------------------------------------------------------ on a reservoir
@pytest.mark.slow
def test_hlop_reduces_forgetting_on_liquid_states_of_an_izhikevich_reservoir():
    """Three 3-class template tasks, each with its own input channels, on one reservoir
    (160 + 40 neurons, weak thalamic noise so that the states are reproducible).
    Measured over task seeds 4, 5, 6 x readout seeds 0-2: plain BWT -0.14 to -0.31, HLOP
    (20 units per task) -0.01 to -0.08; the gap HLOP - plain was 0.13 to 0.23 (mean 0.19,
    SD 0.04) and 0.22-0.23 for task seed 4: the margin 0.1 is 2 SD below the mean gap."""
    m = izhikevich_reservoir(160, 40, seed=1, noise_exc=1.0, noise_inh=0.4)
    tasks = liquid_state_tasks(m, n_tasks=3, n_classes=3, n_train=100, n_test=50, seed=4)
    plain = continual_learning(tasks, project=False, n_components=20, seed=0)
    hlop = continual_learning(tasks, project=True, n_components=20, seed=0)
    assert np.all(np.diag(plain.accuracy) > 0.7)
    assert hlop.bwt > plain.bwt + 0.1
    assert hlop.final_accuracy > plain.final_accuracy
