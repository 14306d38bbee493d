"""N01 non-take-up -> the organisation finds and invites the entitled people, or grants
without application.

The procedure is then started by the organisation (``initiated_by:
organisation``). The case's count of cases a year stays as it is: the
to-be compares the burden of one case, not how many people are reached.
"""

from kafka.findings import Finding, Level
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    if ed.case.case.initiated_by == "organisation":
        return  # already so (automatic granting, P02)
    ed.case.case.initiated_by = "organisation"
    organisation = ed.case.case.organisation
    # Only a local finding may say the sources alone find them: otherwise it takes the
    # data the supralocal proposal asks for.
    sources = [ed.as_is.source_of(f).name for f in finding.data if ed.as_is.source_of(f) is not None]
    if sources and finding.level is Level.LOCAL:
        ed.say("invited_from_sources", organisation=organisation, sources=ed.t.join(list(dict.fromkeys(sources))))
    else:
        ed.say("invited", organisation=organisation)


EFFECT = Effect("N01", "invite", apply)
