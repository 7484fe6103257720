import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

SHARED_DATA = Path(
    os.environ.get("NEURODAM_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
RETINAL_WAVES = SHARED_DATA / "retinal-waves"


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
