"""Write data/mnist_subset.npz: a small binarised subset of the MNIST test set.

The first ``PER_CLASS`` images of each digit class (in the order of the MNIST test set),
binarised as in the SEDAM papers (pixel > 127 -> +1, else -1), packed 8 pixels per byte.
Source: ../shared/data/mnist/ (the unchanged MNIST test-set files). See data/README.md for
the attribution and licence (CC BY-SA 3.0, LeCun, Cortes & Burges).

Usage: .venv/bin/python data/make_mnist_subset.py [--mnist DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

PER_CLASS = 50
THRESHOLD = 127


def _idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, default=here.parents[1] / "shared" / "data" / "mnist")
    parser.add_argument("--out", type=Path, default=here / "mnist_subset.npz")
    args = parser.parse_args()
    images = _idx(args.mnist / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    labels = _idx(args.mnist / "t10k-labels-idx1-ubyte.gz")
    index = np.concatenate([np.flatnonzero(labels == k)[:PER_CLASS] for k in range(10)])
    bits = images[index] > THRESHOLD
    np.savez_compressed(
        args.out,
        packed=np.packbits(bits, axis=1),
        labels=labels[index].astype(np.int8),
        test_index=index.astype(np.int32),
        n_pixels=np.int32(784),
        threshold=np.int32(THRESHOLD),
    )
    print(f"wrote {args.out}: {index.size} images ({PER_CLASS} per class), {bits.mean():.3f} on")


if __name__ == "__main__":
    main()
