"""The benchmarks behind `manage.py bench AREA`: one module per area, each with `run(options) -> dict`.

Each module leaves the database as it found it (its data is rolled back or deleted).
"""
