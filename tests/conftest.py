import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

SHARED_DATA = Path(
    os.environ.get("NEURODAM_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
RETINAL_WAVES = SHARED_DATA / "retinal-waves"

# Independent implementations the tests cross-check against. Locally a missing one skips its
# tests; with NEURODAM_STRICT_CROSSCHECKS=1 (set by .ci/run) it is an error before any test
# runs, so that CI never passes with a cross-check silently skipped.
CROSS_CHECK_LIBRARIES = ("powerlaw", "mrestimator", "fathon", "elephant", "nengo_spa", "mpmath")


def pytest_configure(config):
    if os.environ.get("NEURODAM_STRICT_CROSSCHECKS", "") not in ("", "0"):
        import importlib

        missing = []
        for name in CROSS_CHECK_LIBRARIES:
            try:
                importlib.import_module(name)
            except Exception as exc:  # an import that fails in any way counts as missing
                missing.append(f"{name} ({type(exc).__name__}: {exc})")
        if missing:
            raise pytest.UsageError(
                "NEURODAM_STRICT_CROSSCHECKS is set but these cross-check libraries do not "
                "import: "
                + "; ".join(missing)
                + " (install the test extra: pip install -e '.[test]')"
            )


@pytest.fixture
def retinal_waves_dir():
    """The shared retinal-wave recordings; the test is skipped when they are absent."""
    if not RETINAL_WAVES.is_dir() or not any(RETINAL_WAVES.glob("*.h5")):
        pytest.skip(f"retinal-wave recordings not found at {RETINAL_WAVES}")
    return RETINAL_WAVES


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
