"""The cross-case views, as pandas tables: cases, findings, merged proposals, comparisons.

Everything here is computed from the :class:`~kafka.aggregate.collect.CaseSummary`
objects alone (never from the case files), so an incremental run that reuses
the summaries of unchanged cases gives exactly the same tables as a full run.
Column names are stable English names: they are the headers of the CSV files
(and of the spreadsheet with --lang en; Dutch headers with --lang nl, see
kafka.aggregate.site.summary_workbook), which VVSG staff may script against.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from kafka.aggregate.collect import CaseSummary
from kafka.aggregate.keys import proposal_key
from kafka.aggregate.pieces import FINDINGS_COLUMNS  # findings.csv's columns
from kafka.detectors import CODES


CASE_COLUMNS = (
    "case_id", "title", "organisation", "municipality", "procedure", "date", "cases_per_year",
    "lead_time_days", "client_minutes", "staff_minutes", "client_contacts", "in_person_visits", "organisations",
    "story_count", "data_asked", "data_unique", "repeated_questions", "steps", "waiting_days",
    "findings", "findings_local", "findings_supralocal",
    "client_hours_year", "staff_hours_year", "burden_eur_year",
    "saving_local_eur_year", "saving_all_eur_year", "saving_all_lead_days", "report", "file",
)

PROPOSAL_COLUMNS = (
    "key", "rank", "rank_organisations", "code", "title", "level", "government", "target_kind", "target", "target_names",
    "details", "proposal", "proposal_text", "example_case", "owners", "cases", "organisations", "findings",
    "client_hours_year_saved", "staff_hours_year_saved", "euro_year_saved", "lead_days_saved_mean",
    "case_ids", "organisation_names", "procedures", "merge_key", "administration", "administrations",
    "deadline_binds", "last_case_date",
)

# The per-procedure comparison: lower is better for every one of them.
COMPARED = ("lead_time_days", "story_count", "repeated_questions", "client_minutes", "findings")

LIST_SEPARATOR = "; "


@dataclass
class Tables:
    cases: pd.DataFrame  # one row per case (CASE_COLUMNS)
    findings: pd.DataFrame  # one row per finding (FINDINGS_COLUMNS + merge fields)
    proposals: pd.DataFrame  # the merged proposals, ranked (PROPOSAL_COLUMNS)
    by_code_procedure: pd.DataFrame  # findings per code (rows) and procedure (columns)
    cases_by_code_procedure: pd.DataFrame  # the same, counting cases that have the finding
    by_organisation: pd.DataFrame  # findings per organisation (rows) and code (columns)
    comparison: dict[str, pd.DataFrame]  # per procedure: one row per organisation, with the median


def build_tables(cases: list[CaseSummary]) -> Tables:
    case_frame = cases_frame(cases)
    finding_frame = findings_frame(cases)
    by_code, cases_by_code = findings_by_code_procedure(finding_frame, case_frame)
    return Tables(
        cases=case_frame,
        findings=finding_frame,
        proposals=merge_proposals(finding_frame),
        by_code_procedure=by_code,
        cases_by_code_procedure=cases_by_code,
        by_organisation=findings_by_organisation(finding_frame, case_frame),
        comparison=procedure_comparison(case_frame),
    )


# --- one row per case, one row per finding ---------------------------------------------


def cases_frame(cases: Iterable[CaseSummary]) -> pd.DataFrame:
    rows = []
    for c in cases:
        levels = [f["level"] for f in c.findings]
        m, a = c.metrics, c.annual
        rows.append({
            "case_id": c.id, "title": c.title, "organisation": c.organisation, "municipality": c.municipality,
            "procedure": c.procedure, "date": c.date, "cases_per_year": c.cases_per_year,
            **{name: m[name] for name in ("lead_time_days", "client_minutes", "staff_minutes", "client_contacts",
                                          "in_person_visits", "organisations", "story_count", "data_asked",
                                          "data_unique", "repeated_questions", "steps", "waiting_days")},
            "findings": len(levels), "findings_local": levels.count("local"),
            "findings_supralocal": levels.count("supralocal"),
            "client_hours_year": a["client_hours"], "staff_hours_year": a["staff_hours"],
            "burden_eur_year": a["total_cost_eur"],
            # What the case's proposals save a year: the sum of what its proposals list (every
            # part of a saving counted once), so every total on the site is the sum of the
            # proposals under it. The to-be adds up to the same (tests/test_judgement.py).
            "saving_local_eur_year": round(sum(f["euro_year_saved"] for f in c.findings if f["level"] == "local"), 2),
            "saving_all_eur_year": round(sum(f["euro_year_saved"] for f in c.findings), 2),
            # Days do not add up: the to-be's shorter lead time, with every proposal taken.
            "saving_all_lead_days": c.savings.get("all", {}).get("lead_days", 0.0),
            "report": c.report, "file": c.path,
        })
    return pd.DataFrame(rows, columns=list(CASE_COLUMNS))


def findings_frame(cases: Iterable[CaseSummary]) -> pd.DataFrame:
    cases = list(cases)
    rows = [{**f, "report": c.report, "file": c.path} for c in cases for f in c.findings]
    extra = ["target_group", "merge_key", "target_label", "target_detail", "administration", "deadline_binds",
             "case_date"]
    dates = {c.id: c.date for c in cases} if rows else {}
    for row in rows:
        row["case_date"] = dates.get(row["case_id"], "")
    frame = pd.DataFrame(rows, columns=[*FINDINGS_COLUMNS, *extra])
    frame[["administration", "deadline_binds"]] = frame[["administration", "deadline_binds"]].fillna("")
    return frame


# --- findings by code, procedure and organisation --------------------------------------


def _code_order(codes: Iterable[str] | pd.Series) -> list[str]:
    """The registry's order (D01 ... P03), then any other code."""
    # A column's distinct values first: iterating a column of text takes pandas a call per value.
    present = set(codes.unique().tolist() if isinstance(codes, pd.Series) else codes)
    return [c for c in CODES if c in present] + sorted(present - set(CODES))


def findings_by_code_procedure(findings: pd.DataFrame, cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two code x procedure tables: the number of findings, and the number of cases with that finding.

    Both have a ``total`` column; their columns are the procedures in
    alphabetical order (cases without a procedure under ``""``).
    """
    procedures = sorted(cases["procedure"].unique())
    codes = _code_order(findings["code"])
    count = findings.pivot_table(index="code", columns="procedure", values="case_id", aggfunc="size", fill_value=0)
    with_case = findings.drop_duplicates(["code", "case_id"]).pivot_table(
        index="code", columns="procedure", values="case_id", aggfunc="size", fill_value=0)
    tables = []
    for table in (count, with_case):
        table = table.reindex(index=codes, columns=procedures, fill_value=0).astype(int)
        table["total"] = table.sum(axis=1)
        table.index.name, table.columns.name = "code", None
        tables.append(table)
    return tables[0], tables[1]


def findings_by_organisation(findings: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Per organisation: its cases, its findings by level and by code, and findings per case."""
    organisations = sorted(cases["organisation"].unique())
    codes = _code_order(findings["code"])
    per_code = findings.pivot_table(index="organisation", columns="code", values="case_id", aggfunc="size",
                                    fill_value=0).reindex(index=organisations, columns=codes, fill_value=0)
    per_level = findings.pivot_table(index="organisation", columns="level", values="case_id", aggfunc="size",
                                     fill_value=0).reindex(index=organisations, columns=["local", "supralocal"],
                                                           fill_value=0)
    table = pd.DataFrame(index=pd.Index(organisations, name="organisation"))
    table["cases"] = cases.groupby("organisation").size().reindex(organisations).astype(int)
    table["procedures"] = cases.groupby("organisation")["procedure"].nunique().reindex(organisations).astype(int)
    table["findings_local"] = per_level["local"].astype(int)
    table["findings_supralocal"] = per_level["supralocal"].astype(int)
    table["findings"] = table["findings_local"] + table["findings_supralocal"]
    table["findings_per_case"] = (table["findings"] / table["cases"]).round(1)
    table["burden_eur_year"] = cases.groupby("organisation")["burden_eur_year"].sum().reindex(organisations).round(0)
    for code in codes:
        table[code] = per_code[code].astype(int)
    return table


# --- how OCMW's compare within a procedure ---------------------------------------------


def procedure_comparison(cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per procedure: one row per organisation with the mean of each compared figure over its cases.

    Each table also has, per figure, ``<figure>_vs_median`` (the difference
    with the median over every case of that procedure: negative is better)
    and ``rank`` (1 = the shortest lead time). ``attrs["median"]`` holds the
    medians and ``attrs["cases"]`` the number of cases.
    """
    result = {}
    for procedure, group in cases.groupby("procedure", sort=True):
        table = group.groupby("organisation").agg(
            cases=("case_id", "size"),
            **{name: (name, "mean") for name in COMPARED},
        )
        medians = {name: float(group[name].median()) for name in COMPARED}
        for name in COMPARED:
            table[name] = table[name].round(1)
            table[f"{name}_vs_median"] = (table[name] - medians[name]).round(1)
        table["rank"] = table["lead_time_days"].rank(method="min").astype(int)
        table = table.sort_values(["lead_time_days", "story_count"]).reset_index()
        table.attrs["median"] = medians
        table.attrs["cases"] = len(group)
        result[str(procedure)] = table
    return result


# --- proposals merged across cases -----------------------------------------------------


def _most_common(values: pd.Series) -> str:
    counts = values[values != ""].value_counts(sort=True)
    return str(counts.index[0]) if len(counts) else ""


def _distinct(values: Iterable) -> str:
    return LIST_SEPARATOR.join(dict.fromkeys(filter(None, values)))  # the non-empty values, each once


def _latest(values: list) -> object:
    """The largest value, NA left out (as pandas' max): the date of the latest case."""
    present = [v for v in values if v is not None and v == v]
    return max(present) if present else float("nan")


def _members(groups: list[int], count: int) -> list[list[int]]:
    """The rows of each of ``count`` groups (``groups``: each row's group), in the frame's order."""
    members: list[list[int]] = [[] for _ in range(count)]
    for row, group in enumerate(groups):
        members[group].append(row)
    return members


def _per_group(members: list[list[int]], values: list, how) -> list[str]:
    """``how`` (:func:`_distinct`, :func:`_most_common` or :func:`_latest`) of each group's values, in the frame's order.

    The most common value is counted here when one value is clearly the most common; a tie
    goes to pandas itself (value_counts), whose order decides it, so the result is always its own.
    """
    if how is not _most_common:
        return [how([values[row] for row in rows]) for rows in members]
    result = []
    for rows in members:
        group = [values[row] for row in rows]
        counts = Counter(group)  # in the order of first sight, as the loop it replaces counted
        for value in [v for v in counts if v == "" or v is None or v != v]:
            del counts[value]  # value_counts leaves out "" (here) and NA
        ranked = sorted(counts.values(), reverse=True)
        if not ranked:
            result.append("")
        elif len(ranked) == 1 or ranked[0] > ranked[1]:
            result.append(str(max(counts, key=counts.__getitem__)))
        else:
            result.append(_most_common(pd.Series(group, dtype=object)))
    return result


def merge_proposals(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per proposal found in one or more cases, ranked.

    Findings carry the same proposal when they share the code, the level,
    the government that can make the change and the target as
    :mod:`kafka.aggregate.keys` recognises it across cases. Savings are the
    proposals' own yearly estimates, summed; ``lead_days_saved_mean`` is per
    case. ``proposal_text`` is the text of ``example_case``, the case where
    it saves most (the text names that case's own steps). ``rank`` orders by yearly saving, then by the number of
    organisations; ``rank_organisations`` the other way round.
    """
    if findings.empty:
        return pd.DataFrame(columns=list(PROPOSAL_COLUMNS))
    # Rows made before these fields existed (or by hand, in a test) merge without them.
    findings = findings.assign(**{c: "" for c in ("administration", "deadline_binds", "case_date") if c not in findings})
    # The proposal's text names one case's own steps: show the one from the case that saves most.
    findings = findings.sort_values(["euro_year_saved", "case_id"], ascending=[False, True], kind="stable")
    keys = ["code", "level", "government", "merge_key"]
    grouped = findings.groupby(keys, sort=False, dropna=False)
    table = grouped.agg(
        title=("title", "first"),
        target_kind=("target_group", "first"),
        proposal_text=("proposal_text", "first"),
        example_case=("case_id", "first"),
        cases=("case_id", "nunique"),
        organisations=("organisation", "nunique"),
        findings=("case_id", "size"),
        client_hours_year_saved=("client_hours_year_saved", "sum"),
        staff_hours_year_saved=("staff_hours_year_saved", "sum"),
        euro_year_saved=("euro_year_saved", "sum"),
    ).reset_index()
    # The lists and the most common values in one pass over plain lists: a Python function per
    # group through pandas (agg with _distinct, _most_common) made a Series per group and column,
    # most of the site's tables for a thousand cases. The same values come out (see _per_group).
    members = _members(grouped.ngroup().tolist(), len(table))  # with sort=False: numbered as agg orders its rows
    for name, column, how in (
            ("target", "target_label", _most_common), ("target_names", "target_label", _distinct),
            ("details", "target_detail", _distinct), ("proposal", "proposal", _most_common),
            ("owners", "owner", _distinct), ("case_ids", "case_id", _distinct),
            ("organisation_names", "organisation", _distinct), ("procedures", "procedure", _distinct),
            ("administration", "administration", _most_common), ("administrations", "administration", _distinct),
            ("deadline_binds", "deadline_binds", _most_common), ("last_case_date", "case_date", _latest)):
        table[name] = _per_group(members, findings[column].tolist(), how)
    table["key"] = [proposal_key(code, government, merge)
                    for code, government, merge in zip(table["code"], table["government"], table["merge_key"])]
    # Days of lead time per case: a case with two findings under one proposal (two
    # long waits, say) saves their sum; the mean is then taken over the cases.
    per_case = findings.groupby([*keys, "case_id"], sort=False, dropna=False)["lead_days_saved"].sum()
    lead_mean = per_case.groupby(level=keys, sort=False, dropna=False).mean().rename("lead_days_saved_mean")
    table = table.merge(lead_mean.reset_index(), on=keys, how="left")
    for name in ("client_hours_year_saved", "staff_hours_year_saved", "euro_year_saved", "lead_days_saved_mean"):
        table[name] = table[name].astype(float).round(2)
    table["_order"] = pd.Categorical(table["code"], categories=_code_order(table["code"]), ordered=True)
    by_organisations = table.sort_values(
        ["organisations", "euro_year_saved", "cases", "_order", "target"],
        ascending=[False, False, False, True, True], kind="stable")
    table["rank_organisations"] = 0
    table.loc[by_organisations.index, "rank_organisations"] = range(1, len(table) + 1)
    table = table.sort_values(
        ["euro_year_saved", "organisations", "cases", "_order", "target"],
        ascending=[False, False, False, True, True], kind="stable").reset_index(drop=True)
    table["rank"] = range(1, len(table) + 1)
    return table[list(PROPOSAL_COLUMNS)]
