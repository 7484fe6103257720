"""neurodam: spiking and Hebbian associative-memory networks as Brian2 models,
and the temporal-complexity analysis of their spike trains.

Subpackages
-----------
neurodam.spikes     SpikeTrains and EventTimes, the data models
neurodam.io         readers/writers (Brian2 monitors, NWB, Neo, npz, csv, retinal-wave HDF5)
neurodam.engine     Brian2 devices and the one run protocol (run_network, Session)
neurodam.config     model files (YAML), --set overrides, the registry of model kinds
neurodam.patterns   random, diluted, correlated patterns, noisy examples, digits, MNIST
neurodam.memory     Hebbian associative memories (Hopfield, dense, exponential/SEDAM, theory)
neurodam.reservoir  spiking reservoirs (Izhikevich, LIF liquids), readouts, tasks
neurodam.analysis   events, avalanches, power laws, temporal complexity, reports (no Brian2)
neurodam.sweep      parameter sweeps: grid, resumable store, process pool / Dask
neurodam.plots      matplotlib figures
"""

from neurodam.spikes import EventTimes, SpikeTrains

__version__ = "0.1.0"
__all__ = ["EventTimes", "SpikeTrains", "__version__"]
