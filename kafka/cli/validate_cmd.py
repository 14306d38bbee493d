"""``kafka validate``: check case files and report every problem with its line."""

from __future__ import annotations

import json

import click

from kafka.cli.common import MESSAGES_LANG, InputPath, echo_problem
from kafka.errors import ExitCode
from kafka.i18n import Translator
from kafka.loader import iter_case_files, load_case
from kafka.privacy import scan_loaded
from kafka.validate import check_case_set


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the messages (nl: Dutch, as in the live page).")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str, strict: bool, lang: str) -> None:
    """Check case files (or every *.yaml/*.yml under folders).

    Every problem is listed as FILE:LINE:COL: key.path: message. Exit code 0
    when all files are valid, 1 when any has an error (or, with --strict, a
    warning). What looks like personal data (a national register number, an
    IBAN, an e-mail address, a phone number, a date of birth, the client's
    full name) is a warning: see docs/privacy.md, and 'kafka anonymise'.

    \b
    Example:
      kafka validate cases/
      kafka validate cases/leefloon-heidebeek.yaml --format json
      kafka validate cases/ --lang nl
    """
    ctx.meta[MESSAGES_LANG] = lang
    results = [load_case(path) for path in iter_case_files(paths)]
    if not results:
        raise click.UsageError("no case files (*.yaml, *.yml) found in the given paths")
    check_case_set(results)
    for result in results:  # what looks like personal data: warnings, so a file can be shared safely
        result.problems.extend(scan_loaded(result))
        result.problems.sort(key=lambda p: (p.line, p.col))
    valid = [r.ok and not (strict and r.warnings) for r in results]
    failed = [r for r, ok in zip(results, valid) if not ok]
    if fmt == "json":
        payload = {
            "valid": not failed,
            "files": [
                {"file": str(r.path), "valid": ok,
                 "case_id": r.case.id if r.case else None,
                 "problems": [p.to_dict(lang) for p in r.problems]}
                for r, ok in zip(results, valid)
            ],
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        # A file name that is not UTF-8 holds lone surrogates: written as JSON's own
        # escape (\udce9), which reads back to the same name, the output stays UTF-8.
        click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    else:
        for r in results:
            for problem in r.problems:
                echo_problem(problem)
        t = Translator(lang)
        n_err = sum(len(r.errors) for r in results)
        n_warn = sum(len(r.warnings) for r in results)
        summary = t("cli.validate.summary", valid=len(results) - len(failed), total=len(results))
        if n_err or n_warn:
            summary += f" ({t.n('cli.validate.errors', n_err)}, {t.n('cli.validate.warnings', n_warn)})"
        click.secho(summary, fg="red" if failed else "green", err=bool(failed))
    raise SystemExit(int(ExitCode.INVALID_INPUT if failed else ExitCode.OK))
