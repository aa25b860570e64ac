"""Bulk INSERT and UPDATE for the importers' big writes, with one prepared statement per batch.

Django's `bulk_create` and `bulk_update` compile every value on its own (a placeholder, a `CASE WHEN` per
field and row, `get_db_prep_save` for each value): at 100,000 offerings that compilation was a third of an
import. Here each field gets its converter once: values of Django's plain field types go to the driver as
they are, the others (dates, decimals, JSON, the catalog's own fields) through the field's
`get_db_prep_save`, as Django would. Rows are written with one statement per batch (INSERT … RETURNING
the keys) or `executemany` (UPDATE … WHERE pk = %s). Like Django's bulk writes, they send no signals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import batched
from types import SimpleNamespace

from django.db import connection, models
from django.utils import timezone

BATCH = 500
# Field classes (exactly these, not subclasses) whose Python values the database drivers take as they are.
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.EmailField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
    models.URLField,
)


def _converter(field) -> Callable:
    """The field's `get_db_prep_save`, remembered per value within one write: an import's rows share a few
    timestamps and prices, and converting a datetime or a Decimal is most of the cost of writing it."""
    if isinstance(field, models.JSONField):  # True and 1 are one dict key but different JSON
        return lambda value: field.get_db_prep_save(value, connection)
    seen = {}

    def convert(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = field.get_db_prep_save(value, connection)
            return converted
        except TypeError:  # an unhashable value
            return field.get_db_prep_save(value, connection)

    return convert


def _reader(field, adding: bool) -> Callable:
    """A function from a model instance to the value its column takes."""
    attname = field.attname
    if getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)):
        stamp = timezone.now()  # one time for the whole write, as an UPDATE … SET updated_at = now would give
        converted = field.get_db_prep_save(stamp, connection)

        def stamped(obj):
            setattr(obj, attname, stamp)
            return converted

        return stamped
    if type(field) in PLAIN_FIELDS:
        return lambda obj: getattr(obj, attname)
    convert = _converter(field)
    return lambda obj: convert(getattr(obj, attname))


def _columns(model, names: Sequence[str] | None) -> list:
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    if names is None:
        return concrete
    wanted = set(names)
    return [f for f in concrete if f.name in wanted or f.attname in wanted]


def insert(model, objects: list) -> None:
    """INSERT `objects` (unsaved instances), setting each one's primary key as `bulk_create` does."""
    if any(obj.pk is not None for obj in objects):
        raise ValueError(f"insert() writes new {model.__name__} records only: some already have a primary key")
    for obj, key in zip(objects, _insert(model, objects, returning=True), strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias


def insert_rows(model, rows: list[dict]) -> int:
    """INSERT records given as dicts of attribute names ("offering_id", not "offering"), without building
    model instances; a field a row leaves out takes its default. Returns how many were written."""
    fields = _columns(model, None)
    defaults = {f.attname: f.get_default() for f in fields if not getattr(f, "auto_now_add", False)}
    unknown = {name for row in rows for name in row} - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no concrete field named {', '.join(sorted(unknown))}")
    _insert(model, [SimpleNamespace(**{**defaults, **row}) for row in rows], returning=False)
    return len(rows)


def _insert(model, objects: list, *, returning: bool) -> list:
    """One multi-row INSERT per batch; the new primary keys in order when `returning`."""
    if not objects:
        return []
    fields = _columns(model, None)
    readers = [_reader(field, True) for field in fields]
    quote = connection.ops.quote_name
    if not returning and connection.vendor == "postgresql":
        return _copy(model, objects, fields, readers)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row = f"({', '.join(['%s'] * len(fields))})"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    limit = connection.features.max_query_params or BATCH * len(fields)
    size = max(1, min(BATCH, limit // len(fields)))
    keys = []
    with connection.cursor() as cursor:
        for chunk in batched(objects, size, strict=False):
            cursor.execute(
                head + ", ".join([row] * len(chunk)) + tail, [read(obj) for obj in chunk for read in readers]
            )
            if returning:
                # RETURNING gives the rows in the order of VALUES on SQLite and PostgreSQL (bulk_create relies on it).
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _copy(model, objects: list, fields: list, readers: list) -> list:
    """PostgreSQL: the rows through COPY … FROM STDIN (psycopg's `copy`), a stream with no statement to parse
    per batch. The values are the ones an INSERT would bind (psycopg adapts them the same way)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([read(obj) for read in readers])
    return []


def update(model, objects: list, names: Sequence[str]) -> None:
    """UPDATE the columns `names` of saved `objects` from their attributes (auto_now fields take the time now)."""
    if not objects or not names:
        return
    fields = _columns(model, names)
    missing = set(names) - {f.name for f in fields} - {f.attname for f in fields}
    if missing:
        raise ValueError(f"{model.__name__} has no concrete field named {', '.join(sorted(missing))}")
    readers = [_reader(field, False) for field in fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        for chunk in batched(objects, BATCH, strict=False):
            cursor.executemany(sql, [[*(read(obj) for read in readers), obj.pk] for obj in chunk])
