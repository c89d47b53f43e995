"""Stress tests of the strategy: scenarios, war games (issue 29); the model proposes, code
finds what is exposed in the confirmed strategy map and checks every drafted line."""
