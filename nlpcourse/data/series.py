"""A real time series for the RNN lesson: yearly sunspot numbers (tier 1, embedded).

First used in notebooks/07_rnn.

Source: statsmodels' shipped data set ``sunspots`` (file
``statsmodels/datasets/sunspots/sunspots.csv``), the yearly mean sunspot numbers
1700-2008 from the US National Geophysical Data Center: 309 values, public domain. The
series has the roughly 11-year solar cycle, which makes it a good first forecasting task.
"""

from __future__ import annotations

import csv

import numpy as np

from nlpcourse.data.files import carrier_file

__all__ = ["sunspots"]

_SHA256 = "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b"


def sunspots() -> tuple[np.ndarray, np.ndarray]:
    """``(years, values)``: int years 1700..2008 and float sunspot numbers, both (309,)."""
    path = carrier_file("statsmodels", "datasets/sunspots/sunspots.csv", _SHA256, "statsmodels==0.15.0")
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = np.array([int(float(r["YEAR"])) for r in rows])
    values = np.array([float(r["SUNACTIVITY"]) for r in rows])
    return years, values
