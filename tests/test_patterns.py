"""Pattern generators, cues, datasets, IDX reader."""

import gzip
import struct

import numpy as np
import pytest

from neurodam import patterns as P


def test_rademacher_statistics_and_seed():
    xi = P.rademacher(50, 400, seed=1)
    assert xi.shape == (50, 400) and xi.dtype == np.int8
    assert set(np.unique(xi)) == {-1, 1}
    # mean of 20000 +-1 entries: std 1/sqrt(20000) = 0.007; 5 sigma
    assert abs(xi.mean()) < 5 / np.sqrt(xi.size)
    np.testing.assert_array_equal(xi, P.rademacher(50, 400, seed=1))
    assert not np.array_equal(xi, P.rademacher(50, 400, seed=2))


def test_diluted_fraction_of_zeros():
    d = 0.3
    xi = P.diluted(100, 500, d, seed=0)
    assert set(np.unique(xi)) <= {-1, 0, 1}
    n = xi.size
    # binomial: std sqrt(d(1-d)/n) = 0.002; 5 sigma
    assert abs((xi == 0).mean() - d) < 5 * np.sqrt(d * (1 - d) / n)
    assert abs(xi[xi != 0].mean()) < 5 / np.sqrt((xi != 0).sum())
    assert (P.diluted(3, 10, 0.0, seed=0) != 0).all()


def test_correlated_overlap_is_c_squared():
    c = 0.6
    xi = P.correlated(60, 1000, c, seed=3).astype(float)
    C = xi @ xi.T / 1000
    off = C[~np.eye(60, dtype=bool)]
    # each pair's overlap has mean c^2 = 0.36 and std ~ sqrt(1 - c^4)/sqrt(N) = 0.03;
    # the mean over 3540 (correlated) pairs is within 0.01 of c^2 (shared parent: the
    # pairs are exchangeable, their mean fluctuates by ~ c^2 * 2 sqrt((1-c^2)/(K N)))
    assert abs(off.mean() - c**2) < 0.01
    np.testing.assert_array_equal(
        P.correlated(5, 20, 1.0, seed=0)[0], P.correlated(5, 20, 1.0, seed=0)[1]
    )


def test_noisy_examples_quality():
    arch = P.rademacher(4, 500, seed=0)
    r = 0.4
    ex = P.noisy_examples(arch, 30, r, seed=1)
    assert ex.shape == (4, 30, 500)
    agree = (ex == arch[:, None, :]).mean()
    # P(eta = xi) = (1 + r)/2 = 0.7 over 60000 entries: std 0.0019; 5 sigma
    assert abs(agree - (1 + r) / 2) < 5 * np.sqrt(0.21 / ex.size)


def test_flip_exact_count():
    p = P.rademacher(1, 101, seed=0)[0]
    for f in (0.0, 0.1, 0.25, 1.0):
        q = P.flip(p, f, seed=4)
        assert (q != p).sum() == round(f * 101)
    np.testing.assert_array_equal(P.flip(p, 0.2, seed=9), P.flip(p, 0.2, seed=9))


def test_digits():
    xi, labels = P.digits()
    assert xi.shape == (1797, 64) and labels.shape == (1797,)
    assert set(np.unique(xi)) == {-1, 1}
    raw, _ = P.digits(binarize=False)
    np.testing.assert_array_equal(xi == 1, raw > 8)  # half of the maximum intensity 16
    # binarised digits are correlated patterns: same-class overlap > cross-class overlap
    x = xi.astype(float)
    m0 = x[labels == 0].mean(0)
    m1 = x[labels == 1].mean(0)
    assert (m0 @ x[labels == 0].T).mean() > (m0 @ x[labels == 1].T).mean()
    assert m1.shape == (64,)


def _write_idx(path, arr, code=0x08, gz=False):
    header = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    dt = {0x08: ">u1", 0x0C: ">i4", 0x0D: ">f4"}[code]
    data = header + arr.astype(dt).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


@pytest.mark.parametrize("gz", [False, True])
def test_read_mnist_idx_roundtrip(tmp_path, gz):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
    f = tmp_path / ("img.idx3-ubyte" + (".gz" if gz else ""))
    _write_idx(f, imgs, gz=gz)
    out = P.read_mnist_idx(f)
    np.testing.assert_array_equal(out, imgs)
    lab = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    _write_idx(tmp_path / "lab", lab)
    np.testing.assert_array_equal(P.read_mnist_idx(tmp_path / "lab"), lab)
    ints = np.array([[1, -2], [300000, 4]], dtype=np.int32)
    _write_idx(tmp_path / "ints", ints, code=0x0C)
    np.testing.assert_array_equal(P.read_mnist_idx(tmp_path / "ints"), ints)
    b = P.binarize(out, 127)
    assert b.shape == (5, 784)
    np.testing.assert_array_equal(b == 1, imgs.reshape(5, -1) > 127)


def test_read_mnist_idx_bad(tmp_path):
    f = tmp_path / "bad"
    f.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x05abc")
    with pytest.raises(ValueError, match="path"):
        P.read_mnist_idx(f)
    f.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")  # 3 bytes instead of 5
    with pytest.raises(ValueError, match="path"):
        P.read_mnist_idx(f)


def test_bad_inputs():
    with pytest.raises(ValueError, match="K"):
        P.rademacher(0, 10)
    with pytest.raises(ValueError, match="N"):
        P.rademacher(3, 0)
    # only 2^N distinct binary patterns (3^N diluted ones) exist
    assert P.rademacher(16, 4, seed=0).shape == (16, 4)
    with pytest.raises(ValueError, match=r"K: expected at most 2\^N = 16"):
        P.rademacher(17, 4)
    with pytest.raises(ValueError, match=r"K: expected at most 2\^N"):
        P.correlated(17, 4, 0.5)
    assert P.diluted(17, 4, 0.3, seed=0).shape == (17, 4)
    with pytest.raises(ValueError, match=r"K: expected at most 3\^N = 81"):
        P.diluted(82, 4, 0.3)
    with pytest.raises(ValueError, match="d"):
        P.diluted(3, 10, 1.0)
    with pytest.raises(ValueError, match="d"):
        P.diluted(3, 10, -0.1)
    with pytest.raises(ValueError, match="c"):
        P.correlated(3, 10, 1.5)
    with pytest.raises(ValueError, match="r"):
        P.noisy_examples(P.rademacher(2, 5, seed=0), 3, 2.0)
    with pytest.raises(ValueError, match="archetypes"):
        P.noisy_examples(np.array([[1, 2, 1]]), 3, 0.5)
    with pytest.raises(ValueError, match="pattern"):
        P.flip(np.array([1, 0, 1]), 0.1)
    with pytest.raises(ValueError, match="fraction"):
        P.flip(np.array([1, -1, 1]), 1.5)
    with pytest.raises(ValueError, match="patterns"):
        P.validate_patterns(np.array([[1, 0.5]]))
    with pytest.raises(ValueError, match="patterns"):
        P.validate_patterns(np.ones((2, 5)), N=6)


def test_real_patterns_accepts_averages_of_examples():
    arch = P.rademacher(3, 40, seed=0)
    avg = P.noisy_examples(arch, 5, 0.4, seed=1).mean(axis=1)  # multiples of 1/5
    x = P.real_patterns(avg)
    assert x.dtype == np.float64 and x.shape == (3, 40)
    np.testing.assert_array_equal(x, avg)
    x[0, 0] = 99.0  # a copy: the caller's array is untouched
    assert avg[0, 0] != 99.0
    assert P.real_patterns(np.array([1, -1, 0])).shape == (1, 3)  # one pattern
    np.testing.assert_array_equal(P.real_patterns(arch), arch)


def test_real_patterns_bad_input():
    with pytest.raises(TypeError, match="patterns"):
        P.real_patterns(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="patterns"):
        P.real_patterns(np.array([[1 + 2j]]))
    with pytest.raises(ValueError, match="patterns.*finite"):
        P.real_patterns(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="patterns"):
        P.real_patterns(np.zeros((0, 4)))
    with pytest.raises(ValueError, match="patterns"):
        P.real_patterns(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="xi: expected N=5"):
        P.real_patterns(np.ones((2, 4)), N=5, name="xi")


# ------------------------------------------------------------------ MNIST and per_class
def test_per_class_takes_images_class_by_class():
    labels = np.array([1, 0, 1, 0, 2, 1])
    # pattern mu = image mu // 3 of class mu % 3 (classes sorted: 0, 1, 2)
    assert P.per_class(labels, 3).tolist() == [1, 0, 4]
    assert P.per_class(labels, 5).tolist() == [1, 0, 4, 3, 2]
    with pytest.raises(ValueError, match="K: 6 images .* class 2, which has 1"):
        P.per_class(labels, 6)
    with pytest.raises(ValueError, match="order"):
        P.per_class(labels, 2, order="last")
    with pytest.raises(ValueError, match="K"):
        P.per_class(labels, 0)


def test_per_class_random_order_is_seeded_and_nested():
    labels = np.repeat(np.arange(10), 30)
    a = P.per_class(labels, 40, "random", seed=3)
    assert a.tolist() == P.per_class(labels, 40, "random", seed=3).tolist()
    assert a[:20].tolist() == P.per_class(labels, 20, "random", seed=3).tolist()  # nested
    assert (labels[a] == np.arange(40) % 10).all()
    assert a.tolist() != P.per_class(labels, 40, "random", seed=4).tolist()


def test_mnist_from_the_shipped_subset_when_the_test_set_is_absent(monkeypatch, tmp_path):
    monkeypatch.setenv("NEURODAM_SHARED_DATA", str(tmp_path))  # no mnist folder there
    monkeypatch.setattr(P, "default_mnist_dir", lambda: None)
    data = P.mnist_images()
    assert data.source == "subset" and data.images.shape == (500, 784)
    assert "subset" in P.mnist_source()
    xi = P.mnist(20)
    assert xi.shape == (20, 784) and xi.dtype == np.int8
    # about 13 % of the pixels are on in binarised MNIST (science.md sec. 1)
    assert 0.08 < (xi > 0).mean() < 0.18
    assert (data.labels[P.per_class(data.labels, 20)] == np.arange(20) % 10).all()
    with pytest.raises(ValueError, match="K: .* at most 500"):
        P.mnist(501)
    with pytest.raises(FileNotFoundError, match="mnist_dir"):
        P.mnist(5, mnist_dir=tmp_path)


def test_mnist_subset_equals_the_test_set_images(monkeypatch):
    """The subset holds the first 50 test images of each class, so ``first`` picks the same
    patterns from either source (for K <= 500)."""
    from conftest import SHARED_DATA

    if not (SHARED_DATA / "mnist" / P.MNIST_FILES[0]).is_file():
        pytest.skip("MNIST test set not found")
    full = P.mnist(120, mnist_dir=SHARED_DATA / "mnist")
    monkeypatch.setattr(P, "default_mnist_dir", lambda: None)
    assert np.array_equal(full, P.mnist(120))
