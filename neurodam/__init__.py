"""neurodam: spiking and Hebbian associative-memory networks as Brian2 models,
and the temporal-complexity analysis of their spike trains.

Subpackages
-----------
neurodam.spikes     SpikeTrains, the one data model
neurodam.io         readers/writers (Brian2 monitors, NWB, Neo, npz, csv, retinal-wave HDF5)
neurodam.engine     choosing and driving the Brian2 device
neurodam.analysis   events, avalanches, power laws, temporal complexity (no Brian2)
neurodam.memory     Hebbian associative memories (Hopfield, dense, exponential/SEDAM)
neurodam.plots      matplotlib figures
"""

from neurodam.spikes import SpikeTrains

__version__ = "0.1.0"
__all__ = ["SpikeTrains", "__version__"]
