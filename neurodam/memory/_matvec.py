"""Dense mat-vecs of the associative memory as Brian2 user functions (matrix form).

The bipartite form sums ``2 N K`` synapses with index indirection every step; here the
same two products run as contiguous dot products over the pattern matrix, inside Brian2
``Function`` objects with numpy, Cython and C++ implementations (Brian2 documentation,
"User-provided functions"), so the model still runs on every device:

* ``put_s(i, sigma)`` (feature group) copies sigma into a buffer of length N;
* ``overlap(i)`` (memory group) returns ``a_mu = sum_j Xi[mu, j] sbuf[j]``;
* ``put_c(i, c, d)`` (memory group) copies the coefficients into buffers of length K;
* ``field(i)`` (feature group) returns ``g_i = sum_mu Xi[mu, i] cbuf[mu]``;
* ``absfield(i)`` (diluted patterns only) returns ``sum_mu |Xi[mu, i]| dbuf[mu]``.

The matrices and buffers are (flat, 1-D) function namespaces: one numpy array shared
by the functions in runtime mode, one static array of the standalone program (shared
by name). The functions
have side effects, so they are declared ``stateless=False``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["attach"]


def _cpp_dot(fname: str, mat: str, buf: str, length: int) -> str:
    return f"""
    static inline double {fname}(const int _row)
    {{
        const double* _r = _namespace{mat} + (long)_row * {length};
        double _acc = 0.0;
        for (int _j = 0; _j < {length}; _j++)
            _acc += _r[_j] * _namespace{buf}[_j];
        return _acc;
    }}
    """


def _cython_dot(fname: str, mat: str, buf: str, length: int) -> str:
    return f"""
cdef double {fname}(int _row):
    cdef double* _r = _namespace{mat} + <long>_row * {length}
    cdef double _acc = 0.0
    cdef int _j
    for _j in range({length}):
        _acc += _r[_j] * _namespace{buf}[_j]
    return _acc
"""


def _cpp_put(fname: str, bufs: list[str]) -> str:
    args = ", ".join(["const int _k"] + [f"const double _v{n}" for n in range(len(bufs))])
    body = " ".join(f"_namespace{b}[_k] = _v{n};" for n, b in enumerate(bufs))
    return f"""
    static inline double {fname}({args})
    {{
        {body}
        return 0.0;
    }}
    """


def _cython_put(fname: str, bufs: list[str]) -> str:
    args = ", ".join(["int _k"] + [f"double _v{n}" for n in range(len(bufs))])
    body = "\n".join(f"    _namespace{b}[_k] = _v{n}" for n, b in enumerate(bufs))
    return f"""
cdef double {fname}({args}):
{body}
    return 0.0
"""


def _function(pyfunc, fname: str, n_float_args: int, cpp: str, cython: str, namespace: dict):
    import brian2 as b2
    from brian2.core.functions import FunctionImplementation  # noqa: F401

    f = b2.Function(
        pyfunc,
        arg_units=[1] + [1] * n_float_args,
        arg_types=["integer"] + ["float"] * n_float_args,
        return_unit=1,
        return_type="float",
        stateless=False,
        auto_vectorise=False,
    )
    f.implementations.add_implementation("cpp", cpp, namespace=namespace, name=fname)
    f.implementations.add_implementation("cython", cython, namespace=namespace, name=fname)
    return f


def attach(feature: Any, memory: Any, xi: np.ndarray, zeros: bool, name: str) -> list:
    """Add the matrix-form operations to ``feature`` and ``memory`` (orders of brian.py).

    ``feature`` and ``memory`` need a scratch variable ``mv``. Returns the extra objects
    to add to the network (none: the operations belong to the groups).
    """
    K, N = xi.shape
    X = np.ascontiguousarray(xi, dtype=np.float64)  # (K, N): row mu
    XT = np.ascontiguousarray(xi.T, dtype=np.float64)  # (N, K): row i
    sbuf = np.zeros(N)
    cbuf = np.zeros(K)
    dbuf = np.zeros(K)
    k_x, k_xt, k_ax = f"_{name}_xi", f"_{name}_xit", f"_{name}_axit"
    k_s, k_c, k_d = f"_{name}_sbuf", f"_{name}_cbuf", f"_{name}_dbuf"

    def put_s(i, sigma):
        sbuf[i] = sigma
        return np.zeros(np.shape(i))

    def overlap(i):
        return (X @ sbuf)[i]

    def put_c(i, c, d):
        cbuf[i] = c
        dbuf[i] = d
        return np.zeros(np.shape(i))

    def field(i):
        return (cbuf @ X)[i]

    AX = np.abs(XT)

    def absfield(i):
        return (AX @ dbuf)[i]

    f_put_s = _function(
        put_s,
        f"{name}_put_s",
        1,
        _cpp_put(f"{name}_put_s", [k_s]),
        _cython_put(f"{name}_put_s", [k_s]),
        {k_s: sbuf},
    )
    f_overlap = _function(
        overlap,
        f"{name}_overlap",
        0,
        _cpp_dot(f"{name}_overlap", k_x, k_s, N),
        _cython_dot(f"{name}_overlap", k_x, k_s, N),
        {k_x: X.ravel(), k_s: sbuf},
    )
    f_put_c = _function(
        put_c,
        f"{name}_put_c",
        2,
        _cpp_put(f"{name}_put_c", [k_c, k_d]),
        _cython_put(f"{name}_put_c", [k_c, k_d]),
        {k_c: cbuf, k_d: dbuf},
    )
    f_field = _function(
        field,
        f"{name}_field",
        0,
        _cpp_dot(f"{name}_field", k_xt, k_c, K),
        _cython_dot(f"{name}_field", k_xt, k_c, K),
        {k_xt: XT.ravel(), k_c: cbuf},
    )
    ns = {
        f"{name}_put_s": f_put_s,
        f"{name}_overlap": f_overlap,
        f"{name}_put_c": f_put_c,
        f"{name}_field": f_field,
    }
    if zeros:
        ns[f"{name}_absfield"] = _function(
            absfield,
            f"{name}_absfield",
            0,
            _cpp_dot(f"{name}_absfield", k_ax, k_d, K),
            _cython_dot(f"{name}_absfield", k_ax, k_d, K),
            {k_ax: AX.ravel(), k_d: dbuf},
        )
    feature.namespace.update(ns)
    memory.namespace.update(ns)
    memory.run_regularly(
        f"mv = {name}_put_c(i, c, d)", when="start", order=15, name=f"{name}_put_c"
    )
    g_code = f"g = {name}_field(i)"
    if zeros:
        g_code += f"\nsd = {name}_absfield(i)"
    feature.run_regularly(g_code, when="start", order=20, name=f"{name}_fields")
    feature.run_regularly(
        f"mv = {name}_put_s(i, sigma)", when="start", order=35, name=f"{name}_put_s"
    )
    memory.run_regularly(f"a = {name}_overlap(i)", when="start", order=40, name=f"{name}_overlaps")
    return []
