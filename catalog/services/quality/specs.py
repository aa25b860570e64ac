"""Rules on modalities and key specs: what a variant reads, and the numbers the spec tables show."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.formatting import join_words
from catalog.models import (
    Variant,
)

from .registry import (
    LISTED_STATUSES,
    SIBLING_MINIMUM,
    SIBLING_SHARE,
    VISION_NAME,
    VISION_TAG,
    Found,
    Severity,
    admin_change_url,
    rule,
)
from .snapshot import (
    Snapshot,
    _in_family,
    _variant_ids,
)


def _vision_evidence(data: Snapshot, family) -> str:
    """Why a family is a vision family: a use case or strength that says so, or its name."""
    for tag in data.family_tags.get(family.id, []):
        if VISION_TAG.search(tag.tag__name):
            kind = "use case" if tag.tag__kind == "use_case" else "strength"
            return f"its {kind} “{tag.tag__name}”"
    if VISION_NAME.search(family.name) or VISION_NAME.search(family.slug):
        return f"its name “{family.name}”"
    return ""


@rule("modalities-contradict-family", "Modalities contradict the family", Severity.ERROR, "modalities")
def modalities_contradict_family(data: Snapshot) -> Iterator[Found]:
    """A variant says it reads no images in a family that is about vision (by a use case or strength
    such as “vision and multimodal work”, or a name such as LLaVA, Pixtral, …-VL). Unknown modalities
    (none ticked) are not a contradiction."""
    for family in data.families.values():
        evidence = _vision_evidence(data, family)
        if not evidence:
            continue
        for variant in data.variants_by_family.get(family.id, []):
            inputs = list(variant.input_modalities)
            if not inputs or "image" in inputs:
                continue
            said = join_words(inputs)
            yield Found(
                subject=f"variant:{variant.id}",
                message=(
                    f"{variant.name} takes {said} input only, but {family.name} is a vision family "
                    f"({evidence}). Tick Image in its input modalities if it reads images; dismiss with "
                    "the reason if it really does not."
                ),
                fix_url=admin_change_url(Variant, variant.id),
                evidence={"input": inputs, "family": evidence},
                public_note=(
                    f"Vision support of {variant.name} is unverified: it is listed with {said} input "
                    f"only, in a family described as vision-capable."
                ),
                **_variant_ids(variant),
            )


@rule("modalities-unlike-siblings", "Modalities unlike the family's other variants", Severity.INFO, "modalities")
def modalities_unlike_siblings(data: Snapshot) -> Iterator[Found]:
    """A variant reads no images while at least three quarters of its family's other variants (four or
    more with known modalities) do. Often a source's omission; sometimes a real text-only model."""
    for family in data.families.values():
        if _vision_evidence(data, family):
            continue  # modalities-contradict-family covers it
        known = [v for v in data.variants_by_family.get(family.id, []) if v.input_modalities]
        for variant in known:
            if "image" in variant.input_modalities:
                continue
            others = [v for v in known if v.id != variant.id]
            with_images = sum(1 for v in others if "image" in v.input_modalities)
            if len(others) < SIBLING_MINIMUM or with_images < SIBLING_SHARE * len(others):
                continue
            yield Found(
                subject=f"variant:{variant.id}",
                message=(
                    f"{variant.name} takes {join_words(list(variant.input_modalities))} input only, while "
                    f"{with_images} of the {len(others)} other {family.name} variants read images. "
                    "Check its input modalities."
                ),
                fix_url=admin_change_url(Variant, variant.id),
                evidence={"input": list(variant.input_modalities), "family": family.id},
                **_variant_ids(variant),
            )


@rule("missing-specs", "Key specs missing", Severity.WARNING, "specs")
def missing_specs(data: Snapshot) -> Iterator[Found]:
    """A current or legacy variant without a context window or a release date, or an open-weights
    variant without its parameter count: the spec tables show “—” and the guidance has less to say."""
    for variant in data.variants.values():
        if variant.status not in LISTED_STATUSES:
            continue
        missing = []
        if variant.context_window is None:
            missing.append("context window")
        if variant.release_date is None:
            missing.append("release date")
        if variant.open_weights and variant.parameters is None:
            missing.append("parameter count (it has open weights)")
        if missing:
            yield Found(
                subject=f"variant:{variant.id}",
                message=f"{_in_family(data, variant)} has no {join_words(missing)}.",
                fix_url=admin_change_url(Variant, variant.id),
                evidence=missing,
                **_variant_ids(variant),
            )
