"""The demo city (SPEC §7): Zunyi's real counties with synthetic townships and villages.

Everything is drawn from one seeded random generator, so every run builds the same city, and
every write is an upsert on natural keys, so running it again changes nothing.
"""
