"""P03 heavy form -> a shorter form: the parts that can go, go.

Those are the items the detector found removable: kept in an authentic
source, used by no step, or already asked in an earlier step. When that is
not enough to make the form light, the finding stays in the to-be.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    form_key = finding.proposal.target.id
    name = ed.analysis.case.forms[form_key].name if form_key in ed.analysis.case.forms else form_key
    removed: dict[str, None] = {}
    for key in ed.forms_from(form_key):
        removed.update(dict.fromkeys(ed.drop_from_form(key, finding.facts.get("removable", []))))
    if removed:
        ed.say("form_shorter", form=name, items=ed.t.join([ed.item_name(i) for i in removed]))


EFFECT = Effect("P03", "shorter-form", apply)
