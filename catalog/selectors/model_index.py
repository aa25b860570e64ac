"""/models/ filtered, counted and ordered in memory: an index of every listed variant's filterable columns.

Built once per catalog version in each process (`page_cache.once_per_version`, like the other values kept per
version), from the spec-table rows (VariantRow) and who lists each variant. A request then filters, counts its
facets and finds the ids of its page without a query over the table: only its page's 50 rows are read (and a
search's matching ids, `?q=` being full-text SQL). The SQL path (ModelFilter's querysets,
catalog.selectors.tables.facet_groups) stays the definition: tests compare the two on every filter.

How: a row is a position (0…n-1, in the table's tie-break order). Every filter is a set of positions held as a
bitset (a Python int, one bit a row), so that combining filters is a few C-level `&` and counting a facet
choice is one `bit_count()`:

- status, input modality, each capability's yes / no / unknown, each provider: a bitset per value, built once;
- creator and family: each value's positions, made into a bitset when chosen; creators are counted over the
  chosen rows from one code per row (`collections.Counter` over `itertools.compress`);
- ranges (context, parameters, release, prices): the non-null values sorted, with the bitsets of 64 evenly spaced
  prefixes kept, so a threshold is a bisection, a kept prefix and at most 1/64 of the rows' bits set by hand;
- sorts: each sort's order of positions, read from the database the first time it is asked for (the database's
  own ordering, collation and NULLS LAST, tie-break included), kept with each position's rank in it.

The rows a page read (VariantRow instances), their drawn cells and compare boxes (catalog.columns.Table.rendered_rows)
and the price chart of a page's rows (catalog.views.tables.ModelListView.price_chart) are kept with the index, a
bounded number of each (`Kept`): they change only with the catalog version, so a page of rows read before reads
and draws nothing.

Comparisons follow the database's: on SQLite the prices are compared as the floating-point numbers it stores,
elsewhere as exact decimals. At 100,000 variants the index takes about 2 s of CPU to build (40 MB at its peak)
and holds 25 MB; each sort's order 0.8 MB more; the kept rows (KEPT_ROWS) up to some 20 MB.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import compress

from django.db import connections
from django.db.models import QuerySet

from catalog.fields import Modality
from catalog.models import Offering, Provider, Status, VariantRow

PREFIXES = 64  # a range column keeps the bitsets of 64 prefixes of its sorted positions, evenly spaced
KEPT_ROWS = 4096  # rows (and as many drawn rows) kept per catalog version: some 80 pages of 50
SMALL_RESULT = 16  # a result of at most 1/SMALL_RESULT of the rows is sorted by rank; a larger one walks the order
CAPABILITIES = ("tool_calling", "reasoning", "structured_output", "open_weights")
TRI_STATE_VALUES = {"yes": True, "no": False, "unknown": None}
# Each byte's eight bits as eight bytes 0/1, lowest bit first: a bitset made into one flag per row.
_SPREAD = [bytes((byte >> bit) & 1 for bit in range(8)) for byte in range(256)]
_BITS = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]
_NONZERO = re.compile(b"[^\\x00]")


def bitset(positions, size: int) -> int:
    """The bitset of these positions (each below `size`)."""
    bits = bytearray((size + 7) // 8)
    for position in positions:
        bits[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(bits, "little")


def flags(bits: int, size: int) -> bytes:
    """One byte (0 or 1) per row: what itertools.compress and a lookup by position read."""
    return b"".join(map(_SPREAD.__getitem__, bits.to_bytes((size + 7) // 8, "little")))[:size]


def positions(bits: int, size: int) -> list[int]:
    """The positions in a bitset, in order: the non-zero bytes found in C, then their bits (for a few rows of many)."""
    packed = bits.to_bytes((size + 7) // 8, "little")
    found = []
    for match in _NONZERO.finditer(packed):
        byte = match.start()
        found += map((byte << 3).__add__, _BITS[packed[byte]])
    return found


class RangeColumn:
    """A numeric or date column's non-null values in order, for `>=`, `<=` and `<` thresholds."""

    def __init__(self, positions: array, values: list, size: int, typecode: str | None = None):
        """`positions`: the rows with a value, in order; `values`: their values."""
        self.size = size
        order = sorted(range(len(values)), key=values.__getitem__)  # stable: equal values keep the rows' order
        # Held compactly where the values allow (integers, dates as day numbers, SQLite's floats): a list of
        # 100,000 Python numbers is some 3.5 MB, an array of them 0.8 MB.
        self.values = array(typecode, (values[i] for i in order)) if typecode else [values[i] for i in order]
        self.positions = array("i", (positions[i] for i in order))
        order = self.positions
        bits = bytearray((size + 7) // 8)
        self.step = step = max(64, -(-size // PREFIXES))
        self.prefixes = [0]  # prefixes[j]: the bitset of positions[: j * step]
        for i, position in enumerate(order, 1):
            bits[position >> 3] |= 1 << (position & 7)
            if i % step == 0:
                self.prefixes.append(int.from_bytes(bits, "little"))
        self.all = int.from_bytes(bits, "little")

    def first(self, count: int) -> int:
        """The bitset of the `count` lowest values' rows."""
        kept = count // self.step
        return self.prefixes[kept] | bitset(self.positions[kept * self.step : count], self.size)

    def at_least(self, threshold) -> int:
        return self.all ^ self.first(bisect.bisect_left(self.values, threshold))

    def at_most(self, threshold) -> int:
        return self.first(bisect.bisect_right(self.values, threshold))

    def below(self, threshold) -> int:
        return self.first(bisect.bisect_left(self.values, threshold))


class Kept(dict):
    """A mapping that keeps at most `limit` entries: the oldest goes first."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def keep(self, key, value):
        if len(self) >= self.limit:
            del self[next(iter(self))]
        self[key] = value
        return value


@dataclass
class SortOrder:
    order: array  # the positions in this sort's order
    rank: array  # each position's place in it


@dataclass
class ModelIndex:
    ids: array  # the variant id at each position
    position: dict[int, int]  # variant id -> position
    everything: int
    status: dict[str, int]
    modality: dict[str, int]
    capability: dict[str, dict[bool | None, int]]
    creators: list[tuple[str, str]]  # (slug, name), in the database's order of names: a creator's code is its place
    creator_code: array  # each position's creator
    creator_positions: dict[str, array]
    family_positions: dict[str, array]
    provider: dict[int, int]  # provider id -> the bitset of the variants it lists
    provider_names: dict[int, tuple[str, str]]  # provider id -> (slug, name)
    provider_order: dict[int, int]  # each provider's place by name, as the database orders them
    ranges: dict[str, RangeColumn]
    numeric: type  # how prices compare: float on SQLite (what it stores), Decimal elsewhere
    orders: dict[str, SortOrder] = field(default_factory=dict)
    # The catalog version's rows as read (VariantRow instances by id) and drawn (catalog.columns.Table.rendered_rows).
    rows: Kept = field(default_factory=lambda: Kept(KEPT_ROWS))
    fragments: Kept = field(default_factory=lambda: Kept(2 * KEPT_ROWS))

    @property
    def size(self) -> int:
        return len(self.ids)

    def positions_bitset(self, by_value: dict[str, array], values) -> int:
        found = [by_value[value] for value in values if value in by_value]
        return bitset((p for positions in found for p in positions), self.size)

    def ids_bitset(self, ids) -> int:
        position = self.position
        return bitset((position[i] for i in ids if i in position), self.size)

    def sort_order(self, sort: str, order_rows) -> SortOrder:
        """The positions in the order of `sort` (a ?sort= value), read once from `order_rows(sort)`: the
        ids of every row in that order, as the database sorts them."""
        found = self.orders.get(sort)
        if found is None:
            position = self.position
            order = array("i", (position[i] for i in order_rows(sort) if i in position))
            rank = array("i", [self.size]) * self.size  # a row the read no longer has (written since): last
            for place, p in enumerate(order):
                rank[p] = place
            found = self.orders[sort] = SortOrder(order, rank)
        return found


def build() -> ModelIndex:
    """Read the index from the database: the listed variants' rows, their providers, the creators' order.

    Positions are gathered in arrays, not lists (a list of 100,000 positions holds as many int objects: the
    build's peak memory), and a range column keeps only its known values."""
    from catalog.selectors.tables import variant_table

    sqlite = connections[VariantRow.objects.db].vendor == "sqlite"
    numeric, price = (float, "d") if sqlite else (Decimal, None)
    creators = list(
        variant_table().order_by("creator_name", "creator_slug").values_list("creator_slug", "creator_name").distinct()
    )
    code = {slug: place for place, (slug, _) in enumerate(creators)}
    rows = (
        variant_table()
        .order_by("family_name", "position", "name", "pk")
        .values_list(
            "pk",
            "status",
            "input_modalities",
            *CAPABILITIES,
            "creator_slug",
            "family_slug",
            "context_window",
            "parameters",
            "release_date",
            "price_in_min",
            "price_out_min",
            "creator_name",
        )
    )
    ids, creator_code = array("q"), array("i")
    typecodes = {"context": "q", "parameters": "q", "released": "q", "price_in": price, "price_out": price}
    known = {name: (array("i"), array(code) if code else []) for name, code in typecodes.items()}
    converters = (None, None, date.toordinal, numeric, numeric)
    status: dict[str, array] = defaultdict(lambda: array("i"))
    modality: dict[str, array] = defaultdict(lambda: array("i"))
    capability = {name: {True: array("i"), False: array("i"), None: array("i")} for name in CAPABILITIES}
    family_positions: dict[str, array] = defaultdict(lambda: array("i"))
    creator_positions: dict[str, array] = defaultdict(lambda: array("i"))
    for p, (pk, row_status, inputs, *rest) in enumerate(rows.iterator(chunk_size=5000)):
        caps, (creator, family, *ranged, creator_name) = rest[:4], rest[4:]
        if creator not in code:  # a maker written between the two reads (an import committing): placed last
            code[creator] = len(creators)
            creators.append((creator, creator_name))
        ids.append(pk)
        status[row_status].append(p)
        for value in inputs:
            modality[value].append(p)
        for name, value in zip(CAPABILITIES, caps, strict=True):
            capability[name][value].append(p)
        creator_code.append(code[creator])
        creator_positions[creator].append(p)
        family_positions[family].append(p)
        for (positions_, values), convert, value in zip(known.values(), converters, ranged, strict=True):
            if value is not None:
                positions_.append(p)
                values.append(convert(value) if convert else value)  # into an array where it can: not 100,000 objects
    size = len(ids)

    listed: dict[int, array] = defaultdict(lambda: array("i"))
    position = {pk: p for p, pk in enumerate(ids)}
    pairs = Offering.objects.filter(listed=True).values_list("variant_id", "provider_id").order_by().distinct()
    for variant_id, provider_id in pairs.iterator(chunk_size=5000):
        if variant_id in position:
            listed[provider_id].append(position[variant_id])
    providers = list(Provider.objects.order_by("name", "pk").values_list("pk", "slug", "name"))
    return ModelIndex(
        ids=ids,
        position=position,
        everything=(1 << size) - 1,
        status={value: bitset(status.get(value, ()), size) for value in Status.values},
        modality={value: bitset(modality.get(value, ()), size) for value in Modality.values},
        capability={
            name: {value: bitset(positions_, size) for value, positions_ in by_value.items()}
            for name, by_value in capability.items()
        },
        creators=creators,
        creator_code=creator_code,
        creator_positions=dict(creator_positions),
        family_positions=dict(family_positions),
        provider={pk: bitset(positions_, size) for pk, positions_ in listed.items()},
        provider_names={pk: (slug, name) for pk, slug, name in providers},
        provider_order={pk: place for place, (pk, _, _) in enumerate(providers)},
        ranges={
            name: RangeColumn(positions_, values, size, typecodes[name]) for name, (positions_, values) in known.items()
        },
        numeric=numeric,
    )


# --- A request over the index ---------------------------------------------------------------------

FACETED = ("status", "modality", *CAPABILITIES, "creator", "provider")


class IndexedQuery:
    """A valid ModelFilter's rows, counts and page, from the index.

    `bits[name]`: the rows each set filter allows (status: its default when absent); `without(*names)`: the
    rows every other filter allows.
    """

    def __init__(self, index: ModelIndex, cleaned: dict, search_ids=None):
        self.index = index
        self.bits: dict[str, int] = {}
        self._positions: dict[int, list[int]] = {}
        bits = self.bits
        ranges, numeric = index.ranges, index.numeric
        bits["status"] = _any_of(index.status, cleaned.get("status") or (Status.CURRENT, Status.LEGACY))
        if cleaned.get("modality"):
            bits["modality"] = _all_of(index.modality, cleaned["modality"], index.everything)
        for name in CAPABILITIES:
            if cleaned.get(name):
                bits[name] = index.capability[name][TRI_STATE_VALUES[cleaned[name]]]
        if creators := _chosen(cleaned, "creator"):
            bits["creator"] = index.positions_bitset(index.creator_positions, [o.slug for o in creators])
        if providers := _chosen(cleaned, "provider"):
            bits["provider"] = _any_of(index.provider, [p.pk for p in providers])
        if families := _chosen(cleaned, "family"):
            bits["family"] = index.positions_bitset(index.family_positions, [f.slug for f in families])
        if cleaned.get("q"):
            bits["q"] = index.ids_bitset(search_ids)
        for name, column, test, convert in (
            ("context_min", "context", RangeColumn.at_least, int),  # as Django prepares it for an integer column
            ("params_min", "parameters", RangeColumn.at_least, None),
            ("params_max", "parameters", RangeColumn.at_most, None),
            ("released_after", "released", RangeColumn.at_least, 0),
            ("released_before", "released", RangeColumn.below, 0),
            ("price_in_max", "price_in", RangeColumn.at_most, numeric),
            ("price_out_max", "price_out", RangeColumn.at_most, numeric),
        ):
            value = cleaned.get(name)
            if value is None or value == "":
                continue
            if convert == 0:
                value = value[0].toordinal()  # a period: its first day, as the index holds dates
            elif convert is not None:
                value = convert(value)
            bits[name] = test(ranges[column], value)
        if cleaned.get("priced") == "yes":
            bits["priced"] = ranges["price_in"].all

    def positions(self, bits: int) -> list[int]:
        """The positions of a bitset (kept: the facet counts and the page often ask for the same rows)."""
        found = self._positions.get(bits)
        if found is None:
            found = self._positions[bits] = positions(bits, self.index.size)
        return found

    def without(self, *names) -> int:
        result = self.index.everything
        for name, bits in self.bits.items():
            if name not in names:
                result &= bits
        return result

    @property
    def rows(self) -> int:
        return self.without()

    def groups(self) -> tuple[dict[str, int], int]:
        """What catalog.selectors.tables.facet_groups gives: the status, modality and capability counts, and
        the row count."""
        index, found = self.index, {}
        rows = self.rows
        others = self.without("status")
        for value, bits in index.status.items():
            if n := (others & bits).bit_count():
                found[f"status__{value}"] = n
        for value, bits in index.modality.items():
            if n := (rows & bits).bit_count():
                found[f"modality__{value}"] = n
        for name in CAPABILITIES:
            others = self.without(name)
            for value, bits in index.capability[name].items():
                if n := (others & bits).bit_count():
                    found[f"{name}__{_TRI_STATE_NAMES[value]}"] = n
        return found, rows.bit_count()

    def facet_groups(self):
        from catalog.selectors.tables import FacetGroups

        return FacetGroups(*self.groups())

    def creator_counts(self) -> list[dict]:
        """The creator facet: {"slug", "name", "n"} most rows first, then by name."""
        index = self.index
        rows, size = self.without("creator"), index.size
        if rows.bit_count() * SMALL_RESULT <= size:
            counts = Counter(map(index.creator_code.__getitem__, self.positions(rows)))
        else:
            counts = Counter(compress(index.creator_code, flags(rows, size)))
        return [
            {"slug": index.creators[code][0], "name": index.creators[code][1], "n": n}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]

    def provider_counts(self) -> list[dict]:
        """The provider facet, as catalog.selectors.tables.provider_counts gives it."""
        index = self.index
        rows = self.without("provider")
        counts = {pk: n for pk, bits in index.provider.items() if (n := (rows & bits).bit_count())}
        ranked = sorted(counts, key=lambda pk: (-counts[pk], index.provider_order[pk]))
        return [
            {
                "provider__slug": index.provider_names[pk][0],
                "provider__name": index.provider_names[pk][1],
                "n": counts[pk],
            }
            for pk in ranked
        ]

    def page_ids(self, order: SortOrder, start: int, stop: int, count: int | None = None) -> list[int]:
        """The variant ids of the rows at places start…stop-1 of the result in this order."""
        index, rows = self.index, self.rows
        size = index.size
        count = rows.bit_count() if count is None else count
        if start >= count or stop <= start:
            return []
        if count * SMALL_RESULT <= size:
            found = sorted(self.positions(rows), key=order.rank.__getitem__)[start:stop]
        else:  # walk the order a chunk at a time until the page is found
            chosen = flags(rows, size)
            found, seen, chunk = [], 0, max(4096, (stop - start) * SMALL_RESULT)
            for begin in range(0, size, chunk):
                part = order.order[begin : begin + chunk]
                hits = list(compress(part, map(chosen.__getitem__, part)))
                if seen + len(hits) > start:
                    found += hits[max(0, start - seen) :]
                seen += len(hits)
                if seen >= stop:
                    break
            found = found[: stop - start]
        return [index.ids[p] for p in found]


_TRI_STATE_NAMES = {True: "yes", False: "no", None: "unknown"}


def _chosen(cleaned: dict, name: str):
    """A slug filter's chosen records; None when none is chosen (the form then gives `queryset.none()`, which is
    not evaluated here: even an empty queryset costs a trip through the ORM's compiler)."""
    value = cleaned.get(name)
    if value is None or (isinstance(value, QuerySet) and value.query.is_empty()):
        return None
    return list(value)


def _any_of(by_value: dict, values) -> int:
    result = 0
    for value in values:
        result |= by_value.get(value, 0)
    return result


def _all_of(by_value: dict, values, everything: int) -> int:
    result = everything
    for value in values:
        result &= by_value.get(value, 0)
    return result


def query(filterset) -> IndexedQuery:
    """A valid ModelFilter's request over the catalog version's index (built on first use)."""
    from catalog.models import Variant
    from catalog.selectors.search import search_variants
    from catalog.services.page_cache import once_per_version

    index = once_per_version("models:index", build)
    cleaned = filterset.form.cleaned_data
    search_ids = (
        search_variants(Variant.objects.all(), cleaned["q"]).values_list("pk", flat=True) if cleaned.get("q") else None
    )
    return IndexedQuery(index, cleaned, search_ids)


class IndexedRows:
    """The rows a Paginator pages: counted from the index, a page read by id (one query of the rows not kept)."""

    def __init__(self, indexed: IndexedQuery, filterset):
        self.indexed, self.filterset = indexed, filterset
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.indexed.rows.bit_count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, places: slice) -> list:
        sort = (self.filterset.form.cleaned_data.get("sort") or [None])[0] or self.filterset.filters[
            "sort"
        ].table.default_sort
        order = self.indexed.index.sort_order(sort, self.order_rows)
        ids = self.indexed.page_ids(order, places.start or 0, places.stop, self.count())
        kept = self.indexed.index.rows
        rows = {pk: kept[pk] for pk in ids if pk in kept}
        if len(rows) < len(ids):
            from catalog.selectors.tables import variant_table

            for pk, row in variant_table().in_bulk([pk for pk in ids if pk not in rows]).items():
                rows[pk] = kept.keep(pk, row)
        # A row deleted or unpublished since the index was built (by another process, before its version
        # reaches this one) is left out of the page rather than failing it.
        return [rows[pk] for pk in ids if pk in rows]

    def order_rows(self, sort: str):
        """Every listed row's id in the order of `sort`, as the SQL path orders them (ModelFilter's sort filter)."""
        from catalog.selectors.tables import variant_table

        ordered = self.filterset.filters["sort"].filter(variant_table(), [sort])
        return ordered.values_list("pk", flat=True).iterator(chunk_size=5000)
