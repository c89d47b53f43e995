"""Eight concurrent UI sessions against the fake model: no errors, no state bleed; a flood
past the queue's capacity is answered "busy", never left hanging (benchmarks/bench_load.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.config import Settings
from tests.support.load import flood, run_load, start_app, summary


@pytest.mark.slow
def test_concurrent_sessions_keep_their_state_and_overflow_gets_busy(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", workspace="sample", llm_provider="fake")
    url, services, demo = start_app(settings)  # the production queue settings
    try:
        rec = run_load(url, sessions=8, rounds=1, folder=tmp_path)
        report = "\n".join(summary(rec))
        assert not rec.errors and not rec.bleed, report
        assert sum(len(v) for v in rec.latencies.values()) == 8 * 5
    finally:
        demo.close()
        services.close()
    url, services, demo = start_app(settings.model_copy(update={"ui_queue_size": 4}))
    try:
        outcome = flood(url, requests=14, timeout=300)
        assert outcome["hung"] == 0 and outcome["other error"] == 0, outcome
        assert outcome["busy"] > 0 and outcome["served"] > 0, outcome
    finally:
        demo.close()
        services.close()
