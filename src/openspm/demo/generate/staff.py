"""The sales organisation in memory, before it is written: people, their lines and moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SELLER_KINDS = frozenset({"ae", "sdr", "se"})
QUOTA_KINDS = SELLER_KINDS | {"manager"}


@dataclass
class Line:
    """Reports to `manager` over [start, end); end None = still open."""

    manager: Staff
    start: date
    end: date | None = None

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass(eq=False)
class Staff:
    """One person of the demo company and their history."""

    key: str  # Person.external_id
    kind: str  # vp, director, manager, ae, sdr, se (what they are today)
    region: str  # a Region.code; "" for the VP
    title: str
    first_name: str
    last_name: str
    currency: str
    hired_on: date
    terminated_on: date | None = None
    promoted_on: date | None = None  # the day a seller became a manager
    former_kind: str = ""  # what they were before `promoted_on`
    replaces: Staff | None = None  # the leaver this hire took over from
    lines: list[Line] = field(default_factory=list)
    pk: int = 0  # the Person's id, once saved

    def employed_on(self, on: date) -> bool:
        return self.hired_on <= on and (self.terminated_on is None or on < self.terminated_on)

    def employed_between(self, start: date, end: date) -> bool:
        """Employed on at least one day of [start, end]."""
        return self.hired_on <= end and (self.terminated_on is None or self.terminated_on > start)

    def kind_on(self, on: date) -> str:
        if self.promoted_on is not None and on < self.promoted_on:
            return self.former_kind
        return self.kind

    def manager_on(self, on: date) -> Staff | None:
        return next((line.manager for line in self.lines if line.active_on(on)), None)

    def seller_until(self) -> date | None:
        """The day this person stopped selling (left or was promoted); None = still sells."""
        return self.promoted_on or self.terminated_on

    def sells_on(self, on: date) -> bool:
        return self.employed_on(on) and self.kind_on(on) in SELLER_KINDS

    def move(self, manager: Staff, on: date) -> None:
        """From `on`, report to `manager`: the open line ends where the new one starts."""
        self.lines[-1].end = on
        self.lines.append(Line(manager, on))

    def leave(self, on: date) -> None:
        self.terminated_on = on
        self.lines[-1].end = on

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Org:
    """The whole organisation, with the people the demo logins belong to."""

    staff: list[Staff]
    vp: Staff
    login_manager: Staff
    login_rep: Staff

    def of_kind(self, *kinds: str) -> list[Staff]:
        return [s for s in self.staff if s.kind in kinds]

    def sellers(self, kind: str = "") -> list[Staff]:
        """Everyone who ever sold (including promoted managers), optionally of one kind."""
        wanted = {kind} if kind else SELLER_KINDS
        return [s for s in self.staff if (s.former_kind or s.kind) in wanted]

    def reports_of(self, manager: Staff, on: date) -> list[Staff]:
        return [s for s in self.staff if s.manager_on(on) is manager]
