"""Every teaching page with the 200-student demo, on a phone (390×844) and a desktop (1280×800): the page
never scrolls sideways, no word is broken across lines (no "Att em pts"), charts' labels are 12 px or more,
and a screenshot of each is saved under test-artifacts/teach/ for people to look at."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from resetlab.cli.demo_data import build_demo
from resetlab.extensions import db
from resetlab.models import Attempt, AttemptState, Classroom, Enrollment

from .conftest import ARTIFACTS, DESKTOP, PHONE, serving

pytestmark = pytest.mark.browser

SIZES = {"phone": PHONE, "desktop": DESKTOP}
SHOTS = ARTIFACTS / "teach"

# Words split across lines, and text nodes squeezed narrower than their longest word. Breaks are allowed at
# spaces, hyphens, dashes and slashes, and inside e-mail addresses (the roster lets those wrap anywhere).
BROKEN_WORDS = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!owner || owner.closest('.visually-hidden, script, style, svg, [hidden]')) continue;
    if (!owner.getClientRects().length) continue;
    const text = node.textContent;
    const word = /[^\s\-–—\/]+/g;
    for (let m = word.exec(text); m; m = word.exec(text)) {
      if (m[0].length < 2 || m[0].includes('@')) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) {
        found.push(m[0] + ' in <' + owner.tagName.toLowerCase() + ' class="' + owner.className + '">');
        break;
      }
    }
    if (found.length > 10) break;
  }
  return found;
}"""

CHART_LABELS = """() => [...document.querySelectorAll('svg.chart text')]
  .filter(t => t.getClientRects().length)
  .map(t => t.getBoundingClientRect().height)
  .filter(h => h > 0)"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The 200-student, 20-assignment demo served by a real server, plus the pages to look at."""
    with serving(tmp_path_factory.mktemp("teach")) as (app, base):
        with app.app_context():
            built = build_demo(200, 20, seed=7)
            room = db.session.get(Classroom, built.classroom_id)
            other = Classroom(instructor_id=room.instructor_id, name="History 11 (second section)",
                              join_code="SECOND22")
            db.session.add(other)
            db.session.commit()
            ids = list(db.session.scalars(db.select(Enrollment.user_id).where(
                Enrollment.classroom_id == room.id).order_by(Enrollment.user_id).limit(3)))
            attempt = db.session.scalar(db.select(Attempt).where(
                Attempt.assignment_id == built.assignment_ids[0], Attempt.state == AttemptState.FINISHED))
            c, work, pupil = room.id, built.assignment_ids[0], ids[0]
            pages = {
                "home": "/teach/",
                "overview": f"/teach/classes/{c}",
                "overview-attention": f"/teach/classes/{c}?show=attention&sort=urgency",
                "overview-low-page-2": f"/teach/classes/{c}?show=all&sort=average&page=2",
                "roster": f"/teach/classes/{c}/roster",
                "roster-search": f"/teach/classes/{c}/roster?q=ana&sort=email",
                "roster-page-4": f"/teach/classes/{c}/roster?page=4",
                "bulk-remove": f"/teach/classes/{c}/students/selected?" + urlencode(
                    [("action", "remove")] + [("ids", i) for i in ids]),
                "bulk-accommodate": f"/teach/classes/{c}/students/selected?" + urlencode(
                    [("action", "accommodate")] + [("ids", i) for i in ids]),
                "remove": f"/teach/classes/{c}/students/{pupil}/remove",
                "accommodation": f"/teach/classes/{c}/students/{pupil}/accommodation?back=overview",
                "new-code": f"/teach/classes/{c}/new-code",
                "archive": f"/teach/classes/{c}/archive",
                "assign": f"/teach/classes/{c}/assign",
                "join-code": f"/teach/classes/{c}/join-code",
                "student": f"/teach/classes/{c}/students/{attempt.user_id}",
                "attempt": f"/teach/classes/{c}/attempts/{attempt.id}",
                "assignment": f"/teach/assignments/{work}",
                "edit": f"/teach/assignments/{work}/edit",
                "delete": f"/teach/assignments/{work}/delete",
                "copy": f"/teach/assignments/{work}/copy",
            }
        yield base, built, pages


def logged_in(browser, base, built, size):
    context = browser.new_context(**SIZES[size], timezone_id="America/Chicago")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(built.instructor_email)
    page.get_by_label("Password").fill(built.instructor_password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Welcome back").wait_for()
    return context, page


@pytest.mark.parametrize("size", list(SIZES))
def test_every_teach_page_fits_the_screen_with_whole_words(browser, demo, size):
    base, built, pages = demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = logged_in(browser, base, built, size)
    problems = {}
    try:
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response.status == 200, (name, response.status)
            page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            broken = page.evaluate(BROKEN_WORDS)
            labels = page.evaluate(CHART_LABELS)
            small = [round(h, 1) for h in labels if h < 12]
            if wide > 0 or broken or small:
                problems[name] = {"scrolls sideways by": wide, "broken words": broken, "small labels": small}
    finally:
        context.close()
    assert not problems, problems


def test_the_first_screen_of_the_overview_answers_who_needs_me(browser, demo):
    """Without scrolling: the summary strip, then on a phone the most urgent student with the start of
    their reasons, on a desktop the five most urgent with their reasons and actions."""
    base, built, pages = demo
    for size, wanted in (("phone", 1), ("desktop", 5)):
        context, page = logged_in(browser, base, built, size)
        try:
            page.goto(base + pages["overview"])
            height = page.evaluate("innerHeight")
            reasons = page.evaluate("""[...document.querySelectorAll('.attention > li')].map(li => ({
                why: li.querySelector('.why').getBoundingClientRect().top + 24,
                all: li.getBoundingClientRect().bottom}))""")
            assert 0 < len(reasons) <= 10
            seen = sum(1 for r in reasons if (r["why"] if size == "phone" else r["all"]) <= height)
            assert seen >= wanted, (size, seen, reasons[:6], height)
            strip = page.locator(".stats li")
            assert strip.count() == 4 and strip.last.bounding_box()["y"] < height
            page.screenshot(path=str(SHOTS / f"overview-first-screen-{size}.png"))
        finally:
            context.close()


def test_the_word_check_can_fail(browser, demo):
    """A table squeezed to 40 px breaks its words: the check reports them."""
    base, built, _ = demo
    context, page = logged_in(browser, base, built, "phone")
    try:
        page.goto(base + "/teach/")
        page.evaluate("""() => { const t = document.createElement('p');
            t.textContent = 'Attempts Mastered'; t.style.width = '2ch'; t.style.overflowWrap = 'anywhere';
            document.querySelector('main').append(t); }""")
        broken = page.evaluate(BROKEN_WORDS)
        assert any(re.match(r"(Attempts|Mastered) in <p", b) for b in broken), broken
    finally:
        context.close()
