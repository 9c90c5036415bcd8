"""Early warning (alerts/spike_method.py): false-alarm and detection rates of the daily
Poisson test on seeded synthetic series with known spikes.

Each series is one cercle and category: daily counts drawn from a Poisson law at a
background rate, judged day by day against the 28 days before. On quiet days every alarm
is false; on a day given a known spike (extra reports drawn on top of the background),
an alarm is a detection. Reproducible: ``python benchmarks/spikes.py [--seed N]``.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.spike_method import DEFAULT_ALPHA, DEFAULT_MIN_COUNT, judge

BASELINE_DAYS = 28
RATES = (0.05, 0.2, 0.5, 1.0, 2.0)  # reports a day in one cercle and category
SPIKES = (3, 5, 8)  # extra reports, on average, on a spike day


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def run(seed: int, *, series: int = 200, days: int = 90, alpha: float = DEFAULT_ALPHA, min_count: int = 3) -> dict:
    rng = random.Random(seed)
    results: dict = {}
    for rate in RATES:
        quiet_days = false_alarms = 0
        detected = dict.fromkeys(SPIKES, 0)
        trials = dict.fromkeys(SPIKES, 0)
        for _ in range(series):
            counts = [poisson(rng, rate) for _ in range(BASELINE_DAYS + days)]
            for day in range(BASELINE_DAYS, BASELINE_DAYS + days):
                verdict = judge(counts[day], counts[day - BASELINE_DAYS : day], alpha=alpha, min_count=min_count)
                quiet_days += 1
                false_alarms += verdict.is_spike
            # One known spike per size, on the last day, judged against the same baseline.
            baseline = counts[-BASELINE_DAYS:]
            for size in SPIKES:
                spiked = poisson(rng, rate) + poisson(rng, size)
                trials[size] += 1
                detected[size] += judge(spiked, baseline, alpha=alpha, min_count=min_count).is_spike
        results[rate] = {
            "false_alarm_rate": false_alarms / quiet_days,
            "detection": {size: detected[size] / trials[size] for size in SPIKES},
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA)
    parser.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    args = parser.parse_args()
    results = run(args.seed, alpha=args.alpha, min_count=args.min_count)
    print(f"Poisson upper tail, alpha={args.alpha}, min count={args.min_count}, baseline {BASELINE_DAYS} days")
    print(f"seed {args.seed}; 200 series x 90 quiet days per rate; one spike per size per series")
    header = "rate/day  false alarms/day  " + "  ".join(f"detect +{size}" for size in SPIKES)
    print(header)
    for rate, figures in results.items():
        cells = "  ".join(f"{figures['detection'][size]:>9.1%}" for size in SPIKES)
        print(f"{rate:>8}  {figures['false_alarm_rate']:>16.4%}  {cells}")


if __name__ == "__main__":
    main()
