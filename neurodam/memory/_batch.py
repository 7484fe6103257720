"""The synchronous dynamics of R replicas of one memory in numpy (the batched reference).

One step of R replicas, the states an N x R matrix ``S`` (one replica per column):

* overlaps ``A = S^T Xi^T`` (R x K), one matrix-matrix product (float32 for integer
  patterns: exact integers while ``|a| < 2^24``);
* decision ``sigma_i <- sgn h_i`` from the kernel's fields ``G = Xi^T W(A)``
  (:meth:`~neurodam.memory.kernel.FieldKernel.decide` on the K x R block), or the Glauber
  heat bath ``P(sigma_i = +1) = 1 / (1 + exp(-2 h_i / T))`` replica by replica;
* SEDAM noise (Cafiso & Paradisi 2026): replica r's neuron i is hit when ``v_ri < p_r``
  and flipped (``flip``) or set to +-1 by ``u_ri < 0.5`` (``reset``).

Each replica draws from its own generator in the order of a single run (Glauber ``u``,
then noise ``v``, then ``u`` for ``reset``), so it repeats that run draw for draw.
"""

from __future__ import annotations

import numpy as np

from neurodam.memory.interactions import FieldKernel, glauber_probability
from neurodam.memory.params import MemoryParams

__all__ = ["sync_batch"]


def sync_batch(kern: FieldKernel, S0, P: MemoryParams, noise, rngs, keep_states, ticks):
    """The synchronous dynamics of R replicas (rows of ``S0``), each with its own noise
    level and generator, in the draw order of a single run
    (:func:`neurodam.memory.reference.run`); ``ticks`` iterates over the steps.

    The state is an (N, R) matrix, one replica per column. The overlaps are kept as an
    (R, K) C-ordered matrix, so the (K, R) arrays of the kernel are F-ordered and every
    per-replica sum over the patterns is the pairwise sum of a contiguous column, as in a
    single run.
    """
    xi, dtype = kern.xi, kern.dtype
    K, N = xi.shape
    R, steps = len(rngs), P.steps
    ov = np.empty((R, steps, K), dtype=np.float32)  # raw overlaps, divided by N at the end
    en = np.empty((R, steps), dtype=np.float64)
    counts = np.empty((R, steps), dtype=np.int64)
    states = np.empty((R, steps, N), dtype=np.int8) if keep_states else None
    # integer patterns: float32 overlaps are exact integers (|a| < 2^24), twice the speed
    exact32 = kern.integer and kern.a_bound < 2.0**24
    xi_ov = np.ascontiguousarray(xi, dtype=np.float32) if exact32 else xi

    def overlaps(S):  # (R, K), C-ordered
        A = S.T.astype(xi_ov.dtype) @ xi_ov.T
        return A.astype(dtype, copy=False)

    S = np.ascontiguousarray(S0.T, dtype=dtype)  # (N, R)
    A = overlaps(S)
    co = kern.coefficients(A.T)
    beta = None if P.temperature is None else 1.0 / P.temperature
    flip_noise = P.noise_mode == "flip"
    plus = P.fire_on == "plus"
    noisy = [r for r in range(R) if noise[r] > 0]
    p_col = np.asarray(noise, dtype=np.float64)
    # per-replica draws land in rows; a replica without noise draws nothing and its row
    # (1.0) never counts as a hit
    v = np.ones((R, N))
    u = np.empty((R, N)) if not flip_noise else None
    hit = np.empty((R, N), dtype=bool)
    p_row = p_col[:, None]
    for t in ticks:
        if beta is None:
            new = kern.decide(A.T, S, co)
        else:
            new = np.empty_like(S)
            for r, rng in enumerate(rngs):
                hg = kern.glauber(A[r], S[:, r])
                new[:, r] = np.where(rng.random(N) < glauber_probability(hg, beta), 1.0, -1.0)
        if noisy:
            for r in noisy:
                rngs[r].random(out=v[r])
                if u is not None:
                    rngs[r].random(out=u[r])
            np.less(v, p_row, out=hit)
            # np.where instead of a masked ufunc (ten times slower on an (N, R) block);
            # the same +-1 values as the single run's negation or reset
            if flip_noise:
                new *= np.where(hit.T, -1.0, 1.0)
            else:
                reset = np.where(u.T < 0.5, 1.0, -1.0)
                new = np.where(hit.T, reset, new).astype(new.dtype, copy=False)
        if plus:
            counts[:, t] = np.rint((N + new.sum(axis=0)) / 2)
        else:
            counts[:, t] = np.count_nonzero((new > 0) & (S < 0), axis=0)
        S = new
        A = overlaps(S)
        ov[:, t] = A
        co = kern.coefficients(A.T)
        en[:, t] = kern.energies(A.T, co)
        if keep_states:
            states[:, t] = S.T
    ov /= N
    return ov, en, counts, states, np.ascontiguousarray(S.T).astype(np.int8)
