"""``kafka anonymise``: a copy of a case file with the client's name and personal data replaced."""

from __future__ import annotations

from pathlib import Path

import click

from kafka.errors import ExitCode, InputError, OutputError, UsageProblem

_KIND_WORDS = {
    "client_name": "client name", "person_name": "other name", "national_number": "national register number",
    "iban": "IBAN", "email": "e-mail address", "phone": "phone number", "birth_date": "date of birth",
}


@click.command()
@click.argument("case", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, metavar="OUT", type=click.Path(path_type=Path),
              help="The file to write (or a folder: the copy gets the case file's name there). Never the input.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="The language of the stand-ins: 'Cliënt', 'Persoon A' (nl) or 'Client', 'Person A' (en).")
@click.option("--force", is_flag=True, help="Replace OUT when it exists (it is never the input file).")
def anonymise(case: Path, out: Path, lang: str, force: bool) -> None:
    """Write a copy of CASE with the client's name and personal data replaced.

    Replaces what 'kafka validate' warns about (a national register number,
    an IBAN, an e-mail address, a phone number, a date of birth, full names)
    and the client's name wherever it is written, each value by the same
    stand-in everywhere, so the story still reads ('Sara Janssens' and
    'Sara' both become 'Cliënt'). Everything else stays as it was: comments,
    layout, ids, figures. The copy is read back to check that it holds the
    same data with only those replacements; then it is validated. CASE
    itself is never changed. See docs/privacy.md for what is not found.

    \b
    Example:
      kafka anonymise intake/leefloon-sara.yaml -o shared/leefloon-sara.yaml
      kafka anonymise intake/leefloon-sara.yaml -o shared/ --lang en
    """
    from kafka import yamlsource
    from kafka.loader import load_text
    from kafka.output import write_atomic
    from kafka.privacy import AnonymiseError, anonymise_text, scan_text

    target = out / case.name if out.is_dir() else out
    if target.exists() and target.resolve() == case.resolve():
        raise UsageProblem(f"{target} is the input file; anonymise writes a copy (choose another -o)")
    if target.exists() and not force:
        raise UsageProblem(f"{target} exists; choose another -o, or add --force to replace it")
    try:
        raw = case.read_bytes()
        text = yamlsource.decode(raw)
    except FileNotFoundError:
        raise InputError(f"{case}: no such file") from None
    except OSError as exc:
        raise InputError(f"{case}: cannot read the file: {exc.strerror or exc}") from None
    except yamlsource.YamlProblem as exc:
        raise InputError(f"{case}:{exc.line}:{exc.col}: {exc.message}") from None
    before = load_text(text, str(case))
    try:
        result = anonymise_text(text, lang)
    except AnonymiseError as exc:
        raise InputError(f"{case}: {exc}") from None
    after = load_text(result.text, str(target))
    if before.ok and not after.ok:  # the check in anonymise_text should make this impossible
        raise InputError(f"{case}: the anonymised copy would not be a valid case file "
                         f"({after.errors[0]}); nothing was written")
    try:
        write_atomic(target, result.text)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    done = ", ".join(f"{n} {_KIND_WORDS[k]}{'s' if n != 1 else ''}" for k, n in sorted(result.replaced.items()))
    click.echo(f"Wrote {target}: replaced {done or 'nothing (no personal data found)'}.", err=True)
    left = scan_text(result.text)
    for hit in left:
        click.secho(str(hit.problem(str(target))), fg="yellow", err=True)
    if left:
        click.secho(f"{len(left)} place(s) still look like personal data: edit them by hand.", fg="yellow", err=True)
    if not after.ok:
        click.secho(f"{target} is not a valid case file (neither was {case}): run 'kafka validate {target}'.",
                    fg="yellow", err=True)
    raise SystemExit(int(ExitCode.OK))
