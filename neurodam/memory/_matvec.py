"""Dense mat-vecs of the associative memory as Brian2 user functions (matrix form).

The bipartite form sums ``2 N K`` synapses with index indirection every step; here the
same products run as contiguous dot products over the pattern matrices of the field
kernel (:class:`~neurodam.memory.interactions.FieldKernel`), inside Brian2 ``Function``
objects with numpy, Cython and C++ implementations (Brian2 documentation,
"User-provided functions"), so the model still runs on every device:

* ``put_s(i, sigma)`` (feature group) copies sigma into a buffer of length N;
* ``overlap(i)`` (memory group) returns ``a_mu = sum_j Xi[mu, j] sbuf[j]``;
* ``put_c(i, c..., d...)`` (memory group) copies the coefficients into buffers;
* ``field(i)`` (feature group) returns ``g_i = sum_k (T_k^T c_k)_i`` (the matrices T_k
  stacked into one (n K, N) matrix);
* ``selffield(i)`` (unless the self term is the plain sum of d) returns
  ``sum_j (E_j^T d_j)_i``.

The matrices and buffers are (flat, 1-D) function namespaces: one numpy array shared
by the functions in runtime mode, one static array of the standalone program (shared
by name). The functions have side effects, so they are declared ``stateless=False``.
The C++ code reads the matrices in float32 when that is exact (entries such as -1, 0, +1:
products with the float64 buffers and float64 sums are then bit-identical), half the
memory traffic; other real values stay float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["attach", "schedule"]


def _cpp_dot(fname: str, mat: str, buf: str, length: int, ctype: str = "float") -> str:
    # eight independent accumulators: the reduction vectorises and is not bound by the
    # latency of one chain of additions (whatever the compiler's floating-point flags)
    return f"""
    static inline double {fname}(const int _row)
    {{
        const {ctype}* __restrict _r = _namespace{mat} + (long)_row * {length};
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


def _cpp_axpy_field(
    fname: str, mat: str, buf: str, out: str, n_rows: int, length: int, ctype: str = "float"
) -> str:
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
                const {ctype}* __restrict _r = _namespace{mat} + (long)_mu * {length};
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


def _cpp_put(fname: str, bufs: list[tuple[str, int]]) -> str:
    args = ", ".join(["const int _k"] + [f"const double _v{n}" for n in range(len(bufs))])
    body = " ".join(f"_namespace{b}[_k + {o}] = _v{n};" for n, (b, o) in enumerate(bufs))
    return f"""
    static inline double {fname}({args})
    {{
        {body}
        return 0.0;
    }}
    """


def _cython_put(fname: str, bufs: list[tuple[str, int]]) -> str:
    args = ", ".join(["int _k"] + [f"double _v{n}" for n in range(len(bufs))])
    body = "\n".join(f"    _namespace{b}[_k + {o}] = _v{n}" for n, (b, o) in enumerate(bufs))
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


def _cpp_matrix(m: np.ndarray) -> tuple[np.ndarray, str]:
    """The matrix for C++: float32 when that is exact, else float64; flat."""
    m32 = m.astype(np.float32)
    if np.array_equal(m32.astype(np.float64), m):
        return np.ascontiguousarray(m32).ravel(), "float"
    return np.ascontiguousarray(m, dtype=np.float64).ravel(), "double"


def attach(feature: Any, memory: Any, kernel: Any, name: str) -> list:
    """Add the matrix-form operations to ``feature`` and ``memory`` (orders of brian.py).

    ``feature`` and ``memory`` need a scratch variable ``mv``; ``feature.sd`` is written
    here unless ``kernel.even_ones`` (then it is linked to the sum of d). Returns the extra
    objects to add to the network (none: the operations belong to the groups).
    """
    K, N = kernel.K, kernel.N
    X = np.ascontiguousarray(kernel.patterns, dtype=np.float64)  # (K, N): row mu
    T = np.ascontiguousarray(np.vstack(kernel.odd), dtype=np.float64)  # (n K, N)
    TT = np.ascontiguousarray(T.T)  # (N, n K): row i
    n_odd, n_even = len(kernel.odd), len(kernel.even)
    self_sum = not kernel.even_ones
    sbuf = np.zeros(N)
    cbuf = np.zeros(n_odd * K)
    dbuf = np.zeros(n_even * K)
    gbuf = np.zeros(N)
    k_x, k_t, k_tt, k_et = f"_{name}_xi", f"_{name}_t", f"_{name}_tt", f"_{name}_et"
    k_s, k_c, k_d = f"_{name}_sbuf", f"_{name}_cbuf", f"_{name}_dbuf"
    k_g = f"_{name}_gbuf"
    x_cpp, x_type = _cpp_matrix(X)
    if np.array_equal(T, X):
        # one static array for both mat-vecs (T = Xi for {-1, 0, +1} patterns): the two
        # passes of a step stream the same matrix, half the cache footprint
        k_t, t_cpp, t_type = k_x, x_cpp, x_type
    else:
        t_cpp, t_type = _cpp_matrix(T)

    def put_s(i, sigma):
        sbuf[i] = sigma
        return np.zeros(np.shape(i))

    def overlap(i):
        return (X @ sbuf)[i]

    def put_c(i, *values):
        for k in range(n_odd):
            cbuf[k * K + i] = values[k]
        if self_sum:
            for j in range(n_even):
                dbuf[j * K + i] = values[n_odd + j]
        return np.zeros(np.shape(i))

    def field(i):
        return (cbuf @ T)[i]

    puts = [(k_c, k * K) for k in range(n_odd)] + (
        [(k_d, j * K) for j in range(n_even)] if self_sum else []
    )
    f_put_s = _function(
        put_s,
        f"{name}_put_s",
        1,
        _cpp_put(f"{name}_put_s", [(k_s, 0)]),
        _cython_put(f"{name}_put_s", [(k_s, 0)]),
        {k_s: sbuf},
    )
    f_overlap = _function(
        overlap,
        f"{name}_overlap",
        0,
        _cpp_dot(f"{name}_overlap", k_x + "c", k_s, N, x_type),
        _cython_dot(f"{name}_overlap", k_x, k_s, N),
        {k_x: X.ravel(), k_s: sbuf},
        cpp_namespace={k_x + "c": x_cpp, k_s: sbuf},
    )
    f_put_c = _function(
        put_c,
        f"{name}_put_c",
        len(puts),
        _cpp_put(f"{name}_put_c", puts),
        _cython_put(f"{name}_put_c", puts),
        {k_c: cbuf, k_d: dbuf},
    )
    f_field = _function(
        field,
        f"{name}_field",
        0,
        _cpp_axpy_field(f"{name}_field", k_t + "c", k_c, k_g, n_odd * K, N, t_type),
        _cython_dot(f"{name}_field", k_tt, k_c, n_odd * K),
        {k_tt: TT.ravel(), k_c: cbuf},
        cpp_namespace={k_t + "c": t_cpp, k_c: cbuf, k_g: gbuf},
    )
    ns = {
        f"{name}_put_s": f_put_s,
        f"{name}_overlap": f_overlap,
        f"{name}_put_c": f_put_c,
        f"{name}_field": f_field,
    }
    if self_sum:
        ET = np.ascontiguousarray(np.vstack(kernel.even).T, dtype=np.float64)  # (N, n K)
        et_cpp, et_type = _cpp_matrix(ET)

        def selffield(i):
            return (ET @ dbuf)[i]

        ns[f"{name}_selffield"] = _function(
            selffield,
            f"{name}_selffield",
            0,
            _cpp_dot(f"{name}_selffield", k_et + "c", k_d, n_even * K, et_type),
            _cython_dot(f"{name}_selffield", k_et, k_d, n_even * K),
            {k_et: ET.ravel(), k_d: dbuf},
            cpp_namespace={k_et + "c": et_cpp, k_d: dbuf},
        )
    schedule(feature, memory, kernel, name, ns, self_sum)
    return []


def schedule(feature: Any, memory: Any, kernel: Any, name: str, ns: dict, self_sum: bool) -> None:
    """Register the matrix-form functions ``ns`` and call them at the step's orders.

    Order 15: ``put_c`` hands the kernel's per-memory values to the function; 20: the
    fields (and, without an all-ones even part, the self-field); 35: ``put_s`` hands over
    the new state; 40: the overlaps. Shared by the single network and the replica batch.
    """
    feature.namespace.update(ns)
    memory.namespace.update(ns)
    args = ", ".join(list(kernel.odd_names) + (list(kernel.even_names) if self_sum else []))
    memory.run_regularly(
        f"mv = {name}_put_c(i, {args})", when="start", order=15, name=f"{name}_put_c"
    )
    g_code = f"g = {name}_field(i)"
    if self_sum:
        g_code += f"\nsd = {name}_selffield(i)"
    feature.run_regularly(g_code, when="start", order=20, name=f"{name}_fields")
    feature.run_regularly(
        f"mv = {name}_put_s(i, sigma)", when="start", order=35, name=f"{name}_put_s"
    )
    memory.run_regularly(f"a = {name}_overlap(i)", when="start", order=40, name=f"{name}_overlaps")
