"""Analysis of spike trains: events, avalanches, power laws, temporal complexity.

Nothing in this subpackage imports Brian2: it works on :class:`neurodam.SpikeTrains`
and plain arrays (times in float seconds).
"""

# --- events, avalanches, power laws, criticality (issue 3) ---

# --- temporal complexity (issue 4) ---
