"""The organisation's own profile: its name in Arabic and English, logo, sender name,
contact line and accent colour, shown wherever a supporter looks (public pages, every
email, flyers, the history report). One row; it sits right above `core` so every app
can read it."""
