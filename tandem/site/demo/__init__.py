"""Demo data for local evaluation and tests, one module per app it fills. Each module
builds on the ones below it (accounts, then mentors and cases, then matching)."""
