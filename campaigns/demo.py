"""Demo data for seed_demo (must be idempotent)."""


def load(stdout):
    pass
