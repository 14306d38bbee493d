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
from typing import TYPE_CHECKING, Callable, Hashable, Iterable, TypeVar

from kafka.administrations import Administration, administrations, find_administration
from kafka.findings import WHOLE_STEP, Facts, Finding, Level, Part, Plan, Proposal, Saving, Severity, Target
from kafka.graph import CaseGraph
from kafka.i18n import Translator
from kafka.model import ActorLevel, GovernmentLevel, StepKind
from kafka.output import safe_name
from kafka.settings import Setting, Settings

if TYPE_CHECKING:  # the to-be editor belongs to a later stage; effects only receive one
    from kafka.simulate.editor import Editor

T = TypeVar("T")
_NOTHING = object()


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
class StepMinutes:
    """A step's client and staff minutes, split into the parts one change can take away:
    every asked item (a question or a paper), the story, the trip to an in-person
    counter. While the step stays, its core (``contact_core_share``: the contact itself)
    stays too; when the parts add up to more than the rest, they are scaled down to fit.

    The to-be editor (kafka.simulate.editor) takes these very parts away, and the
    proposals' savings are made of them, so a saving a proposal promises is what the
    to-be saves when it is taken."""

    items: dict[str, tuple[float, float]]  # item -> (client, staff)
    story: tuple[float, float]
    trip: tuple[float, float]


def split_minutes(graph: CaseGraph, settings: Settings, step_id: str) -> StepMinutes:
    """The parts of one step's minutes (:class:`StepMinutes`), worked out once per graph and
    settings: the detectors ask for them, then the to-be editor of each scenario (read only)."""
    key = (step_id, settings)
    found = graph.step_minutes.get(key)
    if found is None:
        found = graph.step_minutes[key] = _split_minutes(graph, settings, step_id)
    return found


def _split_minutes(graph: CaseGraph, settings: Settings, step_id: str) -> StepMinutes:
    step = graph.steps[step_id]
    s = settings
    paper = (s.document_client_minutes, s.document_staff_minutes)
    question = (s.question_client_minutes, s.question_staff_minutes)
    items = {item: paper if "attachment" in ways or "brings" in ways else question
             for item, ways in graph.asked_by_step[step_id].items()}
    story = (s.story_client_minutes, s.story_staff_minutes) if step.tells_story else (0.0, 0.0)
    trip = (s.trip_client_minutes, 0.0) if step.in_person and step.client_minutes > 0 else (0.0, 0.0)
    parts = [*items.values(), story, trip]
    room = 1.0 - min(1.0, max(0.0, s.contact_core_share))
    client_scale = _scale(step.client_minutes * room, sum([p[0] for p in parts]))
    staff_scale = _scale(step.staff_minutes * room, sum([p[1] for p in parts]))
    return StepMinutes(
        {k: (c * client_scale, st * staff_scale) for k, (c, st) in items.items()},
        (story[0] * client_scale, story[1] * staff_scale), (trip[0] * client_scale, trip[1] * staff_scale),
    )


def _scale(available: float, wanted: float) -> float:
    return 1.0 if wanted <= available or wanted <= 0 else available / wanted


def consultations(plan: Plan) -> list[tuple[Part, float]]:
    """Each part of a plan with the staff minutes kept on it for a consultation, as the to-be
    keeps them (kafka.simulate.editor.Editor.stop_asking): ``staff_kept`` once per fact whose
    asking goes (the staff consult its source instead), from its first part on, never on a
    step that goes as a whole (that takes all its minutes with it)."""
    left: dict[str, float] = {}
    result = []
    for part in plan.parts:
        kept = 0.0
        if part.what != WHOLE_STEP:
            available = left.setdefault(part.what, plan.staff_kept)
            kept = min(available, part.staff)
            left[part.what] = available - kept
        result.append((part, kept))
    return result


class Action(IntEnum):
    """What a proposal does with one fact the client is asked (one action per item,
    kafka.detectors.settle). At one level the higher value wins; REUSE leaves the
    first question, the others leave none."""

    KEEP = 0  # nothing: the item is needed (it identifies the client)
    REUSE = 1  # ask it once, then take it from the file (D01)
    PASS = 2  # the organisations pass the paper on, not the client (D04)
    DROP = 3  # stop asking it: nobody uses it (D03)
    CONSULT = 4  # take it from its authentic source instead (D02): also right when nobody uses it
    LIMIT = 5  # sensitive: ask it only when needed, with the client's consent (D03)


@dataclass(frozen=True, slots=True)
class ItemFacts(Facts):
    """The facts of a finding about one fact asked from the client, with the action its
    proposal takes on it; the findings about the same fact agree on one action."""

    fact: str
    action: Action

    @property
    def stands_apart(self) -> bool:
        """A proposal that never gives way: it asks something no other proposal about the
        item asks (whether a rule still needs it)."""
        return False


@dataclass(frozen=True, slots=True)
class ProposalDraft(Proposal):
    """The proposal of a finding about one fact asked from the client, as its detector hands
    it to :func:`kafka.detectors.settle.settle`: its title and text (and the saving of its
    plan) are only worked out there, for a proposal that stands. About a quarter of the
    findings give way to another proposal about the same fact, which replaces the whole
    proposal (title, text and saving): those were formatted and summed for nothing.
    ``title`` and ``text`` are empty until then; no finding leaves the analysis with one."""

    texts: Callable[[], tuple[str, str]] | None = None  # the title and the text
    saving_of_plan: bool = False  # the saving is that of the finding's plan, worked out then too


@dataclass(frozen=True)
class Decider:
    """Who can make a proposal happen, and which text speaks to them.

    ``variant``: ``local`` (the organisation that runs the procedure), ``other``
    (one other local-side party, such as a syndic, a ziekenfonds or a care
    provider: the level stays local, as the contract says, but the text asks
    that party), ``shared`` (several local-side organisations together) or
    ``supralocal`` (an administration of the Flemish, federal or European
    level). ``who`` names the decider as a sentence does: a case's names in
    quotes, an administration of the catalogue as it is written.
    """

    target: Target
    variant: str
    who: str


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
        self._minutes: dict[str, StepMinutes] = {}
        # Memos of this one analysis (the graph, settings and language never change in it):
        # the findings ask the same things over and over (the asking of one fact at one step
        # by D01, D02, D03, P02 and the settle; the catalogue keys of a code's texts).
        self._asking: dict[tuple[str, str], Part] = {}
        self._text_keys: dict[tuple[str, Level, str | None, str], tuple[str, str, str]] = {}
        self._parties: dict[tuple, tuple[str, list[str], str | None]] = {}
        self._administrations: dict[tuple, tuple[Administration, str]] = {}
        self._addressees: dict[str, str] = {}
        self._articles: dict[str, str] = {}
        self._decides: dict[tuple[str, str], str] = {}
        self._titles: dict[str, str] = {}
        self._step_q: dict[str, str] = {}
        self._memo: dict[tuple[str, Hashable], object] = {}
        self._step_names: dict[tuple[tuple[str, ...], bool], str] = {}
        self._local_deciders: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._local_deciders_of_steps: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._item_q: dict[str, str] = {}
        self._days: dict[float, str] = {}
        self._cents: dict[float, float] = {}  # (see _cents)
        self._per_year = float(self.case.case.cases_per_year)
        self._tariffs = (settings.client_hour_eur, settings.staff_hour_eur)

    def memo(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, worked out once per analysis for ``(kind, key)``: for what several
        findings ask alike (``key`` must hold everything the answer depends on besides this
        context's graph, settings and language)."""
        found = self._memo.get((kind, key), _NOTHING)
        if found is _NOTHING:
            found = self._memo[(kind, key)] = compute()
        return found

    # --- words ---------------------------------------------------------------

    # Every name from the case goes into a sentence in quotes (Translator.quote), and a
    # long list is shortened to its count and the first few (Translator.names): the
    # sentence then never has to agree with a name, whatever the case calls things.

    def q(self, name: str) -> str:
        """A name in quotes: «Huurcontract»."""
        return self.t.quote(name)

    def step_name(self, step_id: str) -> str:
        return self.graph.steps[step_id].name

    def step_names(self, step_ids: Iterable[str], counted: bool = False) -> str:
        """'«A», «B» en «C»', or '12 stappen, o.a. «A», «B» en «C»'; ``counted`` when the
        sentence gives the count already: '«A», «B», «C» en 9 andere'."""
        key = (tuple(step_ids), counted)
        found = self._step_names.get(key)
        if found is None:  # the findings about one fact name the same steps (D01, D02, D03)
            quoted, step_q = self._step_q, self.step_q
            found = self._step_names[key] = self.t.quoted_names([quoted.get(s) or step_q(s) for s in key[0]],
                                                                None if counted else "steps")
        return found

    def step_q(self, step_id: str) -> str:
        quoted = self._step_q.get(step_id)
        if quoted is None:  # every finding names its steps, the same few steps again and again
            quoted = self._step_q[step_id] = self.q(self.step_name(step_id))
        return quoted

    def item_name(self, item: str) -> str:
        return self.case.data[item].name

    def item_names(self, items: Iterable[str], counted: bool = False) -> str:
        return self.t.names([self.item_name(i) for i in items], None if counted else "items")

    def item_q(self, item: str) -> str:
        quoted = self._item_q.get(item)
        if quoted is None:  # the findings about one fact all name it
            quoted = self._item_q[item] = self.q(self.item_name(item))
        return quoted

    def org_names(self, organisations: Iterable[str], counted: bool = False) -> str:
        return self.t.names(list(organisations), None if counted else "organisations")

    def fact_label(self, fact: str, step_ids: Iterable[str]) -> str:
        """A fact's name in quotes, with the documents that prove it where these steps ask
        those instead: '«Belastbaar inkomen» (bewezen met «Aanslagbiljet»)'. A version 1
        item is just its name."""
        if len(self.graph.items_of_fact.get(fact, ())) < 2:  # no document proves it (most facts)
            return self.item_q(fact)
        asked = self.graph.asked_by_step
        documents = dict.fromkeys(
            item for s in step_ids for item in asked[s] if item != fact and self.graph.fact(item) == fact
        )
        name = self.item_q(fact)
        if not documents:
            return name
        return self.t("common.proven_by", fact=name, documents=self.t.names([self.item_name(d) for d in documents]))

    def fact_labels(self, facts: Iterable[str], step_ids: Iterable[str]) -> str:
        step_ids = list(step_ids)
        return self.t.join([self.fact_label(f, step_ids) for f in facts])

    def organisation(self) -> str:
        return self.case.case.organisation

    def organisations_of(self, step_ids: Iterable[str]) -> list[str]:
        """The organisations of these steps' actors, in order, leaving out the client
        (a client doing a step is no organisation)."""
        g = self.graph
        return list(dict.fromkeys(g.organisation(s) for s in step_ids if g.actor(s).level is not ActorLevel.CLIENT))

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
        n = self._per_year
        client_hours = (client_minutes if client_minutes_year is None else client_minutes_year) / 60 * n
        staff_hours = (staff_minutes if staff_minutes_year is None else staff_minutes_year) / 60 * n
        client_hour_eur, staff_hour_eur = self._tariffs
        known = self._cents
        return Saving(
            _cents(client_minutes, known), _cents(staff_minutes, known), _cents(lead_days, known),
            _cents(client_hours, known), _cents(staff_hours, known),
            _cents(client_hours * client_hour_eur + staff_hours * staff_hour_eur, known),
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

    def minutes(self, step_id: str) -> StepMinutes:
        """The parts of a step's minutes, as the to-be takes them away (:func:`split_minutes`)."""
        found = self._minutes.get(step_id)
        if found is None:
            found = self._minutes[step_id] = split_minutes(self.graph, self.settings, step_id)
        return found

    def asking_cost(self, step_id: str, fact: str) -> tuple[float, float]:
        """Client and staff minutes of asking ``fact`` (and every document proving it) at
        ``step_id``: a paper costs more than a question, and no more than the step has."""
        parts = self.minutes(step_id).items
        items = self.graph.items_of_fact.get(fact) or [fact]
        if len(items) == 1:  # most facts: no document proves them (the same sums, of one or no part)
            part = parts.get(items[0])
            return (0, 0) if part is None else (0 + part[0], 0 + part[1])
        items = [i for i in items if i in parts]
        return sum(parts[i][0] for i in items), sum(parts[i][1] for i in items)

    def asking_part(self, step_id: str, fact: str) -> Part:
        """The part of asking ``fact`` at ``step_id`` (worked out once per analysis: several
        findings about the same fact ask for it)."""
        part = self._asking.get((step_id, fact))
        if part is None:
            part = self._asking[(step_id, fact)] = Part(step_id, fact, *self.asking_cost(step_id, fact))
        return part

    def asking_parts(self, fact: str, step_ids: Iterable[str]) -> list[Part]:
        """The parts of asking ``fact`` at each of these steps."""
        known, asking_part = self._asking, self.asking_part  # most are known: a lookup, not a call
        return [known.get((s, fact)) or asking_part(s, fact) for s in step_ids]

    def asking_parts_of(self, facts: Iterable[str], step_id: str) -> list[Part]:
        """The parts of asking each of ``facts`` at one step."""
        return [self.asking_part(step_id, f) for f in facts]

    def fetch_parts(self, fact: str) -> list[Part]:
        """The trips that only fetch a paper proving ``fact`` (a step that provides it, costs
        the client time and does nothing else): they go when nobody asks the paper any more."""
        g = self.graph
        parts = []
        for p in g.fact_providers.get(fact, []):
            step = g.steps[p]
            if (step.client_minutes > 0 and not g.asked_by_step[p] and not step.tells_story and not step.uses
                    and not step.rule and step.kind is not StepKind.DECISION
                    and all(g.fact(i) in g.fact_askers for i in step.provides)):
                parts.append(Part(p, WHOLE_STEP, step.client_minutes, step.staff_minutes))  # the trip goes as a whole
        return parts

    def plan_saving(self, plan: Plan) -> Saving:
        """The saving of a plan: its parts (each as often a year as its step happens), its
        days, less the staff minutes it keeps for each fact it stops asking."""
        # consultations() and step_saving() in one loop (every finding with a plan comes
        # here, some twice), with the same sums in the same order: the same floats.
        times_a_year = self.graph.times_a_year
        client = staff = client_year = staff_year = 0.0
        left: dict[str, float] = {}
        for part in plan.parts:
            kept = 0.0
            if part.what != WHOLE_STEP:
                available = left.get(part.what, plan.staff_kept)
                kept = min(available, part.staff)
                left[part.what] = available - kept
            c, st = part.client, part.staff - kept
            times = times_a_year[part.step]
            client, staff = client + c, staff + st
            client_year, staff_year = client_year + c * times, staff_year + st * times
        return self.saving(client, max(0.0, staff), plan.lead_days,
                           client_minutes_year=client_year, staff_minutes_year=max(0.0, staff_year))

    def is_document(self, fact: str, step_ids: Iterable[str]) -> bool:
        return any(
            {"attachment", "brings"} & set(self.graph.fact_asked_by_step[s].get(fact, ())) for s in step_ids
        )

    # --- who must change it ---------------------------------------------------

    def decider(
        self, level: Level, kind: str, id: str, name: str, step_ids: Iterable[str], *,
        organisations: Iterable[str] | None = None, sources: Iterable[str] = (), actors_only: bool = False,
    ) -> Decider:
        """Who can carry out a proposal at ``level``, and which text variant speaks to them.

        At the local level (the contract's: every actor local-side) the decider is
        the organisation that owns what must change: ``organisations`` (by default
        those of ``step_ids``). Only when that is the organisation that runs the
        procedure does a text say "the organisation can do this itself"; another
        party (a syndic, a ziekenfonds, a care provider) is asked, and several
        parties make an agreement together. At the supralocal level it is the
        administration responsible (:meth:`supralocal_target`).
        """
        step_ids = list(step_ids)
        if level is Level.SUPRALOCAL:
            target = self.supralocal_target(kind, id, name, step_ids, sources, actors_only)
            return Decider(target, "supralocal", self.called(target))
        if organisations is None:  # those of the steps: the same steps come back finding after finding
            found = self._local_deciders_of_steps.get(tuple(step_ids))
            if found is None:
                found = self._local_deciders_of_steps[tuple(step_ids)] = self._local_decider_of(
                    self.organisations_of(step_ids))
        else:
            found = self._local_decider_of(organisations)
        owner, variant, who = found
        return Decider(Target(kind, id, name, owner, "local"), variant, who)

    def _local_decider_of(self, organisations: Iterable[str]) -> tuple[str, str, str]:
        orgs = tuple(dict.fromkeys(organisations))
        found = self._local_deciders.get(orgs)
        if found is None:  # the same organisations decide finding after finding
            found = self._local_deciders[orgs] = self._local_decider(list(orgs))
        return found

    def _local_decider(self, orgs: list[str]) -> tuple[str, str, str]:
        """The owner, text variant and words of a local decider made of these organisations."""
        home = self.organisation()
        if not orgs or set(orgs) == {home}:
            return home, "local", self.q(home)
        if len(orgs) == 1:
            return orgs[0], "other", self.q(orgs[0])
        orgs = sorted(orgs, key=lambda o: o != home)  # the organisation itself first
        return self.t.join(orgs), "shared", self.org_names(orgs)

    def target(
        self, level: Level, kind: str, id: str, name: str, step_ids: Iterable[str], *,
        owner: str | None = None, sources: Iterable[str] = (), actors_only: bool = False,
    ) -> Target:
        """The target of a proposal at ``level``: the organisation itself (or ``owner``),
        or the administration behind ``step_ids`` (see :meth:`supralocal_target`)."""
        if level is Level.LOCAL:
            return self.local_target(kind, id, name, owner)
        return self.supralocal_target(kind, id, name, step_ids, sources, actors_only)

    def local_target(self, kind: str, id: str, name: str, owner: str | None = None) -> Target:
        return Target(kind, id, name, owner or self.organisation(), "local")

    def supralocal_target(
        self, kind: str, id: str, name: str, step_ids: Iterable[str], sources: Iterable[str] = (), actors_only: bool = False
    ) -> Target:
        """The target, addressed to the administration behind the first non-local party of the steps.

        Rules come first (they mandate the step), then sources without local
        access, then the actors of the steps, then the owners of their forms.
        With ``actors_only`` (findings whose level depends on the actors alone)
        only the actors count. The party's words (a rule's reference and name,
        a source, an actor's organisation) find the administration in the
        catalogue (:func:`kafka.administrations.find_administration`); when none
        matches for sure, the government level alone ("de federale overheid").
        """
        key = (tuple(step_ids), tuple(sources), actors_only)
        found = self._administrations.get(key)
        if found is None:  # the same steps come back finding after finding
            government, names, source = self.non_local_party(*key)
            found = self._administrations[key] = (find_administration(government, *names, source=source), government)
        return self.administration_target(kind, id, name, *found)

    def source_target(self, kind: str, id: str, name: str, source_key: str) -> Target:
        """The target of opening up an authentic source: the administration that owns it."""
        source = self.graph.sources[source_key]
        government = source.level.value if source.level is not GovernmentLevel.LOCAL else "flemish"
        admin = find_administration(government, source.name, source=source_key)
        return self.administration_target(kind, id, name, admin, government)

    def administration_target(
        self, kind: str, id: str, name: str, admin: Administration, government: str | None = None
    ) -> Target:
        """A target addressed to ``admin``. Its ``government`` stays the level the case gives
        (the aggregate's keys and the status register of earlier years are built on it),
        even where the administration belongs to another level: the owner's words say that."""
        return Target(kind, id, name, self.addressee(admin), government or admin.government, admin.key)

    def addressee(self, admin: Administration) -> str:
        """'POD Maatschappelijke Integratie (POD MI, federaal)', 'VDAB (Vlaams)'; the level
        alone ('de federale overheid') when the catalogue could not say which administration."""
        found = self._addressees.get(admin.key)  # admin: an entry of the catalogue, one per key
        if found is None:
            found = self._addressees[admin.key] = self._addressee(admin)
        return found

    def _addressee(self, admin: Administration) -> str:
        if not admin.specific:
            return self.government_name(admin.government)
        name = admin.name(self.t.lang)
        level = self.t(f"common.rule_level.{admin.government}")
        if level.casefold() in name.casefold():  # "Federale Pensioendienst", "VDAB (Flemish employment service)"
            return name
        return f"{name[:-1]}, {level})" if name.endswith(")") else f"{name} ({level})"

    def called(self, target: Target) -> str:
        """The addressee as a sentence names it, with its article: 'de FOD Justitie (federaal)',
        'het RIZIV (...)', 'Opgroeien (Vlaams)'; the owner itself stays without one (it is the
        aggregate's key and the status register's)."""
        article = self._articles.get(target.administration)
        if article is None:
            admin = administrations().get(target.administration)
            article = self._articles[target.administration] = (
                admin.article(self.t.lang) if admin is not None and admin.specific else "")
        return f"{article} {target.owner}" if article else target.owner

    def decides(self, decider: Decider) -> str:
        """The sentence that says who decides: 'Dit kan lokaal: de beslissing ligt bij «OCMW X».'"""
        key = (decider.variant, decider.who)
        found = self._decides.get(key)
        if found is None:
            found = self._decides[key] = self.t(f"findings.decides.{decider.variant}", who=decider.who,
                                                home=self.q(self.organisation()))
        return found

    def journey_target(self, step_ids: list[str]) -> tuple[Level, Target]:
        """Level and target of a finding about the client's path (S01, S02): local
        when every actor is local-side, else the first outside actor."""
        decider = self.journey_decider(step_ids)
        return (Level.SUPRALOCAL if decider.variant == "supralocal" else Level.LOCAL), decider.target

    def journey_decider(self, step_ids: list[str]) -> Decider:
        """The decider of a finding about the client's path (S01, S02): the organisations
        on it when every actor is local-side, else the administration of the first outside actor."""
        g = self.graph
        org = self.organisation()
        if g.steps_actors_local(step_ids):
            return self.decider(Level.LOCAL, "organisation", safe_name(org), org, step_ids)
        outsider = next(s for s in step_ids if not g.actor_local(g.steps[s].actor))
        target = self.supralocal_target(
            "actor", g.steps[outsider].actor, g.actor(outsider).name, step_ids, actors_only=True
        )
        return Decider(target, "supralocal", self.called(target))

    def non_local_party(
        self, step_ids: Iterable[str], sources: Iterable[str] = (), actors_only: bool = False
    ) -> tuple[str, list[str], str | None]:
        """The government of the first non-local party behind the steps, the words that name
        it (a rule's reference and name, a source's name, an actor's organisation and name),
        and the key of its source when it is a source."""
        key = (tuple(step_ids), tuple(sources), actors_only)
        found = self._parties.get(key)
        if found is None:  # asked for the same steps by the decider of several findings
            found = self._parties[key] = self._non_local_party(*key)
        government, names, source = found
        return government, list(names), source

    def _non_local_party(
        self, step_ids: tuple[str, ...], sources: tuple[str, ...], actors_only: bool
    ) -> tuple[str, list[str], str | None]:
        g = self.graph
        step_rules = g.step_rules
        for s in step_ids if not actors_only else ():
            for rule in step_rules[s]:
                if rule.level is not GovernmentLevel.LOCAL:
                    return rule.level.value, [t for t in (rule.ref, rule.name) if t], None
        for key in sources:
            source = g.sources.get(key)
            if source is not None and not source.local_access:
                government = source.level.value if source.level is not GovernmentLevel.LOCAL else "flemish"
                return government, [source.name], key
        for s in step_ids:
            actor = g.actor(s)
            if actor.level in _ACTOR_GOVERNMENT:
                return _ACTOR_GOVERNMENT[actor.level], [actor.org, actor.name], None
        for s in step_ids if not actors_only else ():
            form = g.form(s)
            if form is not None:
                owner = self.case.actors[form.owner]
                if owner.level in _ACTOR_GOVERNMENT:
                    return _ACTOR_GOVERNMENT[owner.level], [owner.org, owner.name], None
        return "federal", [], None

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
        proposal_title: str = "",
        proposal_text: str = "",
        target: Target,
        saving: Saving | None = None,
        plan: Plan | None = None,
        facts: Facts | None = None,
        proposal_texts: Callable[[], tuple[str, str]] | None = None,
    ) -> Finding:
        """A finding; its saving is given, or made up of a ``plan`` whose parts another
        proposal may take away first (kafka.detectors.settle counts each part once).

        ``proposal_texts`` instead of ``proposal_title`` and ``proposal_text``: what gives
        them, for a proposal that may give way (:class:`ProposalDraft`; from
        :meth:`texts_later`); the saving of its plan is then worked out with them."""
        title = self._titles.get(code)
        if title is None:
            title = self._titles[code] = self.t(f"findings.{code}.title")
        if proposal_texts is not None:
            from_plan = saving is None and plan is not None
            proposal = ProposalDraft("", "", level, target, saving if saving is not None else Saving(), None,
                                     proposal_texts, from_plan)
        else:
            if saving is None:
                saving = self.plan_saving(plan) if plan is not None else Saving()
            proposal = Proposal(proposal_title, proposal_text, level, target, saving)
        return Finding(
            code=code,
            title=title,
            message=message,
            severity=severity,
            level=level,
            steps=tuple(steps),
            data=tuple(data),
            proposal=proposal,
            facts=facts,
            plan=plan,
        )

    def days(self, value: float) -> str:
        """'1 dag', '14 dagen', '2,5 dagen'."""
        value = round(value, 1)
        if not value:  # 0 and -0.0 are equal keys, but not the same text: not kept
            return self.t.n("common.days", value)
        found = self._days.get(value)
        if found is None:  # the same waits and deadlines come back finding after finding
            found = self._days[value] = self.t.n("common.days", value)
        return found

    def texts(
        self, code: str, level: Level, count: float = 0, variant: str | None = None, message: str = "message",
        **params,
    ) -> tuple[str, str, str]:
        """The message, proposal title and proposal text of ``code`` at ``level``, or of a
        named ``variant`` of the proposal (a decider's ``other`` or ``shared``) when the
        catalogue has one, else of the level; ``message`` names another message key;
        ``count`` chooses the plural form where a text has one."""
        t = self.t
        keys = self._keys(code, level, variant, message)
        message, title, text = t.plurals(keys, count, params)
        return _sentence(message), _sentence(title), _sentence(text)

    def _keys(self, code: str, level: Level, variant: str | None, message: str) -> tuple[str, str, str]:
        """The catalogue keys of the message, proposal title and proposal text (see :meth:`texts`)."""
        keys = self._text_keys.get((code, level, variant, message))
        if keys is None:
            base = f"findings.{code}"
            proposal = f"{base}.proposal.{variant}"
            if variant is None or not self.t.has(f"{proposal}.title"):
                proposal = f"{base}.proposal.{level.value}"
            keys = self._text_keys[(code, level, variant, message)] = (
                f"{base}.{message}", f"{proposal}.title", f"{proposal}.text")
        return keys

    def texts_later(
        self, code: str, level: Level, count: float = 0, variant: str | None = None, message: str = "message",
        **params,
    ) -> tuple[str, Callable[[], tuple[str, str]]]:
        """:meth:`texts`, with the proposal's title and text given by a function called when
        they are needed (``proposal_texts`` of :meth:`finding`): the message now."""
        t = self.t
        keys = self._keys(code, level, variant, message)
        (found,) = t.plurals(keys[:1], count, params)

        def proposal() -> tuple[str, str]:
            title, text = t.plurals(keys[1:], count, params)
            return _sentence(title), _sentence(text)

        return _sentence(found), proposal


def _cents(value: float, known: dict[float, float]) -> float:
    """``round(value, 2)``: a zero as it is, a float remembered in ``known`` (the savings of
    an analysis round the same minutes and hours again and again, and a correctly rounded
    float is a tenth of a microsecond's work three times over)."""
    if not value:  # 0, 0.0 and -0.0 round to themselves (and -0.0 and 0.0 are one key)
        return value
    if type(value) is not float:  # a whole number stays one: not a key beside the equal float
        return round(value, 2)
    found = known.get(value)
    if found is None:
        found = known[value] = round(value, 2)
    return found


def _sentence(text: str) -> str:
    """Fold the spaces that empty optional parts ({fetch}, {no_access}) leave, and
    start with a capital ("de federale overheid ..." opens some texts); a text that
    opens with a quoted name keeps it as the case writes it."""
    # Most texts have nothing to fold (three per finding): split and join only a text
    # with two spaces in a row, a space at either end, or another white space (every
    # white space but " " is unprintable), which is when folding changes it.
    if "  " in text or not text.isprintable() or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    first = text[:1]
    capital = first.upper()
    return text if capital == first else capital + text[1:]  # most open with a capital or a quote


def level_of(local: bool) -> Level:
    return Level.LOCAL if local else Level.SUPRALOCAL

