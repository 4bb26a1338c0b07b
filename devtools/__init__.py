"""Development tooling: benchmarks, demo data, the SMTP sink and test clients.

The top layer: it may import any Hamla app, and no app imports it. It is installed
only when DEBUG is on (or HAMLA_DEVTOOLS=1), so a production process has none of its
commands (`bench`, `seed_demo`, `totp_code`) and never needs its dev-only requirements
(aiosmtpd for the sink).
"""
