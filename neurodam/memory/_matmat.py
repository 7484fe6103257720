"""Matrix-matrix products of R replicas of the associative memory as Brian2 user functions.

The batched counterpart of :mod:`neurodam.memory._matvec`: R replicas of one network run
as one group of N R feature neurons (neuron ``r N + j`` is neuron j of replica r) and
K R memory units (unit ``r K + mu``). The functions keep the states of all replicas in one
(R, N) buffer and compute, once per step, when unit or neuron 0 asks (the group's loop
runs i = 0, 1, ... in order, single-threaded):

* ``overlap(i)``: the overlaps of every replica, ``A = S Xi^T`` (R x K), one GEMM;
* ``field(i)``: the odd sums ``G = C T`` (R x N, ``T`` the stacked matrices ``T_k``);
* ``selffield(i)`` (unless the self term is the plain sum of d): ``SD = D E``;

``put_s(i, sigma)`` and ``put_c(i, c..., d...)`` copy the states and coefficients into the
buffers. The C++ kernels are register-blocked (4 replicas x 8 neurons for the fields,
4 replicas x 2 patterns for the overlaps) with GCC/Clang vector extensions, plain loops
elsewhere. A row of +-1 entries is summed by its rarer sign (``2 sum_{+1} - tot``, see
:func:`_sparse_rows`), so a field may differ from the single run's in-order sum
(:func:`neurodam.memory._matvec._cpp_axpy_field`) in the last bits: inside the tie band
of :func:`~neurodam.memory.kernel.tie_tolerance`, and the deterministic trajectories are
tested identical to the reference engine. The overlaps of integer patterns
(``|a| < 2^24``) are exact integers either way (float32, at twice the SIMD width); other
patterns are summed in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.memory._matvec import _function, schedule

__all__ = ["attach"]


def _fill(template: str, **values: Any) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", str(value))
    return template


# The C++ products: out[row, r] = cs[row] tot[r] + sum_e w[e] src[idx[e], r] over the entries
# e of the row (a sparse-row matrix, ptr/idx/w), tot[r] = sum_q src[q, r]; arrays of R
# replicas are replica-minor (element (q, r) at q RP + r, RP = R rounded up to 8, the padding
# zero), so the inner loops run over a block of replicas in SIMD registers
_CPP_ROWS = """
template <int nd_rb>
static inline void @F@_block(const int _r0)
{
    const @VT@* __restrict _src = _namespace@SRC@;
    @VT@* __restrict _out = _namespace@OUT@;
    const int32_t* __restrict _ptr = _namespace@PTR@;
    const int32_t* __restrict _idx = _namespace@IDX@;
    const @VT@* __restrict _w = _namespace@W@;
    const @VT@* __restrict _cs = _namespace@CS@;
    @VT@ _tot[nd_rb];
    for (int _r = 0; _r < nd_rb; _r++) _tot[_r] = 0;
#if @TOT@
    for (int _q = 0; _q < @NSRC@; _q++) {
        const @VT@* __restrict _s = _src + (long)_q * @RP@ + _r0;
        for (int _r = 0; _r < nd_rb; _r++) _tot[_r] += _s[_r];
    }
#endif
    for (int _row = 0; _row < @NROWS@; _row++) {
        @VT@ _acc[nd_rb];
        const @VT@ _c = _cs[_row];
        for (int _r = 0; _r < nd_rb; _r++) _acc[_r] = _c * _tot[_r];
        const int _end = _ptr[_row + 1];
        for (int _e = _ptr[_row]; _e < _end; _e++) {
            const @VT@ _we = _w[_e];
            const @VT@* __restrict _s = _src + (long)_idx[_e] * @RP@ + _r0;
            for (int _r = 0; _r < nd_rb; _r++) _acc[_r] += _we * _s[_r];
        }
        @VT@* __restrict _o = _out + (long)_row * @RP@ + _r0;
        for (int _r = 0; _r < nd_rb; _r++) _o[_r] = _acc[_r];
    }
}

static inline double @F@(const int _i)
{
    if (_i == 0) {
        int _r0 = 0;
        for (; _r0 + @RB@ <= @RP@; _r0 += @RB@) @F@_block<@RB@>(_r0);
        for (; _r0 < @RP@; _r0 += 8) @F@_block<8>(_r0);
    }
    return (double)_namespace@OUT@[(long)(_i % @DIV@) * @RP@ + _i / @DIV@];
}
"""


def _sparse_rows(mat: np.ndarray, dtype) -> dict[str, Any]:
    """The rows of ``mat`` as the sparse rows of :data:`_CPP_ROWS`.

    A row of +-1 entries only is stored by its rarer sign: ``2 sum_{+1} - tot`` or
    ``tot - 2 sum_{-1}`` (MNIST digits: about 1 entry in 8); other rows by their nonzero
    entries in column order (dense real-valued rows: the order of the single-run sum).
    """
    ptr, idx, w, cs = [0], [], [], []
    for row in mat:
        plus, minus = np.flatnonzero(row == 1.0), np.flatnonzero(row == -1.0)
        if plus.size + minus.size == row.size:
            small, sign = (plus, 2.0) if plus.size <= minus.size else (minus, -2.0)
            idx.append(small)
            w.append(np.full(small.size, sign))
            cs.append(-sign / 2.0)
        else:
            nz = np.flatnonzero(row)
            idx.append(nz)
            w.append(row[nz])
            cs.append(0.0)
        ptr.append(ptr[-1] + idx[-1].size)
    cat = np.concatenate
    return {
        "ptr": np.asarray(ptr, dtype=np.int32),
        "idx": cat(idx).astype(np.int32) if idx else np.zeros(0, np.int32),
        "w": cat(w).astype(dtype) if w else np.zeros(0, dtype),
        "cs": np.asarray(cs, dtype=dtype),
    }


def _cpp_rows(fname: str, key: str, mat: np.ndarray, src: str, out: str, nsrc: int,
              RP: int, div: int, dtype) -> tuple[str, dict]:  # fmt: skip
    """C++ code and namespace of ``out = mat @ src`` over the replicas (:data:`_CPP_ROWS`)."""
    rows = _sparse_rows(mat, dtype)
    vt = "float" if np.dtype(dtype) == np.float32 else "double"
    ns = {f"{key}_{k}": np.ascontiguousarray(v) for k, v in rows.items()}
    code = _fill(
        _CPP_ROWS, F=fname, VT=vt, SRC=src, OUT=out, PTR=f"{key}_ptr", IDX=f"{key}_idx",
        W=f"{key}_w", CS=f"{key}_cs", TOT=int(bool(np.any(rows["cs"] != 0))), NSRC=nsrc,
        NROWS=mat.shape[0], RP=RP, RB=min(RP, 32 if vt == "float" else 16), DIV=div,
    )  # fmt: skip
    return code, ns


_CYTHON_OVERLAP = """
cdef double @F@(int _i):
    cdef int _r, _mu, _j
    cdef double _b
    if _i == 0:
        for _r in range(@R@):
            for _mu in range(@K@):
                _b = 0.0
                for _j in range(@N@):
                    _b += _namespace@X@[<long>_mu * @N@ + _j] * _namespace@S@[<long>_r * @N@ + _j]
                _namespace@A@[<long>_r * @K@ + _mu] = _b
    return _namespace@A@[_i]
"""

_CYTHON_FIELD = """
cdef double @F@(int _i):
    cdef int _r, _m, _j
    cdef double _c
    if _i == 0:
        for _r in range(@R@):
            for _j in range(@N@):
                _namespace@G@[<long>_r * @N@ + _j] = 0.0
            for _m in range(@M@):
                _c = _namespace@C@[<long>_r * @M@ + _m]
                for _j in range(@N@):
                    _namespace@G@[<long>_r * @N@ + _j] += _c * _namespace@T@[<long>_m * @N@ + _j]
    return _namespace@G@[_i]
"""


def _cpp_put(fname: str, bufs: list[tuple[str, int]], div: int, RP: int) -> str:
    """Element i = r div + q of a group writes value n into ``buf[(offset + q) RP + r]``
    (replica-minor) for each ``(buf, offset)`` of ``bufs``."""
    args = ", ".join(["const int _i"] + [f"const double _v{n}" for n in range(len(bufs))])
    body = " ".join(
        f"_namespace{b}[(long)({o} + _i % {div}) * {RP} + _i / {div}] = _v{n};"
        for n, (b, o) in enumerate(bufs)
    )
    return f"""
static inline double {fname}({args})
{{
    {body}
    return 0.0;
}}
"""


def _cython_put(fname: str, bufs: list[tuple[str, int, int]], K: int) -> str:
    """Memory unit i = r K + mu writes value n into ``buf[r row + offset + mu]``
    (replica-major) for each ``(buf, offset, row)`` of ``bufs``."""
    args = ", ".join(["int _i"] + [f"double _v{n}" for n in range(len(bufs))])
    body = "\n".join(
        f"    _namespace{b}[<long>(_i // {K}) * {row} + {o} + _i % {K}] = _v{n}"
        for n, (b, o, row) in enumerate(bufs)
    )
    return f"""
cdef double {fname}({args}):
{body}
    return 0.0
"""


def _cython_put_s(fname: str, buf: str) -> str:
    return f"""
cdef double {fname}(int _i, double _v):
    _namespace{buf}[_i] = _v
    return 0.0
"""


# the activity of each replica: readout neuron i = r N + j adds whether it fires to count[r]
# (reset by neuron r N, the loop runs in order); the act group reads count[r]
_CPP_COUNT = """
static inline double @F@(const int _i, const int _fired)
{
    if (_i % @N@ == 0) _namespace@C@[_i / @N@] = 0;
    _namespace@C@[_i / @N@] += _fired;
    return 0.0;
}
static inline double @G@(const int _r)
{
    return (double)_namespace@C@[_r];
}
"""
_CYTHON_COUNT = """
cdef double @F@(int _i, int _fired):
    if _i % @N@ == 0:
        _namespace@C@[_i // @N@] = 0
    _namespace@C@[_i // @N@] += _fired
    return 0.0

cdef double @G@(int _r):
    return _namespace@C@[_r]
"""


def counter(readout: Any, act: Any, rule: str, N: int, R: int, name: str) -> None:
    """Count, per replica, the readout neurons that fire by ``rule`` (a Brian2 condition)
    at each step: ``readout.mv = count(i, int(rule))`` (order -100, before ``prev`` moves
    on), ``act.n = counted(i)`` (order -99)."""
    import brian2 as b2

    counts = np.zeros(R)
    key, f, g = f"_{name}_count", f"{name}_count", f"{name}_counted"

    def count(i, fired):
        counts[:] = np.bincount(np.asarray(i) // N, weights=fired, minlength=R)[:R]
        return np.zeros(np.shape(i))

    def counted(r):
        return counts[r]

    cpp = _fill(_CPP_COUNT, F=f, G=g, C=key, N=N)
    cython = _fill(_CYTHON_COUNT, F=f, G=g, C=key, N=N)
    ns = {key: counts}
    fc = b2.Function(count, arg_units=[1, 1], arg_types=["integer", "integer"], return_unit=1,
                     return_type="float", stateless=False, auto_vectorise=False)  # fmt: skip
    fc.implementations.add_implementation("cpp", cpp.split("static inline double " + g)[0],
                                          namespace=ns, name=f)  # fmt: skip
    fc.implementations.add_implementation("cython", cython.split("cdef double " + g)[0],
                                          namespace=ns, name=f)  # fmt: skip
    fg = b2.Function(counted, arg_units=[1], arg_types=["integer"], return_unit=1,
                     return_type="float", stateless=False, auto_vectorise=False)  # fmt: skip
    fg.implementations.add_implementation(
        "cpp", "static inline double " + g + cpp.split("static inline double " + g)[1],
        namespace=ns, name=g,
    )  # fmt: skip
    fg.implementations.add_implementation(
        "cython", "cdef double " + g + cython.split("cdef double " + g)[1], namespace=ns, name=g
    )
    readout.namespace[f] = fc
    act.namespace[g] = fg
    readout.run_regularly(f"mv = {f}(i, int({rule}))", when="start", order=-100,
                          name=f"{name}_count")  # fmt: skip
    act.run_regularly(f"n = {g}(i)", when="start", order=-99, name=f"{name}_counted")


def attach(feature: Any, memory: Any, kernel: Any, name: str, replicas: int) -> list:
    """Add the batched matrix-form operations to ``feature`` (N R neurons) and ``memory``
    (K R units), at the orders of :mod:`neurodam.memory.brian` (as :func:`_matvec.attach
    <neurodam.memory._matvec.attach>`). Returns the extra objects (none).

    numpy and Cython keep replica-major buffers and dense products; C++ keeps
    replica-minor buffers and the sparse rows of :data:`_CPP_ROWS`.
    """
    K, N, R = kernel.K, kernel.N, replicas
    RP = -(-R // 8) * 8
    X = np.ascontiguousarray(kernel.patterns, dtype=np.float64)  # (K, N)
    T = np.ascontiguousarray(np.vstack(kernel.odd), dtype=np.float64)  # (M, N)
    n_odd, n_even = len(kernel.odd), len(kernel.even)
    M, ME = n_odd * K, n_even * K
    self_sum = not kernel.even_ones
    # float32 overlaps are exact integers: +-1 states, integer patterns, |partial sums| < 2^24
    exact32 = kernel.integer and 3.0 * max(kernel.a_bound, N) < 2.0**24
    vt = np.float32 if exact32 else np.float64
    k_x, k_t, k_e = f"_{name}_xi", f"_{name}_t", f"_{name}_e"
    k_s, k_a, k_c, k_d = f"_{name}_sbuf", f"_{name}_abuf", f"_{name}_cbuf", f"_{name}_dbuf"
    k_g, k_sd = f"_{name}_gbuf", f"_{name}_sdbuf"
    # numpy / Cython: replica-major float64 buffers (element (r, q) at r len + q)
    sbuf, abuf = np.zeros(R * N), np.zeros(R * K)
    cbuf, dbuf = np.zeros(R * M), np.zeros(R * max(ME, 1))
    gbuf, sdbuf = np.zeros(R * N), np.zeros(R * N)
    # C++: replica-minor buffers (element (q, r) at q RP + r)
    m_s, m_a, m_c, m_d, m_g, m_sd = (f"{k}m" for k in (k_s, k_a, k_c, k_d, k_g, k_sd))
    cpp_ns = {m_s: np.zeros(N * RP, vt), m_a: np.zeros(K * RP, vt), m_c: np.zeros(M * RP),
              m_d: np.zeros(max(ME, 1) * RP), m_g: np.zeros(N * RP),
              m_sd: np.zeros(N * RP)}  # fmt: skip
    dims = {"N": N, "K": K, "R": R}

    def put_s(i, sigma):
        sbuf[i] = sigma
        return np.zeros(np.shape(i))

    def overlap(i):
        return (sbuf.reshape(R, N) @ X.T).ravel()[i]

    def put_c(i, *values):
        r, mu = np.divmod(i, K)
        for k in range(n_odd):
            cbuf[r * M + k * K + mu] = values[k]
        if self_sum:
            for j in range(n_even):
                dbuf[r * ME + j * K + mu] = values[n_odd + j]
        return np.zeros(np.shape(i))

    def field(i):
        return (cbuf.reshape(R, M) @ T).ravel()[i]

    ov_cpp, ov_ns = _cpp_rows(f"{name}_overlap", f"_{name}_ov", X, m_s, m_a, N, RP, K, vt)
    fi_cpp, fi_ns = _cpp_rows(f"{name}_field", f"_{name}_fi", T.T, m_c, m_g, M, RP, N,
                              np.float64)  # fmt: skip
    puts = [(k_c, k * K, M) for k in range(n_odd)]
    puts += [(k_d, j * K, ME) for j in range(n_even)] if self_sum else []
    cpp_puts = [(m_c, k * K) for k in range(n_odd)]
    cpp_puts += [(m_d, j * K) for j in range(n_even)] if self_sum else []
    ns = {
        f"{name}_put_s": _function(
            put_s, f"{name}_put_s", 1,
            _cpp_put(f"{name}_put_s", [(m_s, 0)], N, RP), _cython_put_s(f"{name}_put_s", k_s),
            {k_s: sbuf}, cpp_namespace={m_s: cpp_ns[m_s]},
        ),
        f"{name}_overlap": _function(
            overlap, f"{name}_overlap", 0, ov_cpp,
            _fill(_CYTHON_OVERLAP, F=f"{name}_overlap", X=k_x, S=k_s, A=k_a, **dims),
            {k_x: X.ravel(), k_s: sbuf, k_a: abuf},
            cpp_namespace={m_s: cpp_ns[m_s], m_a: cpp_ns[m_a], **ov_ns},
        ),
        f"{name}_put_c": _function(
            put_c, f"{name}_put_c", len(puts), _cpp_put(f"{name}_put_c", cpp_puts, K, RP),
            _cython_put(f"{name}_put_c", puts, K), {k_c: cbuf, k_d: dbuf},
            cpp_namespace={m_c: cpp_ns[m_c], m_d: cpp_ns[m_d]},
        ),
        f"{name}_field": _function(
            field, f"{name}_field", 0, fi_cpp,
            _fill(_CYTHON_FIELD, F=f"{name}_field", T=k_t, C=k_c, G=k_g, M=M, **dims),
            {k_t: T.ravel(), k_c: cbuf, k_g: gbuf},
            cpp_namespace={m_c: cpp_ns[m_c], m_g: cpp_ns[m_g], **fi_ns},
        ),
    }  # fmt: skip
    if self_sum:
        E = np.ascontiguousarray(np.vstack(kernel.even), dtype=np.float64)  # (ME, N)

        def selffield(i):
            return (dbuf.reshape(R, ME) @ E).ravel()[i]

        sf_cpp, sf_ns = _cpp_rows(f"{name}_selffield", f"_{name}_sf", E.T, m_d, m_sd, ME, RP,
                                  N, np.float64)  # fmt: skip
        ns[f"{name}_selffield"] = _function(
            selffield, f"{name}_selffield", 0, sf_cpp,
            _fill(_CYTHON_FIELD, F=f"{name}_selffield", T=k_e, C=k_d, G=k_sd, M=ME, **dims),
            {k_e: E.ravel(), k_d: dbuf, k_sd: sdbuf},
            cpp_namespace={m_d: cpp_ns[m_d], m_sd: cpp_ns[m_sd], **sf_ns},
        )  # fmt: skip
    schedule(feature, memory, kernel, name, ns, self_sum)
    return []
