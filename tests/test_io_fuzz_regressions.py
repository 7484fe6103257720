"""The reader bugs found by tests/test_io_fuzz.py, each with its minimal failing example.

Each test names the exception the old reader raised instead of a ``ValueError`` naming the
file (or the valid file it refused). The damaged bytes are located through the file's
structure (a zip member's data, an HDF5 dataset) rather than at fixed offsets, so that
the examples do not depend on the zlib or HDF5 library version that wrote the file.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from neurodam import SpikeTrains, io


def _spikes() -> SpikeTrains:
    return SpikeTrains(
        [0.5, 0.1, 0.3, 0.9, 0.3],
        [2, 0, 3, 0, 1],
        n_neurons=5,
        t_start=-0.25,
        t_stop=1.5,
        meta={"source": "fuzz", "seed": 3, "params": {"tau": 0.02}},
    )


def _not_valid(path, *needles):
    """Reading ``path`` raises a ValueError naming the file (and each needle)."""
    with pytest.raises(ValueError, match=r"^path: ") as err:
        io.read(path)
    assert f"{path} is not a valid" in str(err.value)
    for needle in needles:
        assert needle in str(err.value)
    return err.value


def _first_member(path):
    """(offset of the local header, offset of the data) of the archive's first member."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        info = zf.infolist()[0]
    start = info.header_offset
    name_len = int.from_bytes(data[start + 26 : start + 28], "little")
    extra_len = int.from_bytes(data[start + 28 : start + 30], "little")
    return start, start + 30 + name_len + extra_len


def _patch(path, offset, new: bytes):
    data = bytearray(path.read_bytes())
    data[offset : offset + len(new)] = new
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------- npz
def test_npz_with_a_zeroed_deflate_stream(tmp_path):
    # hypothesis: ('zero', 39, 21) on the file io.write makes, i.e. 21 zero bytes at the
    # start of the first member's deflate data; old: zlib.error
    path = io.write(_spikes(), tmp_path / "z.npz")
    _, data_at = _first_member(path)
    _patch(path, data_at, bytes(21))
    _not_valid(path, "error")


def _central_entry(path, member):
    """Offset of ``member``'s entry in the archive's central directory."""
    data = path.read_bytes()
    end = data.rfind(b"PK\x05\x06")
    pos = int.from_bytes(data[end + 16 : end + 20], "little")
    while data[pos : pos + 4] == b"PK\x01\x02":
        n, e, c = (int.from_bytes(data[pos + k : pos + k + 2], "little") for k in (28, 30, 32))
        if data[pos + 46 : pos + 46 + n] == member.encode():
            return pos
        pos += 46 + n + e + c
    raise AssertionError(f"{member} not in {path}")


@pytest.mark.parametrize(
    ("compressed", "member", "field", "byte"),
    [
        # hypothesis: ('flip', ((1361, 1),)) on the compressed file: compression method 8
        # (deflate) -> 1 in meta.npy's central-directory entry; old: NotImplementedError
        (True, "meta.npy", 10, 1),
        # hypothesis: ('flip', ((1359, 1),)): the "encrypted" flag bit; old: RuntimeError
        (True, "meta.npy", 8, 1),
        # hypothesis: ('flip', ((1789, 32),)) on the uncompressed file: flag bit 5
        # ("compressed patched data") of senders.npy; old: NotImplementedError
        (False, "senders.npy", 8, 32),
        # hypothesis: ('flip', ((1789, 1),)): the "encrypted" flag bit; old: RuntimeError
        (False, "senders.npy", 8, 1),
    ],
)
def test_npz_central_directory_with_an_unsupported_feature(
    tmp_path, compressed, member, field, byte
):
    path = io.write(_spikes(), tmp_path / "c.npz")
    if not compressed:  # the same arrays as numpy.savez (no compression) writes them
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        np.savez(path, **arrays)
    _patch(path, _central_entry(path, member) + field, bytes([byte]))
    _not_valid(path, member[: -len(".npy")] if not compressed else "")


def _npz_with(path, compressed=False, **arrays):
    """The arrays io.write stores for _spikes(), some replaced (None drops one)."""
    io.write(_spikes(), path)
    with np.load(path) as z:
        base = {k: z[k] for k in z.files}
    base.update(arrays)
    (np.savez_compressed if compressed else np.savez)(
        path, **{k: v for k, v in base.items() if v is not None}
    )
    return path


@pytest.mark.parametrize(
    ("meta", "old"),
    [
        ("[" * 5000, "RecursionError"),
        ('{"x": ' + "9" * 5000 + "}", "a ValueError (int digits limit) not naming the file"),
    ],
    ids=["deep", "long-int"],
)
def test_npz_meta_that_json_cannot_decode(tmp_path, meta, old):
    # hypothesis: [('set', 'times', array(['a', 'b'])), ('set', 'meta', np.str_(meta))],
    # compressed=False; old: `old`
    path = _npz_with(tmp_path / "m.npz", times=np.array(["a", "b"]), meta=np.str_(meta))
    _not_valid(path)
    path = _npz_with(tmp_path / "m2.npz", meta=np.str_(meta))  # the meta alone
    _not_valid(path, "meta: expected a JSON object")


def test_npz_with_an_infinite_neuron_count(tmp_path):
    # hypothesis: [('set', 'times', array(['a', 'b'])), ('set', 'n_neurons', array(inf))],
    # compressed=False; old: OverflowError
    path = _npz_with(tmp_path / "n.npz", times=np.array(["a", "b"]), n_neurons=np.array(np.inf))
    _not_valid(path)
    _not_valid(_npz_with(tmp_path / "n2.npz", n_neurons=np.array(np.inf)), "n_neurons")


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("n_neurons", np.array(5.7), "n_neurons: expected an integer"),  # old: 5 neurons
        ("times", np.array(["0.5", "0.1", "0.3", "0.9", "0.3"]), "'times': expected numbers"),
        ("times", np.array([[0.5, 0.1, 0.3, 0.9, 0.3]]), "'times': expected a 1-D array"),
        ("meta", np.array(3), "'meta': expected a string"),  # old: meta '3' -> not an object
    ],
)
def test_npz_values_that_were_silently_converted(tmp_path, key, value, needle):
    # not found as contract violations (the old reader returned a valid SpikeTrains), but
    # silently altered data: a fractional neuron count truncated, times parsed from text,
    # a 2-D array flattened. The reader now refuses them.
    _not_valid(_npz_with(tmp_path / "v.npz", **{key: value}), needle)


# -------------------------------------------------------------------- csv
def test_csv_meta_nested_too_deeply(tmp_path):
    # hypothesis: doc='# meta=' + '[' * 5000 + '\ntime,neuron\n'; old: RecursionError
    path = tmp_path / "d.csv"
    path.write_text("# meta=" + "[" * 5000 + "\ntime,neuron\n")
    _not_valid(path, "meta: expected a JSON object", "recursion")


def test_csv_neuron_ids_beyond_exact_float_integers(tmp_path):
    # ids are parsed as float64, exact only up to 2**53: larger ones are refused instead of
    # being rounded (or wrapped to a negative int64 with a RuntimeWarning, as before)
    path = tmp_path / "big.csv"
    path.write_text("time,neuron\n0.1,1e20\n")
    _not_valid(path, "neuron ids must be integers in [0, 2**53]", "data line 1")
    path.write_text(f"time,neuron\n0.1,{2**53}\n0.2,0\n")
    assert io.read(path).senders.max() == 2**53


# ------------------------------------------------------------ retinal HDF5
def _retinal(path, **replace):
    """The minimal retinal-wave layout of tests/test_io_fuzz.py, some datasets replaced
    (None removes one, "group" puts a group in its place)."""
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
    layout.update({k.replace("__", "/"): v for k, v in replace.items()})
    with h5py.File(path, "w") as h:
        for key, value in layout.items():
            if isinstance(value, str) and value == "group":
                h.create_group(key)
            elif value is not None:
                h.create_dataset(key, data=value)
    return path


def _retinal_not_valid(path, *needles):
    err = _not_valid(path, *needles)
    with pytest.raises(ValueError, match=r"^path: .* is not a valid retinal-wave HDF5 file"):
        io.read_retinal(path)
    return err


def test_retinal_duration_that_is_an_empty_string(tmp_path):
    # hypothesis: {'summary/duration': array(b'', dtype='|S1')}; old: a ValueError
    # ("could not convert string to float") that did not name the file
    path = _retinal(tmp_path / "d.h5", summary__duration=np.array(b""))
    _retinal_not_valid(path, "summary/duration")


def test_retinal_duration_that_is_empty(tmp_path):
    # hypothesis: {'summary/duration': array([], dtype=float64)}; old: IndexError
    path = _retinal(tmp_path / "d.h5", summary__duration=np.array([]))
    _retinal_not_valid(path, "summary/duration")


@pytest.mark.parametrize(
    "counts",
    [
        # hypothesis: {'sCount': array(['c1', 'c2', 'c3'], dtype=object)}; old: TypeError
        np.array(["c1", "c2", "c3"], dtype=h5py.string_dtype()),
        # hypothesis: {'sCount': array([b'c1'], dtype='|S2')}; old: UFuncNoLoopError
        np.array([b"c1"]),
        # hypothesis (second run): {'sCount': array(b'', dtype='|S1')}; old: UFuncNoLoopError
        np.array(b""),
    ],
)
def test_retinal_counts_that_are_strings(tmp_path, counts):
    path = _retinal(tmp_path / "c.h5", sCount=counts)
    _retinal_not_valid(path, "sCount", "expected numbers")


def test_retinal_uint64_counts_are_read(tmp_path):
    # hypothesis: {'sCount': array([3, 0, 0], dtype=uint64)}, a valid file; old: TypeError
    # (numpy.repeat cannot take uint64 counts)
    path = _retinal(tmp_path / "u.h5", sCount=np.array([2, 0, 1], dtype=np.uint64))
    s = io.read(path)
    np.testing.assert_array_equal(s.times, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s.senders, [0, 2, 0])  # channel 0: 3.0, 1.0; channel 2: 2.0
    assert s.n_neurons == 3


def test_retinal_counts_whose_uint64_sum_wraps_around(tmp_path):
    # (2**64 - 1) + 4 + 0 = 3 (mod 2**64): the old sum check passed these counts for the
    # 3 spikes, then numpy.repeat raised TypeError on them
    path = _retinal(tmp_path / "w.h5", sCount=np.array([2**64 - 1, 4, 0], dtype=np.uint64))
    _retinal_not_valid(path, f"sum(sCount)={2**64 + 3}")


def test_retinal_spikes_that_are_strings(tmp_path):
    # hypothesis: {'spikes': array([b'c1'], dtype='|S2')}; old: a ValueError ("could not
    # convert string to float") that did not name the file
    path = _retinal(tmp_path / "s.h5", spikes=np.array([b"c1"]))
    _retinal_not_valid(path, "'spikes': expected numbers")


def test_retinal_spikes_that_are_a_group(tmp_path):
    # hypothesis: {'spikes': 'group'}; old: TypeError from h5py (read_retinal) and a
    # misleading "neither a retinal-wave recording" (read)
    path = _retinal(tmp_path / "g.h5", spikes="group")
    _retinal_not_valid(path, "'spikes': expected a dataset, got a Group")


def test_truncated_hdf5_file(tmp_path):
    # hypothesis: ('truncate', 8) of the retinal file: the HDF5 signature survives, the
    # superblock does not; old: OSError from h5py
    path = _retinal(tmp_path / "t.h5")
    path.write_bytes(path.read_bytes()[:8])
    _not_valid(path)


# --------------------------------------------------------------------- NWB
def _drop(path, key):
    with h5py.File(path, "r+") as h:
        del h[key]


def test_nwb_without_spike_times_index(tmp_path):
    # hypothesis: [('drop', 'units/spike_times_index')]; old: AttributeError
    path = io.write(_spikes(), tmp_path / "n.nwb")
    _drop(path, "units/spike_times_index")
    _not_valid(path, "spike_times_index")


@pytest.mark.parametrize(
    ("key", "value", "old", "needle"),
    [
        # hypothesis: [('set', 'units/obs_intervals', array([0.9, 0.1, 0.5, 0.3, 0.3]))]
        ("obs_intervals", np.array([0.9, 0.1, 0.5, 0.3, 0.3]), "reshape", "obs_intervals"),
        # hypothesis: [('set', 'units/spike_times_index', array([0, 0, 0, 0, -1]))]
        ("spike_times_index", np.array([0, 0, 0, 0, -1]), "repeat", "spike_times_index"),
        # hypothesis: [('set', 'units/obs_intervals', array([b''], dtype='|S1'))]
        ("obs_intervals", np.array([b""]), "float", "obs_intervals"),
    ],
)
def test_nwb_units_columns_of_the_wrong_shape_or_type(tmp_path, key, value, old, needle):
    # old: a ValueError from numpy (`old`: reshape, repeat, string-to-float) that did not
    # name the file
    path = io.write(_spikes(), tmp_path / "n.nwb")
    with h5py.File(path, "r+") as h:
        attrs = dict(h[f"units/{key}"].attrs)  # keep its NWB type so that pynwb reads it
        del h[f"units/{key}"]
        ds = h.create_dataset(f"units/{key}", data=value)
        for name, attr in attrs.items():
            ds.attrs[name] = attr
    _not_valid(path, needle)


# -------------------------------------------------- HDF5 damaged in place
@pytest.mark.parametrize(
    ("how", "old"),
    [
        (("zero", 5577, 16), "KeyError (dataspace dim greater than maxdim)"),
        (("zero", 49, 24), "RuntimeError (ring type mismatch)"),
        (("flip", ((752, 128),)), "TypeError (a link name read back as bytes, sorted with str)"),
    ],
)
def test_retinal_file_damaged_in_place(how, old):
    # hypothesis' examples at byte offsets of the fuzzing source file (HDF5 2.0.0 / h5py
    # 3.16 layout); another HDF5 version may lay the file out differently, so the damage
    # is checked against the contract (a valid SpikeTrains or a ValueError naming the file)
    from test_io_fuzz import _retinal_file, check_bytes, damage

    with tempfile.TemporaryDirectory() as d:
        data = _retinal_file(Path(d) / "x.h5").read_bytes()
    check_bytes(damage(data, how), "x.h5")


# ---------------------------------------------------- a libhdf5 endless loop
def _zero_free_space_size(path):
    """Zero the size of the free-space record (object 0) of the file's first global heap
    collection (layout: "GCOL", version, 3 reserved, 8-byte size; then records of index
    (2), reference count (2), reserved (4), size (8), data padded to 8 bytes)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"GCOL")
    end = at + int.from_bytes(data[at + 8 : at + 16], "little")
    p = at + 16
    while int.from_bytes(data[p : p + 2], "little") != 0:
        p += 16 + (int.from_bytes(data[p + 8 : p + 16], "little") + 7) // 8 * 8
    assert int.from_bytes(data[p + 8 : p + 16], "little") == end - p  # the free tail
    data[p + 8 : p + 16] = bytes(8)
    path.write_bytes(bytes(data))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("reader", ["read", "read_nwb"])
def test_nwb_with_a_global_heap_that_libhdf5_walks_forever(tmp_path, reader):
    # found by the long NWB byte-damage run, which hung for 25 minutes in h5py reading the
    # root attribute 'namespace': the free-space record of the global heap had size 0, and
    # libhdf5 (2.0.0) never gets past it. Old: the read never returns. The read runs in a
    # subprocess so that the old code fails this test instead of hanging the suite.
    import subprocess
    import sys

    path = io.write(_spikes(), tmp_path / "g.nwb")
    _zero_free_space_size(path)
    code = (
        "import sys\nfrom neurodam import io\n"
        f"try:\n    io.{reader}(sys.argv[1])\nexcept ValueError as e:\n    print(e)\n"
    )
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            timeout=120,  # the read itself takes a second; imports a few more
            cwd=root,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the read of the damaged file did not return within 120 s")
    assert out.returncode == 0, out.stderr
    assert f"path: {path} is not a valid" in out.stdout
    assert "damaged HDF5 global heap" in out.stdout


def test_the_global_heap_check_accepts_valid_files(tmp_path):
    # no false alarm on files with global heaps (NWB: strings), with a user block, or none
    from neurodam.io._hdf5 import check_global_heaps

    assert check_global_heaps(io.write(_spikes(), tmp_path / "v.nwb"), "test") >= 1
    with h5py.File(tmp_path / "u.h5", "w", userblock_size=512) as h:
        h["names"] = np.array(["a", "GCOL"], dtype=h5py.string_dtype())
    assert check_global_heaps(tmp_path / "u.h5", "test") == 1


def test_the_global_heap_check_accepts_the_real_recordings(retinal_waves_dir):
    from neurodam.io._hdf5 import check_global_heaps

    for path in sorted(retinal_waves_dir.glob("*.h5")):
        assert check_global_heaps(path, "test") == 0  # fixed-length strings: no heap
