"""Checking a proposal against the strategy (above goals): the check, its rule-based findings
(non-goals, limits, regions, duplicates), score and report, rendering, batch and index."""
