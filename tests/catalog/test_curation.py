"""A curator edits in the admin and the public pages follow."""

import re

from catalog.models import Variant
from tests.html import form_data, visible_text


def admin_save(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode())
    data.update({key: [str(value)] for key, value in changes.items()})
    data.pop("_addanother", None), data.pop("_continue", None)
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', response.content.decode())
    return response


def test_context_window_change_reaches_signals_guidance_and_faq(admin_client, client, seed):
    variant = Variant.objects.get(slug="llava-13b")
    admin_save(admin_client, f"/admin/catalog/variant/{variant.pk}/change/", context_window=8192)
    assert Variant.objects.get(pk=variant.pk).context_window == 8192

    html = client.get("/families/llava/").content.decode()
    text = visible_text(html)
    assert '<li class="chip">8k context</li>' in html
    assert "4k context" not in text.split("Release Timeline")[0].split("Current Variants")[1]
    assert "Use when the workload needs 8k context, 13B parameters, and multimodal inputs." in text
    assert "LLaVA has 4 listed variants and reaches up to 8k context, while LLaVA 1.5 reaches up to 4k context" in text
    assert "evaluate LLaVA 13B with 8k context and multimodal inputs." in text


def test_family_change_form_saves_unchanged(admin_client, client, seed):
    """Saving the family form as rendered (with its inlines) changes nothing a visitor sees."""
    before = visible_text(client.get("/families/llava/").content.decode())
    family_id = Variant.objects.get(slug="llava-13b").family_id
    admin_save(admin_client, f"/admin/catalog/family/{family_id}/change/")
    assert visible_text(client.get("/families/llava/").content.decode()) == before


def test_curator_use_case_edit_changes_the_faq(admin_client, client, seed):
    from catalog.models import FamilyTag

    FamilyTag.objects.filter(family__slug="llava", tag__name="coding").delete()
    text = visible_text(client.get("/families/llava/").content.decode())
    assert "LLaVA is used for vision and multimodal work and chatbot and role-playing use cases." in text


def test_seed_reload_keeps_the_curators_value_and_says_so(admin_client, client, seed):
    import io

    from django.core.management import call_command

    from catalog.models import FieldLock, ImportRun

    variant = Variant.objects.get(slug="llava-13b")
    admin_save(admin_client, f"/admin/catalog/variant/{variant.pk}/change/", context_window=8192)
    assert FieldLock.objects.filter(object_id=variant.pk, field="context_window").exists()
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert "kept curator value 8192 for context_window, the file says 4096" in out.getvalue()
    assert Variant.objects.get(pk=variant.pk).context_window == 8192
    run = ImportRun.objects.filter(source="seed").latest("started_at")
    assert run.status == ImportRun.Status.SUCCEEDED and run.counts["kept_by_lock"] == 1


def test_admin_edit_of_unchanged_fields_takes_no_lock(admin_client, seed):
    from catalog.models import FieldLock

    variant = Variant.objects.get(slug="llava-13b")
    admin_save(admin_client, f"/admin/catalog/variant/{variant.pk}/change/")
    assert not FieldLock.objects.exists()
