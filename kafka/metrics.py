"""The metrics of a case: the contract's (case-format.md) and kafka's additions.

Steps are counted once each (loops are not repeated) unless stated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from kafka.graph import CaseGraph
from kafka.model import ActorLevel
from kafka.settings import Settings

CONTRACT_METRICS = (
    "lead_time_days",
    "client_minutes",
    "staff_minutes",
    "client_contacts",
    "in_person_visits",
    "organisations",
    "story_count",
    "data_asked",
    "data_unique",
)


@dataclass(frozen=True)
class Annual:
    """Per-year figures: the per-case burden times ``cases_per_year`` (Standard Cost Model)."""

    cases: float
    client_hours: float
    staff_hours: float
    client_cost_eur: float
    staff_cost_eur: float
    total_cost_eur: float
    client_contacts: float
    in_person_visits: float
    stories: float


@dataclass(frozen=True)
class Metrics:
    # --- the contract ---
    lead_time_days: float
    client_minutes: float
    staff_minutes: float
    client_contacts: int
    in_person_visits: int
    organisations: int
    story_count: int
    data_asked: int
    data_unique: int
    # --- kafka's additions ---
    steps: int
    longest_path: tuple[str, ...]
    waiting_days: float  # wait_days on the longest path
    touch_days: float  # duration_days on the longest path
    flow_efficiency: float | None  # touch_days / lead_time_days; None when no working time is recorded (no duration_days on the longest path)
    handoffs: int  # changes of organisation between consecutive steps of the longest path
    loop_extra_days: float  # expected days that loops add, from their chance
    # --- version 1.1 ---
    dependency_lead_time_days: float  # the lead time of the real dependencies (depends_on)
    take_up: float | None  # cases_per_year / eligible_per_year; None without eligible_per_year
    repeating_steps: tuple[str, ...]  # steps with repeats_every_days, counted 365/N times a year in `annual`
    annual: Annual

    def contract(self) -> dict:
        """The contract's metrics, by their contract names."""
        return {name: getattr(self, name) for name in CONTRACT_METRICS}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["longest_path"] = list(self.longest_path)
        data["repeating_steps"] = list(self.repeating_steps)
        return data

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def compute_metrics(graph: CaseGraph, settings: Settings) -> Metrics:
    case = graph.case
    steps = case.steps
    path = graph.longest_path
    client_minutes = float(sum(s.client_minutes for s in steps))
    staff_minutes = float(sum(s.staff_minutes for s in steps))
    # Standard Cost Model frequency: a periodic step counts 365/N times a year.
    client_minutes_year = float(sum(s.client_minutes * graph.times_per_year(s.id) for s in steps))
    staff_minutes_year = float(sum(s.staff_minutes * graph.times_per_year(s.id) for s in steps))
    asked_pairs = sum(len(items) for items in graph.asked_by_step.values())
    waiting = float(sum(graph.steps[s].wait_days for s in path.steps))
    touch = float(sum(graph.steps[s].duration_days for s in path.steps))
    orgs_on_path = [graph.organisation(s) for s in path.steps]
    handoffs = sum(1 for a, b in zip(orgs_on_path, orgs_on_path[1:]) if a != b)

    n = float(case.case.cases_per_year)
    client_hours = client_minutes_year / 60 * n
    staff_hours = staff_minutes_year / 60 * n
    client_cost = client_hours * settings.client_hour_eur
    staff_cost = staff_hours * settings.staff_hour_eur
    contacts = len(graph.client_steps)
    visits = len(graph.in_person_steps)
    stories = sum(1 for s in steps if s.tells_story)

    return Metrics(
        lead_time_days=float(path.days),
        client_minutes=client_minutes,
        staff_minutes=staff_minutes,
        client_contacts=contacts,
        in_person_visits=visits,
        # Version 1.1 correction: a client doing a step themselves is not an organisation.
        organisations=len({graph.organisation(s) for s in graph.client_steps
                           if graph.actor(s).level is not ActorLevel.CLIENT}),
        story_count=stories,
        data_asked=asked_pairs,
        data_unique=len(graph.askers),
        steps=len(steps),
        longest_path=path.steps,
        waiting_days=waiting,
        touch_days=touch,
        # Without duration_days the working time was not recorded: not "0% of the time worked".
        flow_efficiency=round(touch / path.days, 4) if path.days and touch > 0 else None,
        handoffs=handoffs,
        loop_extra_days=round(sum(loop_expected_extra(graph, g, settings)["days"] for g in graph.loops), 2),
        dependency_lead_time_days=float(graph.dependency_lead_time),
        take_up=take_up(case),
        repeating_steps=tuple(s.id for s in steps if s.repeats_every_days),
        annual=Annual(
            cases=n,
            client_hours=round(client_hours, 2),
            staff_hours=round(staff_hours, 2),
            client_cost_eur=round(client_cost, 2),
            staff_cost_eur=round(staff_cost, 2),
            total_cost_eur=round(client_cost + staff_cost, 2),
            client_contacts=contacts * n,
            in_person_visits=visits * n,
            stories=stories * n,
        ),
    )


def take_up(case) -> float | None:
    """The share of the entitled people who go through the procedure a year
    (``cases_per_year / eligible_per_year``), or None when the case does not say how many are entitled."""
    eligible = case.case.eligible_per_year
    if not eligible:
        return None
    return round(float(case.case.cases_per_year) / eligible, 4)


def loop_expected_extra(graph: CaseGraph, group: list[str], settings: Settings) -> dict[str, float]:
    """Expected extra days and minutes per case that one loop group adds.

    Each loop-back edge u -> v with chance p sends the case back to v, to redo
    the steps from v to u: on average p / (1 - p) extra rounds (a geometric
    series). A chance of 1 would never end; it is capped at 0.9.
    """
    days = client = staff = 0.0
    by_target: dict[str, list[tuple[str, dict]]] = {}
    for u, v, data in graph.loop_edges(group):
        by_target.setdefault(v, []).append((u, data))
    # One longest-path run per loop target answers all its loop edges, and the sums
    # along each path are accumulated in the same pass: a step that loops back to every
    # earlier step stays quadratic instead of running one path search per edge.
    for v, edges in by_target.items():
        totals = graph.path_totals(v, max(graph.order[u] for u, _ in edges))
        for u, data in edges:
            chance = data["chance"] if data["chance"] is not None else settings.default_loop_chance
            chance = min(chance, 0.9)
            rounds = chance / (1 - chance)
            redo_days, redo_client, redo_staff = totals.get(u) or totals[v]  # u unreachable: redo v alone
            days += rounds * redo_days
            client += rounds * redo_client
            staff += rounds * redo_staff
    return {"days": days, "client_minutes": client, "staff_minutes": staff}
