"""Page budget: a lesson on a phone over a fresh connection stays small and never leaves the site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser

BUDGET = 50 * 1024  # bytes on the wire (headers and bodies) for the document, its CSS and its JavaScript
COUNTED = {"document", "stylesheet", "script"}


def test_lesson_page_fits_the_budget_and_stays_on_the_site(live_server, browser):
    _, base = live_server
    context = browser.new_context(**PHONE)  # fresh: nothing cached
    requests = []
    context.on("requestfinished", lambda request: requests.append(request))
    try:
        page = context.new_page()
        page.goto(base + "/lessons/obama-medvedev", wait_until="load")
        page.wait_for_load_state("networkidle")
        origin = urlsplit(base)
        elsewhere = [r.url for r in requests if urlsplit(r.url)[:2] != origin[:2]]
        assert not elsewhere, f"requests to other origins: {elsewhere}"
        rows = []
        for request in requests:
            if request.service_worker is not None or request.resource_type not in COUNTED:
                continue  # what the service worker caches for offline use later is not this page
            sizes = request.sizes()
            response = request.response()
            body = len(response.body())
            assert sizes["responseBodySize"] <= body, "compressed bodies would need counting on the wire"
            rows.append((request.resource_type, request.url, body + sizes["responseHeadersSize"]))
        total = sum(size for *_, size in rows)
        listing = "\n".join(f"  {size:6d}  {kind:10s}  {url}" for kind, url, size in rows)
        print(f"lesson page: {total} bytes\n{listing}")
        assert {kind for kind, *_ in rows} == COUNTED
        assert total < BUDGET, f"{total} bytes is over the {BUDGET}-byte budget:\n{listing}"
    finally:
        context.close()
