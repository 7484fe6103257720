"""Matplotlib figures: rasters, avalanche distributions, scaling plots, overlaps.

Every function takes the data (a result object or arrays) and an optional
``ax`` (or ``axes``), draws on it, and returns the axes; it never calls
``plt.show()``. matplotlib is imported lazily inside each function.
"""

from __future__ import annotations
