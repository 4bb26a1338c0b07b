"""core.recent.Recent: a few values kept in the process for a few seconds."""

from core.recent import Recent


class Box:
    def __init__(self, value):
        self.value = value


def test_a_kept_value_is_not_loaded_again_within_its_seconds():
    recent, loads = Recent(seconds=60), []
    for _ in range(3):
        recent.get("k", lambda: loads.append(1) or Box(1))
    assert len(loads) == 1


def test_a_value_past_its_seconds_is_loaded_again():
    recent, loads = Recent(seconds=0), []
    for _ in range(3):
        recent.get("k", lambda: loads.append(1) or Box(1))
    assert len(loads) == 3


def test_a_miss_is_not_kept():
    recent, loads = Recent(seconds=60), []
    for _ in range(2):
        recent.get("k", lambda: loads.append(1))
    assert len(loads) == 2


def test_callers_get_copies_they_may_change():
    recent = Recent(seconds=60)
    recent.get("k", lambda: Box(1)).value = 2
    assert recent.get("k", lambda: Box(3)).value == 1


def test_distinct_keys_never_hold_more_than_its_size():
    recent = Recent(seconds=60, size=4)
    for n in range(100):
        recent.get(n, lambda n=n: Box(n))
    assert len(recent._values) <= 4


def test_clear_forgets_everything():
    recent = Recent(seconds=60)
    recent.get("k", lambda: Box(1))
    recent.clear(sender=None)
    assert recent.get("k", lambda: Box(2)).value == 2
