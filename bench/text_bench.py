"""Time canonicalising a 1 MB article and mapping 100,000 offsets onto it.

Run: .venv/bin/python bench/text_bench.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labels.text import canonicalize  # noqa: E402

PARAGRAPH = (
    "😀 The spokesman 👍🏿 said “we will respond” on Tuesday. José Borrell 🇺🇦 "
    "said «\u00a0non\u00a0» — 发言人说「我们欢迎对话」. Ṩa\u0323\u0307 \u1100\u1161\u11a8 👨\u200d💻\r\n"
)


def main() -> None:
    raw = (PARAGRAPH * (1_000_000 // len(PARAGRAPH) + 1))[:1_000_000]
    rng = random.Random(0)
    offsets = sorted(rng.randrange(len(raw) + 1) for _ in range(100_000))

    started = time.perf_counter()
    canonicalize("warm up the normalisation tables: e\u0301")
    print(f"tables (once per process): {time.perf_counter() - started:.3f} s")

    started = time.perf_counter()
    canonical = canonicalize(raw)
    print(
        f"canonicalize {len(raw):,} code points -> {len(canonical.text):,}: "
        f"{time.perf_counter() - started:.3f} s ({len(canonical.stretches):,} changed stretches)"
    )

    started = time.perf_counter()
    for i in range(0, len(offsets) - 1, 2):
        canonical.map_span(offsets[i], offsets[i + 1])
    print(f"map {len(offsets):,} offsets: {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
