"""Database helpers that know no Hamla model: bulk writes (`copy`), querysets compiled once (`compiled`)."""
