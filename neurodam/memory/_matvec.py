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
    # eight independent accumulators: the reduction vectorises and is not bound by the
    # latency of one chain of additions (whatever the compiler's floating-point flags)
    return f"""
    static inline double {fname}(const int _row)
    {{
        const float* __restrict _r = _namespace{mat} + (long)_row * {length};
        const double* __restrict _b = _namespace{buf};
        double _s0 = 0, _s1 = 0, _s2 = 0, _s3 = 0, _s4 = 0, _s5 = 0, _s6 = 0, _s7 = 0;
        int _j = 0;
        for (; _j + 8 <= {length}; _j += 8) {{
            _s0 += _r[_j] * _b[_j];         _s1 += _r[_j + 1] * _b[_j + 1];
            _s2 += _r[_j + 2] * _b[_j + 2]; _s3 += _r[_j + 3] * _b[_j + 3];
            _s4 += _r[_j + 4] * _b[_j + 4]; _s5 += _r[_j + 5] * _b[_j + 5];
            _s6 += _r[_j + 6] * _b[_j + 6]; _s7 += _r[_j + 7] * _b[_j + 7];
        }}
        for (; _j < {length}; _j++) _s0 += _r[_j] * _b[_j];
        return ((_s0 + _s1) + (_s2 + _s3)) + ((_s4 + _s5) + (_s6 + _s7));
    }}
    """


def _cpp_axpy_field(fname: str, mat: str, buf: str, out: str, n_rows: int, length: int) -> str:
    # g = sum_mu c_mu X[mu, :], computed once per step when neuron 0 asks (the group's
    # loop runs i = 0..N-1 in order, single-threaded), then read from the buffer: one pass
    # over the same row-major (K, N) matrix as the overlaps (no transposed copy in cache)
    return f"""
    static inline double {fname}(const int _i)
    {{
        if (_i == 0) {{
            double* __restrict _g = _namespace{out};
            for (int _j = 0; _j < {length}; _j++) _g[_j] = 0.0;
            for (int _mu = 0; _mu < {n_rows}; _mu++) {{
                const double _c = _namespace{buf}[_mu];
                const float* __restrict _r = _namespace{mat} + (long)_mu * {length};
                for (int _j = 0; _j < {length}; _j++) _g[_j] += _c * _r[_j];
            }}
        }}
        return _namespace{out}[_i];
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


def _function(
    pyfunc,
    fname: str,
    n_float_args: int,
    cpp: str,
    cython: str,
    namespace: dict,
    cpp_namespace: dict | None = None,
):
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
    f.implementations.add_implementation(
        "cpp", cpp, namespace=namespace if cpp_namespace is None else cpp_namespace, name=fname
    )
    f.implementations.add_implementation("cython", cython, namespace=namespace, name=fname)
    return f


def attach(feature: Any, memory: Any, xi: np.ndarray, zeros: bool, name: str) -> list:
    """Add the matrix-form operations to ``feature`` and ``memory`` (orders of brian.py).

    ``feature`` and ``memory`` need a scratch variable ``mv``. Returns the extra objects
    to add to the network (none: the operations belong to the groups).
    """
    K, N = xi.shape
    X = np.ascontiguousarray(xi, dtype=np.float64)  # (K, N): row mu
    # C++: the same matrix in float32 (entries -1, 0, +1 are exact; products with the
    # float64 buffers and float64 sums are bit-identical), half the memory traffic
    X32 = np.ascontiguousarray(xi, dtype=np.float32).ravel()
    XT = np.ascontiguousarray(xi.T, dtype=np.float64)  # (N, K): row i
    sbuf = np.zeros(N)
    cbuf = np.zeros(K)
    dbuf = np.zeros(K)
    gbuf = np.zeros(N)
    k_x, k_xt, k_ax = f"_{name}_xi", f"_{name}_xit", f"_{name}_axit"
    k_s, k_c, k_d = f"_{name}_sbuf", f"_{name}_cbuf", f"_{name}_dbuf"
    k_g = f"_{name}_gbuf"

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
        _cpp_dot(f"{name}_overlap", k_x + "32", k_s, N),
        _cython_dot(f"{name}_overlap", k_x, k_s, N),
        {k_x: X.ravel(), k_s: sbuf},
        cpp_namespace={k_x + "32": X32, k_s: sbuf},
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
        _cpp_axpy_field(f"{name}_field", k_x + "32", k_c, k_g, K, N),
        _cython_dot(f"{name}_field", k_xt, k_c, K),
        {k_xt: XT.ravel(), k_c: cbuf},
        cpp_namespace={k_x + "32": X32, k_c: cbuf, k_g: gbuf},
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
            _cpp_dot(f"{name}_absfield", k_ax + "32", k_d, K),
            _cython_dot(f"{name}_absfield", k_ax, k_d, K),
            {k_ax: AX.ravel(), k_d: dbuf},
            cpp_namespace={k_ax + "32": AX.astype(np.float32).ravel(), k_d: dbuf},
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
