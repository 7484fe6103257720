"""io.save_figure: atomic figure files, format from the suffix, figure left open by default."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from neurodam import io

_MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml"}


@pytest.fixture
def fig():
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [1, 0, 1])
    return fig


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg", ".PNG"])
def test_format_from_the_suffix(tmp_path, fig, suffix):
    path = io.save_figure(fig, tmp_path / f"f{suffix}", dpi=50)
    assert path == tmp_path / f"f{suffix}"
    assert path.read_bytes().startswith(_MAGIC[suffix.lower()])
    assert [p.name for p in tmp_path.iterdir()] == [f"f{suffix}"]  # no temp file left
    assert plt.fignum_exists(fig.number)  # not closed


def test_close_on_request(tmp_path, fig):
    io.save_figure(fig, tmp_path / "f.png", close=True)
    assert not plt.fignum_exists(fig.number)


def test_figure_without_pyplot(tmp_path):
    f = Figure(figsize=(1, 1))
    f.add_subplot().plot([0, 1])
    assert io.save_figure(f, tmp_path / "np.png").read_bytes().startswith(_MAGIC[".png"])


def test_existing_file_needs_overwrite(tmp_path, fig):
    path = tmp_path / "f.png"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match=r"path: .*f\.png exists"):
        io.save_figure(fig, path)
    assert path.read_bytes() == b"keep me"
    io.save_figure(fig, path, overwrite=True)
    assert path.read_bytes().startswith(_MAGIC[".png"])


@pytest.mark.parametrize("name", ["f", "f.xyz", "f.npz"])
def test_unknown_suffix(tmp_path, fig, name):
    with pytest.raises(
        ValueError, match=r"path: cannot save a figure.*supported suffixes: .*\.png"
    ):
        io.save_figure(fig, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path, fig):
    with pytest.raises(TypeError, match="fig: expected a matplotlib Figure, got Axes"):
        io.save_figure(fig.axes[0], tmp_path / "a.png")
    with pytest.raises(ValueError, match="format: 'pdf' disagrees with the suffix"):
        io.save_figure(fig, tmp_path / "a.png", format="pdf")
    io.save_figure(fig, tmp_path / "b.png", format="png")  # an agreeing format is fine
    with pytest.raises(FileNotFoundError, match="directory"):
        io.save_figure(fig, tmp_path / "no" / "such" / "c.png")
    with pytest.raises(TypeError, match="overwrite"):
        io.save_figure(fig, tmp_path / "d.png", overwrite="yes")


@pytest.mark.parametrize("exc", [RuntimeError("renderer failed"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_save_leaves_nothing(tmp_path, fig, monkeypatch, exc, existing):
    path = tmp_path / "f.png"
    if existing:
        path.write_bytes(b"old figure")

    def boom(fname, **kwargs):
        with open(fname, "wb") as fh:  # half an image is on disk when it fails
            fh.write(_MAGIC[".png"] + b"partial")
        raise exc

    monkeypatch.setattr(fig.canvas, "print_figure", boom)
    with pytest.raises(type(exc)):
        io.save_figure(fig, path, overwrite=True)
    if existing:
        assert path.read_bytes() == b"old figure"  # the old file is untouched
        assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
    else:
        assert list(tmp_path.iterdir()) == []  # neither the figure nor a temp file
    assert plt.fignum_exists(fig.number)


def test_close_also_when_the_save_fails(tmp_path, fig, monkeypatch):
    def boom(fname, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(fig.canvas, "print_figure", boom)
    with pytest.raises(RuntimeError):
        io.save_figure(fig, tmp_path / "f.png", close=True)
    assert not plt.fignum_exists(fig.number)
