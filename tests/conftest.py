from pathlib import Path

import pytest
from django.core.management import call_command

SEED_PAGE = Path(__file__).parent / "fixtures" / "seed_page_llava.txt"


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with no cached page, and no pending cache bump left by an earlier test's transaction."""
    from catalog.services import page_cache

    page_cache.forget_uncommitted_changes()
    page_cache.reset_breaker()
    page_cache.bump_now()
    yield
    page_cache.forget_uncommitted_changes()


@pytest.fixture
def seed(db):
    """The seed catalog (LLaVA, LLaVA 1.5, Ollama), loaded the way `make run` loads it."""
    call_command("load_seed", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture
def seed_page_text() -> str:
    return SEED_PAGE.read_text(encoding="utf-8")
