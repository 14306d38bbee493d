"""The supralocal agenda (agenda.html): what VVSG takes to a meeting with the governments.

Built from the merged proposals (:mod:`kafka.aggregate.tables`), the
administrations catalogue (:mod:`kafka.administrations`) and the follow-up
(:mod:`kafka.aggregate.followup`). The page is meant to be printed:

* a head with the date, the period the cases cover and the cases themselves;
* one page of summary: the ten proposals that matter most, ranked by saving
  and by the number of OCMW's together (the sum of both ranks), and what
  each administration is asked;
* the proposals grouped by theme (data flows and attests, automatic
  granting, deadlines and waiting, forms, coordination), each addressed to
  the administration and policy domain that can carry it out, with its
  status and the evidence from each case.

Thresholds (:class:`AgendaOptions`) leave out small items: a proposal stays
when enough OCMW's share it and it saves enough money *or* enough days of
lead time (a deadline exceeded saves days, not euros); the page says how
many it left out and why. proposals.csv always has them all.

A deadline the organisation must meet protects the client: the agenda never
proposes that it start later, and says so on the item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from kafka.administrations import Administration, administrations, government_level
from kafka.aggregate.followup import FollowUp
from kafka.aggregate.options import AgendaOptions  # noqa: F401 - where it was; the agenda reads it
from kafka.aggregate.status import StatusEntry
from kafka.i18n import Translator

THEMES = ("data_flows", "automatic_granting", "deadlines", "forms", "coordination")

# A finding declares its theme (kafka.detectors.base.Detector.theme); one that does not goes by its target.
_THEME_OF_TARGET = {"data": "data_flows", "data_source": "data_flows", "source": "data_flows", "form": "forms"}

SUMMARY_SIZE = 10
EVIDENCE_PER_ITEM = 12  # cases listed per item; the rest are counted ("and N more")


@dataclass
class Evidence:
    case_title: str
    report: str
    organisation: str
    procedure: str
    message: str


@dataclass
class StatusView:
    status: str  # the register's word: nieuw, geagendeerd ...
    label: str  # as the reader reads it
    date: str  # as shown
    owner: str
    note: str


@dataclass
class Addressee:
    name: str  # the administration, or the government level when unsure
    short: str  # its short name, for tables
    domain: str  # its policy domain; "" for a government level alone
    government: str  # federal | flemish | european
    government_name: str
    level: str  # the government in a word
    specific: bool
    others: list[str]  # the other administrations some of the cases point to


@dataclass
class AgendaItem:
    anchor: str
    key: str
    theme: str  # one of THEMES
    number: int  # its place on the agenda, 1 ...
    code: str
    title: str  # the finding's title ("Authentieke bron genegeerd")
    proposal: str
    proposal_text: str
    target_kind: str
    target: str
    details: str
    to: Addressee
    cases: int
    organisations: int
    euro_year_saved: float
    lead_days: float
    evidence: list[Evidence]
    more: int
    status: StatusView
    history: list[StatusView]  # older entries, oldest first
    not_seen_since: str  # as shown; "" when newer cases still show it
    protects_client: bool  # a deadline the organisation must meet
    importance: int  # rank by saving + rank by OCMW's: smaller matters more


@dataclass
class Theme:
    key: str
    label: str
    intro: str
    items: list[AgendaItem]


@dataclass
class AdministrationLine:
    name: str
    short: str
    level: str  # the government, in a word: federaal, Vlaams
    government_name: str
    domain: str
    items: int
    organisations: int
    euro_year_saved: float
    anchors: list[tuple[int, str]]  # (number, anchor) of its items
    reached: frozenset[str] = frozenset()  # the organisations its items come from


@dataclass
class AgendaPage:
    date: str  # the day the agenda was made, as shown
    period: str  # the dates of the cases, as shown ("" when they have none)
    cases: int
    organisations: int
    organisation_names: list[str]
    organisations_text: str  # the names, or the first ones and how many more
    procedures: list[str]
    summary: list[AgendaItem]  # the ten that matter most
    administrations: list[AdministrationLine]
    kept_organisations: int  # the OCMW's the items on the agenda come from
    themes: list[Theme]
    items: int  # on the agenda
    left_out: int  # below the thresholds
    thresholds: str  # the thresholds in words
    kept_saving: float  # the items on the agenda, summed (the table per administration adds up to it)
    left_out_saving: float  # the proposals the thresholds left out, summed
    total_saving: float  # every supralocal proposal: kept_saving + left_out_saving
    status_counts: list[tuple[str, int]]  # (label, number of items), in register order
    downloads: list = field(default_factory=list)

    @property
    def print_footer(self) -> tuple[Markup, Markup, Markup]:
        """The running head and the words around the page number, as CSS strings for the @page margin boxes."""
        return (css_string(self.running_head), css_string(self.page_word), css_string(self.page_of))

    running_head: str = ""
    page_word: str = ""
    page_of: str = ""


def agenda_page(tables, t: Translator, options: AgendaOptions = AgendaOptions(),
                follow: FollowUp | None = None, downloads: list | None = None) -> AgendaPage:
    """The agenda of ``tables`` (kafka.aggregate.tables.Tables)."""
    follow = follow or FollowUp()
    proposals = tables.proposals[tables.proposals["level"] == "supralocal"].copy()
    findings = tables.findings[tables.findings["level"] == "supralocal"]
    cases = tables.cases
    proposals["importance"] = proposals["rank"] + proposals["rank_organisations"]
    proposals = proposals.sort_values(["importance", "rank"], kind="stable")
    reach = pd.Series([theme_of(code, kind) == "automatic_granting"
                       for code, kind in zip(proposals["code"], proposals["target_kind"])],
                      index=proposals.index, dtype=bool)
    kept = proposals[(proposals["organisations"] >= options.min_ocmws)
                     & ((proposals["euro_year_saved"] >= options.min_saving)
                        | (proposals["lead_days_saved_mean"] >= options.min_days) | reach)]
    evidence = _evidence(findings, cases, t)
    items = [_item(r, n, evidence.get(r["key"], []), t, follow) for n, r in enumerate(_records(kept), start=1)]

    themes = []
    for key in THEMES:
        mine = [item for item in items if item.theme == key]
        if mine:
            themes.append(Theme(key, t(f"aggregate.agenda.theme.{key}"), t(f"aggregate.agenda.theme_intro.{key}"), mine))
    # Number the items in the order they are printed: theme by theme.
    number = 0
    for theme in themes:
        for item in theme.items:
            number += 1
            item.number = number
    summary = sorted(items, key=lambda i: (i.importance, -i.euro_year_saved))[:SUMMARY_SIZE]
    lines = _administration_lines(items, findings)

    kept_saving = float(kept["euro_year_saved"].sum())
    total_saving = float(proposals["euro_year_saved"].sum())
    dates = sorted(d for d in cases["date"] if d)
    status_counts = [(t(f"aggregate.status.{s}"), sum(1 for i in items if i.status.status == s))
                     for s in ("nieuw", "geagendeerd", "aanvaard", "uitgevoerd", "afgewezen")]
    return AgendaPage(
        date=format_date(follow.run_date, t),
        period=t("aggregate.agenda.period", start=format_date(dates[0], t), end=format_date(dates[-1], t))
        if dates else "",
        cases=len(cases), organisations=int(cases["organisation"].nunique()),
        organisation_names=sorted(cases["organisation"].unique()),
        organisations_text=_names(sorted(cases["organisation"].unique()), t),
        procedures=sorted({_procedure_label(p, t) for p in cases["procedure"]}),
        summary=summary,
        administrations=lines,
        kept_organisations=len(set().union(*(line.reached for line in lines))),
        themes=themes,
        items=len(items),
        left_out=len(proposals) - len(kept),
        thresholds=t("aggregate.agenda.thresholds", saving=t.number(options.min_saving),
                     days=t.number(options.min_days, 0 if float(options.min_days).is_integer() else 1),
                     ocmws=t.number(options.min_ocmws)),
        kept_saving=kept_saving,
        left_out_saving=total_saving - kept_saving,
        total_saving=total_saving,
        status_counts=[(label, n) for label, n in status_counts if n],
        downloads=downloads or [],
        running_head=t("aggregate.agenda.running_head", date=format_date(follow.run_date, t)),
        page_word=t("aggregate.agenda.page_word"), page_of=t("aggregate.agenda.page_of"),
    )


NAMES_IN_HEAD = 12  # organisations named in the agenda's head; a collection of hundreds is counted


def _names(names: list[str], t: Translator) -> str:
    if len(names) <= NAMES_IN_HEAD:
        return t.join(names)
    return t.n("aggregate.agenda.and_more", len(names) - NAMES_IN_HEAD, names=", ".join(names[:NAMES_IN_HEAD]))


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def _split(text: str) -> list[str]:
    return [part for part in str(text).split("; ") if part]


def theme_of(code: str, target_kind: str) -> str:
    """The agenda theme of a proposal: its finding's own, else by what it is about, else coordination."""
    from kafka.detectors import BY_CODE

    detector = BY_CODE.get(code)
    declared = detector.theme if detector is not None else ""
    return declared if declared in THEMES else _THEME_OF_TARGET.get(target_kind, "coordination")


def _item(r: dict, number: int, evidence: list[Evidence], t: Translator, follow: FollowUp) -> AgendaItem:
    from kafka.aggregate.site import target_texts

    kind, target, _ = target_texts(r["target_kind"], r["target"], [], _split(r["details"]), t)
    history = [status_view(e, t) for e in follow.history(r["key"])]
    current = history[-1] if history else StatusView("nieuw", t("aggregate.status.nieuw"), "", "", "")
    not_seen = follow.not_seen_since.get(r["key"], "")
    theme = theme_of(r["code"], r["target_kind"])
    return AgendaItem(
        anchor=f"item-{r['key']}", key=r["key"], theme=theme, number=number, code=r["code"], title=r["title"],
        proposal=r["proposal"], proposal_text=r["proposal_text"], target_kind=kind, target=target,
        details=r["details"] if r["target_kind"] in ("rule", "step") else "",
        to=addressee(r["administration"], _split(r["administrations"]), r["government"], t),
        cases=int(r["cases"]), organisations=int(r["organisations"]), euro_year_saved=float(r["euro_year_saved"]),
        lead_days=float(r["lead_days_saved_mean"]),
        evidence=evidence[:EVIDENCE_PER_ITEM], more=max(0, len(evidence) - EVIDENCE_PER_ITEM),
        status=current, history=history[:-1],
        not_seen_since=format_date(not_seen, t) if not_seen else "",
        protects_client=r["deadline_binds"] == "organisation",
        importance=int(r["importance"]),
    )


def addressee(key: str, keys: list[str], government: str, t: Translator) -> Addressee:
    """Who an item is addressed to: the administration most of its cases point to, and the others."""
    table = administrations()
    admin: Administration = table.get(key) or government_level(government)
    others = [table[k].short for k in keys if k != admin.key and k in table]
    return Addressee(
        name=admin.name(t.lang), short=admin.short if t.lang == "nl" or admin.specific else admin.name(t.lang),
        domain=admin.domain(t.lang) if admin.specific else "",
        government=admin.government, government_name=t(f"aggregate.government.{admin.government}"),
        level=t(f"aggregate.agenda.level.{admin.government}"), specific=admin.specific, others=others,
    )


def status_view(entry: StatusEntry, t: Translator) -> StatusView:
    return StatusView(entry.status, t(f"aggregate.status.{entry.status}"), format_date(entry.date, t), entry.owner,
                      entry.note)


def _evidence(findings: pd.DataFrame, cases: pd.DataFrame, t: Translator) -> dict[str, list[Evidence]]:
    """Per proposal key, one line per case: the finding in that case's words (the largest saving first)."""
    from kafka.aggregate.keys import proposal_key

    titles = dict(zip(cases["case_id"], cases["title"]))
    ordered = findings.sort_values(["euro_year_saved", "case_id"], ascending=[False, True], kind="stable")
    evidence: dict[str, list[Evidence]] = {}
    seen: set[tuple[str, str]] = set()
    labels: dict[str, str] = {}
    # A column at a time as plain lists: to_dict("records") boxed every value through pandas.
    for code, government, merge_key, case_id, report, organisation, procedure, message in zip(*(
            ordered[name].tolist() for name in ("code", "government", "merge_key", "case_id", "report",
                                                "organisation", "procedure", "message"))):
        key = proposal_key(code, government, merge_key)
        if (key, case_id) in seen:
            continue  # one line per case: a second finding of the same case adds nothing for the meeting
        seen.add((key, case_id))
        if procedure not in labels:
            labels[procedure] = _procedure_label(procedure, t)
        evidence.setdefault(key, []).append(Evidence(
            case_title=titles.get(case_id, case_id), report=report, organisation=organisation,
            procedure=labels[procedure], message=message,
        ))
    return evidence


def _administration_lines(items: list[AgendaItem], findings: pd.DataFrame) -> list[AdministrationLine]:
    """Per addressee: how many items, shared by how many OCMW's, and their summed savings."""
    from kafka.aggregate.keys import proposal_key

    organisations: dict[str, set[str]] = {}
    for code, government, merge_key, organisation in zip(*(
            findings[name].tolist() for name in ("code", "government", "merge_key", "organisation"))):
        organisations.setdefault(proposal_key(code, government, merge_key), set()).add(organisation)
    lines: dict[str, AdministrationLine] = {}
    orgs: dict[str, set[str]] = {}
    for item in sorted(items, key=lambda i: i.number):
        line = lines.setdefault(item.to.name, AdministrationLine(
            item.to.name, item.to.short, item.to.level, item.to.government_name, item.to.domain, 0, 0, 0.0, []))
        line.items += 1
        line.euro_year_saved += item.euro_year_saved
        line.anchors.append((item.number, item.anchor))
        orgs.setdefault(item.to.name, set()).update(organisations.get(item.key, set()))
    for name, line in lines.items():
        line.reached = frozenset(orgs[name])
        line.organisations = len(line.reached)
    return sorted(lines.values(), key=lambda l: (-l.items, -l.euro_year_saved, l.name))


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a <style> element (no quote, backslash or '<' left raw)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '\\"\'<>&\n\r' or ord(ch) < 32 else ch for ch in text)
    return Markup(f'"{escaped}"')


def format_date(value: dt.date | str, t: Translator) -> str:
    """'2026-05-04' -> '4 mei 2026' (as this language writes a date)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    months = t("aggregate.date.months").split()
    return t("aggregate.date.format", day=value.day, month=months[value.month - 1], year=value.year)


def _procedure_label(key: str, t: Translator) -> str:
    from kafka.aggregate.site import procedure_label

    return procedure_label(key, t)
