"""Benchmarks of the product's speed, memory and robustness (run from the repository root)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
