"""Where things are: the repository root and the test data under tests/data/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
IMPORT_SAMPLES = DATA / "imports"
UNICODE_SAMPLES = DATA / "unicode-samples.jsonl"
