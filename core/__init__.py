"""Hamla's library layer: code with no models that any app may use.

Nothing here imports a Hamla app or the project package (`lint-imports` holds
this): like healthchecks' ``hc/lib``, these modules could move to another
project unchanged.
"""
