"""A whole workshop in a real browser: `kafka serve CASE --edit` driven by headless Chromium.

Starts from `kafka new`, adds ten steps with actors, data and a loop, marks
three story points, adds a quote and a feeling, makes an invalid change and
sees the Dutch message, undoes a change, and switches to presentation mode;
a second, read-only screen follows all along. At the end the file validates,
still has the starter's comments, and gives the findings those steps must
give. Screenshots of the editor and of presentation mode at 1280x720 go to
tests/artifacts/ (git-ignored) to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.analysis import analyze
from kafka.casedoc import EditSession
from kafka.cli import main
from kafka.loader import load_case
from kafka.serve import LiveServer, LiveSite

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"

FRONT_TEXT = """() => {
  const frame = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
  return frame && frame.contentDocument && frame.contentDocument.body ? frame.contentDocument.body.innerText : '';
}"""

# The ten steps the room adds: (name, actor, extra settings). An actor (the CAW) and a data item (loonfiches) are new.
NEW_STEPS = [
    ("Eerste telefoon naar het Sociaal Huis", "onthaal", {}),
    ("Doorverwijzing naar het CAW", "__new_actor__", {}),
    ("Gesprek bij het CAW", "onthaal-caw", {"story": True}),
    ("Loonfiches opvragen bij de werkgever", "client", {"new_data": True}),
    ("Loonfiches afgeven aan het onthaal", "onthaal", {"asks": "Loonfiches laatste"}),
    ("Tweede intake met de maatschappelijk werker", "mw", {"story": True, "asks": "Loonfiches laatste"}),
    ("Dossier nakijken", "mw", {}),
    ("Huisbezoek na de zomer", "mw", {"story": True, "wait": "21"}),
    ("Voorstel aan het comité", "mw", {}),
    ("Beslissing meegedeeld", "bcsd", {"quote": True}),
]


@pytest.fixture
def browser(tmp_path):
    from browser import launched_browser

    with launched_browser() as instance:
        yield instance


def new_page(browser, errors: list[str]):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    return page


def version(page) -> str:
    return page.evaluate("() => document.body.dataset.editVersion || ''")


def saved_after(page, before: str, action) -> str:
    """Do ``action`` and wait until the editor shows a new version of the file."""
    action()
    page.wait_for_function("(v) => (document.body.dataset.editVersion || '') !== v", arg=before, timeout=15_000)
    page.wait_for_function("() => !document.querySelector('.ed-status.busy')", timeout=15_000)
    return version(page)


def change_field(page, selector: str, value: str) -> None:
    before = version(page)
    saved_after(page, before, lambda: (page.fill(selector, value), page.press(selector, "Tab")))


def add_step(page, name: str, actor: str) -> None:
    page.click(".ed-add")
    page.fill("#ed-name", name)
    if actor == "__new_actor__":
        page.select_option("#ed-actor", "__new__")
        page.fill("#ed-new-actor-name", "Onthaal CAW")
        page.select_option("[data-key=new-actor-level]", "private")
        page.fill("[data-key=new-actor-organisation]", "CAW Voorbeeld")
        saved_after(page, version(page), lambda: page.click(".ed-new-actor button.primary"))
    else:
        page.select_option("#ed-actor", actor)
    saved_after(page, version(page), lambda: page.click(".ed-new-step button[type=submit]"))
    page.wait_for_selector(".ed-form[data-step]")


def back_to_list(page) -> None:
    page.click(".ed-back")
    page.wait_for_selector(".ed-steps")


def test_a_whole_workshop(browser, tmp_path):
    runner = CliRunner()
    case = tmp_path / "sara.yaml"
    result = runner.invoke(main, ["new", "sara", "-o", str(case)])
    assert result.exit_code == 0, result.output
    starter = case.read_text(encoding="utf-8")
    starter_comments = [line.strip() for line in starter.splitlines() if line.strip().startswith("#")]
    assert len(starter_comments) > 10
    starter_steps = len(load_case(case).case.steps)

    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.1, editor=EditSession(case)) as server:
        page = new_page(browser, errors)
        follower = new_page(browser, errors)  # the projector: the plain address, read-only
        follower.goto(server.url)
        page.goto(server.edit_url)
        page.wait_for_selector(".ed-steps li")
        assert "edit=" not in page.url, "the token stays off the address bar"
        assert follower.locator("#editor-toggle").is_hidden() and follower.locator(".ed-steps").count() == 0

        # Ten steps: one at a time, at the end of the list.
        for name, actor, extra in NEW_STEPS:
            back_to_list(page) if page.locator(".ed-back").count() else None
            add_step(page, name, actor)
            if extra.get("story"):
                saved_after(page, version(page), lambda: page.check("#ed-tells_story"))
            if extra.get("new_data"):
                page.click("text=+ nieuw gegeven…")
                page.fill("[data-key=new-data-name]", "Loonfiches laatste 3 maanden")
                page.select_option("[data-key=new-data-into]", "provides")
                before = version(page)
                page.click(".ed-new-data button.primary")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-key=provides] input')].some(i => i.checked)",
                    timeout=15_000)
                assert version(page) != before
            if extra.get("asks"):
                box = page.locator("[data-key=asks] label", has_text=extra["asks"]).locator("input")
                saved_after(page, version(page), lambda: box.check())
            if extra.get("wait"):
                change_field(page, "#ed-wait_days", extra["wait"])
                change_field(page, "#ed-client_minutes", "45")
                saved_after(page, version(page), lambda: page.select_option("#ed-channel", "home_visit"))
            if extra.get("quote"):
                change_field(page, "#ed-quote", "Ik heb mijn verhaal vijf keer verteld: ik was het zo moe.")
                saved_after(page, version(page), lambda: page.click(".ed-feelings [data-feeling='-2']"))

        # A loop: "Dossier nakijken" goes back to "Loonfiches afgeven" in 30% of the cases, on otherwise.
        back_to_list(page)
        page.locator(".ed-step-open", has_text="Dossier nakijken").click()
        saved_after(page, version(page), lambda: page.check("input[name=ed-next-mode][value=branches]"))
        page.wait_for_selector(".ed-branch")
        assert "Huisbezoek na de zomer" in page.locator(".ed-branch select").first.inner_text()
        target = page.locator(".ed-branch select").first
        loop_to = target.locator("option", has_text="Loonfiches afgeven").first.get_attribute("value")
        saved_after(page, version(page), lambda: target.select_option(loop_to))
        change_field(page, ".ed-branch .when >> nth=0", "loonfiches onvolledig")
        change_field(page, ".ed-branch .chance >> nth=0", "30%")
        saved_after(page, version(page), lambda: page.click("text=+ tak"))
        forward = page.locator(".ed-branch select").nth(1)
        onward = forward.locator("option", has_text="Huisbezoek na de zomer").first.get_attribute("value")
        saved_after(page, version(page), lambda: forward.select_option(onward))
        change_field(page, ".ed-branch .chance >> nth=1", "0,7")

        # The follower screen shows the new steps without anyone touching it.
        follower.wait_for_function(f"() => ({FRONT_TEXT})().includes('Beslissing meegedeeld')", timeout=15_000)

        # An invalid change: not written, a Dutch message beside the field.
        page.click(".ed-back")
        page.click(".ed-step-open >> nth=1")
        on_disk = case.read_bytes()
        page.fill("#ed-client_minutes", "een half uur")
        page.press("#ed-client_minutes", "Tab")
        message = page.locator(".ed-error[data-for=client_minutes]")
        message.wait_for(state="visible", timeout=15_000)
        assert "Vul een getal in" in message.inner_text()
        assert case.read_bytes() == on_disk, "an invalid change was written"
        # A change the loader refuses (an unknown form) is shown by the field too.
        page.screenshot(path=str(ARTIFACTS / "workshop-editor-invalid.png"))
        change_field(page, "#ed-client_minutes", "20")

        # Undo the last change (20 minutes): the file goes back.
        assert "client_minutes: 20" in case.read_text(encoding="utf-8")
        saved_after(page, version(page), lambda: page.click(".ed-undo"))
        assert "client_minutes: 20" not in case.read_text(encoding="utf-8")

        page.click(".ed-back")
        page.wait_for_selector(".ed-steps")
        page.wait_for_timeout(600)
        page.screenshot(path=str(ARTIFACTS / "workshop-editor.png"))

        # Presentation mode on the follower (the projector): the map, then the client's voice.
        follower.click("#present-toggle")
        follower.wait_for_function(f"() => ({FRONT_TEXT})().includes('Focus')", timeout=15_000)
        follower.wait_for_timeout(500)
        follower.screenshot(path=str(ARTIFACTS / "workshop-present-map.png"))
        # Focus on the CAW: its steps stay, the others fade (and the focus survives the next edit).
        slides = follower.frame_locator("iframe:not(.behind)")
        caw = slides.locator("#present-focus option", has_text="CAW Voorbeeld").get_attribute("value")
        slides.locator("#present-focus").select_option(caw)
        assert slides.locator("#map-frame g.node.focused-out").count() == starter_steps + 8
        assert slides.locator("#map-frame g.node:not(.focused-out)").count() == 2
        follower.wait_for_timeout(300)
        follower.screenshot(path=str(ARTIFACTS / "workshop-present-focus.png"))
        slides.locator("#present-focus").select_option("")
        follower.keyboard.press("ArrowRight")
        follower.wait_for_function(f"() => ({FRONT_TEXT})().includes('vijf keer verteld')", timeout=10_000)
        follower.wait_for_timeout(300)
        follower.screenshot(path=str(ARTIFACTS / "workshop-present-voice.png"))
        follower.keyboard.press("ArrowRight")
        follower.wait_for_timeout(300)
        follower.screenshot(path=str(ARTIFACTS / "workshop-present-findings.png"))
        # The facilitator can present too, from the editing laptop.
        page.click("#present-toggle")
        page.wait_for_function(f"() => ({FRONT_TEXT})().includes('Focus')", timeout=15_000)
        seen_errors = list(errors)  # (stopping the server next makes the pages say they lost it)

    assert seen_errors == [], seen_errors

    # The file: valid, the starter's comments kept, the findings the room made.
    loaded = load_case(case)
    assert loaded.ok, [str(p) for p in loaded.errors]
    text = case.read_text(encoding="utf-8")
    for comment in starter_comments:
        assert comment in text, f"lost comment: {comment}"
    steps = loaded.case.steps
    assert len(steps) == starter_steps + 10
    by_name = {s.name: s for s in steps}
    assert by_name["Beslissing meegedeeld"].quote.startswith("Ik heb mijn verhaal")
    assert by_name["Beslissing meegedeeld"].feeling == -2
    assert loaded.case.actors["onthaal-caw"].organisation == "CAW Voorbeeld"
    loop_step = by_name["Dossier nakijken"]
    assert [(b.when, b.chance) for b in loop_step.next] == [("loonfiches onvolledig", 0.3), (None, 0.7)]
    assert by_name["Huisbezoek na de zomer"].wait_days == 21

    findings = analyze(loaded.case).findings
    codes = {f.code for f in findings}
    ids = {s.name: s.id for s in steps}
    story = next(f for f in findings if f.code == "S01")
    assert {ids["Gesprek bij het CAW"], ids["Tweede intake met de maatschappelijk werker"],
            ids["Huisbezoek na de zomer"]} <= set(story.steps)
    loop = next(f for f in findings if f.code == "L01" and ids["Dossier nakijken"] in f.steps)
    assert ids["Loonfiches afgeven aan het onthaal"] in loop.steps
    repeated = [f for f in findings if f.code == "D01" and "loonfiches-laatste-3-maanden" in f.data]
    assert repeated, codes
    assert {ids["Loonfiches afgeven aan het onthaal"], ids["Tweede intake met de maatschappelijk werker"]} <= set(repeated[0].steps)
    assert (case.parent / ".kafka-history" / "sara.yaml").is_dir()


def test_a_change_in_the_text_editor_meanwhile_is_shown_and_asked_about(browser, tmp_path):
    case = tmp_path / "sara.yaml"
    case.write_text(CliRunner().invoke(main, ["new", "sara", "-o", "-"]).output, encoding="utf-8")
    assert load_case(case).ok
    errors: list[str] = []
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.1, editor=EditSession(case)) as server:
        page = new_page(browser, errors)
        page.goto(server.edit_url)
        page.locator(".ed-step-open[data-step=intake]").click()
        page.wait_for_selector("#ed-name")
        # The facilitator starts typing; meanwhile someone saves the file from a text editor.
        page.fill("#ed-name", "Intake in de browser")
        before = version(page)
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("Aanmelding aan het onthaal", "Aanmelding aan de balie"), encoding="utf-8")
        page.wait_for_function(f"() => ({FRONT_TEXT})().includes('Aanmelding aan de balie')", timeout=15_000)
        page.wait_for_function("(v) => (document.body.dataset.editSeen || v) !== v", arg=before, timeout=15_000)
        assert page.input_value("#ed-name") == "Intake in de browser", "what was being typed was kept"
        page.press("#ed-name", "Tab")
        banner = page.locator(".ed-banner.conflict")
        banner.wait_for(state="visible", timeout=15_000)
        assert "Aanmelding aan de balie" in banner.inner_text() and "Intake in de browser" in banner.inner_text()
        assert "Intake in de browser" not in case.read_text(encoding="utf-8")
        page.screenshot(path=str(ARTIFACTS / "workshop-editor-conflict.png"))
        page.click(".ed-banner.conflict button.primary")  # apply mine to the new version
        page.wait_for_function("() => !document.querySelector('.ed-banner.conflict:not([hidden])')", timeout=15_000)
        page.wait_for_function("() => document.querySelector('.ed-status.ok') !== null", timeout=15_000)
        seen_errors = list(errors)
    final = case.read_text(encoding="utf-8")
    assert "Aanmelding aan de balie" in final and "Intake in de browser" in final
    assert seen_errors == [], seen_errors
