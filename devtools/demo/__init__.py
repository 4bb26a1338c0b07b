"""The demo scenario `seed_demo` loads: one ordered story, each step idempotent.

0. organisation: the organisation's profile (names, sender, contact line) from its own account;
1. history: the organisation's own account as campaigns and actions, plus the current
   campaign with a public page (its slug is `DEMO_SLUG`, spelled once, in `history`);
2. contacts: obviously fake supporters on a demo list;
3. flyers: a bilingual flyer for the current campaign (needs step 1);
4. asks: the current campaign's open petition (with a flyer leading to it, its print runs
   and signatures) and an event with shifts and RSVPs (needs step 1; the volunteer user);
5. messaging: a draft newsletter to the demo list (needs steps 1 and 2).

Loading twice adds nothing; data edited since the first load is left as it is.
"""

from . import asks, contacts, flyers, history, messaging, organisation
from .history import DEMO_SLUG

STEPS = (organisation, history, contacts, flyers, asks, messaging)

__all__ = ["DEMO_SLUG", "STEPS", "load"]


def load(stdout):
    """Run every step in order, each writing one line of what it did to `stdout`."""
    for step in STEPS:
        step.load(stdout)
