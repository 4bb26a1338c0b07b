"""Every page an anonymous visitor can reach, in one app.

Flyers' QR codes lead here (/c/<slug>/, /signup/), emails link here (/u/…),
mail providers call here (/webhooks/…). Keeping them together gives one place to
review what a stranger can open: the two-factor middleware exempts this app's
URL namespace as a whole, and nothing else.
"""
