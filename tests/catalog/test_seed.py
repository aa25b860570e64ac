"""load_seed: the seed families, loaded idempotently."""

import io

from django.core.management import call_command

from catalog.models import Family, FamilyRelation, Offering, Provider, Source, Tag, Variant


def run_load_seed() -> str:
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Family, Variant, Provider, Offering, Source)
    }


def test_seed_content(db):
    run_load_seed()
    llava = Family.objects.get(slug="llava")
    assert llava.creator.name == "Haotian Liu"
    assert [ft.tag.name for ft in llava.family_tags.select_related("tag")] == [
        "vision and multimodal work",
        "coding",
        "chatbot and role-playing",
    ]
    assert list(llava.variants.values_list("slug", flat=True)) == [
        "llava-vicuna-13b",
        "llava-llama-2-13b",
        "llava-llama-2-7b",
        "llava-13b",
    ]
    assert set(llava.variants.values_list("release_precision", "status")) == {("month", "current")}
    assert {v.slug: v.context_window for v in llava.variants.all()} == {
        "llava-vicuna-13b": None,
        "llava-llama-2-13b": None,
        "llava-llama-2-7b": None,
        "llava-13b": 4096,
    }
    assert {v.slug: v.has_vision for v in llava.variants.all()}["llava-13b"] is True
    assert llava.sources.count() >= 6
    relation = llava.relations.get()
    assert relation.related.slug == "llava-1-5"
    assert [ft.tag.name for ft in relation.related.family_tags.filter(tag__kind="strength")] == ["structured outputs"]
    offering = Offering.objects.get()
    assert (offering.provider.slug, offering.variant.slug, offering.price_input) == ("ollama", "llava-13b", None)


def test_second_run_changes_nothing(db):
    first = run_load_seed()
    assert "Seed data loaded." in first
    before = snapshot()
    second = run_load_seed()
    assert "nothing changed" in second
    assert " 0 created, 0 updated" in second and " updated, 0 unchanged" not in second
    assert snapshot() == before


def test_rerun_keeps_every_edited_value_and_reports_it_but_fills_what_is_missing(db):
    """Issue 15.4: a curator's edits to any seeded record (not only lockable ones) survive load_seed."""
    run_load_seed()
    Variant.objects.filter(slug="llava-13b").update(context_window=8192)
    Variant.objects.filter(slug="llava-1-5-7b").update(context_window=None)
    Source.objects.filter(family__slug="llava", number=1).update(title="Curated title", publisher="Curated")
    Tag.objects.filter(name="structured outputs").update(name="Structured output")
    FamilyRelation.objects.filter(family__slug="llava").update(note="Curated note")
    Family.objects.create(slug="extra", name="Extra", creator=Family.objects.get(slug="llava").creator)
    out = run_load_seed()
    variant = Variant.objects.get(slug="llava-13b")
    assert variant.context_window == 8192  # kept
    assert Variant.objects.get(slug="llava-1-5-7b").context_window == 4096  # missing: filled
    source = Source.objects.get(family__slug="llava", number=1)
    assert (source.title, source.publisher) == ("Curated title", "Curated")
    assert Tag.objects.filter(name="Structured output").exists()
    assert FamilyRelation.objects.get(family__slug="llava").note == "Curated note"
    for said in (
        "kept the value in the database 8192 for context_window",
        "'Curated title' for title",
        "'Curated' for publisher",
        "'Structured output' for name",
        "'Curated note' for note",
    ):
        assert said in out
    assert Family.objects.filter(slug="extra").exists()  # nothing is deleted


def test_dry_run_writes_nothing(db):
    out = io.StringIO()
    call_command("load_seed", "--dry-run", stdout=out)
    assert "families: 2 created" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert Family.objects.count() == 0
