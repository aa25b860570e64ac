"""Write a catalog document into the database: validated first, then upserted in one transaction.

Records are matched on their natural keys (slugs; a provider's model id). A record is saved only
when a value differs, so importing the same document twice writes nothing the second time.
Nothing is deleted: a record missing from the document stays as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models
from django.utils.text import slugify
from pydantic import ValidationError as SchemaError

from catalog.models import (
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    Offering,
    Organization,
    Provider,
    Source,
    Tag,
    Variant,
)
from catalog.services import history, summaries
from catalog.services.catalog_format import CatalogDocument, parse_partial_date
from catalog.services.importers.runs import CuratorLocks, ImportBusy, WriteTally, import_run


class CatalogImportError(Exception):
    """Bad input: the message names the record and the field."""


@dataclass
class ImportSummary(WriteTally):
    dry_run: bool = False

    def counts(self) -> dict:
        return {**self.kind_counts(), "kept_by_lock": len(self.kept_by_lock)}

    def lines(self) -> list[str]:
        lines = self.kind_lines()
        if self.kept_by_lock:
            lines.append(f"kept by curator lock: {len(self.kept_by_lock)}")
            lines.extend(f"- {note}" for note in self.kept_by_lock)
        return lines


def _blank(value) -> bool:
    return value is None or value == "" or value == []


def describe_schema_error(error: SchemaError, document: dict) -> str:
    """Name each bad record by its path and, where it has one, its slug or model id."""
    messages = []
    for problem in error.errors():
        path = list(problem["loc"])
        node, label = document, []
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict):
                name = node.get("slug") or node.get("model_id") or node.get("number")
                if name is not None:
                    label.append(str(name))
        where = ".".join(str(part) for part in path)
        record = f" ({' / '.join(label)})" if label else ""
        # A document-level check (no path) names its records in its own message.
        messages.append(f"{where}{record}: {problem['msg']}" if where else problem["msg"])
    return "; ".join(messages)


def validate_document(data: dict) -> CatalogDocument:
    try:
        return CatalogDocument.model_validate(data)
    except SchemaError as error:
        raise CatalogImportError(describe_schema_error(error, data)) from error


class _Writer:
    """Upserts one record at a time; keeps fields a curator locked and sets `origin` on new records."""

    def __init__(self, summary: ImportSummary, origin: str, *, only_fill_missing: bool = False):
        self.summary, self.origin, self.only_fill_missing = summary, origin, only_fill_missing
        self.locks = CuratorLocks()
        # Versions are written in bulk at the end (history.record_created/record_updated), not one per save.
        self.created: list[models.Model] = []
        self.created_keys: set[tuple] = set()
        self.updated: dict[tuple, models.Model] = {}
        self.indexes: dict[tuple, dict] = {}  # (model, lookup names) → {lookup values: instance}, one query per model

    @staticmethod
    def _part(value):
        return value.pk if isinstance(value, models.Model) else value

    def _find(self, model: type[models.Model], lookup: dict) -> tuple[models.Model | None, dict, tuple]:
        names = tuple(sorted(lookup))
        index = self.indexes.get((model, names))
        if index is None:
            attnames = [model._meta.get_field(name).attname for name in names]
            index = {tuple(getattr(obj, attname) for attname in attnames): obj for obj in model.objects.all()}
            self.indexes[(model, names)] = index
        key = tuple(self._part(lookup[name]) for name in names)
        return index.get(key), index, key

    @staticmethod
    def _differs(instance: models.Model, name: str, value) -> bool:
        if isinstance(value, models.Model):  # compare ids: no query for the related record
            return getattr(instance, instance._meta.get_field(name).attname) != value.pk
        return getattr(instance, name) != value

    @staticmethod
    def _clean(instance: models.Model, lookup: dict) -> None:
        """full_clean, with every refusal named: kind, key, field and value.

        Relations are set from records found or written in this import, and uniqueness is the
        document's (checked on validation) and the database's: neither is queried again per record.
        """
        relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
        try:
            instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            key = " / ".join(str(value.slug if hasattr(value, "slug") else value) for value in lookup.values())
            problems = []
            for name, messages in error.message_dict.items():
                value = getattr(instance, name, None) if name != "__all__" else None
                shown = f" {value!r}" if value not in (None, "") else ""
                problems.append(f"{name}{shown}: {' '.join(messages)}")
            raise CatalogImportError(f"{instance._meta.verbose_name} {key}: {'; '.join(problems)}") from error

    def mark_updated(self, instance) -> None:
        """A record changed: one version at the end (a record created by this import has its baseline then)."""
        key = (type(instance), instance.pk)
        if key not in self.created_keys:
            self.updated[key] = instance

    def record_history(self, reason: str) -> None:
        history.record_created(self.created, reason=reason)
        history.record_updated(self.updated.values(), reason=reason)

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        kind = str(model._meta.verbose_name_plural)
        instance, index, key = self._find(model, lookup)
        if instance is None:
            instance = model(**lookup, **values)
            if hasattr(instance, "origin"):
                instance.origin = self.origin
            self._clean(instance, lookup)
            instance.skip_history_when_saving = True
            instance.save()
            del instance.skip_history_when_saving
            index[key] = instance
            self.created.append(instance)
            self.created_keys.add((model, instance.pk))
            self.summary.created[kind] += 1
            return instance
        changed = [name for name, value in values.items() if self._differs(instance, name, value)]
        for name in [name for name in changed if self.locks.holds(instance, name)]:
            self.summary.kept_by_lock.append(
                self.locks.kept(
                    f"{model._meta.verbose_name} {instance}", name, getattr(instance, name), "the file", values[name]
                )
            )
            changed.remove(name)
        if changed and self.only_fill_missing:
            for name in [name for name in changed if not _blank(getattr(instance, name))]:
                self.summary.kept_by_lock.append(
                    f"{model._meta.verbose_name} {instance}: kept the value in the database "
                    f"{getattr(instance, name)!r} for {name}, the file says {values[name]!r}"
                )
                changed.remove(name)
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            self._clean(instance, lookup)
            instance.skip_history_when_saving = True
            instance.save(update_fields=[*changed, *(["updated_at"] if hasattr(instance, "updated_at") else [])])
            del instance.skip_history_when_saving
            self.mark_updated(instance)
            self.summary.updated[kind] += 1
        else:
            self.summary.unchanged[kind] += 1
        return instance


def import_catalog(
    data: dict,
    *,
    dry_run: bool = False,
    origin: str = "catalog",
    dataset: str = "",
    raw: bytes = b"",
    only_fill_missing: bool = False,
) -> ImportSummary:
    """Import a catalog document (already parsed from JSON or YAML). Atomic; `dry_run` rolls back.

    One import at a time per database; the run is recorded as an ImportRun of source `origin`.
    `only_fill_missing` (load_seed): records are created and empty fields filled, but a value already
    in the database is never changed; each one kept is reported with what the file says.
    """
    document = validate_document(data)
    summary = ImportSummary(dry_run=dry_run)
    raw = raw or json.dumps(data, sort_keys=True, default=str).encode()
    try:
        with import_run(origin, dataset or "(document)", raw, dry_run=dry_run) as outcome:
            writer = _Writer(summary, origin, only_fill_missing=only_fill_missing)
            with summaries.deferred():  # one refresh of every summary at the end, not one per offering
                _write(document, writer)
            writer.record_history(history.import_reason(outcome.run))
            summaries.refresh()
            outcome.counts, outcome.notes = summary.counts(), summary.kept_by_lock
    except ImportBusy as error:
        raise CatalogImportError(str(error)) from error
    except ValidationError as error:
        raise CatalogImportError(f"invalid value: {error}") from error
    except DatabaseError as error:  # what validation missed: named, not a traceback
        raise CatalogImportError(f"the database refused the data ({type(error).__name__}): {error}") from error
    return summary


def _variant_key(ref: str) -> tuple[str, str]:
    family_slug, variant_slug = ref.split("/", 1)
    return family_slug, variant_slug


def _write(document: CatalogDocument, writer: _Writer) -> None:  # noqa: C901 (one stage per record kind; to be cut into stages, issue 11)
    organizations = {
        record.slug: writer.upsert(Organization, {"slug": record.slug}, record.model_dump(exclude={"slug"}))
        for record in document.organizations
    }

    def organization(slug: str, where: str) -> Organization:
        if slug not in organizations:
            found = Organization.objects.filter(slug=slug).first()
            if found is None:
                raise CatalogImportError(f"{where}: unknown organization {slug!r}")
            organizations[slug] = found
        return organizations[slug]

    providers = {
        record.slug: writer.upsert(Provider, {"slug": record.slug}, record.model_dump(exclude={"slug"}))
        for record in document.providers
    }

    variants: dict[tuple[str, str], Variant] = {}
    families: dict[str, Family] = {}
    pending_replacements = []
    for record in document.families:
        where = f"families.{record.slug}"
        family = writer.upsert(
            Family,
            {"slug": record.slug},
            {
                "name": record.name,
                "creator": organization(record.creator, where),
                "about": record.about,
                "license": record.license,
                "homepage": record.homepage,
                "repository": record.repository,
                "published": record.published,
            },
        )
        families[record.slug] = family
        wanted = {organization(slug, f"{where}.collaborators").pk for slug in record.collaborators}
        missing = wanted - set(family.collaborators.values_list("pk", flat=True))
        if missing:
            family.collaborators.add(*missing)
            writer.summary.created["family collaborators"] += len(missing)

        for position, (kind, name) in enumerate(
            [(Tag.Kind.USE_CASE, name) for name in record.use_cases]
            + [(Tag.Kind.STRENGTH, name) for name in record.strengths]
        ):
            tag = writer.upsert(Tag, {"kind": kind, "slug": slugify(name)}, {"name": name})
            writer.upsert(FamilyTag, {"family": family, "tag": tag}, {"position": position})

        for source in record.sources:
            writer.upsert(Source, {"family": family, "number": source.number}, source.model_dump(exclude={"number"}))
        for position, entry in enumerate(record.faq):
            writer.upsert(
                FAQEntry,
                {"family": family, "question": entry.question},
                {"answer": entry.answer, "replaces": entry.replaces, "position": position},
            )
        for position, variant_record in enumerate(record.variants):
            values = variant_record.model_dump(exclude={"slug", "released", "replaced_by"})
            if variant_record.released:
                values["release_date"], values["release_precision"] = parse_partial_date(variant_record.released)
            else:
                values["release_date"], values["release_precision"] = None, "day"
            values["position"] = position
            variant = writer.upsert(Variant, {"family": family, "slug": variant_record.slug}, values)
            variants[(record.slug, variant_record.slug)] = variant
            if variant_record.replaced_by:
                pending_replacements.append(
                    (f"{where}.variants.{variant_record.slug}", variant, variant_record.replaced_by)
                )

    def find_variant(ref: str, where: str) -> Variant:
        key = _variant_key(ref)
        if key not in variants:
            found = Variant.objects.filter(family__slug=key[0], slug=key[1]).first()
            if found is None:
                raise CatalogImportError(f"{where}: unknown variant {ref!r}")
            variants[key] = found
        return variants[key]

    for where, variant, ref in pending_replacements:
        replacement = find_variant(ref, f"{where}.replaced_by")
        if variant.replaced_by_id not in (None, replacement.pk) and writer.only_fill_missing:
            writer.summary.kept_by_lock.append(
                f"variant {variant}: kept the value in the database {str(variant.replaced_by)!r} for replaced_by, "
                f"the file says {ref!r}"
            )
        elif variant.replaced_by_id != replacement.pk:
            variant.replaced_by = replacement
            variant.skip_history_when_saving = True
            variant.save(update_fields=["replaced_by", "updated_at"])
            del variant.skip_history_when_saving
            writer.mark_updated(variant)
            writer.summary.updated["variants"] += 1

    for record in document.families:
        for position, relation in enumerate(record.related):
            where = f"families.{record.slug}.related"
            related = families.get(relation.family) or Family.objects.filter(slug=relation.family).first()
            if related is None:
                raise CatalogImportError(f"{where}: unknown family {relation.family!r}")
            writer.upsert(
                FamilyRelation,
                {"family": families[record.slug], "related": related},
                {"note": relation.note, "position": position},
            )

    for record in document.offerings:
        where = f"offerings.{record.provider}/{record.model_id}"
        provider = providers.get(record.provider) or Provider.objects.filter(slug=record.provider).first()
        if provider is None:
            raise CatalogImportError(f"{where}: unknown provider {record.provider!r}")
        values = record.model_dump(exclude={"provider", "model_id", "variant"})
        values["variant"] = find_variant(record.variant, where)
        writer.upsert(Offering, {"provider": provider, "model_id": record.model_id}, values)
