"""Harnesses shared by tests and benchmarks (benchmarks/ holds their thin entry points)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
