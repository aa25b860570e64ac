"""Hardware fit: memory for a variant's weights at 16, 8 and 4 bits, and which accelerators hold them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog.formatting import format_gb

ACCELERATOR_SIZES_GB = (8, 12, 16, 24, 48, 80)
BYTES_PER_PARAMETER = ((16, Decimal(2)), (8, Decimal(1)), (4, Decimal("0.5")))
MEMORY_OVERHEAD = Decimal("0.20")  # activations, KV cache and runtime, as a share of the weights
BYTES_PER_GB = Decimal(10) ** 9

HARDWARE_RULE = (
    "Weights take parameters × bytes per parameter: 2 bytes at 16-bit, 1 at 8-bit, 0.5 at 4-bit (1 GB = 10^9 "
    f"bytes). A model fits an accelerator when its weights plus {MEMORY_OVERHEAD * 100:.0f}% overhead for "
    "activations, the KV cache and the runtime fit in its memory; long contexts and large batches need more. "
    "Every parameter counts, including the experts a mixture-of-experts model does not use for a given token."
)


@dataclass(frozen=True)
class PrecisionFit:
    bits: int
    weights_gb: Decimal
    total_gb: Decimal
    fits: tuple[bool, ...]  # one per ACCELERATOR_SIZES_GB

    @property
    def smallest(self) -> int | None:
        return next((size for size, fit in zip(ACCELERATOR_SIZES_GB, self.fits, strict=True) if fit), None)


def hardware_fit(parameters: int | None) -> list[PrecisionFit]:
    """Memory for the weights at 16, 8 and 4 bits, and which common accelerator sizes hold them."""
    if not parameters:
        return []
    rows = []
    for bits, per_parameter in BYTES_PER_PARAMETER:
        weights = Decimal(parameters) * per_parameter / BYTES_PER_GB
        total = weights * (1 + MEMORY_OVERHEAD)
        rows.append(PrecisionFit(bits, weights, total, tuple(total <= size for size in ACCELERATOR_SIZES_GB)))
    return rows


def hardware_summary(name: str, fits: Sequence[PrecisionFit]) -> str | None:
    if not fits:
        return None
    first = fits[0]
    smallest = next(((row.smallest, row.bits) for row in reversed(fits) if row.smallest), None)
    answer = (
        f"{name} needs {format_gb(first.weights_gb)} for its weights at {first.bits}-bit "
        f"({format_gb(first.total_gb)} with overhead)."
    )
    if smallest is None:
        largest = ACCELERATOR_SIZES_GB[-1]
        return answer + f" Even at {fits[-1].bits}-bit it needs more than one {largest} GB accelerator."
    size, bits = smallest
    return answer + f" The smallest common accelerator that holds it is {size} GB, at {bits}-bit."
