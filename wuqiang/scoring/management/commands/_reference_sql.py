"""The reference query ``benchmark_rollup`` times beside the roll-up: per-village totals of a
year computed by hand-written SQL from the same tables the roll-up reads (entries, every
pillar's profile and record lists, last year's economy), written as one row per village into a
temporary table. It is not the scheme (its points are a fixed simplification), it is the floor:
what reading and aggregating the same rows and writing one row per village costs on this
database, so the roll-up's time can be given as a ratio that means the same on any machine.
"""

from __future__ import annotations

from django.db import connection


def _t(name: str) -> str:
    return connection.ops.quote_name(name)


def reference_sql(year: int, municipality_id: int) -> str:
    """One ``CREATE TEMP TABLE benchmark_reference AS SELECT …`` (portable SQL)."""
    year, city = int(year), int(municipality_id)
    entries = (f"SELECT e.id, e.village_id, e.pillar FROM {_t('entries_entry')} e "
               f"JOIN {_t('regions_county')} c ON c.id = e.county_id "
               f"WHERE c.municipality_id = {city} AND e.year_id = {year} AND e.state = 'approved' "
               f"AND e.village_id IS NOT NULL")

    def per_entry(table: str, expr: str, where: str = "") -> str:
        return (f"SELECT x.entry_id, {expr} AS v FROM {_t(table)} x WHERE 1 = 1{where} GROUP BY x.entry_id")

    parts = {
        # organisations: meetings by kind, major matters deliberated, weak cases
        "m": per_entry("organizations_meeting", "COUNT(DISTINCT x.kind) + COUNT(*) / 10.0"),
        "mm": per_entry("organizations_majormatter",
                        "SUM(CASE WHEN x.four_deliberations AND x.made_public THEN 1 ELSE 0 END)"),
        "wc": per_entry("organizations_weakcase", "COUNT(*)"),
        # talent: cadres, sent-down staff and trainees
        "ca": per_entry("talent_cadre", "SUM(CASE WHEN x.monthly_pay >= 3000 THEN 1 ELSE 0 END)"),
        "sd": per_entry("talent_sentdown", "COUNT(*)"),
        "tr": per_entry("talent_trainee", "SUM(CASE WHEN x.kind = 'reserve' THEN 1 ELSE 0 END)"),
    }
    joins = "".join(f" LEFT JOIN ({sql}) {alias} ON {alias}.entry_id = e.id" for alias, sql in parts.items())
    previous = (f"SELECT e.village_id, p.operating_income FROM {_t('entries_entry')} e "
                f"JOIN {_t('economy_economyprofile')} p ON p.entry_id = e.id "
                f"WHERE e.year_id = {year - 1} AND e.pillar = 'economy' AND e.state = 'approved'")
    points = " + ".join([
        "COALESCE(CASE WHEN bp.grids > 0 THEN 10.0 * bp.grids_with_party_group / bp.grids END, 0)",
        "CASE WHEN bp.secretary_is_director THEN 5 ELSE 0 END",
        "COALESCE(m.v, 0) + COALESCE(mm.v, 0) - 5 * COALESCE(wc.v, 0)",
        "COALESCE(tp.secretary_training_hours, 0) / 8.0 + COALESCE(ca.v, 0) + COALESCE(sd.v, 0) + COALESCE(tr.v, 0)",
        "COALESCE(ep.operating_income, 0) / 10.0",
        "CASE WHEN ep.operating_income > py.operating_income THEN 5 ELSE 0 END",
        "CASE WHEN gp.major_incident THEN -100 ELSE 0 END + COALESCE(gp.disputes_resolved, 0)",
        "COALESCE(sp.secretary_annual_pay, 0) / 10000.0 + COALESCE(sp.months_paid_on_time, 0)",
    ])
    return (
        f"CREATE TEMP TABLE benchmark_reference AS SELECT e.village_id, SUM({points}) AS total, "
        f"COUNT(*) AS approved_pillars FROM ({entries}) e"
        f" LEFT JOIN {_t('organizations_branchprofile')} bp ON bp.entry_id = e.id"
        f" LEFT JOIN {_t('talent_talentprofile')} tp ON tp.entry_id = e.id"
        f" LEFT JOIN {_t('economy_economyprofile')} ep ON ep.entry_id = e.id"
        f" LEFT JOIN ({previous}) py ON py.village_id = e.village_id AND e.pillar = 'economy'"
        f" LEFT JOIN {_t('governance_governanceprofile')} gp ON gp.entry_id = e.id"
        f" LEFT JOIN {_t('support_supportprofile')} sp ON sp.entry_id = e.id"
        f"{joins} GROUP BY e.village_id"
    )


def run_reference(cursor, year: int, municipality_id: int) -> int:
    """Runs the reference query; returns the villages it wrote (and drops its table)."""
    cursor.execute("DROP TABLE IF EXISTS benchmark_reference")
    cursor.execute(reference_sql(year, municipality_id))
    cursor.execute("SELECT COUNT(*) FROM benchmark_reference")
    (villages,) = cursor.fetchone()
    cursor.execute("DROP TABLE benchmark_reference")
    return villages
