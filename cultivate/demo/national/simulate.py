"""The workforce history of one region, simulated a year at a time over numpy arrays (one element per person).

Each year every person in post may leave (retire, resign, be dismissed, reach the end of a fixed term, move to
another trust in the region) or have one change that closes their spell and opens the next: a band up, another
role, other hours, another team. Leavers may come back later (to a substantive post or the bank), new people join
through the years, and some people hold a second assignment at another trust. Absences, training, recruitment and
casework are drawn from the employment periods afterwards. Nothing here loops over people in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import calibration as cal
from .catalogue import (
    PROMOTED_TO,
    ROLE_CHANGES,
    Role,
    role_index,
    roles,
)
from .organisations import Organisation

EPOCH = dt.date(1970, 1, 1)
YEAR = 365.25
NONE = -1
# The workforce in post at the start is about 1 / (1 + r·years) of the people who ever appear (r: the yearly
# share replaced by people new to the extract).
NEW_PEOPLE_RATE = 0.10
TITLE_SLOTS = 3


def day(value: dt.date) -> int:
    return (value - EPOCH).days


def to_date(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


def years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def months_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12


def pick(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """For each row of cumulative weights (rows normalised to end at 1), an index drawn in proportion."""
    u = np.asarray(rng.random(len(cumulative)))
    return np.asarray(np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1))


def choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def uniform_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A day in [low, high] for each pair (high ≥ low)."""
    return np.asarray(low + np.floor(rng.random(len(low)) * (high - low + 1)).astype(np.int64))


@dataclass
class Model:
    """Everything fixed for the whole extract: dates, organisations, roles and lookup tables."""

    orgs: list[Organisation]
    start: int
    end: int
    bounds: np.ndarray  # first day of each simulated year, and end + 1
    roles: tuple[Role, ...]
    reasons: tuple[str, ...]
    titles: tuple[str, ...]
    teams: tuple[str, ...]
    team_offset: np.ndarray
    team_count: np.ndarray
    org_titles: np.ndarray  # [org, role, slot] → title index
    role_group: np.ndarray
    role_low: np.ndarray
    role_at_band: np.ndarray  # [role, band] → the role held at that band
    can_progress: np.ndarray  # [role, band] → a higher band exists for the role's group
    change_total: np.ndarray  # [role] yearly chance of a role change
    change_cumulative: np.ndarray  # [role, role]
    support_cumulative: np.ndarray  # [setting, band, role] for support staff joining
    kind: np.ndarray
    region: np.ndarray
    leaving: np.ndarray
    progression: np.ndarray
    sickness: np.ndarray
    black: np.ndarray
    asian: np.ndarray
    relative_likelihood: np.ndarray
    group_shares: np.ndarray
    joiner_bands: np.ndarray  # [org, 3] support staff joining at bands 2, 3, 4
    area_cumulative: np.ndarray  # [kind, area]
    reason_index: dict[str, int] = field(default_factory=dict)

    @property
    def years(self) -> int:
        return len(self.bounds) - 1


def build_model(orgs: list[Organisation], end: dt.date, years: int, seed: int) -> Model:
    rng = np.random.default_rng([seed, 2])
    start = dt.date(end.year - years, end.month, end.day) + dt.timedelta(days=1)
    bounds = [day(dt.date(start.year + k, start.month, start.day)) for k in range(years)] + [day(end) + 1]
    all_roles = roles()
    n_roles = len(all_roles)
    reasons = tuple(
        dict.fromkeys(
            [
                *cal.VOLUNTARY_REASONS,
                *cal.DISMISSAL_REASONS,
                *cal.FIXED_TERM_REASONS,
                *cal.OTHER_REASONS,
                *cal.RETIREMENT_REASONS,
                *cal.BANK_REASONS,
            ]
        )
    )
    titles = tuple(dict.fromkeys(title for role in all_roles for title in role.titles))
    title_of = {title: i for i, title in enumerate(titles)}

    # Each trust's own few titles for each role, the commoner titles more often (Zipf-like).
    org_titles = np.zeros((len(orgs), n_roles, TITLE_SLOTS), dtype=np.int64)
    for r, role in enumerate(all_roles):
        weights = 1.0 / np.arange(1, len(role.titles) + 1) ** 0.9
        picks = choice(rng, weights, len(orgs) * TITLE_SLOTS).reshape(len(orgs), TITLE_SLOTS)
        org_titles[:, r, :] = np.array([title_of[t] for t in role.titles])[picks]

    teams = [team for org in orgs for team in org.teams]
    team_count = np.array([len(org.teams) for org in orgs])
    team_offset = np.concatenate([[0], np.cumsum(team_count)[:-1]])

    role_group = np.array([role.group for role in all_roles])
    role_low = np.array([role.bands[0] for role in all_roles])
    n_bands = len(cal.BANDS)
    group_role = np.full((5, n_bands), NONE)
    for r, role in enumerate(all_roles):
        if role.group != cal.SUPPORT:
            group_role[role.group, role.bands[0]] = r
    role_at_band = np.zeros((n_roles, n_bands), dtype=np.int64)
    for r in range(n_roles):
        for band in range(n_bands):
            role_at_band[r, band] = _role_at(r, band, all_roles, group_role)
    can_progress = np.zeros((n_roles, n_bands), dtype=bool)
    for r in range(n_roles):
        for band in range(n_bands - 2):  # never into band 9 or NA
            target = role_at_band[r, band + 1]
            lo, hi = all_roles[target].bands
            can_progress[r, band] = lo <= band + 1 <= hi and all_roles[r].group != cal.MEDICAL
    change = np.zeros((n_roles, n_roles))
    for source, target, rate in ROLE_CHANGES:
        change[role_index(source), role_index(target)] += rate
    change_total = change.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        change_cumulative = np.nan_to_num(np.cumsum(change, axis=1) / change_total[:, None], nan=1.0)

    support_cumulative = np.zeros((2, n_bands, n_roles))
    for setting in (0, 1):
        for band in range(n_bands):
            w = np.array(
                [
                    (role.weight_mh if setting else role.weight_other)
                    if role.group == cal.SUPPORT and role.bands[0] <= band <= role.bands[1]
                    else 0.0
                    for role in all_roles
                ]
            )
            if w.sum() == 0:
                w = np.array(
                    [
                        1.0 if role.group == cal.SUPPORT and role.bands[0] <= band <= role.bands[1] else 0.0
                        for role in all_roles
                    ]
                )
            if w.sum() == 0:
                w[0] = 1.0
            support_cumulative[setting, band] = np.cumsum(w / w.sum())

    joiner_bands = np.array([_joiner_bands(org) for org in orgs])
    area_cumulative = np.array([np.cumsum(cal.AREA_MIX[k] / cal.AREA_MIX[k].sum()) for k in range(3)])
    return Model(
        orgs=orgs,
        start=day(start),
        end=day(end),
        bounds=np.array(bounds),
        roles=all_roles,
        reasons=reasons,
        titles=titles,
        teams=tuple(teams),
        team_offset=team_offset,
        team_count=team_count,
        org_titles=org_titles,
        role_group=role_group,
        role_low=role_low,
        role_at_band=role_at_band,
        can_progress=can_progress,
        change_total=change_total,
        change_cumulative=change_cumulative,
        support_cumulative=support_cumulative,
        kind=np.array([org.kind for org in orgs]),
        region=np.array([org.region for org in orgs]),
        leaving=np.array([org.leaving for org in orgs]),
        progression=np.array([org.progression for org in orgs]),
        sickness=np.array([org.sickness for org in orgs]),
        black=np.array([org.black for org in orgs]),
        asian=np.array([org.asian for org in orgs]),
        relative_likelihood=np.array([org.relative_likelihood for org in orgs]),
        group_shares=np.array([org.group_shares for org in orgs]),
        joiner_bands=joiner_bands,
        area_cumulative=area_cumulative,
        reason_index={reason: i for i, reason in enumerate(reasons)},
    )


def _role_at(r: int, band: int, all_roles: tuple[Role, ...], group_role: np.ndarray, depth: int = 0) -> int:
    role = all_roles[r]
    lo, hi = role.bands
    if lo <= band <= hi or depth > 4:
        return r
    if band < lo:
        return r
    if role.group == cal.SUPPORT:
        return _role_at(role_index(PROMOTED_TO[role.key]), band, all_roles, group_role, depth + 1)
    target = int(group_role[role.group, band])
    return target if target != NONE else r


def _joiner_bands(org: Organisation) -> np.ndarray:
    """Bands of support staff joining, such that the trust's band mix holds from year to year given its
    progression and leaving (inflow to each band = outflow)."""
    m = np.array(org.band_mix)
    p = np.array(cal.PROGRESSION[org.kind == cal.MENTAL_HEALTH]) * org.progression * cal.UPWARD_MOVES
    leave = cal.LEAVING[cal.SUPPORT] * org.leaving + 0.02
    inflow = np.array(
        [m[0] * (p[0] + leave), m[1] * (p[1] + leave) - m[0] * p[0], m[2] * (p[2] + leave) - m[1] * p[1]]
    )
    inflow = np.maximum(inflow, 0.02)
    return np.asarray(inflow / inflow.sum())


# --- the region's people ------------------------------------------------------------------------------------


class Columns:
    """Rows of one output table collected as numpy arrays, a batch at a time."""

    def __init__(self, *names: str) -> None:
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in names}

    def add(self, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.parts[name].append(np.asarray(values))

    def get(self) -> dict[str, np.ndarray]:
        return {
            name: np.concatenate(values) if values else np.zeros(0, dtype=np.int64)
            for name, values in self.parts.items()
        }


SPELL_COLUMNS = (
    "person",
    "org",
    "team",
    "role",
    "title",
    "band",
    "area",
    "contract",
    "fte",
    "start",
    "end",
    "reason",
)


class Simulation:
    def __init__(self, model: Model, region: int, seed: int) -> None:
        self.m = model
        self.region = region
        self.rng = np.random.default_rng([seed, 100, region])
        self.orgs = np.flatnonzero(model.region == region)
        self.spells = Columns(*SPELL_COLUMNS)
        self.periods = Columns("person", "org", "start", "end", "group", "bank", "first")  # at one trust
        self.joins = Columns("person", "org", "day", "band", "group", "mh")  # substantive joins: recruitment
        self.dismissals = Columns("person", "org", "day", "capability")
        counts = np.array([model.orgs[o].people for o in self.orgs], dtype=np.int64)
        self.n = int(counts.sum())

    # --- set-up ----------------------------------------------------------------------------------------------

    def create_people(self) -> None:
        m, rng = self.m, self.rng
        counts = np.array([m.orgs[o].people for o in self.orgs], dtype=np.int64)
        org = np.repeat(self.orgs, counts)
        n = len(org)
        in_post = rng.random(n) < 1 / (1 + NEW_PEOPLE_RATE * m.years)
        # Joiners replace leavers, so groups that leave more often are commoner among them.
        shares = m.group_shares[org]
        joiner_shares = shares * (cal.LEAVING + cal.PROMOTED_OUT)[None, :]
        group = np.where(
            in_post,
            pick(rng, np.cumsum(shares / shares.sum(1, keepdims=True), axis=1)),
            pick(rng, np.cumsum(joiner_shares / joiner_shares.sum(1, keepdims=True), axis=1)),
        )
        bank = rng.random(n) < cal.BANK_ONLY[group]
        join = np.where(
            in_post, m.start, m.start + 1 + np.floor(rng.random(n) * (m.end - m.start)).astype(np.int64)
        )
        age = np.where(in_post, self._ages(cal.AGE_IN_POST, n), self._ages(cal.AGE_HIRED, n))
        age = np.where(group == cal.MEDICAL, age + cal.DOCTOR_AGE_SHIFT, age)
        birth_year = years_of(join) - age

        area = np.where(group == cal.ADMIN, cal.CENTRAL_AREA, pick(rng, m.area_cumulative[m.kind[org]]))
        mh = np.isin(area, cal.MH_AREAS)
        sex, ethnic, disability = self._demography(group, mh, org)

        band = self._hire_bands(group, org, in_post)
        role = self._hire_roles(group, band, mh)
        band = np.maximum(band, m.role_low[role])
        self.s = {
            "org": org,
            "group": group.astype(np.int64),
            "role": role,
            "band": band.astype(np.int64),
            "fte": self._fte(group, mh, bank),
            "contract": np.where(bank, cal.BANK_CONTRACT, self._contracts(group)),
            "team": self._team(org),
            "area": area.astype(np.int64),
            "mh": mh,
            "bank": bank,
            "active": in_post.copy(),
            "spell_start": np.where(
                in_post, m.start - np.floor(rng.random(n) * 5 * YEAR).astype(np.int64), NONE
            ),
            "period_start": np.where(in_post, m.start, NONE),
            "birth_year": birth_year,
            "pending": np.where(in_post, NONE, join),
            "pending_org": org.copy(),
            "pending_bank": bank.copy(),
            "pending_up": np.zeros(n, dtype=bool),
            "new": ~in_post,
            "moved": np.zeros(n, dtype=bool),
            "periods": np.zeros(n, dtype=np.int64),
        }
        self.s["title"] = self._title(org, role)
        self.people = {
            "birth_year": birth_year,
            "sex": sex,
            "ethnic": ethnic,
            "disability": disability,
            "home_group": group,
            "home_mh": mh,
        }

    def _ages(self, table: tuple[tuple[int, int, float], ...], n: int) -> np.ndarray:
        bands = choice(self.rng, np.array([w for _, _, w in table]), n)
        low = np.array([lo for lo, _, _ in table])[bands]
        high = np.array([hi for _, hi, _ in table])[bands]
        return np.asarray(low + np.floor(self.rng.random(n) * (high - low + 1)).astype(np.int64))

    def _demography(self, group: np.ndarray, mh: np.ndarray, org: np.ndarray) -> tuple[np.ndarray, ...]:
        rng, m = self.rng, self.m
        n = len(group)
        table = np.array([[cal.DEMOGRAPHY[(g, bool(s))] for s in (0, 1)] for g in range(5)])  # [g, mh, 4]
        figures = table[group, mh.astype(int)]
        male, black, asian, disabled = figures.T
        black = black * m.black[org]
        asian = asian * m.asian[org]
        u = rng.random(n)
        sex = np.where(
            u < cal.SEX_UNKNOWN, 3, np.where(rng.random(n) < male, 1, 0)
        )  # F, M, X, U → 0, 1, 2, 3
        ethnic = self.ethnic_codes(black, asian, n)
        u = rng.random(n)
        disability = np.where(u < cal.DISABILITY_UNDECLARED, 2, np.where(rng.random(n) < disabled, 0, 1))
        return sex, ethnic, disability  # disability: Y, N, U → 0, 1, 2

    def ethnic_codes(self, black: np.ndarray, asian: np.ndarray, n: int) -> np.ndarray:
        """Indices into ETHNIC_CODES for people with the given chances of being Black or Asian."""
        rng = self.rng
        shares = np.column_stack(
            [
                black,
                asian,
                np.full(n, cal.MIXED_SHARE),
                np.full(n, cal.OTHER_SHARE),
                np.full(n, cal.NOT_STATED_SHARE),
                np.full(n, cal.NOT_KNOWN_SHARE),
            ]
        )
        white = np.clip(1 - shares.sum(axis=1), 0.05, 1)
        weights = np.column_stack([white, shares])
        broad = pick(rng, np.cumsum(weights / weights.sum(1, keepdims=True), axis=1))
        detail = np.zeros(n, dtype=np.int64)
        for index, (codes, split) in enumerate(
            (
                (cal.WHITE_CODES, cal.WHITE_SPLIT),
                (cal.BLACK_CODES, cal.BLACK_SPLIT),
                (cal.ASIAN_CODES, cal.ASIAN_SPLIT),
                (cal.MIXED_CODES, cal.MIXED_SPLIT),
                (cal.OTHER_CODES, cal.OTHER_SPLIT),
                (("Z",), (1.0,)),
                (("99",), (1.0,)),
            )
        ):
            where = broad == index
            drawn = choice(rng, np.array(split), int(where.sum()))
            detail[where] = np.array([ETHNIC_CODES.index(code) for code in codes])[drawn]
        return detail

    def _hire_bands(self, group: np.ndarray, org: np.ndarray, in_post: np.ndarray) -> np.ndarray:
        rng, m = self.rng, self.m
        n = len(group)
        band = np.zeros(n, dtype=np.int64)
        support = group == cal.SUPPORT
        mix = np.array([m.orgs[o].band_mix for o in range(len(m.orgs))])
        weights = np.where(in_post[:, None], mix[org], m.joiner_bands[org])
        band[support] = cal.B2 + pick(rng, np.cumsum(weights[support], axis=1))
        for g, (bands, in_post_weights, joiner_weights) in OTHER_BANDS.items():
            where = group == g
            chosen = np.where(
                in_post[where],
                np.array(bands)[choice(rng, np.array(in_post_weights), int(where.sum()))],
                np.array(bands)[choice(rng, np.array(joiner_weights), int(where.sum()))],
            )
            band[where] = chosen
        return band

    def _hire_roles(self, group: np.ndarray, band: np.ndarray, mh: np.ndarray) -> np.ndarray:
        m = self.m
        role = np.zeros(len(group), dtype=np.int64)
        support = group == cal.SUPPORT
        role[support] = pick(self.rng, m.support_cumulative[mh[support].astype(int), band[support]])
        other = ~support
        role[other] = GROUP_ROLE[group[other], band[other]] if len(GROUP_ROLE) else 0
        return role

    def _fte(self, group: np.ndarray, mh: np.ndarray, bank: np.ndarray) -> np.ndarray:
        rng = self.rng
        n = len(group)
        full_share = np.array([[cal.full_time_share(g, bool(s)) for s in (0, 1)] for g in range(5)])
        full = rng.random(n) < full_share[group, mh.astype(int)]
        part = cal.PART_TIME[choice(rng, cal.PART_TIME_WEIGHTS, n)]
        fte = np.where(full, 1.0, part)
        return np.where(bank, cal.BANK_FTE[rng.integers(0, len(cal.BANK_FTE), n)], fte)

    def _contracts(self, group: np.ndarray) -> np.ndarray:
        return pick(self.rng, np.cumsum(cal.HIRE_CONTRACTS[group], axis=1))

    def _team(self, org: np.ndarray) -> np.ndarray:
        m = self.m
        return np.asarray(
            m.team_offset[org] + np.floor(self.rng.random(len(org)) * m.team_count[org]).astype(np.int64)
        )

    def _title(self, org: np.ndarray, role: np.ndarray) -> np.ndarray:
        slot = self.rng.integers(0, TITLE_SLOTS, len(org))
        return np.asarray(self.m.org_titles[org, role, slot])

    # --- the years -------------------------------------------------------------------------------------------

    def run(self) -> None:
        self.create_people()
        m = self.m
        for year in range(m.years):
            first, last = int(m.bounds[year]), int(m.bounds[year + 1]) - 1
            self._join(first, last)
            self._year(first, last)
            self._join(first, last)
        s = self.s
        active = np.flatnonzero(s["active"])
        self._emit_spells(
            active, s["spell_start"][active], np.full(len(active), NONE), np.full(len(active), NONE)
        )
        self._emit_periods(active, np.full(len(active), m.end))

    def _join(self, first: int, last: int) -> None:
        s, rng, m = self.s, self.rng, self.m
        idx = np.flatnonzero((s["pending"] >= first) & (s["pending"] <= last) & ~s["active"])
        if not len(idx):
            return
        when = s["pending"][idx]
        new = s["new"][idx]
        back = idx[~new]
        if len(back):
            # Returners and movers: the pending trust, maybe a bank post, maybe a band up.
            old_org = s["org"][back]
            org = s["pending_org"][back]
            moved = org != old_org
            s["moved"][back] |= moved
            area = s["area"][back]
            redraw = moved & (s["group"][back] != cal.ADMIN)
            area[redraw] = pick(rng, m.area_cumulative[m.kind[org[redraw]]])
            s["area"][back] = area
            s["mh"][back] = np.isin(area, cal.MH_AREAS)
            s["org"][back] = org
            s["team"][back] = self._team(org)
            up = s["pending_up"][back] & m.can_progress[s["role"][back], s["band"][back]]
            band = s["band"][back] + up
            role = m.role_at_band[s["role"][back], band]
            s["band"][back] = np.maximum(band, m.role_low[role])
            changed_role = role != s["role"][back]
            s["role"][back] = role
            s["group"][back] = m.role_group[role]
            bank = s["pending_bank"][back] | s["bank"][back]
            contract = np.where(bank, cal.BANK_CONTRACT, self._contracts(s["group"][back]))
            was_bank = s["contract"][back] == cal.BANK_CONTRACT
            bank_fte = cal.BANK_FTE[rng.integers(0, len(cal.BANK_FTE), len(back))]
            fresh = self._fte(s["group"][back], s["mh"][back], np.zeros(len(back), dtype=bool))
            s["fte"][back] = np.where(bank, bank_fte, np.where(was_bank, fresh, s["fte"][back]))
            s["contract"][back] = contract
            retitle = moved | changed_role | (rng.random(len(back)) < 0.3)
            s["title"][back] = np.where(retitle, self._title(org, role), s["title"][back])
        s["active"][idx] = True
        s["spell_start"][idx] = when
        s["period_start"][idx] = when
        s["new"][idx] = False
        s["pending"][idx] = NONE
        s["pending_up"][idx] = False
        substantive = s["contract"][idx] != cal.BANK_CONTRACT
        self.joins.add(
            person=idx[substantive],
            org=s["org"][idx[substantive]],
            day=when[substantive],
            band=s["band"][idx[substantive]],
            group=s["group"][idx[substantive]],
            mh=s["mh"][idx[substantive]],
        )

    def _year(self, first: int, last: int) -> None:
        s, rng, m = self.s, self.rng, self.m
        idx = np.flatnonzero(s["active"] & (s["spell_start"] < last))
        if not len(idx):
            return
        start = np.maximum(first, s["spell_start"][idx] + 1)
        exposure = (last - start + 1) / YEAR
        age = int(years_of(np.array([first]))[0]) - self.people["birth_year"][idx]
        group, org, band, role = s["group"][idx], s["org"][idx], s["band"][idx], s["role"][idx]
        bank = s["contract"][idx] == cal.BANK_CONTRACT

        leave_hazard = np.where(
            bank, cal.BANK_LEAVING, cal.LEAVING[group] * m.leaving[org] * cal.by_age(cal.LEAVING_BY_AGE, age)
        )
        retire_hazard = np.where(
            bank, 0.0, cal.by_age(cal.RETIREMENT_BY_AGE, age) * cal.RETIREMENT_FACTOR[group]
        )
        total = leave_hazard + retire_hazard
        leaves = rng.random(len(idx)) < 1 - np.exp(-total * exposure)
        retires = leaves & (rng.random(len(idx)) * total < retire_hazard)
        when = uniform_days(rng, start, np.full(len(idx), last))

        # One change at most for those who stay: role, band, hours or team.
        p_role = np.where(bank, 0.0, m.change_total[role])
        # The published rates are among people in post at the start of a year who are still there at its end.
        counted = np.exp(-total * exposure) * (start == first)
        progression = self._progression(idx, age, group, band, org, counted)
        p_up = np.where(bank | ~m.can_progress[role, band], 0.0, progression)
        p_hours = np.where(bank, 0.0, cal.HOURS_CHANGE)
        p_team = np.full(len(idx), cal.TEAM_MOVE)
        steps = np.cumsum(np.column_stack([p_role, p_up, p_hours, p_team]) * exposure[:, None], axis=1)
        u = rng.random(len(idx))
        event = np.where(u < steps[:, -1], (u[:, None] >= steps).sum(axis=1), NONE)
        event[leaves] = NONE

        self._leave(idx[leaves], when[leaves], retires[leaves])
        changing = event != NONE
        self._change(idx[changing], when[changing], event[changing])

    def _progression(
        self,
        idx: np.ndarray,
        age: np.ndarray,
        group: np.ndarray,
        band: np.ndarray,
        org: np.ndarray,
        counted: np.ndarray,
    ) -> np.ndarray:
        """Yearly chance of a band up: support staff by setting and band, younger staff more often, registered
        and other staff by group. The age factors are rescaled so that the setting's rate holds on average over
        `counted` (the weight of each person in the published rate: in post all year, likely to stay)."""
        s, m = self.s, self.m
        p = np.array([cal.OTHER_PROGRESSION.get(int(g), 0.0) for g in range(5)])[group]
        support = (group == cal.SUPPORT) & (band >= cal.B2) & (band <= cal.B4)
        if support.any():
            mh = s["mh"][idx[support]].astype(int)
            b = band[support] - cal.B2
            rates = np.array([cal.PROGRESSION[False], cal.PROGRESSION[True]])[mh, b]
            factor = cal.by_age(cal.PROGRESSION_BY_AGE, age[support])
            key = mh * 3 + b
            weight = counted[support]
            mean = np.bincount(key, weights=factor * weight, minlength=6) / np.maximum(
                np.bincount(key, weights=weight, minlength=6), 1e-9
            )
            p[support] = rates * factor / np.where(mean[key] > 0, mean[key], 1)
        return np.asarray(np.minimum(p * m.progression[org], 0.95))

    def _leave(self, idx: np.ndarray, when: np.ndarray, retires: np.ndarray) -> None:
        s, rng, m = self.s, self.rng, self.m
        n = len(idx)
        if not n:
            return
        group = s["group"][idx]
        bank = s["contract"][idx] == cal.BANK_CONTRACT
        support = group == cal.SUPPORT
        kind = pick(rng, np.cumsum(cal.LEAVING_GROUPS[group], axis=1))
        kind = np.where(retires, cal.RETIREMENT, kind)
        reason = np.zeros(n, dtype=np.int64)
        moves = np.zeros(n, dtype=bool)
        up = np.zeros(n, dtype=bool)
        returns = np.zeros(n)
        ri = m.reason_index

        def draw(where: np.ndarray, names: tuple[str, ...], weights: np.ndarray) -> np.ndarray:
            drawn = choice(rng, weights, int(where.sum()))
            reason[where] = np.array([ri[name] for name in names])[drawn]
            return drawn

        for is_support in (True, False):
            where = (kind == cal.VOLUNTARY) & (support == is_support) & ~bank
            drawn = draw(where, cal.VOLUNTARY_REASONS, cal.VOLUNTARY_WEIGHTS[is_support])
            moves[where] = rng.random(len(drawn)) < cal.VOLUNTARY_MOVES[drawn]
            up[where] = drawn == cal.VOLUNTARY_REASONS.index("Voluntary Resignation - Promotion")
            returns[where] = cal.RETURNS
        where = (kind == cal.DISMISSAL) & ~bank
        draw(where, cal.DISMISSAL_REASONS, cal.DISMISSAL_WEIGHTS)
        for medical in (True, False):
            where = (kind == cal.FIXED_TERM) & ((group == cal.MEDICAL) == medical) & ~bank
            drawn = draw(where, cal.FIXED_TERM_REASONS, cal.FIXED_TERM_WEIGHTS[medical])
            rotation = drawn == cal.FIXED_TERM_REASONS.index("End of Fixed Term Contract - External Rotation")
            moves[where] = rng.random(len(drawn)) < np.where(rotation, 0.9, 0.15)
            returns[where] = cal.RETURNS
        where = (kind == cal.OTHER_REASON) & ~bank
        drawn = draw(where, cal.OTHER_REASONS, cal.OTHER_WEIGHTS)
        moves[where] = drawn == cal.OTHER_REASONS.index("Employee Transfer")
        returns[where] = np.where(drawn == cal.OTHER_REASONS.index("Death in Service"), 0.0, cal.RETURNS / 2)
        where = (kind == cal.RETIREMENT) & ~bank
        draw(where, cal.RETIREMENT_REASONS, cal.RETIREMENT_WEIGHTS)
        returns[where] = cal.RETIRE_AND_RETURN
        draw(bank, cal.BANK_REASONS, cal.BANK_WEIGHTS)
        returns[bank] = cal.RETURNS

        # The closing spell of someone whose fixed term ended was a fixed-term contract.
        fixed = (kind == cal.FIXED_TERM) & ~bank
        s["contract"][idx[fixed]] = cal.FIXED_TERM_TEMP
        self._emit_spells(idx, s["spell_start"][idx], when, reason)
        self._emit_periods(idx, when)
        dismissed = (kind == cal.DISMISSAL) & ~bank
        self.dismissals.add(
            person=idx[dismissed],
            org=s["org"][idx[dismissed]],
            day=when[dismissed],
            capability=reason[dismissed] == ri["Dismissal - Capability"],
        )
        s["active"][idx] = False
        if len(self.orgs) < 2:
            moves[:] = False
        # Movers join another trust in the region within two months; others may come back later.
        comes_back = ~moves & (rng.random(n) < returns)
        gap = np.where(
            moves,
            rng.integers(1, 61, n),
            np.where(kind == cal.RETIREMENT, rng.integers(30, 181, n), rng.integers(60, 900, n)),
        )
        pending = moves | comes_back
        s["pending"][idx] = np.where(pending, when + gap, NONE)
        other = self.orgs[rng.integers(0, len(self.orgs), n)]
        same = other == s["org"][idx]
        other[same] = self.orgs[(np.searchsorted(self.orgs, other[same]) + 1) % len(self.orgs)]
        s["pending_org"][idx] = np.where(moves, other, s["org"][idx])
        s["pending_bank"][idx] = comes_back & (
            bank | (rng.random(n) < np.where(kind == cal.RETIREMENT, 0.7, cal.RETURN_AS_BANK))
        )
        s["pending_up"][idx] = moves & up

    def _change(self, idx: np.ndarray, when: np.ndarray, event: np.ndarray) -> None:
        s, rng, m = self.s, self.rng, self.m
        if not len(idx):
            return
        self._emit_spells(idx, s["spell_start"][idx], when - 1, np.full(len(idx), NONE))
        s["spell_start"][idx] = when

        role_change = idx[event == 0]
        if len(role_change):
            target = pick(rng, m.change_cumulative[s["role"][role_change]])
            lo = np.array([m.roles[t].bands[0] for t in range(len(m.roles))])[target]
            hi = np.array([m.roles[t].bands[1] for t in range(len(m.roles))])[target]
            s["band"][role_change] = np.clip(s["band"][role_change], lo, hi)
            s["role"][role_change] = target
            s["group"][role_change] = m.role_group[target]
            s["title"][role_change] = self._title(s["org"][role_change], target)

        up = idx[event == 1]
        if len(up):
            band = s["band"][up] + 1
            role = m.role_at_band[s["role"][up], band]
            s["title"][up] = np.where(role != s["role"][up], self._title(s["org"][up], role), s["title"][up])
            s["band"][up] = band
            s["role"][up] = role
            s["group"][up] = m.role_group[role]

        hours = idx[event == 2]
        if len(hours):
            s["fte"][hours] = self._fte(s["group"][hours], s["mh"][hours], np.zeros(len(hours), dtype=bool))
            fixed = s["contract"][hours] == cal.FIXED_TERM_TEMP
            s["contract"][hours] = np.where(
                fixed & (rng.random(len(hours)) < 0.5), cal.PERMANENT, s["contract"][hours]
            )

        team = idx[event == 3]
        if len(team):
            s["team"][team] = self._team(s["org"][team])

    # --- output rows -----------------------------------------------------------------------------------------

    def _emit_spells(self, idx: np.ndarray, start: np.ndarray, end: np.ndarray, reason: np.ndarray) -> None:
        s = self.s
        self.spells.add(
            person=idx,
            org=s["org"][idx],
            team=s["team"][idx],
            role=s["role"][idx],
            title=s["title"][idx],
            band=s["band"][idx],
            area=s["area"][idx],
            contract=s["contract"][idx],
            fte=s["fte"][idx],
            start=start,
            end=end,
            reason=reason,
        )

    def _emit_periods(self, idx: np.ndarray, end: np.ndarray) -> None:
        s = self.s
        s["periods"][idx] += 1
        self.periods.add(
            person=idx,
            org=s["org"][idx],
            start=s["period_start"][idx],
            end=end,
            group=s["group"][idx],
            bank=s["contract"][idx] == cal.BANK_CONTRACT,
            first=s["periods"][idx] == 1,
        )

    def second_assignments(self) -> None:
        """A few people hold a second post at another trust in the region for a while: bank shifts or a
        part-time substantive post. Never at a trust they otherwise work at, so spells there cannot overlap."""
        m, rng, s = self.m, self.rng, self.s
        if len(self.orgs) < 2:
            return
        periods = self.periods.get()
        first = periods["first"] & ~periods["bank"] & ~s["moved"][periods["person"]]
        first &= (periods["end"] - periods["start"]) > 60
        first &= rng.random(len(first)) < cal.SECOND_ASSIGNMENT
        person, start, end = periods["person"][first], periods["start"][first], periods["end"][first]
        n = len(person)
        if not n:
            return
        begin = uniform_days(rng, start, np.maximum(start, end - 60))
        finish = begin + rng.integers(180, 1100, n)
        still = finish >= m.end
        home = periods["org"][first]
        other = self.orgs[rng.integers(0, len(self.orgs), n)]
        same = other == home
        other[same] = self.orgs[(np.searchsorted(self.orgs, other[same]) + 1) % len(self.orgs)]
        bank = rng.random(n) < 0.6
        role = s["role"][person]
        area = np.where(
            s["group"][person] == cal.ADMIN, cal.CENTRAL_AREA, pick(rng, m.area_cumulative[m.kind[other]])
        )
        reason = np.where(
            bank,
            m.reason_index["Bank Staff not fulfilled minimum work requirement"],
            m.reason_index["Voluntary Resignation - Work Life Balance"],
        )
        self.spells.add(
            person=person,
            org=other,
            team=self._team(other),
            role=role,
            title=self._title(other, role),
            band=s["band"][person],
            area=area,
            contract=np.where(bank, cal.BANK_CONTRACT, cal.PERMANENT),
            fte=np.where(
                bank,
                cal.BANK_FTE[rng.integers(0, len(cal.BANK_FTE), n)],
                np.array([0.2, 0.27, 0.32, 0.4])[rng.integers(0, 4, n)],
            ),
            start=begin,
            end=np.where(still, NONE, finish),
            reason=np.where(still, NONE, reason),
        )


ETHNIC_CODES = (
    *cal.WHITE_CODES,
    *cal.MIXED_CODES,
    *cal.ASIAN_CODES,
    *cal.BLACK_CODES,
    *cal.OTHER_CODES,
    "Z",
    "99",
)
BME_CODES = np.array([code not in (*cal.WHITE_CODES, "Z", "99") for code in ETHNIC_CODES])
KNOWN_CODES = np.array([code not in ("Z", "99") for code in ETHNIC_CODES])

# Registered and other staff's bands at hiring: (bands, weights in post at the start, weights of joiners).
OTHER_BANDS: dict[int, tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]] = {
    cal.NURSING: ((cal.B5, cal.B6, cal.B7, cal.B8A), (0.45, 0.35, 0.15, 0.05), (0.78, 0.16, 0.05, 0.01)),
    cal.STT: (
        (cal.B5, cal.B6, cal.B7, cal.B8A, cal.B8B),
        (0.28, 0.35, 0.25, 0.08, 0.04),
        (0.6, 0.25, 0.12, 0.02, 0.01),
    ),
    cal.MEDICAL: ((cal.NA_BAND,), (1.0,), (1.0,)),
    cal.ADMIN: (
        (cal.B2, cal.B3, cal.B4, cal.B5, cal.B6, cal.B7, cal.B8A, cal.B8C),
        (0.2, 0.25, 0.2, 0.12, 0.1, 0.07, 0.04, 0.02),
        (0.35, 0.3, 0.15, 0.08, 0.07, 0.04, 0.008, 0.002),
    ),
}


def _group_role() -> np.ndarray:
    table = np.zeros((5, len(cal.BANDS)), dtype=np.int64)
    for r, role in enumerate(roles()):
        if role.group != cal.SUPPORT:
            table[role.group, role.bands[0]] = r
    return table


GROUP_ROLE = _group_role()
