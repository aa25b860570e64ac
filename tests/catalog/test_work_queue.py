"""The work queue: findings refreshed after every import and curator save, ranked, grouped, with what changed."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Finding, Variant
from catalog.selectors import quality as quality_selectors
from catalog.services import quality
from catalog.services.quality.checks import with_neighbours
from tests import factories
from tests.html import form_data, visible_text

pytestmark = pytest.mark.django_db
SAMPLE = __import__("pathlib").Path(__file__).parent.parent / "fixtures" / "litellm_sample.json"


@pytest.fixture
def curator(client):
    user = User.objects.create_superuser("ada", "ada@example.org", "x")
    client.force_login(user)
    return user


def test_an_import_refreshes_the_findings(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_litellm", str(SAMPLE), stdout=open("/dev/null", "w"))
    assert Finding.objects.filter(state=Finding.State.OPEN).exists()


def test_a_curator_save_refreshes_the_findings_of_its_family_only(client, curator, django_capture_on_commit_callbacks):
    fam, other = factories.family("acme", "Acme"), factories.family("bolt", "Bolt")
    variant = factories.variant(fam, "acme-1", context_window=None)
    factories.variant(other, "bolt-1", context_window=None)
    quality.run_checks(["missing-specs"])
    assert Finding.objects.filter(rule="missing-specs", state=Finding.State.OPEN).count() == 2
    Finding.objects.filter(family=other).update(message="untouched")
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    data = form_data(client.get(url).content.decode())
    data["context_window"] = ["8192"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302
    assert Finding.objects.get(family=fam, rule="missing-specs").state == Finding.State.RESOLVED
    assert Finding.objects.get(family=other, rule="missing-specs").message == "untouched"


def test_a_scoped_run_leaves_findings_about_no_family_alone(db):
    fam = factories.family("acme", "Acme")
    factories.variant(fam, "acme-1", context_window=None)
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    source_level = Finding.objects.create(
        rule="source-import-stale",
        severity=2,
        subject="source:x",
        message="m",
        fingerprint="f",
        first_seen_at=now,
        changed_at=now,
    )
    quality.run_checks(family_ids={fam.pk})
    source_level.refresh_from_db()
    assert source_level.state == Finding.State.OPEN
    assert Finding.objects.filter(family=fam, rule="missing-specs", state=Finding.State.OPEN).exists()


def test_an_import_refreshes_the_families_it_changed_and_the_source_findings(
    tmp_path, db, django_capture_on_commit_callbacks
):
    from tests.catalog.test_import_modelsdev import model, provider, run, write

    api = {
        "anthropic": provider("anthropic", "Anthropic", [model("claude-opus-4-1", "Claude Opus 4.1", "claude-opus")]),
        "mistral": provider("mistral", "Mistral", [model("mistral-large-2", "Mistral Large 2", "mistral-large")]),
    }
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, api))
    opus = Variant.objects.get(match_key="claude-opus-4-1")
    large = Variant.objects.get(match_key="mistral-large-2")
    assert opus.family.creator_id != large.family.creator_id
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for variant in (opus, large):  # findings a full run would refresh (nothing in the data supports them)
        Finding.objects.create(
            rule="missing-specs",
            severity=2,
            subject=f"variant:{variant.pk}:x",
            family=variant.family,
            message="stale",
            fingerprint="f",
            first_seen_at=old,
            changed_at=old,
        )
    stale_source = Finding.objects.create(
        rule="source-import-stale",
        severity=2,
        subject="import:models.dev",
        message="stale",
        fingerprint="f",
        first_seen_at=old,
        changed_at=old,
    )

    api["anthropic"]["models"]["claude-opus-4-1"]["cost"] = {"input": 20, "output": 80}
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, api))
    states = dict(Finding.objects.filter(message="stale").values_list("family_id", "state"))
    assert states[opus.family_id] == Finding.State.RESOLVED  # its price changed: its family is checked again
    assert states[large.family_id] == Finding.State.OPEN  # unchanged: left for the next full run
    stale_source.refresh_from_db()
    assert stale_source.state == Finding.State.RESOLVED  # the import just ran

    # A file that changes nothing refreshes the source findings alone; a provider renamed, every family.
    assert with_neighbours(set()) == set()
    api["mistral"]["name"] = "Mistral AI"
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, api))
    assert Finding.objects.get(family=large.family, message="stale").state == Finding.State.RESOLVED


def test_a_family_s_neighbours_share_its_maker_or_hold_what_its_models_replace(db):
    acme, bolt = factories.organization("acme", "Acme"), factories.organization("bolt", "Bolt")
    fam = factories.family("acme-one", "Acme One", creator=acme)
    sibling = factories.family("acme-two", "Acme Two", creator=acme)
    other = factories.family("bolt", "Bolt", creator=bolt)
    stranger = factories.family("bolt-two", "Bolt Two", creator=bolt)
    old = factories.variant(other, "bolt-1")
    old.replaced_by = factories.variant(fam, "acme-1")
    old.save()
    neighbours = with_neighbours({fam.pk})
    assert neighbours == {fam.pk, sibling.pk, other.pk}  # not stranger: another maker, nothing replaced
    assert stranger.pk not in with_neighbours({sibling.pk})


def test_the_queue_ranks_what_visitors_see_first_and_groups_by_family(db):
    fam, old_fam = factories.family("acme", "Acme"), factories.family("bolt", "Bolt")
    for n in range(4):
        factories.variant(fam, f"acme-{n}", context_window=None, status="current")
    factories.variant(old_fam, "bolt-1", context_window=None, status="legacy")
    quality.run_checks(["missing-specs", "family-without-source"])
    queue = quality_selectors.work_queue("/admin/catalog/finding/")
    first = queue.groups[0]
    assert (first.rule, first.family_name, first.count) == ("missing-specs", "Acme", 4)
    legacy = next(g for g in queue.groups if g.rule == "missing-specs" and g.family_name == "Bolt")
    sources = [g for g in queue.groups if g.rule == "family-without-source"]
    assert queue.groups.index(legacy) > 0 and all(queue.groups.index(g) > 0 for g in sources)
    assert first.list_url == f"/admin/catalog/finding/?rule=missing-specs&family={fam.pk}"
    assert dict(queue.by_action)["Fill in specs"] == 5
    assert queue.open_count == 7


def test_the_queue_page_needs_no_button_and_shows_what_changed_since_the_last_visit(
    client, curator, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_litellm", str(SAMPLE), stdout=open("/dev/null", "w"))
    url = reverse("admin:catalog_finding_queue")
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    text = visible_text(response.content.decode())
    assert response.status_code == 200
    assert "Since your last visit (the last 7 days)" in text and "1 import run" in text
    assert "from LiteLLM, import run" in text and " new, " in text  # the run's summary
    assert "open findings in" in text or "open finding in" in text
    assert 'src="/static/js/work-queue.js"' in response.content.decode()
    client.post(url)
    text = visible_text(client.get(url).content.decode())
    assert "0 import runs" in text and "Since your last visit (" in text


def test_the_queue_link_is_on_every_admin_page(client, curator):
    assert reverse("admin:catalog_finding_queue") in client.get(reverse("admin:index")).content.decode()
    assert Variant.objects.count() == 0


def test_the_last_visit_is_kept_per_user_across_logins_and_browsers(client, curator):
    from django.test import Client

    from catalog.models import CuratorVisit

    url = reverse("admin:catalog_finding_queue")
    assert "(the last 7 days)" in visible_text(client.get(url).content.decode())
    client.post(url)
    seen = CuratorVisit.objects.get(user=curator).seen_at
    client.logout()
    other_browser = Client()
    other_browser.force_login(curator)
    text = visible_text(other_browser.get(url).content.decode())
    assert f"Since your last visit ({seen:%Y-%m-%d %H:%M})" in text
    someone_else = User.objects.create_superuser("bob", "bob@example.org", "x")
    other_browser.force_login(someone_else)
    assert "(the last 7 days)" in visible_text(other_browser.get(url).content.decode())


def test_run_checks_now_runs_every_rule_group_and_the_findings_list_matches(client, curator, seed):
    from catalog.models import Provider

    fam = factories.family("acme", "Acme")
    factories.variant(fam, "acme-1", name="Acme 1", context_window=None)  # specs; sources: Acme cites none
    factories.variant(fam, "acme-1-again", name="acme-1")  # matching: the same model as Acme 1
    factories.variant(fam, "acme-0", status="retired")  # lifecycle: no successor
    api = factories.provider("cloudy", "Cloudy", Provider.Kind.API)
    factories.offering(factories.variant(fam, "acme-2", context_window=8000), api, "acme/2", 1, None)  # prices
    factories.offering(factories.variant(fam, "acme-3", context_window=8000), api, "acme/3", 1, 2)  # staleness
    assert not Finding.objects.exists()

    response = client.post(reverse("admin:catalog_finding_run"), follow=True)
    message = [str(m) for m in response.context["messages"]][0]
    open_findings = Finding.objects.filter(state=Finding.State.OPEN)
    assert f"{open_findings.count()} open findings" in message
    areas = {quality.RULES[rule].area for rule in open_findings.values_list("rule", flat=True)}
    assert areas == {r.area for r in quality.RULES.values()}  # every rule group ran and found its case
    expected = {
        (code, item.subject)
        for code, (items, _) in quality.evaluate(quality.select_rules(), quality.Snapshot()).items()
        for item in items
    }
    assert set(open_findings.values_list("rule", "subject")) == expected
    listed = visible_text(client.get(reverse("admin:catalog_finding_changelist")).content.decode())
    assert f"Open ({len(expected)})" in listed
