"""The early-warning method, on plain numbers (no database): a Poisson upper-tail test
of the latest window's count against the mean of the same window over the weeks before.

For one cercle and one category, ``baseline`` holds the counts of the equal windows that
precede the one being judged (28 daily counts for the daily test, 4 weekly counts for
the weekly one). Its mean, with one report added over the whole baseline (a cercle that
never reported still has some chance of a report), is the expected count λ. The
threshold is the smallest count k whose upper tail P(X >= k | λ) is below ``alpha``, and
never under ``min_count``: three attacks where there were none is a warning, one is not.

Why Poisson and not an EWMA chart: counts per cercle are small (often 0 or 1 a day), where
a normal-approximation EWMA raises alarms on single reports; the Poisson tail is exact at
small counts and reads plainly ("6 where 0.4 are usual"). ``benchmarks/spikes.py``
measures its false-alarm and detection rates on seeded synthetic series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_ALPHA = 0.001
DEFAULT_MIN_COUNT = 3


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed in floating point (k is small)."""
    if k <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for i in range(1, k):
        term *= mean / i
        below += term
    return max(0.0, 1.0 - below)


def expected(baseline: list[int]) -> float:
    """The baseline mean per window, with one report spread over the baseline."""
    periods = max(1, len(baseline))
    return (sum(baseline) + 1) / periods


def threshold(mean: float, *, alpha: float = DEFAULT_ALPHA, min_count: int = DEFAULT_MIN_COUNT) -> int:
    """The smallest count that is a spike for this expected mean."""
    k = max(1, min_count)
    while poisson_tail(k, mean) >= alpha:
        k += 1
    return k


@dataclass(frozen=True)
class Verdict:
    observed: int
    mean: float
    threshold: int

    @property
    def is_spike(self) -> bool:
        return self.observed >= self.threshold


def judge(
    observed: int, baseline: list[int], *, alpha: float = DEFAULT_ALPHA, min_count: int = DEFAULT_MIN_COUNT
) -> Verdict:
    mean = expected(baseline)
    return Verdict(observed=observed, mean=mean, threshold=threshold(mean, alpha=alpha, min_count=min_count))
