"""Territories: a parent per region and rule-drawn leaves, owned by account executives.

Account executives of a region share its leaf territories as owners (each leaf has one or
more); sales engineers are overlays; the regional director is an overlay on the region. When an
owner leaves or is promoted their replacement (if any) takes the territory over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from openspm.demo.generate.base import Options, Progress, allocate, create_with_history
from openspm.demo.generate.data import REGIONS
from openspm.demo.generate.staff import Org, Staff
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule

US = ["US"]
BIG = ["enterprise", "strategic"]


@dataclass(frozen=True)
class TerritorySpec:
    code: str
    name: str
    region: str  # a Region.code
    rules: Mapping[str, list[str]] = field(default_factory=dict)
    priority: int = 0
    named: bool = False  # drawn by named accounts rather than rules

    @property
    def is_leaf(self) -> bool:
        return bool(self.rules) or self.named


SPECS = (
    TerritorySpec("NA", "North America", "NA"),
    TerritorySpec("NA-WEST", "US West", "NA", {"country": US, "postal_prefix": ["8", "9"]}),
    TerritorySpec(
        "NA-CENTRAL", "US Central", "NA", {"country": US, "postal_prefix": ["4", "5", "6", "7"]}
    ),
    TerritorySpec(
        "NA-EAST", "US East", "NA", {"country": US, "postal_prefix": ["0", "1", "2", "3"]}
    ),
    TerritorySpec("NA-CANADA", "Canada", "NA", {"country": ["CA"]}),
    TerritorySpec(
        "NA-FINSERV",
        "North America Financial Services",
        "NA",
        {"region": ["North America"], "industry": ["Financial Services"], "employee_band": BIG},
        priority=10,
    ),
    TerritorySpec(
        "NA-HEALTH",
        "US Healthcare",
        "NA",
        {"country": US, "industry": ["Healthcare"], "employee_band": BIG},
        priority=10,
    ),
    TerritorySpec("NA-STRATEGIC", "North America Strategic Accounts", "NA", named=True),
    TerritorySpec("EMEA", "EMEA", "EMEA"),
    TerritorySpec("EMEA-UKI", "UK & Ireland", "EMEA", {"country": ["GB", "IE"]}),
    TerritorySpec("EMEA-DACH", "DACH", "EMEA", {"country": ["DE", "AT", "CH"]}),
    TerritorySpec("EMEA-FRANCE", "France & Belgium", "EMEA", {"country": ["FR", "BE", "LU"]}),
    TerritorySpec("EMEA-SOUTH", "Southern Europe", "EMEA", {"country": ["ES", "IT", "PT"]}),
    TerritorySpec(
        "EMEA-NORTH", "Nordics & Netherlands", "EMEA", {"country": ["NL", "SE", "DK", "FI", "NO"]}
    ),
    TerritorySpec(
        "EMEA-ENTERPRISE",
        "EMEA Enterprise",
        "EMEA",
        {"region": ["EMEA"], "employee_band": ["strategic"]},
        priority=10,
    ),
    TerritorySpec("APAC", "Asia Pacific", "APAC"),
    TerritorySpec("APAC-ANZ", "Australia & New Zealand", "APAC", {"country": ["AU", "NZ"]}),
    TerritorySpec("APAC-JAPAN", "Japan", "APAC", {"country": ["JP"]}),
    TerritorySpec(
        "APAC-SEA", "Southeast Asia", "APAC", {"country": ["SG", "MY", "TH", "ID", "PH"]}
    ),
    TerritorySpec("APAC-INDIA", "India", "APAC", {"country": ["IN"]}),
)
LEAVES = tuple(s for s in SPECS if s.is_leaf)
# How many account executives a leaf needs relative to its region's others (its bookings).
SHARES = {
    "NA-WEST": 5, "NA-CENTRAL": 10, "NA-EAST": 10, "NA-CANADA": 5, "NA-FINSERV": 4,
    "NA-HEALTH": 2, "NA-STRATEGIC": 3,
    "EMEA-UKI": 5, "EMEA-DACH": 5, "EMEA-FRANCE": 4, "EMEA-SOUTH": 3, "EMEA-NORTH": 3,
    "EMEA-ENTERPRISE": 10,
    "APAC-ANZ": 6, "APAC-JAPAN": 3, "APAC-SEA": 3, "APAC-INDIA": 2,
}  # fmt: skip
NAMED_TERRITORY = "NA-STRATEGIC"


def match(attributes: Mapping[str, str]) -> str | None:
    """The leaf an account falls in by rules (as territories.selectors.match_territories does)."""
    hits = []
    for spec in LEAVES:
        if not spec.rules:
            continue
        ok = True
        for name, values in spec.rules.items():
            actual = attributes["postal_code" if name == "postal_prefix" else name].lower()
            wanted = [v.lower() for v in values]
            ok = (
                any(actual.startswith(v) for v in wanted)
                if name == "postal_prefix"
                else (actual in wanted)
            )
            if not ok:
                break
        if ok:
            hits.append(spec)
    if not hits:
        return None
    best = max(s.priority for s in hits)
    winners = [s for s in hits if s.priority == best]
    return winners[0].code if len(winners) == 1 else None


@dataclass
class Span:
    """A member of a territory over [start, end)."""

    staff: Staff
    start: date
    end: date | None
    role: str = TerritoryMember.Role.OWNER

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass
class Coverage:
    """Who works each territory, over time: territory code → spans."""

    spans: dict[str, list[Span]]
    territories: dict[str, Territory]

    def owners_on(self, code: str, on: date) -> list[Staff]:
        return [
            s.staff
            for s in self.spans[code]
            if s.role == TerritoryMember.Role.OWNER and s.active_on(on)
        ]


def _assign(options: Options, org: Org) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {s.code: [] for s in SPECS}
    for region in REGIONS:
        leaves = [s.code for s in LEAVES if s.region == region.code]
        region_staff = [s for s in org.staff if s.region == region.code]
        initial = [s for s in region_staff if s.replaces is None and s.hired_on < options.start]
        aes = [s for s in initial if (s.former_kind or s.kind) == "ae"]
        seats = allocate(len(aes), [SHARES.get(code, 1) for code in leaves])
        used = 0
        for i, code in enumerate(leaves if aes else []):
            if len(aes) >= len(leaves):  # the region's AEs shared out by the leaves' sizes
                owners = [aes[(used + k) % len(aes)] for k in range(seats[i])]
                used += seats[i]
            else:  # too few AEs: each leaf gets two of them, each AE several leaves
                owners = list(dict.fromkeys([aes[i % len(aes)], aes[(i + 1) % len(aes)]]))
            spans[code] += [Span(a, a.hired_on, a.seller_until()) for a in owners]
        ses = [s for s in region_staff if s.kind == "se"]
        for i, code in enumerate(leaves):
            if ses:
                se = ses[i % len(ses)]
                spans[code].append(
                    Span(se, se.hired_on, se.terminated_on, TerritoryMember.Role.OVERLAY)
                )
        director = next(s for s in region_staff if s.kind == "director")
        spans[region.code].append(
            Span(director, director.hired_on, None, TerritoryMember.Role.OVERLAY)
        )
        for hire in sorted((s for s in region_staff if s.hired_on >= options.start), key=_when):
            if hire.kind != "ae":
                continue
            taken = [c for c in leaves if hire.replaces in {sp.staff for sp in spans[c]}]
            if not taken:
                taken = [min(leaves, key=lambda c: _owner_count(spans[c], hire.hired_on))]
            for code in taken:
                spans[code].append(Span(hire, hire.hired_on, hire.terminated_on))
        for code in leaves:  # nobody left on a leaf today: the least busy current AE takes it
            if _owner_count(spans[code], options.as_of) == 0:
                current = [a for a in region_staff if a.sells_on(options.as_of) and a.kind == "ae"]
                if current:
                    heir = min(current, key=lambda a: (_load(spans, a, options.as_of), a.key))
                    since = max(
                        (sp.end for sp in spans[code] if sp.end is not None),
                        default=options.start,
                    )
                    spans[code].append(Span(heir, max(since, heir.hired_on), None))
    return spans


def _when(staff: Staff) -> tuple[date, str]:
    return (staff.hired_on, staff.key)


def _owner_count(spans: list[Span], on: date) -> int:
    return sum(1 for s in spans if s.role == TerritoryMember.Role.OWNER and s.active_on(on))


def _load(spans: dict[str, list[Span]], staff: Staff, on: date) -> int:
    return sum(1 for code in spans for s in spans[code] if s.staff is staff and s.active_on(on))


def make_territories(options: Options, org: Org, progress: Progress) -> Coverage:
    names = {r.code: r.name for r in REGIONS}
    territories = {
        s.code: Territory(
            code=s.code,
            name=s.name,
            region=names[s.region],
            priority=s.priority,
        )
        for s in SPECS
    }
    parents = [territories[s.code] for s in SPECS if not s.is_leaf]
    create_with_history(Territory, parents)
    for spec in LEAVES:
        territories[spec.code].parent = territories[spec.region]
    create_with_history(Territory, [territories[s.code] for s in LEAVES])
    create_with_history(
        TerritoryRule,
        [
            TerritoryRule(territory=territories[s.code], field=name, value=value)
            for s in LEAVES
            for name, values in s.rules.items()
            for value in values
        ],
    )
    spans = _assign(options, org)
    members = [
        TerritoryMember(
            territory=territories[code],
            person_id=span.staff.pk,
            role=span.role,
            effective_from=span.start,
            effective_to=span.end,
        )
        for code, code_spans in spans.items()
        for span in code_spans
    ]
    create_with_history(TerritoryMember, members)
    progress("territories", len(territories))
    progress("territory members", len(members))
    return Coverage(spans=spans, territories=territories)


def make_named_accounts(coverage: Coverage, account_ids: list[int]) -> int:
    territory = coverage.territories[NAMED_TERRITORY]
    create_with_history(
        NamedAccount, [NamedAccount(territory=territory, account_id=pk) for pk in account_ids]
    )
    return len(account_ids)
