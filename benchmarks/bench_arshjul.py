"""The årshjul's scheme recognition (``storage.rules.arshjul.expected_rounds``) on 2,500 and 10,000
rounds: recurring schemes (one round a year for 7 years) among one-off calls, titles from a
vocabulary of 405 words. Equal keys meet in a dictionary and only schemes sharing a long word are
compared letter by letter, so 4x the rounds should cost about 4x the time (ratio ~4, lower is
better; comparing every pair would make it ~16). /frister caches the answer per day and database
fingerprint and computes it off the event loop. Run: ``python -m benchmarks arshjul``.
"""

from __future__ import annotations

import random
import time
from datetime import date

from storage.rules.arshjul import Round, expected_rounds

SEED = 16
SIZES = (2_500, 10_000)
REPEATS = 3
WORDS = [f"ord{i}" + "x" * (i % 7) for i in range(400)] + "innovasjon kommunal sektor helse klima".split()


def make(n: int, rng: random.Random) -> list[Round]:
    def title() -> str:
        return " ".join(rng.sample(WORDS, rng.randint(3, 6))).capitalize()

    rounds = []
    for _ in range(n // 8):
        source, name = rng.choice("ABCD"), title()
        rounds += [Round(source, f"{name} {y}", date(y, rng.randint(1, 12), 1)) for y in range(2019, 2026)]
    while len(rounds) < n:
        day = date(rng.randint(2019, 2026), rng.randint(1, 12), 1)
        rounds.append(Round(rng.choice("ABCD"), f"{title()} {rng.randint(1, 999)}", day))
    return rounds


def main() -> None:
    rng = random.Random(SEED)
    results = {}
    for n in SIZES:
        rounds = make(n, rng)
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            found = expected_rounds(rounds, today=date(2026, 11, 23))
            best = min(best, time.perf_counter() - start)
        results[n] = best
        print(f"{n:>6} rounds: {best * 1000:8.1f} ms (best of {REPEATS}), {len(found)} expected rounds")
    small, large = SIZES
    print(f"ratio {large}/{small}: {results[large] / results[small]:.1f} (about 4 = linear; lower is better)")


if __name__ == "__main__":
    main()
