"""The synthetic national extract: deterministic, valid against every import rule, and calibrated to the published
figures (shared/design/CALIBRATION.md). The figures are computed here with plain DuckDB SQL over the generated
files, pooling the 12-month windows of the history (numerators and denominators added, never rates averaged)."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest

from cultivate.demo.national import PARQUET, description, generate
from cultivate.insights.extract import IMPORTED, import_extract

END = dt.date(2025, 3, 31)
SUPPORT = (
    "(a.staff_group IN ('Support to doctors, nurses & midwives', 'Support to ST&T staff') "
    "AND a.afc_band IN ('2', '3', '4'))"
)
MENTAL_HEALTH = "a.area_of_work IN ('Mental Health', 'Learning Disabilities')"
WHITE = "('A', 'B', 'C')"
BME = "('D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S')"


def files_digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_seed_gives_the_same_files(tmp_path):
    first = generate(tmp_path / "a", people=1500, years=3, seed=7)
    generate(tmp_path / "b", people=1500, years=3, seed=7)
    generate(tmp_path / "c", people=1500, years=3, seed=8)
    assert files_digest(tmp_path / "a") == files_digest(tmp_path / "b")
    assert files_digest(tmp_path / "a")["assignments.csv"] != files_digest(tmp_path / "c")["assignments.csv"]
    assert first.rows["people"] == 1500
    info = description(tmp_path / "a")
    assert info is not None
    assert info["people"] == 1500 and info["seed"] == 7 and info["extract_date"] == END.isoformat()
    assert len(info["organisations"]) == len(first.organisations) >= 8
    assert {org["kind"] for org in info["organisations"]} == {"acute", "mental_health", "community"}


def test_parquet_holds_the_same_rows_as_csv(tmp_path):
    generate(tmp_path / "csv", people=800, years=2, seed=3)
    generate(tmp_path / "pq", people=800, years=2, seed=3, fmt=PARQUET)
    con = duckdb.connect()
    for table in ("people", "assignments", "recruitment"):
        from_csv = con.execute(
            f"SELECT * FROM read_csv('{tmp_path}/csv/{table}.csv') ORDER BY ALL"
        ).fetchall()
        from_parquet = con.execute(
            f"SELECT * FROM read_parquet('{tmp_path}/pq/{table}.parquet') ORDER BY ALL"
        ).fetchall()
        assert from_csv == from_parquet, table


def test_a_generated_extract_passes_every_import_rule(tmp_path):
    generate(tmp_path / "extract", people=3000, years=4, seed=11, fmt=PARQUET)
    report = import_extract(tmp_path / "extract", tmp_path / "store", extract_date=END)
    assert report.status == IMPORTED, [str(p) for p in report.problems[:10]]
    assert report.rows["people"] == 3000
    assert all(report.rows[table] > 0 for table in report.rows)
    assert report.unknown_columns == {}


# --- calibration ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """20,000 people over 5 years: big enough for the figures, quick to make."""
    folder = tmp_path_factory.mktemp("national")
    generate(folder, people=20_000, years=5, seed=2026)
    return open_extract(folder)


def open_extract(folder):
    """A DuckDB connection over the generated CSV files, the organisations and the last four 12-month windows."""
    con = duckdb.connect()
    for table in ("people", "assignments", "absences", "recruitment"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_csv('{folder}/{table}.csv', header = true)")
    info = description(folder)
    assert info is not None
    con.execute("CREATE TABLE orgs (code VARCHAR, kind VARCHAR)")
    con.executemany("INSERT INTO orgs VALUES (?, ?)", [(o["code"], o["kind"]) for o in info["organisations"]])
    # The day each 12-month window ends: the windows of the last four years.
    con.execute(
        "CREATE TABLE windows AS SELECT CAST(d - INTERVAL 1 YEAR AS DATE) AS s, CAST(d AS DATE) AS e "
        f"FROM (SELECT DATE '{END}' - to_years(k::INTEGER) AS d FROM range(4) AS t(k))"
    )
    return con


def active(day: str) -> str:
    return f"(a.start_date <= {day} AND (a.end_date IS NULL OR a.end_date >= {day}) AND a.contract_type <> 'Bank')"


def one(con, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


def test_leaver_rates(extract):
    """All staff about 10–12.5% a year; support staff higher (NHS Digital; IFS)."""

    def rate(group: str) -> float:
        return one(
            extract,
            f"""
            WITH s AS (SELECT DISTINCT w.e, a.person_id, a.organisation_code FROM windows w, assignments a
                       WHERE {active("w.s")} AND {group}),
                 e AS (SELECT DISTINCT w.e, a.person_id, a.organisation_code FROM windows w, assignments a
                       WHERE {active("w.e")} AND {group}),
                 still AS (SELECT DISTINCT w.e, a.person_id, a.organisation_code FROM windows w, assignments a
                       WHERE {active("w.e")})
            SELECT (SELECT count(*) FROM s ANTI JOIN still USING (e, person_id, organisation_code))
                   / (((SELECT count(*) FROM s) + (SELECT count(*) FROM e)) / 2)
            """,
        )

    everyone, support = rate("true"), rate(SUPPORT)
    assert 0.095 <= everyone <= 0.135
    assert 0.11 <= support <= 0.16
    assert support > everyone


def test_band_mix_mental_health_against_acute_trusts(extract):
    """Band 4: 27% in mental health trusts, 37% in acute; band 2: 24% and 14% (FTE, seed 002)."""
    rows = extract.execute(
        f"""
        SELECT o.kind, a.afc_band, sum(a.fte) / sum(sum(a.fte)) OVER (PARTITION BY o.kind)
        FROM assignments a JOIN orgs o ON o.code = a.organisation_code
        WHERE {active(f"DATE '{END}'")} AND {SUPPORT} GROUP BY o.kind, a.afc_band
        """
    ).fetchall()
    mix = {(kind, band): share for kind, band, share in rows}
    assert mix[("mental_health", "2")] == pytest.approx(0.24, abs=0.05)
    assert mix[("mental_health", "4")] == pytest.approx(0.27, abs=0.06)
    assert mix[("acute", "2")] == pytest.approx(0.14, abs=0.05)
    assert mix[("acute", "4")] == pytest.approx(0.37, abs=0.06)


def progression(con, band: str, where: str) -> float:
    """Share of support staff at `band` at the start of a window, still in post at its end, at a higher band."""
    rank = "CASE WHEN a.afc_band = 'NA' THEN 0 WHEN length(a.afc_band) = 1 THEN a.afc_band::INT ELSE 8 END"
    return one(
        con,
        f"""
        WITH s AS (SELECT w.s AS day, w.e, a.person_id, max({rank}) AS band, bool_or({MENTAL_HEALTH}) AS mh
                   FROM windows w, assignments a WHERE {active("w.s")} AND {SUPPORT} GROUP BY ALL),
             e AS (SELECT w.e, a.person_id, max({rank}) AS band FROM windows w, assignments a
                   WHERE {active("w.e")} GROUP BY ALL)
        SELECT avg(CASE WHEN e.band > s.band THEN 1 ELSE 0 END)
        FROM s JOIN e USING (e, person_id) JOIN people p USING (person_id)
        WHERE s.band = {band} AND {where}
        """,
    )


def test_progression_by_band_setting_and_age(extract):
    """Mental health: 1 in 5 from band 2, 1 in 16 from band 3; elsewhere about 9%; band 2 staff under 25 about
    four times as likely to progress as those aged 50–54 (seed 002)."""
    assert progression(extract, "2", "s.mh") == pytest.approx(0.20, abs=0.04)
    assert progression(extract, "3", "s.mh") == pytest.approx(1 / 16, abs=0.025)
    assert progression(extract, "2", "NOT s.mh") == pytest.approx(0.09, abs=0.03)
    assert progression(extract, "3", "NOT s.mh") == pytest.approx(0.09, abs=0.025)
    young = progression(extract, "2", "year(s.day) - p.birth_year < 25")
    older = progression(extract, "2", "year(s.day) - p.birth_year BETWEEN 50 AND 54")
    assert young / older == pytest.approx(4, rel=0.5)


def test_sex_ethnicity_disability_and_fte_of_support_staff(extract):
    """Mental health support staff: 27% male, 14% Black, 6% Asian, 6% disabled, mean FTE 0.91; other support
    staff 17%, 6%, 8%, 4%, 0.86 (seed 002)."""
    rows = extract.execute(
        f"""
        WITH s AS (SELECT a.person_id, bool_or({MENTAL_HEALTH}) AS mh, sum(a.fte) AS fte
                   FROM assignments a WHERE {active(f"DATE '{END}'")} AND {SUPPORT} GROUP BY a.person_id)
        SELECT mh, avg((sex = 'M')::INT), avg((ethnic_category IN ('M', 'N', 'P'))::INT),
               avg((ethnic_category IN ('H', 'J', 'K', 'L'))::INT), avg((disability = 'Y')::INT), avg(fte)
        FROM s JOIN people USING (person_id) GROUP BY mh
        """
    ).fetchall()
    figures = {row[0]: row[1:] for row in rows}
    male, black, asian, disabled, fte = figures[True]
    assert male == pytest.approx(0.27, abs=0.03)
    assert black == pytest.approx(0.14, abs=0.03)
    assert asian == pytest.approx(0.06, abs=0.02)
    assert disabled == pytest.approx(0.06, abs=0.02)
    assert fte == pytest.approx(0.91, abs=0.02)
    male, black, asian, disabled, fte = figures[False]
    assert male == pytest.approx(0.17, abs=0.03)
    assert black == pytest.approx(0.06, abs=0.02)
    assert asian == pytest.approx(0.08, abs=0.02)
    assert disabled == pytest.approx(0.04, abs=0.015)
    assert fte == pytest.approx(0.86, abs=0.02)


def sickness(con, s: str, e: str, reason: str = "true") -> float:
    """FTE days lost ÷ FTE days available for support staff over the days s+1 … e."""
    return one(
        con,
        f"""
        WITH sp AS (SELECT a.person_id, a.fte, greatest(a.start_date, DATE '{s}' + 1) AS f,
                           least(coalesce(a.end_date, DATE '{e}'), DATE '{e}') AS t
                    FROM assignments a WHERE a.contract_type <> 'Bank' AND {SUPPORT}),
             available AS (SELECT sum(fte * (t - f + 1)) AS v FROM sp WHERE t >= f),
             lost AS (SELECT sum(sp.fte * (least(sp.t, b.end_date) - greatest(sp.f, b.start_date) + 1)) AS v
                      FROM sp JOIN absences b USING (person_id)
                      WHERE b.start_date <= sp.t AND b.end_date >= sp.f AND {reason})
        SELECT lost.v / available.v FROM lost, available
        """,
    )


def test_sickness_absence(extract):
    """Support staff about 6%, a winter peak, anxiety/stress about a quarter of days lost (seed 002)."""
    year = sickness(extract, "2023-03-31", "2025-03-31")
    assert year == pytest.approx(0.06, abs=0.01)
    stress = sickness(extract, "2023-03-31", "2025-03-31", "b.reason LIKE 'S10 %'") / year
    assert stress == pytest.approx(0.25, abs=0.05)
    winter = sickness(extract, "2023-11-30", "2024-02-29")
    summer = sickness(extract, "2024-05-31", "2024-08-31")
    assert winter > summer * 1.1


def test_relative_likelihood_of_appointment(extract):
    """White applicants about 1.5–1.6 times as likely to be appointed from shortlisting as BME ones (WRES)."""
    likelihood = one(
        extract,
        f"""
        SELECT (sum((appointed = 'Y' AND ethnic_category IN {WHITE})::INT)
                / sum((shortlisted = 'Y' AND ethnic_category IN {WHITE})::INT))
             / (sum((appointed = 'Y' AND ethnic_category IN {BME})::INT)
                / sum((shortlisted = 'Y' AND ethnic_category IN {BME})::INT))
        FROM recruitment
        """,
    )
    assert likelihood == pytest.approx(1.55, abs=0.2)


def test_leaving_reasons_of_support_staff(extract):
    """Voluntary resignation 66%, retirement 16%, dismissal 5%, end of fixed term 5% (seed 002)."""
    rows = extract.execute(
        f"""
        SELECT CASE WHEN leaving_reason LIKE 'Voluntary Resignation%' THEN 'voluntary'
                    WHEN leaving_reason LIKE '%Retirement%' OR leaving_reason = 'Initial Pension Ended'
                        THEN 'retirement'
                    WHEN leaving_reason LIKE 'Dismissal%' THEN 'dismissal'
                    WHEN leaving_reason LIKE 'End of Fixed Term%' THEN 'fixed term' ELSE 'other' END AS kind,
               count(*) / sum(count(*)) OVER ()
        FROM assignments a WHERE leaving_reason IS NOT NULL AND contract_type <> 'Bank' AND {SUPPORT}
        GROUP BY kind
        """
    ).fetchall()
    shares = dict(rows)
    assert shares["voluntary"] == pytest.approx(0.66, abs=0.06)
    assert shares["retirement"] == pytest.approx(0.16, abs=0.05)
    assert shares["dismissal"] == pytest.approx(0.05, abs=0.02)
    assert shares["fixed term"] == pytest.approx(0.05, abs=0.03)


def test_the_extract_has_the_variety_of_a_real_one(extract):
    """Many local job titles (96 among mental health support staff nationally), returners, bank spells, second
    assignments at another trust, part-year spells."""
    titles = one(
        extract, f"SELECT count(DISTINCT job_title) FROM assignments a WHERE {SUPPORT} AND {MENTAL_HEALTH}"
    )
    assert titles >= 50
    returners = one(
        extract,
        """
        SELECT count(*) FROM (
            SELECT person_id, organisation_code, start_date,
                   lag(end_date) OVER (PARTITION BY person_id, organisation_code ORDER BY start_date) AS previous
            FROM assignments) WHERE start_date > previous + 30
        """,
    )
    assert returners > 100
    assert one(extract, "SELECT count(*) FROM assignments WHERE contract_type = 'Bank'") > 500
    two_trusts = one(
        extract,
        f"""
        SELECT count(DISTINCT a.person_id) FROM assignments a JOIN assignments b
            ON a.person_id = b.person_id AND a.organisation_code <> b.organisation_code
        WHERE a.start_date <= coalesce(b.end_date, DATE '{END}') AND b.start_date <= coalesce(a.end_date, DATE '{END}')
        """,
    )
    assert two_trusts > 100
