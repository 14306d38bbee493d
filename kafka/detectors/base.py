"""What every finding shares: its declaration, the context it is detected in,
and the helpers that turn facts into a finding in the case's own words.

A finding code is declared once, in its own module, as a :class:`Detector`:
its code and name, the settings it reads (with defaults and ranges), the type
of the facts it hands on, how it is detected, and the :class:`Effect` its
proposal has on the to-be procedure. Its texts live in the catalogues
(``kafka/locale/<lang>/findings.yaml`` and ``simulate.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Callable, Iterable

from kafka.findings import Facts, Finding, Level, Proposal, Saving, Severity, Target
from kafka.graph import CaseGraph
from kafka.i18n import Translator
from kafka.model import ActorLevel, GovernmentLevel
from kafka.output import safe_name
from kafka.settings import Setting, Settings

if TYPE_CHECKING:  # the to-be editor belongs to a later stage; effects only receive one
    from kafka.simulate.editor import Editor


class Phase(IntEnum):
    """When an effect is applied in the to-be, in this order: first who hands over
    what, then what is asked, the forms and the application, the client's contacts,
    the flow, the waits, and the deadlines last, because a deadline can only be
    checked on the final flow. Effects of one phase follow the registry's order."""

    # Before the questions: an organisation that now passes a paper on keeps the step
    # that makes it (D04) before other proposals take the paper away and leave that
    # step without a purpose; a renewal says itself what it no longer asks (R01).
    HANDOVER = 0
    ASKED = 1
    FORM = 2
    APPLICATION = 3
    CONTACTS = 4
    FLOW = 5
    WAITS = 6
    DEADLINES = 7


@dataclass(frozen=True)
class Effect:
    """What taking a finding's proposal changes in the to-be (kafka.simulate): ``apply``
    gets the editor (a copy of the case whose primitives only remove or shrink) and
    the finding."""

    name: str  # a slug for humans and docs, e.g. "ask-once"
    phase: Phase
    apply: Callable[["Editor", Finding], None]


@dataclass(frozen=True)
class Detector:
    """One finding code, declared in one place."""

    code: str  # stable, never reused: D01 ... P03
    name: str  # a slug for humans and docs, e.g. "repeated-question"
    detect: Callable[["Context"], Iterable[Finding]]
    effect: Effect | None = None  # None: taking the proposal changes nothing kafka can model
    settings: tuple[Setting, ...] = ()  # the thresholds only this finding reads
    facts: type[Facts] | None = None  # the type of its findings' ``facts``
    # The theme of its supralocal proposals on the VVSG agenda (kafka.aggregate.agenda.THEMES):
    # data_flows, automatic_granting, deadlines, forms or coordination; "" goes by the proposal's target.
    theme: str = ""



# Which government a non-local actor level stands for.
_ACTOR_GOVERNMENT = {
    ActorLevel.FLEMISH: "flemish",
    ActorLevel.FEDERAL: "federal",
    ActorLevel.EUROPEAN: "european",
}


class Context:
    """The graph, the settings and the translator, with helpers for detectors."""

    def __init__(self, graph: CaseGraph, settings: Settings, t: Translator):
        self.graph = graph
        self.case = graph.case
        self.settings = settings
        self.t = t

    # --- words ---------------------------------------------------------------

    def step_name(self, step_id: str) -> str:
        return self.graph.steps[step_id].name

    def step_names(self, step_ids: Iterable[str]) -> str:
        return self.t.join([self.step_name(s) for s in step_ids])

    def item_name(self, item: str) -> str:
        return self.case.data[item].name

    def item_names(self, items: Iterable[str]) -> str:
        return self.t.join([self.item_name(i) for i in items])

    def fact_label(self, fact: str, step_ids: Iterable[str]) -> str:
        """A fact's name, with the documents that prove it where these steps ask those
        instead: 'Belastbaar inkomen (Aanslagbiljet)'. A version 1 item is just its name."""
        asked = self.graph.asked_by_step
        documents = dict.fromkeys(
            item for s in step_ids for item in asked[s] if item != fact and self.graph.fact(item) == fact
        )
        name = self.item_name(fact)
        return f"{name} ({self.item_names(documents)})" if documents else name

    def fact_labels(self, facts: Iterable[str], step_ids: Iterable[str]) -> str:
        step_ids = list(step_ids)
        return self.t.join([self.fact_label(f, step_ids) for f in facts])

    def organisation(self) -> str:
        return self.case.case.organisation

    def government_name(self, government: str) -> str:
        return self.t(f"common.government.{government}")

    # --- savings --------------------------------------------------------------

    def saving(
        self, client_minutes: float = 0, staff_minutes: float = 0, lead_days: float = 0, *,
        client_minutes_year: float | None = None, staff_minutes_year: float | None = None,
    ) -> Saving:
        """A saving per case, and per year times ``cases_per_year``. The yearly minutes per
        case differ from the per-case minutes when they fall in periodic steps (see
        :meth:`step_saving`)."""
        n = float(self.case.case.cases_per_year)
        client_hours = (client_minutes if client_minutes_year is None else client_minutes_year) / 60 * n
        staff_hours = (staff_minutes if staff_minutes_year is None else staff_minutes_year) / 60 * n
        return Saving(
            client_minutes=round(client_minutes, 2),
            staff_minutes=round(staff_minutes, 2),
            lead_days=round(lead_days, 2),
            client_hours_year=round(client_hours, 2),
            staff_hours_year=round(staff_hours, 2),
            euro_year=round(client_hours * self.settings.client_hour_eur + staff_hours * self.settings.staff_hour_eur, 2),
        )

    def step_saving(
        self, parts: Iterable[tuple[str, float, float]], lead_days: float = 0, staff_kept: float = 0
    ) -> Saving:
        """The saving of (step, client minutes, staff minutes) parts: per case each part once,
        per year each part as often as its step happens (365/N for a periodic step, the
        Standard Cost Model frequency). ``staff_kept`` minutes (a consultation) stay, once."""
        client = staff = client_year = staff_year = 0.0
        for step_id, c, st in parts:
            times = self.graph.times_per_year(step_id)
            client, staff = client + c, staff + st
            client_year, staff_year = client_year + c * times, staff_year + st * times
        return self.saving(
            client, max(0.0, staff - staff_kept), lead_days,
            client_minutes_year=client_year, staff_minutes_year=max(0.0, staff_year - staff_kept),
        )

    def asking_cost(self, step_id: str, fact: str) -> tuple[float, float]:
        """Client and staff minutes of asking ``fact`` (or a document proving it) at
        ``step_id``: a paper costs more than a question."""
        ways = self.graph.fact_asked_by_step[step_id].get(fact, ())
        s = self.settings
        if "attachment" in ways or "brings" in ways:
            return s.document_client_minutes, s.document_staff_minutes
        return s.question_client_minutes, s.question_staff_minutes

    def asking_parts(self, fact: str, step_ids: Iterable[str]) -> list[tuple[str, float, float]]:
        """(step, client minutes, staff minutes) of asking ``fact`` at each of these steps."""
        return [(s, *self.asking_cost(s, fact)) for s in step_ids]

    def is_document(self, fact: str, step_ids: Iterable[str]) -> bool:
        return any(
            {"attachment", "brings"} & set(self.graph.fact_asked_by_step[s].get(fact, ())) for s in step_ids
        )

    # --- who must change it ---------------------------------------------------

    def target(
        self, level: Level, kind: str, id: str, name: str, step_ids: Iterable[str], *,
        owner: str | None = None, sources: Iterable[str] = (), actors_only: bool = False,
    ) -> Target:
        """The target of a proposal at ``level``: the organisation itself, or the
        non-local party behind ``step_ids`` (see :meth:`supralocal_target`)."""
        if level is Level.LOCAL:
            return self.local_target(kind, id, name, owner)
        return self.supralocal_target(kind, id, name, step_ids, sources, actors_only)

    def journey_target(self, step_ids: list[str]) -> tuple[Level, Target]:
        """Level and target of a finding about the client's path (S01, S02): local
        when every actor is local-side, else the first outside actor."""
        g = self.graph
        if g.steps_actors_local(step_ids):
            org = self.organisation()
            return Level.LOCAL, self.local_target("organisation", safe_name(org), org)
        outsider = next(s for s in step_ids if not g.actor_local(g.steps[s].actor))
        target = self.supralocal_target(
            "actor", g.steps[outsider].actor, g.actor(outsider).name, step_ids, actors_only=True
        )
        return Level.SUPRALOCAL, target

    def local_target(self, kind: str, id: str, name: str, owner: str | None = None) -> Target:
        return Target(kind, id, name, owner or self.organisation(), "local")

    def supralocal_target(
        self, kind: str, id: str, name: str, step_ids: Iterable[str], sources: Iterable[str] = (), actors_only: bool = False
    ) -> Target:
        """The target, with the first non-local party behind the steps as owner.

        Rules come first (they mandate the step), then sources without local
        access, then the actors of the steps, then the owners of their forms.
        With ``actors_only`` (findings whose level depends on the actors alone)
        only the actors count.
        """
        government, who = self.non_local_party(step_ids, sources, actors_only)
        owner = f"{self.government_name(government)} ({who})" if who else self.government_name(government)
        return Target(kind, id, name, owner, government)

    def non_local_party(
        self, step_ids: Iterable[str], sources: Iterable[str] = (), actors_only: bool = False
    ) -> tuple[str, str]:
        g = self.graph
        step_ids = list(step_ids)
        for s in step_ids if not actors_only else ():
            for rule in g.rules_of(s):
                if rule.level is not GovernmentLevel.LOCAL:
                    return rule.level.value, rule.name
        for key in sources:
            source = g.sources.get(key)
            if source is not None and not source.local_access:
                return (source.level.value if source.level is not GovernmentLevel.LOCAL else "flemish"), source.name
        for s in step_ids:
            actor = g.actor(s)
            if actor.level in _ACTOR_GOVERNMENT:
                return _ACTOR_GOVERNMENT[actor.level], actor.name
        for s in step_ids if not actors_only else ():
            form = g.form(s)
            if form is not None:
                owner = self.case.actors[form.owner]
                if owner.level in _ACTOR_GOVERNMENT:
                    return _ACTOR_GOVERNMENT[owner.level], owner.name
        return "federal", ""

    # --- building the finding ---------------------------------------------------

    def finding(
        self,
        code: str,
        *,
        severity: Severity,
        level: Level,
        steps: Iterable[str],
        data: Iterable[str] = (),
        message: str,
        proposal_title: str,
        proposal_text: str,
        target: Target,
        saving: Saving,
        facts: Facts | None = None,
    ) -> Finding:
        return Finding(
            code=code,
            title=self.t(f"findings.{code}.title"),
            message=message,
            severity=severity,
            level=level,
            steps=tuple(steps),
            data=tuple(data),
            proposal=Proposal(proposal_title, proposal_text, level, target, saving),
            facts=facts,
        )

    def days(self, value: float) -> str:
        """'1 dag', '14 dagen', '2,5 dagen'."""
        return self.t.n("common.days", round(value, 1))

    def texts(
        self, code: str, level: Level, count: float = 0, variant: str | None = None, **params
    ) -> tuple[str, str, str]:
        """The message, proposal title and proposal text of ``code`` at ``level``
        (or of a named ``variant`` of the proposal); ``count`` chooses the
        plural form where a text has one."""
        t = self.t
        base = f"findings.{code}"
        proposal = f"{base}.proposal.{variant or level.value}"
        keys = (f"{base}.message", f"{proposal}.title", f"{proposal}.text")
        return tuple(_sentence(t.n(key, count, **params)) for key in keys)


def _sentence(text: str) -> str:
    """Fold the spaces that empty optional parts ({fetch}, {no_access}) leave, and
    start with a capital ("de federale overheid bepaalt..." opens some texts)."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def level_of(local: bool) -> Level:
    return Level.LOCAL if local else Level.SUPRALOCAL

