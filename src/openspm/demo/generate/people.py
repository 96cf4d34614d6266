"""The sales organisation: a VP, a director per region, managers, reps, and a year of changes.

Four levels, hired over the years before the data starts; during the years of data one
seller is promoted to manager and takes over part of their team, a few reps change manager in
the middle of a quarter, a few leave (most are replaced) and a few new reps join.
"""

from __future__ import annotations

from datetime import date, timedelta

from openspm.demo.generate.base import Options, Progress, allocate, create_with_history, random_day
from openspm.demo.generate.data import FIRST_NAMES, LAST_NAMES, REGIONS
from openspm.demo.generate.staff import SELLER_KINDS, Line, Org, Staff
from openspm.org.fiscal import fiscal_periods
from openspm.org.models import Person, ReportingLine, Team, TeamMembership

# The mix of a team after its first account executive: (kind, title), cycled per team.
TEAM_CYCLE = (
    ("ae", "Senior Account Executive"),
    ("sdr", "Sales Development Representative"),
    ("se", "Sales Engineer"),
    ("ae", "Account Executive"),
    ("ae", "Account Executive"),
    ("sdr", "Sales Development Representative"),
    ("ae", "Senior Account Executive"),
    ("se", "Sales Engineer"),
    ("ae", "Account Executive"),
)
MANAGER_TITLE = "Sales Manager"


class _Builder:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.rng = options.rng("people")
        self.staff: list[Staff] = []
        self.names: set[tuple[str, str]] = set()
        self.moved: set[int] = set()

    def years_before_start(self, years: int) -> date:
        start = self.options.start
        return date(start.year - years, start.month, 1)

    def add(self, *, kind: str, region: str, title: str, currency: str, hired_on: date) -> Staff:
        while True:
            name = (self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            if name not in self.names:
                break
        self.names.add(name)
        person = Staff(
            key=f"EMP-{len(self.staff) + 1:04d}",
            kind=kind,
            region=region,
            title=title,
            first_name=name[0],
            last_name=name[1],
            currency=currency,
            hired_on=hired_on,
        )
        self.staff.append(person)
        return person

    def report(self, person: Staff, manager: Staff) -> None:
        person.lines.append(Line(manager, person.hired_on))

    def build(self) -> Org:
        opts, rng = self.options, self.rng
        vp = self.add(
            kind="vp",
            region="",
            title="VP of Sales",
            currency="USD",
            hired_on=random_day(rng, self.years_before_start(9), self.years_before_start(8)),
        )
        per_region = allocate(opts.count(20, 3), [r.weight for r in REGIONS])
        managers: list[Staff] = []
        for region, count in zip(REGIONS, per_region, strict=True):
            director = self.add(
                kind="director",
                region=region.code,
                title=f"Regional Director, {region.name}",
                currency=region.currencies[0],
                hired_on=random_day(rng, self.years_before_start(8), self.years_before_start(5)),
            )
            self.report(director, vp)
            for n in range(count):
                manager = self.add(
                    kind="manager",
                    region=region.code,
                    title=MANAGER_TITLE,
                    currency=region.currencies[(n + 1) % len(region.currencies)],
                    hired_on=random_day(
                        rng, max(director.hired_on, self.years_before_start(6)),
                        self.years_before_start(2),
                    ),
                )  # fmt: skip
                self.report(manager, director)
                managers.append(manager)
        teams: dict[int, list[Staff]] = {id(m): [] for m in managers}
        for n in range(opts.count(168, 3 * len(managers))):
            manager = managers[n % len(managers)]
            team = teams[id(manager)]
            position = len(team)
            kind, title = (
                ("ae", "Account Executive")
                if position == 0
                else TEAM_CYCLE[(position - 1 + n) % len(TEAM_CYCLE)]
            )
            rep = self.add(
                kind=kind,
                region=manager.region,
                title=title,
                currency=manager.currency,
                hired_on=random_day(
                    rng, max(manager.hired_on, self.years_before_start(5)),
                    opts.start - timedelta(days=30),
                ),
            )  # fmt: skip
            self.report(rep, manager)
            team.append(rep)
        login_manager = managers[0]
        login_rep = teams[id(login_manager)][0]
        protected = {id(login_manager), id(login_rep)}
        self.promote(managers, teams, protected)
        self.transfer(protected)
        self.turnover(protected)
        return Org(staff=self.staff, vp=vp, login_manager=login_manager, login_rep=login_rep)

    def quarter_starts(self) -> list[date]:
        return [
            span.start_on
            for year in self.options.fiscal_years
            for span in fiscal_periods(year, self.options.fiscal_start_month)
            if span.kind == "quarter"
        ]

    def promote(
        self, managers: list[Staff], teams: dict[int, list[Staff]], protected: set[int]
    ) -> None:
        """A senior seller becomes a manager at a quarter start and takes half of the team."""
        opts = self.options
        starts = [s for s in self.quarter_starts()[1:] if s <= opts.as_of - timedelta(days=45)]
        on = starts[-2] if len(starts) >= 2 else starts[-1]
        candidates = [m for m in managers if id(m) not in protected] or managers
        old = max(candidates, key=lambda m: (len(teams[id(m)]), -managers.index(m)))
        sellers = [
            s
            for s in teams[id(old)]
            if s.kind == "ae" and id(s) not in protected and s.employed_on(on)
        ]
        if not sellers:
            return
        chosen = next((s for s in sellers if s.title.startswith("Senior")), sellers[0])
        director = old.manager_on(on)
        if director is None:
            return
        chosen.former_kind, chosen.kind = chosen.kind, "manager"
        chosen.title, chosen.promoted_on = MANAGER_TITLE, on
        chosen.move(director, on)
        self.moved.add(id(chosen))
        rest = [s for s in teams[id(old)] if s is not chosen and id(s) not in protected]
        for rep in rest[: max(1, len(rest) // 2)] if len(rest) >= 2 else []:
            rep.move(chosen, on)
            self.moved.add(id(rep))

    def transfer(self, protected: set[int]) -> None:
        """Some reps change manager in the middle of a quarter (the latest complete one first)."""
        opts, rng = self.options, self.rng
        starts = [s for s in self.quarter_starts() if s + timedelta(days=60) <= opts.as_of]
        for n in range(opts.count(6, 1)):
            start = starts[-1] if n == 0 else rng.choice(starts)
            on = start + timedelta(days=rng.randint(25, 55))
            movers = [
                s
                for s in self.staff
                if s.kind in SELLER_KINDS
                and id(s) not in protected | self.moved
                and s.hired_on < on - timedelta(days=30)
                and s.employed_on(on)
            ]
            if not movers:
                return
            rep = rng.choice(movers)
            current = rep.manager_on(on)
            targets = [
                m
                for m in self.staff
                if m.kind_on(on) == "manager" and m.employed_on(on) and m is not current
            ]
            same_region = [m for m in targets if m.region == rep.region]
            if not targets:
                return
            rep.move(rng.choice(same_region or targets), on)
            self.moved.add(id(rep))

    def turnover(self, protected: set[int]) -> None:
        """A few sellers leave (most are replaced a few weeks later) and a few new ones join."""
        opts, rng = self.options, self.rng
        last = opts.as_of - timedelta(days=10)
        for n in range(opts.count(5, 1)):
            on = random_day(rng, opts.start + timedelta(days=30), last)
            wanted = ("sdr",) if n % 2 == 0 else ("ae",)
            pool = [
                s
                for s in self.staff
                if s.kind in SELLER_KINDS
                and s.replaces is None
                and s.terminated_on is None
                and id(s) not in protected | self.moved
            ]
            leavers = [s for s in pool if s.kind in wanted] or pool
            if not leavers:
                return
            leaver = rng.choice(leavers)
            manager = leaver.manager_on(on - timedelta(days=1))
            leaver.leave(on)
            self.moved.add(id(leaver))
            hired_on = on + timedelta(days=rng.randint(21, 63))
            if manager is not None and hired_on < opts.as_of:
                self.hire(leaver.kind, leaver.title.removeprefix("Senior "), manager, hired_on)
                self.staff[-1].replaces = leaver
        for _ in range(opts.count(6, 1)):
            hired_on = random_day(rng, opts.start + timedelta(days=20), opts.as_of - timedelta(7))
            managers = [
                m
                for m in self.staff
                if m.kind_on(hired_on) == "manager" and m.employed_on(hired_on)
            ]
            self.hire("ae", "Account Executive", rng.choice(managers), hired_on)

    def hire(self, kind: str, title: str, manager: Staff, hired_on: date) -> None:
        rep = self.add(
            kind=kind,
            region=manager.region,
            title=title,
            currency=manager.currency,
            hired_on=hired_on,
        )
        self.report(rep, manager)
        self.moved.add(id(rep))


def build_org(options: Options) -> Org:
    """The organisation for these options: the same seed always gives the same company."""
    return _Builder(options).build()


def team_name(leader: Staff) -> str:
    region = next((r.name for r in REGIONS if r.code == leader.region), "")
    if leader.kind == "vp":
        return "Global Sales"
    if leader.kind == "director":
        return f"{region} Sales"
    return f"{region} · Team {leader.last_name}"


def save_org(org: Org, progress: Progress) -> None:
    """Write people, reporting lines, and a team per leader whose memberships follow the lines."""
    people = [
        Person(
            external_id=s.key,
            first_name=s.first_name,
            last_name=s.last_name,
            email=f"{s.first_name}.{s.last_name}@demo.example.com".lower().replace(" ", ""),
            title=s.title,
            currency=s.currency,
            hired_on=s.hired_on,
            terminated_on=s.terminated_on,
        )
        for s in org.staff
    ]
    create_with_history(Person, people)
    for staff, person in zip(org.staff, people, strict=True):
        staff.pk = person.pk
    progress("people", len(people))
    lines = [(s, line) for s in org.staff for line in s.lines]
    create_with_history(
        ReportingLine,
        [
            ReportingLine(
                person_id=s.pk,
                manager_id=line.manager.pk,
                effective_from=line.start,
                effective_to=line.end,
            )
            for s, line in lines
        ],
    )
    progress("reporting lines", len(lines))
    leaders: list[Staff] = []
    for _, line in lines:
        if line.manager not in leaders:
            leaders.append(line.manager)
    teams = [
        Team(code=f"TEAM-{leader.key}", name=team_name(leader), leader_id=leader.pk)
        for leader in leaders
    ]
    create_with_history(Team, teams)
    team_of = {id(leader): team for leader, team in zip(leaders, teams, strict=True)}
    create_with_history(
        TeamMembership,
        [
            TeamMembership(
                team_id=team_of[id(line.manager)].pk,
                person_id=s.pk,
                effective_from=line.start,
                effective_to=line.end,
            )
            for s, line in lines
        ],
    )
    progress("teams", len(teams))
