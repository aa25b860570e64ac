"""Browser tests: Playwright's Python package drives Debian's Chromium against pytest-django's live server.

Nothing is downloaded: the browser is /usr/bin/chromium (`apt-get install -y chromium`; .ci/run
installs it when missing; CATALOG_CHROMIUM points elsewhere), and axe-core comes from npm
(`npm ci`, run by `make install`) as node_modules/axe-core/axe.min.js.

When the browser, Playwright or axe is missing these tests skip, unless CI or
CATALOG_REQUIRE_BROWSER is set: then they fail and say what to install.

The live server runs in a thread of this process, so the tests need a transactional database:
each test loads its data through `site_data` and the database is emptied after it.
Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CATALOG_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Headless (Playwright adds --headless), no sandbox (CI runs as root), and none of Chromium's own calls home: the machine has no network.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE, DESKTOP = 390, 1280
TIMEOUT_MS = 15_000


def browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("CATALOG_REQUIRE_BROWSER"))


def missing(what: str, how: str):
    """Skip, or fail when the browser tests are required (CI, CATALOG_REQUIRE_BROWSER)."""
    message = f"{what} is missing; {how}."
    if browser_required():
        pytest.fail(
            f"{message} The browser tests are required here (CI or CATALOG_REQUIRE_BROWSER is set).", pytrace=False
        )
    pytest.skip(message)


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    On SQLite the test database lives in memory, and every request thread uses the test's own
    connection. Two requests at once (an htmx request and the one that replaces it) would run
    their queries on that one connection together, and one of them can fail at random. The body
    is read under the lock as well, since a streamed response queries as it is read.
    """

    lock = threading.Lock()

    def get_app(self):
        app = super().get_app()

        def one_at_a_time(environ, start_response):
            with self.lock:
                response = app(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    response.close()
            return [body]

        return one_at_a_time


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server (same address rules), with OneRequestAtATimeServer."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False)
    server.thread.server_class = OneRequestAtATimeServer
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def playwright_driver():
    """Playwright for this package only: its event loop is gone before the other tests run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright's Python package", "install the test extra: .venv/bin/pip install -e '.[test]'")
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"Chromium ({CHROMIUM})", "install Debian's package: apt-get install -y chromium")
    # Playwright's synchronous API keeps an asyncio loop in this thread; the ORM calls the tests make
    # (loading data, creating a curator) are synchronous and safe, so Django is told not to refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright_driver):
    try:
        instance = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
    except Exception as error:  # noqa: BLE001 (any launch failure means no usable browser)
        missing(
            f"a Chromium that starts ({CHROMIUM}: {error})", "install Debian's package: apt-get install -y chromium"
        )
    yield instance
    instance.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, width=DESKTOP, **context options) -> a page at the live server's `path`."""
    contexts = []

    def _open(path: str = "/", width: int = DESKTOP, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # htmx reports a request it aborted (hx-sync="this:replace": a newer one replaced it) as an error.
        expected = ("Failed to load resource", "htmx:sendAbort", "htmx:afterRequest")
        page.on(
            "console",
            lambda message: (
                errors.append(message.text)
                if message.type == "error" and not message.text.startswith(expected)
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                errors.append(f"{response.status} {response.url}")
                if response.status >= 500 or (response.status == 404 and not response.url.endswith("/favicon.ico"))
                else None
            ),
        )
        page.js_errors = errors  # script errors, and responses that should not happen (the favicon aside)
        if path is not None:
            page.goto(path)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.exists():
        missing(f"axe-core ({AXE.relative_to(ROOT)})", "run `npm ci` (make install does) at the project root")
    return AXE.read_text(encoding="utf-8")


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations on the page (the page's context must bypass CSP: axe is an inline script)."""
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n").slice(0, 2).join(" ")),
            }));
        }"""
    )


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def page_overflow(page) -> tuple[int, int]:
    """(scrollWidth of the document, the viewport's width): the page itself must not scroll sideways."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


# --- Data ------------------------------------------------------------------------------------------


def showcase_catalog() -> dict:
    """A fictional family of priced vision models (≥32k context) with a price history, beside the seed.

    The seed (LLaVA) has 4k contexts and no prices: these rows are what a visitor filters, ticks
    and compares, and what the charts draw.
    """
    lab = factories.organization("example-labs", "Example Labs")
    aurora = factories.family(
        "aurora", "Aurora", creator=lab, about="Fictional vision models for the browser tests.", license="Apache-2.0"
    )
    api, cloud = factories.provider("api-co", "API Co"), factories.provider("cloud-co", "Cloud Co")

    def vision(slug, name, context, released, **fields):
        fields.setdefault("input_modalities", ["text", "image"])
        fields.setdefault("output_modalities", ["text"])
        return factories.variant(
            aurora, slug, name, context_window=context, release_date=released, release_precision="month", **fields
        )

    rows = {
        "mini": vision(
            "aurora-vision-mini",
            "Aurora Vision Mini",
            8192,
            date(2024, 3, 1),
            parameters=3 * 10**9,
            status="legacy",
            open_weights=True,
        ),
        "8b": vision(
            "aurora-vision-8b",
            "Aurora Vision 8B",
            32768,
            date(2024, 9, 1),
            parameters=8 * 10**9,
            open_weights=True,
            tool_calling=False,
            max_output_tokens=8192,
        ),
        "lite": vision(
            "aurora-vision-lite",
            "Aurora Vision Lite",
            65536,
            date(2024, 11, 1),
            parameters=2 * 10**9,
            open_weights=True,
        ),
        "70b": vision(
            "aurora-vision-70b",
            "Aurora Vision 70B",
            131072,
            date(2025, 2, 1),
            parameters=70 * 10**9,
            tool_calling=True,
            structured_output=True,
            max_output_tokens=16384,
        ),
        "max": vision(
            "aurora-vision-max",
            "Aurora Vision Max",
            1_048_576,
            date(2025, 6, 1),
            input_modalities=["text", "image", "audio"],
            tool_calling=True,
            reasoning=True,
            structured_output=True,
            max_output_tokens=65536,
        ),
        "text": factories.variant(
            aurora,
            "aurora-text-8b",
            "Aurora Text 8B",
            context_window=32768,
            input_modalities=["text"],
            release_date=date(2024, 9, 1),
            release_precision="month",
        ),
    }
    rows["mini"].replaced_by = rows["8b"]
    rows["mini"].save()

    def priced(variant, provider, model_id, history):
        """history: [(valid_from, input, output)] oldest first; the last is the offering's current price."""
        *_, (_, price_in, price_out) = history
        offering = factories.offering(variant, provider, model_id, price_in, price_out, price_checked=date(2025, 10, 1))
        for index, (start, p_in, p_out) in enumerate(history):
            end = history[index + 1][0] if index + 1 < len(history) else None
            factories.price_record(offering, start, p_in, p_out, valid_to=end, source="test")
        return offering

    def at(year, month, day=1):
        return datetime(year, month, day, tzinfo=UTC)

    priced(rows["8b"], api, "aurora-vision-8b", [(at(2024, 9, 5), "0.3", "0.9"), (at(2025, 4, 1), "0.2", "0.6")])
    priced(rows["lite"], api, "aurora-vision-lite", [(at(2024, 11, 10), "0", "0")])
    priced(
        rows["70b"],
        api,
        "aurora-vision-70b",
        [(at(2025, 2, 3), "5", "15"), (at(2025, 6, 1), "3.5", "12"), (at(2025, 9, 15), "2.5", "10")],
    )
    priced(rows["70b"], cloud, "aurora/vision-70b", [(at(2025, 3, 1), "3", "12")])
    priced(rows["max"], cloud, "aurora/vision-max", [(at(2025, 6, 2), "8", "24")])
    priced(rows["text"], api, "aurora-text-8b", [(at(2024, 9, 5), "0.1", "0.3")])
    return rows


@pytest.fixture
def site_data(transactional_db):
    """The seed (LLaVA, LLaVA 1.5, Ollama) and the showcase family, loaded for one browser test."""
    with open(os.devnull, "w") as quiet:
        call_command("load_seed", verbosity=0, stdout=quiet)
    return showcase_catalog()
