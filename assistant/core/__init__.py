"""The small core every layer may use: settings, errors, schemas, periods, chat intents by
rules, atomic files and the text safety helpers (planted-instruction quarantine). Imports
nothing above it."""
