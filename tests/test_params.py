"""MemoryParams: one validated parameter object for every engine and the model files."""

import json

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import MemoryParams, parse_interaction
from neurodam.memory.params import as_params


def test_defaults():
    P = MemoryParams()
    assert P.F == parse_interaction("exp") and P.interaction.name == "exp:1"
    assert (P.noise, P.noise_mode, P.temperature, P.schedule) == (0.0, "flip", None, "sync")
    assert (P.steps, P.dt, P.fire_on, P.init, P.seed) == (100, 1e-3, "plus", None, None)
    assert P.record == ("spikes", "overlaps", "activity")
    assert (P.backend, P.form, P.brian_form) == ("reference", None, "matrix")
    assert P.replace(backend="cuda_standalone").brian_form == "bipartite"


def test_normalisation():
    P = MemoryParams(F="dense:3", temperature=0, init=[2, 0.25], record="spikes", steps=np.int64(7))
    assert P.temperature is None  # T = 0 is the deterministic update
    assert P.init == (2, 0.25) and P.init_pattern == 2
    assert P.record == ("spikes",)
    assert P.steps == 7 and type(P.steps) is int
    s = MemoryParams(init=np.array([1, -1, 1])).init
    assert s.dtype == np.int8 and not s.flags.writeable
    assert MemoryParams(init=3).init_pattern == 3 and MemoryParams().init_pattern is None
    g = np.random.default_rng(0)
    assert MemoryParams(seed=g).seed is g


def test_round_trip_and_equality():
    P = MemoryParams(F="exp:0.5", noise=0.2, temperature=0.7, schedule="async", steps=50,
                     init=(1, 0.1), seed=3, record=("overlaps",), backend="numpy",
                     form="bipartite")  # fmt: skip
    d = P.to_dict()
    assert json.loads(json.dumps(d)) == d  # JSON-safe
    assert MemoryParams.from_dict(d) == P
    assert P.replace(noise=0.3) != P and P.replace(noise=0.3).noise == 0.3
    with pytest.raises(TypeError, match="colour"):
        MemoryParams.from_dict(dict(d, colour=1))
    v = MemoryParams(init=[1, -1, -1])
    assert v.to_dict()["init"] == [1, -1, -1] and v.scalars()["init"] == "state"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(F="cubic"), ValueError, "F"),
        (dict(F=3), TypeError, "F"),
        (dict(noise=0.6), ValueError, "noise"),
        (dict(noise="0.1"), TypeError, "noise"),
        (dict(noise=np.nan), ValueError, "noise"),
        (dict(noise_mode="salt"), ValueError, "noise_mode"),
        (dict(temperature=-1.0), ValueError, "temperature"),
        (dict(temperature="hot"), TypeError, "temperature"),
        (dict(schedule="random"), ValueError, "schedule"),
        (dict(steps=0), ValueError, "steps"),
        (dict(steps=10.0), TypeError, "steps"),
        (dict(dt=0.0), ValueError, "dt"),
        (dict(fire_on="down"), ValueError, "fire_on"),
        (dict(init=True), TypeError, "init"),
        (dict(init=-1), ValueError, "init"),
        (dict(init=(1, 1.5)), ValueError, "init"),
        (dict(init=(1.5, 0.1)), TypeError, "init"),
        (dict(init=np.array([1, 0, 1])), ValueError, "init"),
        (dict(init=np.array(["a", "b"])), TypeError, "init"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(seed=1.5), TypeError, "seed"),
        (dict(record=("voltage",)), ValueError, "record"),
        (dict(record=5), TypeError, "record"),
        (dict(backend="gpu"), ValueError, "backend"),
        (dict(backend="cython"), ValueError, "use 'runtime'"),
        (dict(form="dense"), ValueError, "form"),
    ],
)
def test_bad_values_name_the_field(kwargs, error, match):
    with pytest.raises(error, match=match):
        MemoryParams(**kwargs)


def test_as_params():
    base = MemoryParams(noise=0.1)
    assert as_params(None, {"noise": 0.2}).noise == 0.2
    assert as_params(base, {}) is base
    assert as_params(base, {"steps": 5}).steps == 5 and as_params(base, {"steps": 5}).noise == 0.1
    assert as_params("hopfield", {"steps": 5}).interaction.name == "hopfield"
    with pytest.raises(TypeError, match="F"):
        as_params("hopfield", {"F": "exp"})
    with pytest.raises(TypeError, match="volts"):
        as_params(None, {"volts": 1})
    with pytest.raises(TypeError, match="params"):
        as_params(3.0, {})


def test_init_index_is_checked_against_the_patterns():
    from neurodam.memory import reference

    xi = patterns.rademacher(4, 20, seed=0)
    with pytest.raises(ValueError, match="init"):
        reference.run(xi, init=4)
    with pytest.raises(ValueError, match="init"):
        reference.run(xi, init=np.ones(19))
