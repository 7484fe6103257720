"""Fuzzing the spike-file readers: any content gives a valid SpikeTrains or a ValueError.

For every supported format (npz, csv, NWB, the retinal-wave HDF5 layout) small valid
files are built, then damaged: truncated at random offsets, random bytes flipped, and
datasets replaced with wrong dtypes, shapes, strings, NaN, negative ids, unsorted times,
empty arrays, or removed, or extra ones added. The contract checked on each: the reader
returns a valid :class:`SpikeTrains` or raises ``ValueError`` naming the file; never
another exception type, never a hang (pytest-timeout), and nothing written next to the
input. The default profile runs a few dozen examples per format (seconds); the ``long``
profile (``-m slow``) runs hundreds.

The minimal examples that hypothesis found on the old readers are kept as named
regression tests in tests/test_io_fuzz_regressions.py.
"""

from __future__ import annotations

import datetime
import tempfile
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurodam import SpikeTrains, io

# The default profile bounds each test to a few seconds; a slow example (pynwb reads take
# ~0.1 s, more on a loaded machine) must not fail on timing, so the per-example deadline
# is generous. A real hang (libhdf5 stuck in C, which no signal interrupts) ends the run
# through pytest-timeout's thread method: it dumps the stacks and exits with a failure.
PROFILES = {
    "default": settings(
        max_examples=30,
        deadline=datetime.timedelta(seconds=10),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
    "long": settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
}
PROFILE = pytest.mark.parametrize(
    "profile", ["default", pytest.param("long", marks=pytest.mark.slow)]
)
TIMEOUT = pytest.mark.timeout(600, method="thread")


def _example() -> SpikeTrains:
    return SpikeTrains(
        [0.5, 0.1, 0.3, 0.9, 0.3],
        [2, 0, 3, 0, 1],
        n_neurons=5,
        t_start=-0.25,
        t_stop=1.5,
        meta={"source": "fuzz", "seed": 3, "params": {"tau": 0.02}},
    )


# -------------------------------------------------------------- the oracle
def assert_valid(s: SpikeTrains) -> None:
    """Every invariant of a SpikeTrains, checked independently of its constructor."""
    assert isinstance(s, SpikeTrains)
    t, i = s.times, s.senders
    assert t.dtype == np.float64 and i.dtype == np.int64 and t.ndim == i.ndim == 1
    assert t.shape == i.shape
    assert not t.flags.writeable and not i.flags.writeable
    assert np.all(np.isfinite(t)) and np.all(np.diff(t) >= 0)
    assert isinstance(s.n_neurons, int) and s.n_neurons >= 0
    assert np.all((i >= 0) & (i < s.n_neurons))
    assert np.isfinite(s.t_start) and np.isfinite(s.t_stop) and s.t_start <= s.t_stop
    if t.size:
        assert s.t_start <= t[0] and t[-1] <= s.t_stop


def check_read(path: Path, reader=io.read) -> SpikeTrains | ValueError:
    """Read ``path``: a valid SpikeTrains, or a ValueError naming ``path``; nothing written."""
    before = sorted(p.name for p in path.parent.iterdir())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # hdmf warns about broken links, etc.
            result = reader(path)
    except ValueError as exc:
        assert str(path) in str(exc), f"the ValueError does not name the file: {exc}"
        result = exc
    else:
        assert_valid(result)
    assert sorted(p.name for p in path.parent.iterdir()) == before, "the reader wrote files"
    return result


def check_bytes(data: bytes, name: str, reader=io.read) -> SpikeTrains | ValueError:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(data)
        return check_read(path, reader)


# ------------------------------------------------------ valid source files
def _retinal_file(path: Path, datasets: dict | None = None) -> Path:
    """A minimal file in the layout of the real recordings (gzip-compressed datasets,
    fixed-length byte strings, 1-element int32/float64 arrays in meta/ and summary/)."""
    layout = {
        "array": np.array([b"hex_60um"]),
        "epos": np.array([[0.0, 60.0, 120.0], [0.0, 0.0, 60.0]]),
        "meta/age": np.array([5], dtype=np.int32),
        "meta/species": np.array([b"mouse"]),
        "names": np.array([b"c1", b"c2", b"c3"]),
        "sCount": np.array([2, 0, 1], dtype=np.int32),
        "spikes": np.array([3.0, 1.0, 2.0]),
        "summary/N": np.array([3], dtype=np.int32),
        "summary/duration": np.array([10.0]),
    }
    layout.update(datasets or {})
    with h5py.File(path, "w") as h:
        for key, value in layout.items():
            if value is None:
                continue
            if isinstance(value, str) and value == "group":
                h.create_group(key)
                continue
            value = np.asarray(value)
            compress = {"compression": "gzip"} if value.ndim and value.size else {}
            h.create_dataset(key, data=value, **compress)
    return path


def _nwb_file(path: Path, cache_spec: bool) -> Path:
    if cache_spec:
        return io.write(_example(), path)
    import pynwb

    nwb = pynwb.NWBFile("fuzz", "id-1", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    for times in _example().per_neuron():
        nwb.add_unit(spike_times=times, obs_intervals=[[-0.25, 1.5]])
    with pynwb.NWBHDF5IO(str(path), "w") as f:
        f.write(nwb, cache_spec=False)
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, bytes]:
    """name -> bytes of a valid file of each format (and variants)."""
    d = tmp_path_factory.mktemp("sources")
    files = {
        "x.npz": io.write(_example(), d / "x.npz"),
        "x.csv": io.write(_example(), d / "x.csv"),
        "x.nwb": _nwb_file(d / "x.nwb", cache_spec=False),
        "x.h5": _retinal_file(d / "x.h5"),
    }
    # an uncompressed .npz as other tools write it: damage reaches the .npy headers directly
    plain = d / "plain.npz"
    with np.load(files["x.npz"]) as z:
        np.savez(plain, **{k: z[k] for k in z.files})
    files["plain.npz"] = plain
    out = {name: p.read_bytes() for name, p in files.items()}
    for name in out:  # each source reads back as the example (the oracle's positive case)
        with tempfile.TemporaryDirectory() as t:
            (Path(t) / name).write_bytes(out[name])
            assert len(io.read(Path(t) / name)) == (3 if name.endswith(".h5") else 5)
    return out


# ----------------------------------------------------------- byte damage
def byte_damage(size: int):
    """("truncate", k) or ("flip", ((offset, byte), ...)) or ("zero", start, length)."""
    offsets = st.integers(0, size - 1)
    return st.one_of(
        st.tuples(st.just("truncate"), offsets),
        st.tuples(
            st.just("flip"),
            st.lists(st.tuples(offsets, st.integers(0, 255)), min_size=1, max_size=8).map(tuple),
        ),
        st.tuples(st.just("zero"), offsets, st.integers(1, 64)),
    )


def damage(data: bytes, how: tuple) -> bytes:
    if how[0] == "truncate":
        return data[: how[1]]
    b = bytearray(data)
    if how[0] == "flip":
        for offset, byte in how[1]:
            b[offset] = byte
    else:
        start, length = how[1], how[2]
        b[start : start + length] = bytes(len(b[start : start + length]))
    return bytes(b)


@TIMEOUT
@PROFILE
@pytest.mark.parametrize("name", ["x.npz", "plain.npz", "x.csv", "x.nwb", "x.h5"])
def test_damaged_bytes(sources, name, profile):
    data = sources[name]

    @PROFILES[profile]
    @given(how=byte_damage(len(data)))
    def check(how):
        check_bytes(damage(data, how), name)

    check()


@TIMEOUT
def test_damaged_bytes_of_a_large_nwb_file_with_its_cached_schema(tmp_path):
    # the file neurodam writes (schema cached in the file): truncations at every 1/40
    path = _nwb_file(tmp_path / "c.nwb", cache_spec=True)
    data = path.read_bytes()
    for k in range(40):
        check_bytes(data[: k * len(data) // 40], "c.nwb")


# -------------------------------------------------------- wrong datasets
_SHAPES = hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)
_DTYPES = st.sampled_from(
    [np.float64, np.float32, np.int64, np.int32, np.int8, np.uint64, np.uint8, np.bool_]
)


def bad_scalars():
    """Single values of every dtype (NaN, inf, extremes, fractions, bools, strings), 0-d or
    as one- and two-element arrays: what a scalar entry (n_neurons, t_stop) may hold."""
    numbers = st.one_of(
        st.floats(width=64).map(np.float64),
        st.floats(width=32).map(np.float32),
        st.integers(-(2**63), 2**63 - 1).map(np.int64),
        st.integers(0, 2**64 - 1).map(np.uint64),
        st.booleans().map(np.bool_),
    )
    return st.one_of(
        numbers.map(np.asarray),
        numbers.map(lambda x: np.asarray([x])),
        numbers.map(lambda x: np.asarray([x, x])),
        st.sampled_from([np.array(np.inf), np.array(2.7), np.array(1.5e300), np.array(-1)]),
    )


def bad_vectors(n: int):
    """Arrays of the length of the valid ones (so that the spikes get validated): every
    numeric dtype, NaN/inf, negative and extreme values, unsorted, integral floats."""
    dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.uint64, np.int8, np.bool_])
    return st.one_of(
        hnp.arrays(dtypes, n),
        hnp.arrays(np.float64, n, elements=st.floats(-2.0, 3.0)),
        hnp.arrays(np.int64, n, elements=st.integers(-2, 6)),
        hnp.arrays(np.float64, n, elements=st.integers(-1, 6).map(float)),
        hnp.arrays(np.float64, (n, 1)),
    )


def bad_arrays(allow_complex: bool = True):
    """Arrays of wrong dtypes and shapes, NaN/inf, negative and extreme values, strings,
    unsorted and empty arrays, and a few hand-picked plausible-looking ones."""
    dtypes = st.one_of(_DTYPES, st.just(np.complex128)) if allow_complex else _DTYPES
    return st.one_of(
        hnp.arrays(dtypes, _SHAPES),
        hnp.arrays(hnp.byte_string_dtypes(max_len=4), _SHAPES),
        st.sampled_from(
            [
                np.array([]),
                np.array([], dtype=np.int64),
                np.array([0.9, 0.1, 0.5, 0.3, 0.3]),  # unsorted times
                np.array([-1, 0, 2, 0, 1]),  # a negative id
                np.array([2**62, 0, 2, 0, 1]),  # an id beyond any n_neurons
                np.array([np.nan, 0.1, 0.3, 0.9, 0.3]),
                np.array([2.0, 0.0, 3.0, 0.0, 1.0]),  # integral float ids
                np.array([2.5, 0.0, 3.0, 0.0, 1.0]),
                np.array([[0.0, 1.0]]),
            ]
        ),
        bad_scalars(),
    )


def _text_arrays():
    return st.one_of(
        st.text(max_size=12).map(np.str_),
        st.sampled_from(
            ["{", "[]", "null", '{"a": NaN}', "[" * 5000, '{"x": ' + "9" * 5000 + "}"]
        ).map(np.str_),
        st.just(np.array(["a", "b"])),
    )


_NPZ_KEYS = ["times", "senders", "n_neurons", "t_start", "t_stop", "meta", "format"]


def npz_edits():
    """A list of ("drop", key) / ("set", key, array) / ("extra", key, array) edits; the
    text entries (meta, format) mostly get text, the others mostly arrays."""

    def edits_of(key):
        texts, arrays = _text_arrays(), bad_arrays()
        if key in ("meta", "format"):
            value = st.one_of(texts, arrays)
        elif key in ("times", "senders"):
            value = st.one_of(bad_vectors(5), arrays, texts)
        else:
            value = st.one_of(bad_scalars(), arrays, texts)
        return st.one_of(
            st.tuples(st.just("set"), st.just(key), value),
            st.tuples(st.just("drop"), st.just(key)),
            st.tuples(st.just("set"), st.just(key), st.just(np.array([{"p": 1}], dtype=object))),
        )

    edit = st.one_of(
        st.sampled_from(_NPZ_KEYS).flatmap(edits_of),
        st.tuples(st.just("extra"), st.sampled_from(["extra", "times2"]), bad_arrays()),
    )
    return st.lists(edit, min_size=1, max_size=3)


def _edited(base: dict, edits) -> dict:
    arrays = dict(base)
    for edit in edits:
        if edit[0] == "drop":
            arrays.pop(edit[1], None)
        else:
            arrays[edit[1]] = edit[2]
    return arrays


@TIMEOUT
@PROFILE
def test_npz_with_wrong_arrays(sources, profile):
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "x.npz").write_bytes(sources["x.npz"])
        with np.load(Path(d) / "x.npz") as z:
            base = {k: z[k] for k in z.files}

    @PROFILES[profile]
    @given(edits=npz_edits(), compressed=st.booleans())
    def check(edits, compressed):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "w.npz"
            (np.savez_compressed if compressed else np.savez)(path, **_edited(base, edits))
            check_read(path)

    check()


# ----------------------------------------------------------------- csv
_TOKENS = st.one_of(
    st.sampled_from(
        ["nan", "inf", "-inf", "-1", "0", "3", "1e999", "1e20", "abc", "", " ", "1.5", "0x10"]
    ),
    st.sampled_from(["9" * 30, "9" * 5000, "-0.0", "1_0", "+2", "2.", ".5", "1e-400"]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
    st.text("0123456789.-+eE,#= \t", max_size=8),
)


@st.composite
def csv_documents(draw):
    lines = []
    if draw(st.booleans()):
        n, t0, t1 = draw(_TOKENS), draw(_TOKENS), draw(_TOKENS)
        lines.append(f"# n_neurons={n} t_start={t0} t_stop={t1}")
    if draw(st.booleans()):
        meta = draw(st.one_of(_text_arrays().map(str), st.just('{"a": [1, 2]}')))
        lines.append(f"# meta={meta}")
    lines.append(
        draw(st.sampled_from(["time,neuron", "neuron,time", " Time , NEURON", "time", "t,n", ""]))
    )
    row = st.one_of(
        st.tuples(_TOKENS, _TOKENS).map(",".join),
        st.tuples(st.floats(-1, 2).map(repr), st.integers(0, 6).map(str)).map(",".join),
        st.text(max_size=10),
    )
    lines.extend(draw(st.lists(row, max_size=8)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@TIMEOUT
@PROFILE
def test_csv_documents(profile):
    @PROFILES[profile]
    @given(doc=csv_documents())
    def check(doc):
        check_bytes(doc.encode("utf-8", errors="surrogatepass"), "w.csv")

    check()


# ----------------------------------------------------------------- NWB
_NWB_DATASETS = [
    "units/spike_times",
    "units/spike_times_index",
    "units/id",
    "units/obs_intervals",
    "units/obs_intervals_index",
    "general/notes",
    "session_start_time",
    "session_description",
    "identifier",
]


def nwb_edits():
    texts = _text_arrays().map(str)
    arrays = bad_arrays(allow_complex=False)
    ends = st.lists(st.integers(-1, 7), min_size=5, max_size=5).map(np.array)
    intervals = hnp.arrays(np.float64, st.sampled_from([(5, 2), (5,), (5, 3), (0, 2), (1, 2)]))
    values = {
        "units/spike_times": st.one_of(bad_vectors(5), arrays),
        "units/spike_times_index": st.one_of(ends, ends.map(np.sort), bad_vectors(5), arrays),
        "units/id": st.one_of(bad_vectors(5), arrays),
        "units/obs_intervals": st.one_of(intervals, arrays),
        "units/obs_intervals_index": st.one_of(ends, bad_vectors(5), arrays),
    }

    def edits_of(key):
        value = values.get(key, st.one_of(texts, bad_scalars(), arrays))
        return st.one_of(st.tuples(st.just("set"), st.just(key), value), st.just(("drop", key)))

    edit = st.sampled_from(_NWB_DATASETS).flatmap(edits_of)
    return st.lists(edit, min_size=1, max_size=3)


def _edit_hdf5(path: Path, edits) -> None:
    """Apply the edits in place, keeping each replaced dataset's attributes (its NWB type)."""
    with h5py.File(path, "r+") as h:
        for edit in edits:
            key = edit[1]
            attrs = dict(h[key].attrs) if key in h else {}
            if key in h:
                del h[key]
            if edit[0] == "set":
                value = edit[2]
                ds = h.create_dataset(key, data=value)
                for name, attr in attrs.items():
                    ds.attrs[name] = attr


@TIMEOUT
@PROFILE
def test_nwb_with_wrong_datasets(sources, profile):
    data = sources["x.nwb"]

    @PROFILES[profile]
    @given(edits=nwb_edits())
    def check(edits):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "w.nwb"
            path.write_bytes(data)
            _edit_hdf5(path, edits)
            check_read(path)

    check()


# ------------------------------------------------------ retinal HDF5
_RETINAL_DATASETS = [
    "spikes",
    "sCount",
    "epos",
    "names",
    "array",
    "meta/age",
    "meta/species",
    "summary/duration",
]


def retinal_edits():
    arrays = bad_arrays(allow_complex=False)
    counts = st.one_of(
        hnp.arrays(st.sampled_from([np.int32, np.int64, np.int8]), 3, elements=st.integers(-1, 4)),
        hnp.arrays(np.uint64, 3, elements=st.integers(0, 4)),
    )
    special = st.sampled_from(
        [
            np.array([1, 1, 1], dtype=np.int32),  # counts that add up, other channels
            np.array([3, 0, 0], dtype=np.uint64),
            np.array([2**64 - 1, 4, 0], dtype=np.uint64),  # wraps around to 3 in uint64
            np.array([3.0, -1.0, 2.0]),  # a negative spike time
            np.array([1.0, 2.0, 30.0]),  # spikes past the stated duration
            np.array([[0.0, 60.0, 120.0]]),
            np.array([b"c1"]),
            np.array(["c1", "c2", "c3"], dtype=h5py.string_dtype()),
        ]
    )
    values = {
        "spikes": st.one_of(bad_vectors(3), special, arrays),
        "sCount": st.one_of(counts, special, bad_vectors(3), arrays),
        "summary/duration": st.one_of(bad_scalars(), special, arrays),
    }
    # None removes the dataset, "group" puts a group in its place
    other = st.one_of(arrays, special, st.just(None), st.just("group"))
    removed = st.one_of(st.just(None), st.just("group"))
    edit = st.sampled_from(_RETINAL_DATASETS).flatmap(
        lambda key: st.tuples(st.just(key), st.one_of(values.get(key, other), removed))
    )
    return st.lists(edit, min_size=1, max_size=3).map(dict)


@TIMEOUT
@PROFILE
def test_retinal_with_wrong_datasets(profile):
    @PROFILES[profile]
    @given(edits=retinal_edits(), summary_is_a_dataset=st.booleans())
    def check(edits, summary_is_a_dataset):
        with tempfile.TemporaryDirectory() as d:
            if summary_is_a_dataset:  # "summary" itself a dataset, not a group
                edits = {k: v for k, v in edits.items() if not k.startswith("summary/")}
                edits |= {"summary/N": None, "summary/duration": None, "summary": np.arange(2)}
            path = _retinal_file(Path(d) / "w.h5", edits)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # spikes past the stated duration
                check_read(path)
                check_read(path, io.read_retinal)

    check()
