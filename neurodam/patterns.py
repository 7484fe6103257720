"""Binary patterns for associative memories.

Random
    :func:`rademacher`      i.i.d. +-1 entries (the classical Hopfield setting)
    :func:`diluted`         entries in {-1, 0, +1}, 0 with probability d (multitasking networks)
    :func:`correlated`      +-1 patterns around a common random parent (tunable correlation)
    :func:`noisy_examples`  M noisy examples of each archetype (learning from examples)
Cues
    :func:`flip`            flip exactly ``round(fraction * N)`` entries of a pattern
Data
    :func:`digits`          scikit-learn's bundled 8x8 handwritten digits, N=64, binarised
    :func:`mnist`           binarised MNIST test images, N=784, chosen per class
    :func:`mnist_images`    every binarised MNIST image available, its labels and its source
    :func:`mnist_source`    which MNIST files are read (the test set, or the shipped subset)
    :func:`per_class`       which images to take: class by class, first or seeded random
    :func:`read_mnist_idx`  read an MNIST IDX file (optionally gzipped)
    :func:`binarize`        images -> +-1 patterns (pixel > threshold -> +1)
Validation
    :func:`validate_patterns`  check a (K, N) matrix of +-1 (or {-1, 0, +1}) patterns
    :func:`real_patterns`      check a (K, N) matrix of real-valued patterns (e.g. averages
                               or sums of examples) for the interactions that accept them

Every pattern matrix is a (K, N) ``int8`` array; every random function takes ``seed``
(int, ``numpy.random.Generator`` or None) and is reproducible.
References: Amit, Gutfreund & Sompolinsky (1985); Agliari et al. (2012, 2022, 2023);
Cafiso & Paradisi (2026) for binarised MNIST (pixel > 127 -> +1).
"""

from __future__ import annotations

import gzip
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "rademacher",
    "diluted",
    "correlated",
    "noisy_examples",
    "flip",
    "digits",
    "mnist",
    "mnist_images",
    "mnist_labels",
    "mnist_source",
    "MnistImages",
    "per_class",
    "read_mnist_idx",
    "binarize",
    "validate_patterns",
    "real_patterns",
]


def _check_kn(K: int, N: int, states: int = 2) -> tuple[int, int]:
    """Validate K >= 1, N >= 1 and K <= states^N (the number of distinct patterns)."""
    for name, v in (("K", K), ("N", N)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name}: expected an integer >= 1, got {v!r}")
    if N * np.log2(states) < 62 and K > states**N:
        raise ValueError(
            f"K: expected at most {states}^N = {states**N} patterns for N={N} (the number of "
            f"distinct patterns), got {K}"
        )
    return int(K), int(N)


def _check_prob(name: str, v: float, lo: float, hi: float, hi_open: bool = False) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {v!r}") from None
    ok = lo <= x < hi if hi_open else lo <= x <= hi
    if not ok:
        bracket = ")" if hi_open else "]"
        raise ValueError(f"{name}: expected a value in [{lo}, {hi}{bracket}, got {v!r}")
    return x


def _pm1(rng: np.random.Generator, shape) -> np.ndarray:
    return np.where(rng.random(shape) < 0.5, 1, -1).astype(np.int8)


def rademacher(K: int, N: int, seed=None) -> np.ndarray:
    """K random patterns with i.i.d. entries +-1 (probability 1/2 each), shape (K, N), int8."""
    K, N = _check_kn(K, N)
    return _pm1(np.random.default_rng(seed), (K, N))


def diluted(K: int, N: int, d: float, seed=None) -> np.ndarray:
    """Diluted patterns: each entry 0 with probability d, else +-1 with probability (1-d)/2.

    The patterns of the multitasking network (Agliari, Barra, Galluzzi, Guerra & Moauro 2012).
    ``d`` must lie in [0, 1).
    """
    K, N = _check_kn(K, N, states=3)
    d = _check_prob("d", d, 0.0, 1.0, hi_open=True)
    rng = np.random.default_rng(seed)
    xi = _pm1(rng, (K, N))
    xi[rng.random((K, N)) < d] = 0
    return xi


def correlated(K: int, N: int, c: float, seed=None) -> np.ndarray:
    """+-1 patterns correlated through a common random parent.

    A parent ``zeta`` is drawn Rademacher; each pattern copies it entrywise,
    ``P(xi_i^mu = zeta_i) = (1 + c) / 2``, independently. Hence ``E[xi_i^mu zeta_i] = c`` and
    the expected overlap of two distinct patterns is ``E[xi^mu . xi^nu] / N = c^2``.
    ``c`` in [0, 1]: 0 gives Rademacher patterns, 1 gives K copies of the parent.
    """
    K, N = _check_kn(K, N)
    c = _check_prob("c", c, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    parent = _pm1(rng, N)
    keep = rng.random((K, N)) < (1.0 + c) / 2.0
    return np.where(keep, parent, -parent).astype(np.int8)


def noisy_examples(archetypes: np.ndarray, M: int, r: float, seed=None) -> np.ndarray:
    """M noisy examples of each archetype: ``eta^{mu,a}_i = chi^{mu,a}_i xi^mu_i``.

    ``P(chi = +1) = (1 + r) / 2`` (quality r in [0, 1]), independently (Agliari, Alemanno,
    Barra, Centonze & Fachechi 2022/2023; dataset entropy ``rho = (1 - r^2) / (M r^2)``).
    Returns an int8 array of shape (K, M, N).
    """
    xi = validate_patterns(archetypes, name="archetypes")
    if isinstance(M, bool) or not isinstance(M, int | np.integer) or M < 1:
        raise ValueError(f"M: expected an integer >= 1, got {M!r}")
    r = _check_prob("r", r, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    K, N = xi.shape
    chi = np.where(rng.random((K, int(M), N)) < (1.0 + r) / 2.0, 1, -1).astype(np.int8)
    return chi * xi[:, None, :]


def flip(pattern: np.ndarray, fraction: float, seed=None) -> np.ndarray:
    """A copy of a +-1 pattern with exactly ``round(fraction * N)`` entries flipped.

    The flipped positions are ``rng.choice(N, n_flip, replace=False)`` with
    ``rng = numpy.random.default_rng(seed)``. ``fraction`` in [0, 1].
    """
    p = np.asarray(pattern)
    if p.ndim != 1 or p.size < 1:
        raise ValueError(f"pattern: expected a 1-D +-1 vector, got shape {p.shape}")
    if not np.all(np.abs(p) == 1):
        raise ValueError("pattern: expected entries in {-1, +1}")
    fraction = _check_prob("fraction", fraction, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    n_flip = int(round(fraction * p.size))
    out = p.astype(np.int8).copy()
    if n_flip:
        idx = rng.choice(p.size, size=n_flip, replace=False)
        out[idx] = -out[idx]
    return out


def binarize(images: np.ndarray, threshold: float) -> np.ndarray:
    """Flatten images to +-1 patterns: pixel > threshold -> +1, else -1; shape (n, pixels)."""
    x = np.asarray(images)
    if x.ndim < 1:
        raise ValueError(f"images: expected an array of images, got shape {x.shape}")
    x = x.reshape(x.shape[0], -1) if x.ndim > 1 else x[None, :]
    return np.where(x > threshold, 1, -1).astype(np.int8)


def digits(binarize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits (1797 images, N=64, no download).

    Parameters
    ----------
    binarize : bool
        When True (default) pixels above half the maximum intensity (16/2 = 8) become +1,
        the others -1 (the offline stand-in for binarised MNIST, Cafiso & Paradisi 2026).
        When False the raw intensities 0..16 are returned as float64, shape (1797, 64).

    Returns
    -------
    patterns : ndarray, shape (1797, 64) (int8 +-1, or float64 intensities)
    labels : ndarray of int64, shape (1797,)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "digits() needs scikit-learn (its bundled 8x8 digits): pip install scikit-learn"
        ) from exc

    d = load_digits()
    data = np.asarray(d.data, dtype=np.float64)
    labels = np.asarray(d.target, dtype=np.int64)
    if not binarize:
        return data, labels
    half = data.max() / 2.0
    return np.where(data > half, 1, -1).astype(np.int8), labels


_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_mnist_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format; gzipped when the name ends with ``.gz``).

    The IDX header is two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then each dimension
    as a big-endian uint32; the data follow in C order. Returns an array of that shape
    (e.g. (60000, 28, 28) uint8 images or (60000,) uint8 labels). Binarise MNIST images
    as in Cafiso & Paradisi (2026) with ``binarize(images, 127)``.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"path: {path} is not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"path: {path} has an unknown IDX data type 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"path: {path} is truncated inside the IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    dtype = _IDX_DTYPES[code]
    n_bytes = math.prod(shape) * dtype.itemsize
    if len(raw) - header != n_bytes:
        raise ValueError(
            f"path: {path} holds {len(raw) - header} data bytes, expected {n_bytes} "
            f"for shape {shape}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def validate_patterns(
    patterns: np.ndarray, allow_zero: bool = False, N: int | None = None, name: str = "patterns"
) -> np.ndarray:
    """Check a pattern matrix and return it as a (K, N) int8 array.

    Raises ``ValueError`` (naming ``name``) when it is not 2-D, has K < 1, has entries
    outside {-1, +1} (or {-1, 0, +1} with ``allow_zero``), or N differs from ``N``.
    """
    x = np.asarray(patterns)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"{name}: expected a (K, N) array, got shape {x.shape}")
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"{name}: expected K >= 1 patterns of N >= 1 entries, got {x.shape}")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected numeric entries, got dtype {x.dtype}")
    allowed = (-1, 0, 1) if allow_zero else (-1, 1)
    ok = np.isin(x, allowed)
    if not ok.all():
        bad = x[~ok].ravel()[0].item()  # a Python number: "got 2.0", not np.float64(2.0)
        raise ValueError(f"{name}: expected entries in {set(allowed)}, got {bad!r}")
    if N is not None and x.shape[1] != N:
        raise ValueError(f"{name}: expected N={N} entries per pattern, got {x.shape[1]}")
    return x.astype(np.int8)


def real_patterns(patterns: np.ndarray, N: int | None = None, name: str = "patterns") -> np.ndarray:
    """Check a real-valued (K, N) pattern matrix and return it as a float64 copy.

    Real-valued patterns arise from learning from examples: the average of M noisy
    examples of an archetype (supervised) or their sum (unsupervised; Agliari et al.
    2022/2023). The interaction functions of :mod:`neurodam.memory` say which values each
    accepts; the +-1 (or {-1, 0, +1}) restriction lives with the code that needs it.

    Raises
    ------
    TypeError
        Non-numeric (or complex) entries; the message names ``name``.
    ValueError
        Not 2-D (a 1-D vector is one pattern), K < 1 or N < 1, NaN or infinite entries, or
        N different from ``N``.
    """
    x = np.asarray(patterns)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a numeric (K, N) array, got dtype {x.dtype}")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"{name}: expected a (K, N) array, got shape {x.shape}")
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"{name}: expected K >= 1 patterns of N >= 1 entries, got {x.shape}")
    x = x.astype(np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        raise ValueError(f"{name}: expected finite entries, got {x[bad].ravel()[0].item()!r}")
    if N is not None and x.shape[1] != N:
        raise ValueError(f"{name}: expected N={N} entries per pattern, got {x.shape[1]}")
    return x


# ------------------------------------------------------------------ MNIST
#: Pixel threshold of binarised MNIST (Cafiso & Paradisi 2026): pixel > 127 -> +1.
MNIST_THRESHOLD = 127
#: The MNIST test-set files (IDX, gzip) looked for in an MNIST folder.
MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
#: The subset shipped with the repository (first 50 test images of each class, binarised).
MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"
#: How :func:`per_class` orders the images of a class.
IMAGE_ORDERS = ("first", "random")


def default_mnist_dir() -> Path | None:
    """The MNIST test-set folder, when one holds both ``MNIST_FILES``.

    Looked for in ``$NEURODAM_SHARED_DATA/mnist`` (when the variable is set), then in
    ``shared/data/mnist`` beside the repository; None when neither holds the files.
    """
    here = Path(__file__).resolve().parents[1]
    candidates = []
    env = os.environ.get("NEURODAM_SHARED_DATA")
    if env:
        candidates.append(Path(env) / "mnist")
    candidates.append(here.parent / "shared" / "data" / "mnist")
    for folder in candidates:
        if all((folder / f).is_file() for f in MNIST_FILES):
            return folder
    return None


@dataclass(frozen=True, eq=False)
class MnistImages:
    """Binarised MNIST test images with their labels and where they were read from.

    Attributes
    ----------
    images : ndarray of int8, shape (n, 784)
        +1 where the pixel is above ``MNIST_THRESHOLD``, else -1 (rows of the 28x28
        image, row by row).
    labels : ndarray of int64, shape (n,)
    test_index : ndarray of int64, shape (n,)
        Index of each image in the 10,000-image MNIST test set.
    source : str
        ``"test set"`` (all 10,000 images) or ``"subset"`` (the repository's
        ``data/mnist_subset.npz``: the first 50 images of each class).
    path : str
        The folder or file read.
    """

    images: np.ndarray
    labels: np.ndarray
    test_index: np.ndarray
    source: str
    path: str

    def describe(self) -> str:
        """One line: which images, from where."""
        return f"MNIST {self.source} ({self.images.shape[0]} images) from {self.path}"


def _mnist_folder(mnist_dir: str | Path | None) -> Path | None:
    """The folder to read (checked when given), or None for the repository's subset."""
    if mnist_dir is None:
        return default_mnist_dir()
    folder = Path(mnist_dir)
    missing = [f for f in MNIST_FILES if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(f"mnist_dir: {folder} does not hold {', '.join(missing)}")
    return folder


def _no_mnist() -> FileNotFoundError:
    return FileNotFoundError(
        "mnist_dir: no MNIST data found (neither $NEURODAM_SHARED_DATA/mnist, nor "
        f"shared/data/mnist beside the repository, nor {MNIST_SUBSET})"
    )


def mnist_labels(mnist_dir: str | Path | None = None) -> tuple[np.ndarray, str]:
    """The labels of the images :func:`mnist_images` would read, and their source
    (``"test set"`` or ``"subset"``), without reading the images (a cheap check of K)."""
    folder = _mnist_folder(mnist_dir)
    if folder is not None:
        return read_mnist_idx(folder / MNIST_FILES[1]).astype(np.int64), "test set"
    if not MNIST_SUBSET.is_file():
        raise _no_mnist()
    with np.load(MNIST_SUBSET, allow_pickle=False) as z:
        return z["labels"].astype(np.int64), "subset"


def mnist_source(mnist_dir: str | Path | None = None) -> str:
    """Which MNIST images :func:`mnist_images` reads, in words: ``"MNIST test set (FOLDER)"``
    or ``"MNIST subset (FILE)"``."""
    folder = _mnist_folder(mnist_dir)
    if folder is not None:
        return f"MNIST test set ({folder})"
    if not MNIST_SUBSET.is_file():
        raise _no_mnist()
    return f"MNIST subset ({MNIST_SUBSET})"


def mnist_images(mnist_dir: str | Path | None = None) -> MnistImages:
    """Every binarised MNIST test image available here.

    Parameters
    ----------
    mnist_dir : path, optional
        A folder holding the MNIST test-set files (``MNIST_FILES``). Default: the one
        ``default_mnist_dir()`` finds, else the repository's subset
        ``data/mnist_subset.npz`` (first 50 images of each class, in test-set order).

    Returns
    -------
    MnistImages
        Images in test-set order, binarised as in Cafiso & Paradisi (2026): pixel > 127 -> +1.

    Raises
    ------
    FileNotFoundError
        ``mnist_dir`` given but without the files, or no MNIST data at all.
    """
    folder = _mnist_folder(mnist_dir)
    if folder is not None:
        raw = read_mnist_idx(folder / MNIST_FILES[0])
        labels = read_mnist_idx(folder / MNIST_FILES[1]).astype(np.int64)
        images = binarize(raw.reshape(raw.shape[0], -1), MNIST_THRESHOLD)
        index = np.arange(images.shape[0], dtype=np.int64)
        return MnistImages(images, labels, index, "test set", str(folder))
    if not MNIST_SUBSET.is_file():
        raise _no_mnist()
    with np.load(MNIST_SUBSET, allow_pickle=False) as z:
        bits = np.unpackbits(z["packed"], axis=1)[:, : int(z["n_pixels"])]
        labels = z["labels"].astype(np.int64)
        index = z["test_index"].astype(np.int64)
    images = np.where(bits > 0, 1, -1).astype(np.int8)
    return MnistImages(images, labels, index, "subset", str(MNIST_SUBSET))


def per_class(labels: np.ndarray, K: int, order: str = "first", seed=None) -> np.ndarray:
    """Indices of K images taken class by class: pattern mu is image ``mu // C`` of class
    ``mu % C`` (C classes, in sorted order).

    So K <= C gives one image of each of the first K classes, K = 2C two of each, and a
    larger K always contains the images of a smaller one.

    Parameters
    ----------
    labels : 1-D array of int
        The class of each image.
    K : int
        Number of images (>= 1).
    order : {"first", "random"}
        ``"first"``: the images of a class in data order (image 0 = the first of its class).
        ``"random"``: in the order of ``rng.permutation(n_c)`` of each class, drawn class by
        class (classes in sorted order) from ``rng = numpy.random.default_rng(seed)``.
    seed : int, Generator or None
        For ``order="random"``.

    Returns
    -------
    ndarray of int64, shape (K,)

    Raises
    ------
    ValueError
        K larger than the classes allow (a class runs out of images), an unknown order.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels: expected a non-empty 1-D array, got shape {labels.shape}")
    if isinstance(K, bool) or not isinstance(K, int | np.integer) or K < 1:
        raise ValueError(f"K: expected an integer >= 1, got {K!r}")
    if order not in IMAGE_ORDERS:
        raise ValueError(f"order: expected one of {IMAGE_ORDERS}, got {order!r}")
    classes = np.unique(labels)
    members = [np.flatnonzero(labels == c) for c in classes]
    if order == "random":
        rng = np.random.default_rng(seed)
        members = [m[rng.permutation(m.size)] for m in members]
    C = classes.size
    need = [len(range(c, int(K), C)) for c in range(C)]
    short = [(int(classes[c]), m.size) for c, m in enumerate(members) if need[c] > m.size]
    if short:
        cls, n = short[0]
        limit = C * min(m.size for m in members)
        raise ValueError(
            f"K: {K} images taken class by class need {need[classes.tolist().index(cls)]} of "
            f"class {cls}, which has {n}; at most {limit} here"
        )
    return np.array([members[mu % C][mu // C] for mu in range(int(K))], dtype=np.int64)


def mnist(
    K: int,
    order: str = "first",
    seed=None,
    mnist_dir: str | Path | None = None,
) -> np.ndarray:
    """K binarised MNIST test images as (K, 784) +-1 patterns, chosen class by class.

    The stored patterns of the stochastic exponential dense associative memory studies
    (Cafiso & Paradisi 2026): MNIST digits, pixel > 127 -> +1, N = 784 (about 13 % of the
    pixels on). Pattern mu is image ``mu // 10`` of digit ``mu % 10`` (:func:`per_class`):
    K = 10 gives the first test image of each digit, K = 20 the first two, and so on.

    Parameters
    ----------
    K : int
        Number of patterns.
    order : {"first", "random"}
        Images of a class in test-set order, or in a seeded random order (``seed``).
    seed : int, Generator or None
        For ``order="random"``.
    mnist_dir : path, optional
        MNIST test-set folder (default: :func:`mnist_images`' search, else the
        repository's subset of 50 images per class). With ``order="first"`` the subset
        gives the same patterns as the full test set for K <= 500; a random order draws
        from the images available, so it depends on which were found
        (``mnist_images(mnist_dir).describe()`` says).

    Returns
    -------
    ndarray of int8, shape (K, 784)
    """
    data = mnist_images(mnist_dir)
    return data.images[per_class(data.labels, K, order, seed)]
