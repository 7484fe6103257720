"""Sweep grids: --set parsing, seeds, validation before anything runs, stable point keys."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from test_sweep_dummies import BASE

from neurodam.sweep import make_spec, parse_set, parse_values, point_key
from neurodam.sweep.grid import SweepSpec
from neurodam.sweep.keys import canonical_json


# ------------------------------------------------------------------ ranges
def test_float_range_has_exact_count_and_decimal_values():
    key, values = parse_set("noise=0:0.5:0.01")
    assert key == "noise"
    assert len(values) == 51
    # each value is the float nearest to the decimal i/100, not an accumulated sum
    assert values == tuple(float(Decimal(i) / 100) for i in range(51))
    assert values[7] == 0.07 and values[-1] == 0.5
    assert all(isinstance(v, float) for v in values)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1:10:2", (1, 3, 5, 7, 9)),  # ints stay ints; 10 is off the grid
        ("0:1:0.25", (0.0, 0.25, 0.5, 0.75, 1.0)),  # end on the grid: included
        ("0:1:0.3", (0.0, 0.3, 0.6, 0.9)),  # end off the grid: excluded
        ("0.1:0.1:0.05", (0.1,)),  # a == b: one value
        ("-1:1:1", (-1, 0, 1)),
        ("0:0.3:0.1", (0.0, 0.1, 0.2, 0.3)),  # 0.1+0.1+0.1 != 0.3 in floats; here exact
        ("1e-3:3e-3:1e-3", (0.001, 0.002, 0.003)),
    ],
)
def test_ranges(text, expected):
    values = parse_values("x", text)
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


# ------------------------------------------------------------------ lists and scalars
@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,2,5,10,20,50", (1, 2, 5, 10, 20, 50)),
        ("digits,mnist", ("digits", "mnist")),
        ("0.1, 0.2", (0.1, 0.2)),
        ("1e-3", (0.001,)),  # YAML 1.1 would read a string
        ("dense:3", ("dense:3",)),  # not a range: a string
        ("true,false,null", (True, False, None)),
        ("yes", ("yes",)),  # YAML 1.2: a string, not True
        ('"a,b",c', ("a,b", "c")),
        ("[0,0.1],[0,0.2]", ([0, 0.1], [0, 0.2])),
        ("rademacher", ("rademacher",)),
    ],
)
def test_lists_and_scalars(text, expected):
    values = parse_values("x", text)
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("noise=0.5:0:0.1", "noise: empty range"),
        ("noise=0:1:0", "noise: range '0:1:0' needs a step > 0"),
        ("noise=0:1:-0.1", "noise: range '0:1:-0.1' needs a step > 0"),
        ("noise=0:1", "noise: malformed range"),
        ("noise=0:x:1", "noise: malformed range"),
        ("noise=1:2:3:4", "noise: malformed range"),
        ("noise=", "noise: no value given"),
        ("noise=1,,2", "noise: empty item"),
        ("init=[0,1", "init: unbalanced"),
        ("noise", "--set: expected key="),
        ("=0.1", "--set: expected key="),
        ("a b=1", "--set: 'a b' is not a parameter name"),
        ("noise=0:1e9:1e-3", "noise: range '0:1e9:1e-3' has"),
    ],
)
def test_bad_specs_name_the_parameter(spec, message):
    with pytest.raises(ValueError) as info:
        parse_set(spec)
    assert str(info.value).startswith(message)


def test_set_must_be_a_string():
    with pytest.raises(TypeError, match="--set"):
        parse_set(3)


# ------------------------------------------------------------------ make_spec
def test_grid_order_points_and_seeds():
    spec = make_spec(BASE, ["noise=0:0.5:0.01", "K=1,2,5,10,20,50"], seeds=3)
    points = spec.points()
    assert spec.n_points == len(points) == 51 * 6 * 3
    assert len({p.key for p in points}) == len(points)
    assert [p.seed for p in points[:4]] == [0, 1, 2, 0]  # seeds innermost
    assert points[0].overrides == {"noise": 0.0, "K": 1}
    assert points[3].overrides == {"noise": 0.0, "K": 2}
    assert [p.index for p in points] == list(range(len(points)))
    # the model's seed key carries the point's seed; the base stays untouched
    assert all(p.params["seed"] == p.seed for p in points)
    assert spec.base["seed"] == BASE["seed"] == 1
    assert spec.swept == ("noise", "K")


def test_seed_start_and_single_values():
    spec = make_spec(BASE, ["noise=0.2", "patterns=mnist"], seeds=2, seed_start=5)
    assert spec.seeds == (5, 6)
    assert [p.params["patterns"] for p in spec.points()] == ["mnist", "mnist"]
    assert spec.swept == ()


def test_int_for_float_key_becomes_float():
    a = make_spec(BASE, ["noise=0"]).points()[0]
    b = make_spec(BASE, ["noise=0.0"]).points()[0]
    assert a.params["noise"] == 0.0 and isinstance(a.params["noise"], float)
    assert a.key == b.key
    # an int key stays int (a float K is the model's validate to refuse)
    assert isinstance(make_spec(BASE, ["K=2.5"]).points()[0].params["K"], float)


def test_unknown_key_names_it_and_lists_known_keys():
    with pytest.raises(ValueError) as info:
        make_spec(BASE, ["nosie=0.1"])
    msg = str(info.value)
    assert msg.startswith("nosie: unknown key")
    for key in BASE:
        assert key in msg


def test_key_set_twice_and_seed_in_set_are_refused():
    with pytest.raises(ValueError, match=r"^K: set more than once"):
        make_spec(BASE, ["K=1,2", "K=5"])
    with pytest.raises(ValueError, match=r"^seed: seeds are chosen with --seeds"):
        make_spec(BASE, ["seed=1,2"])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"seeds": 0}, ValueError, "seeds"),
        ({"seeds": 2.0}, TypeError, "seeds"),
        ({"seed_start": -1}, ValueError, "seed_start"),
    ],
)
def test_bad_seeds(kwargs, error, message):
    with pytest.raises(error, match=f"^{message}"):
        make_spec(BASE, **kwargs)


def test_base_must_be_a_json_mapping():
    with pytest.raises(TypeError, match="^base"):
        make_spec([("noise", 0.1)])
    with pytest.raises(TypeError, match=r"^base\.f"):
        make_spec({"f": object()})
    with pytest.raises(ValueError, match=r"^base\.x"):
        make_spec({"x": float("nan")})


def test_nested_keys_with_dots():
    base = {**BASE, "thresholds": {"activity": 0.1, "Q": 0.5}}
    spec = make_spec(base, ["thresholds.activity=0.1,0.2"])
    points = spec.points()
    assert [p.params["thresholds"] for p in points] == [
        {"activity": 0.1, "Q": 0.5},
        {"activity": 0.2, "Q": 0.5},
    ]
    assert base["thresholds"] == {"activity": 0.1, "Q": 0.5}  # never aliased
    with pytest.raises(ValueError, match="thresholds.activity, thresholds.Q"):
        make_spec(base, ["thresholds.x=1"])  # the known keys include nested ones


def test_python_pairs_as_sets():
    spec = make_spec(BASE, [("noise", [0.1, 0.2]), ("patterns", ("digits",))])
    assert [p.overrides for p in spec.points()] == [
        {"noise": 0.1, "patterns": "digits"},
        {"noise": 0.2, "patterns": "digits"},
    ]
    assert spec.key == make_spec(BASE, ["noise=0.1,0.2", "patterns=digits"]).key


class _Checker:
    """A validate callable in the style of the model's: p in [0, 0.5], integer K."""

    def __init__(self):
        self.calls = []

    def __call__(self, params):
        self.calls.append(dict(params))
        if not 0 <= params["noise"] <= 0.5:
            raise ValueError(f"noise: expected a probability in [0, 0.5], got {params['noise']}")
        if not isinstance(params["K"], int):
            raise TypeError(f"K: expected an integer, got {params['K']!r}")


def test_validate_is_called_on_every_parameter_set():
    check = _Checker()
    spec = make_spec(BASE, ["noise=0:0.5:0.1", "K=1,2"], seeds=3, validate=check)
    assert len(check.calls) == 6 * 2  # once per parameter set, not per seed
    assert {(c["noise"], c["K"]) for c in check.calls} == {
        (p.params["noise"], p.params["K"]) for p in spec.points()
    }


@pytest.mark.parametrize(
    "sets, error, message",
    [
        (["noise=0.4:0.6:0.1"], ValueError, "noise: expected a probability in [0, 0.5], got 0.6"),
        (["K=1,2.5"], TypeError, "K: expected an integer, got 2.5"),
    ],
)
def test_validate_errors_name_the_parameter_and_point(sets, error, message, tmp_path):
    with pytest.raises(error) as info:
        make_spec(BASE, sets, validate=_Checker())
    assert str(info.value).startswith(message)
    assert "sweep point" in str(info.value)


# ------------------------------------------------------------------ keys
def test_point_key_changes_with_every_parameter_and_seed():
    params = dict(BASE)
    key = point_key(params, 0)
    assert len(key) == 16 and int(key, 16) >= 0
    assert point_key(dict(reversed(list(params.items()))), 0) == key  # order-free
    changed = {
        "noise": 0.1000001,
        "K": 11,
        "N": 65,
        "patterns": "mnist",
        "steps": 101,
        "name": "other",
        "delay": 1e-12,
    }
    keys = {key}
    for k, v in changed.items():
        keys.add(point_key({**params, k: v}, 0))
    keys.add(point_key(params, 1))
    keys.add(point_key(params, 0, model="sedam"))
    keys.add(point_key({**params, "extra": None}, 0))
    assert len(keys) == len(changed) + 4


def test_point_key_is_stable_across_processes():
    params = {**BASE, "init": [0, 0.1], "thresholds": {"a": 1e-3, "b": None}}
    here = point_key(params, 7, model="sedam")
    code = (
        "import json, sys; from neurodam.sweep import point_key; "
        "print(point_key(json.loads(sys.argv[1]), 7, model='sedam'))"
    )
    root = Path(__file__).resolve().parents[1]
    there = subprocess.run(
        [sys.executable, "-c", code, canonical_json(params)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        timeout=60,
    ).stdout.strip()
    assert there == here


def test_spec_key_and_round_trip():
    spec = make_spec(BASE, ["noise=0:0.2:0.1", "K=1,2"], seeds=2, model="toy")
    again = SweepSpec.from_dict(spec.to_dict())
    assert again == spec and again.key == spec.key
    assert [p.key for p in again.points()] == [p.key for p in spec.points()]
    assert make_spec(BASE, ["noise=0:0.20:0.1", "K=1,2"], seeds=2, model="toy").key == spec.key
    assert make_spec(BASE, ["noise=0:0.2:0.1", "K=1,2"], seeds=3, model="toy").key != spec.key
    assert make_spec(BASE, ["K=1,2", "noise=0:0.2:0.1"], seeds=2, model="toy").key != spec.key
