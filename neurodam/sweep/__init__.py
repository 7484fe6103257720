"""Parameter sweeps: a grid over a model's keys and seeds, run on local processes or a Dask
cluster, one result file per point (atomic, resumable), loaded as a pandas DataFrame.

>>> from neurodam import sweep
>>> spec = sweep.make_spec(base, ["noise=0:0.5:0.01", "K=1,2,5"], seeds=3,
...                        validate=check_params)                    # doctest: +SKIP
>>> sweep.run_sweep(spec, point_fn, "sweeps/sedam", workers=2)       # doctest: +SKIP
>>> df = sweep.load("sweeps/sedam")                                  # doctest: +SKIP
>>> sweep.phase_map(df, "noise", "K", "Q_bar")                       # doctest: +SKIP

Modules
-------
neurodam.sweep.grid       ``--set`` specs and seeds (:func:`make_spec`, :class:`SweepSpec`)
neurodam.sweep.keys       stable point keys (:func:`point_key`)
neurodam.sweep.store      the sweep folder, point files, :func:`load`
neurodam.sweep.executors  :func:`run_sweep` on a process pool or a Dask cluster
neurodam.sweep.worker     what a worker runs: compute a chunk, store each point
neurodam.sweep.report     :func:`phase_map`, :func:`table`, :func:`summarise`
neurodam.sweep.cli        :func:`add_arguments` and :func:`cli_main` of ``neurodam sweep``
"""

from neurodam.sweep.cli import add_arguments, cli_main, describe
from neurodam.sweep.executors import SweepSummary, run_sweep
from neurodam.sweep.grid import Point, SweepSpec, make_spec, parse_set, parse_values
from neurodam.sweep.keys import point_key
from neurodam.sweep.report import markdown, phase_grid, phase_map, summarise, table
from neurodam.sweep.store import PointResult, SweepStore, flatten, load, load_events, read_spec

__all__ = [
    "Point",
    "PointResult",
    "SweepSpec",
    "SweepStore",
    "SweepSummary",
    "add_arguments",
    "cli_main",
    "describe",
    "flatten",
    "load",
    "load_events",
    "make_spec",
    "markdown",
    "parse_set",
    "parse_values",
    "phase_grid",
    "phase_map",
    "point_key",
    "read_spec",
    "run_sweep",
    "summarise",
    "table",
]
