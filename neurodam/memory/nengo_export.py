"""Export an associative memory to Nengo (Bekolay et al. 2014).

:func:`to_nengo` builds a ``nengo.Network`` that runs the synchronous deterministic
dynamics of :mod:`neurodam.memory.interactions` in any Nengo simulator, in one of two forms:

``form="weights"`` (Hopfield only)
    N ``SignNeurons`` (:func:`sign_neuron_type`, a custom binary neuron type, output
    ``sgn J`` with ties keeping the previous output) with one recurrent
    ``Connection(neurons, neurons)`` whose transform is the Hebbian matrix
    ``N J = Xi^T Xi`` with zero diagonal (Hopfield 1982; the factor N keeps the weights
    integer so that ties stay exact, and does not change ``sgn``).
``form="bipartite"`` (every F)
    Feature node (N states) -> memory node (K units, overlaps ``a = Xi sigma`` through the
    transform ``Xi``) -> feature node, the same bipartite form and the same field kernel as
    the Brian2 model and the reference engine
    (:class:`~neurodam.memory.interactions.FieldKernel`): the memory units output the
    coefficient vectors ``c_k`` and ``d_j``, the connections back carry the transforms
    ``T_k^T`` and ``E_j^T``, and the feature node computes
    ``x_i = g_i + sigma_i (f e_i + t)`` and ``sgn x_i`` (0 keeps sigma_i).

Timing: every recurrent path carries one Nengo time step (``synapse=0``), so the output at
Nengo step k (k = 1, 2, ...) is the state after k-1 synchronous updates of the cue; step 1
shows the cue itself. ``net.state`` is the object whose output is sigma (probe it with
``nengo.Probe(net.state_output)``), ``net.overlaps`` a node with ``m = Xi sigma / N``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.memory.interactions import FieldKernel, Interaction, decide, parse_interaction
from neurodam.memory.params import DEFAULT_F
from neurodam.patterns import real_patterns

__all__ = ["to_nengo", "sign_neuron_type", "FORMS"]

FORMS = ("auto", "weights", "bipartite")


def sign_neuron_type():
    """The Nengo neuron type ``SignNeurons`` (a class; nengo is imported lazily)."""
    import nengo
    from nengo.dists import Choice

    class SignNeurons(nengo.neurons.NeuronType):
        """Binary +-1 neurons: output ``sgn J``; J == 0 keeps the previous output.

        State ``sigma`` (initial value: the cue, via ``initial_state={"sigma": cue}``).
        Gain 1 and bias 0: the input current is exactly the weighted sum of the inputs.
        """

        state = {"sigma": Choice([1.0])}
        negative = True
        spiking = False

        def gain_bias(self, max_rates, intercepts):
            n = np.asarray(max_rates).size
            return np.ones(n), np.zeros(n)

        def max_rates_intercepts(self, gain, bias):
            n = np.asarray(gain).size
            return np.ones(n), np.zeros(n)

        def rates(self, x, gain, bias):
            return np.sign(np.asarray(x) * gain + bias)

        def step(self, dt, J, output, sigma):
            new = np.where(J > 0, 1.0, np.where(J < 0, -1.0, sigma))
            sigma[...] = new
            output[...] = new

    return SignNeurons


def _memory_function(kernel: FieldKernel):
    """a (K,) -> [c_1, ..., d_1, ...]: the coefficient vectors of the field kernel."""

    def f(t, a):
        odd, even = kernel.coefficients(np.asarray(a, dtype=np.float64))
        return np.concatenate(list(odd) + list(even))

    return f


def to_nengo(
    patterns_or_network: Any,
    F: str | Interaction | None = None,
    cue: np.ndarray | None = None,
    form: str = "auto",
    seed: int | None = None,
    label: str | None = None,
):
    """A ``nengo.Network`` running the deterministic synchronous memory dynamics.

    Parameters
    ----------
    patterns_or_network : (K, N) array or MemoryNetwork
        Stored patterns (the values the interaction accepts), or a
        :class:`neurodam.memory.brian.MemoryNetwork` (its ``patterns``, ``interaction`` and
        ``init`` are used).
    F : str or Interaction, optional
        Interaction (default ``"exp"``, or the network's).
    cue : (N,) array of +-1, optional
        Initial state (default: the network's ``init``, else the first pattern).
    form : {"auto", "weights", "bipartite"}
        ``weights`` (Hopfield only) or ``bipartite`` (module docstring); ``auto`` picks
        ``weights`` for F = hopfield and ``bipartite`` otherwise.
    seed, label : passed to ``nengo.Network``.

    Returns
    -------
    net : nengo.Network
        With attributes ``state`` (the ensemble or node holding sigma), ``state_output``
        (the object to probe: ``state.neurons`` or ``state``), ``overlaps`` (node with
        ``m = Xi sigma / N``), ``memory`` (bipartite form: the memory-unit node),
        ``patterns``, ``interaction``, ``cue``, ``form``.

    Examples
    --------
    >>> import nengo                                           # doctest: +SKIP
    >>> net = to_nengo(xi, cue=flip(xi[0], 0.2, seed=0))       # doctest: +SKIP
    >>> with net: p = nengo.Probe(net.overlaps)                # doctest: +SKIP
    >>> with nengo.Simulator(net) as sim: sim.run_steps(10)    # doctest: +SKIP
    """
    import nengo

    default_cue = None
    if hasattr(patterns_or_network, "patterns") and hasattr(patterns_or_network, "interaction"):
        pats = patterns_or_network.patterns
        F = patterns_or_network.interaction if F is None else F
        default_cue = getattr(patterns_or_network, "init", None)
    else:
        pats = patterns_or_network
    inter = parse_interaction(DEFAULT_F if F is None else F)
    kernel = inter.kernel(real_patterns(pats, name="patterns_or_network"))
    xi = kernel.patterns
    K, N = xi.shape
    if cue is None:
        cue = default_cue if default_cue is not None else xi[0]
    cue = np.asarray(cue, dtype=np.float64).ravel()
    if cue.size != N or not np.all(np.abs(cue) == 1):
        raise ValueError(f"cue: expected N={N} entries in {{-1, +1}}, got shape {cue.shape}")
    if form not in FORMS:
        raise ValueError(f"form: expected one of {FORMS}, got {form!r}")
    if form == "auto":
        form = "weights" if _pairwise(inter) else "bipartite"
    if form == "weights" and not _pairwise(inter):
        raise ValueError(
            f"form: 'weights' needs F='hopfield' (pairwise couplings), got F={inter.name!r}"
        )

    net = nengo.Network(label=label or f"neurodam {inter.name} memory", seed=seed)
    with net:
        net.overlaps = nengo.Node(size_in=K, label="overlaps m")
        if form == "weights":
            # N J: integer weights, so exact ties (J sigma = 0) stay exact in float64
            J = xi.T @ xi
            np.fill_diagonal(J, 0.0)
            SignNeurons = sign_neuron_type()
            net.state = nengo.Ensemble(
                N,
                1,
                neuron_type=SignNeurons(initial_state={"sigma": cue}),
                gain=np.ones(N),
                bias=np.zeros(N),
                label="features",
            )
            net.state_output = net.state.neurons
            nengo.Connection(net.state.neurons, net.state.neurons, transform=J, synapse=0)
            net.memory = None
        else:
            cue_c = cue.copy()
            f, t0 = kernel.even_factor, kernel.tie_offset

            def feature_fn(t, x, N=N, cue=cue_c):
                g, e, s = x[:N], x[N : 2 * N], x[2 * N :]
                if not np.any(s):  # first step: nothing fed back yet
                    return cue
                return decide(g + s * (f * e + t0), s)

            n_odd, n_even = len(kernel.odd), len(kernel.even)
            net.state = nengo.Node(feature_fn, size_in=3 * N, size_out=N, label="features")
            net.state_output = net.state
            net.memory = nengo.Node(
                _memory_function(kernel), size_in=K, size_out=(n_odd + n_even) * K,
                label="memory units",
            )  # fmt: skip
            nengo.Connection(net.state, net.memory, transform=xi, synapse=None)
            back = np.zeros((2 * N, (n_odd + n_even) * K))
            for k, m in enumerate(kernel.odd):
                back[:N, k * K : (k + 1) * K] = m.T
            for j, m in enumerate(kernel.even):
                back[N:, (n_odd + j) * K : (n_odd + j + 1) * K] = m.T
            nengo.Connection(net.memory, net.state[: 2 * N], transform=back, synapse=0)
            nengo.Connection(net.state, net.state[2 * N :], synapse=0)
        nengo.Connection(net.state_output, net.overlaps, transform=xi / N, synapse=None)
    net.patterns = xi
    net.interaction = inter
    net.cue = cue
    net.form = form
    return net


def _pairwise(inter: Interaction) -> bool:
    """F = x^2: the memory has pairwise couplings (a weight matrix)."""
    from neurodam.memory.polynomial import Polynomial

    return isinstance(inter, Polynomial) and inter.n == 2
