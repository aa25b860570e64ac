"""Guidance generated from catalog data: pure engines, no queries and no writes.

- `signals`: what a variant offers a workload, use-when lines, the family line, the release timeline
- `faq`: the family FAQ, asked only where the family's data answers it, and FAQPage JSON-LD
- `chooser`: which variants meet a workload's needs, ranked by a stated rule
- `cost`, `hardware`: monthly cost at an offering, memory for the weights
- `site_faq`: the catalog's own FAQ

Numbers and word lists are written by `catalog.formatting`. The names below are re-exported so that
`from catalog import guidance; guidance.use_when(...)` reads as one vocabulary.
"""

from catalog.formatting import (
    article,
    format_cost,
    format_gb,
    format_parameters,
    format_price,
    format_tokens,
    join_words,
    name_list,
    plural,
)
from catalog.guidance.cost import (
    COST_RULE,
    MILLION,
    Cost,
    CostRow,
    PriceCheck,
    Usage,
    cost_table,
    is_priced,
    monthly_cost,
    price_check,
)
from catalog.guidance.faq import (
    MODALITY_WORDS,
    FamilyFacts,
    FAQItem,
    cheapest_offering,
    compare_answer,
    context_answer,
    family_faq,
    family_questions,
    faq_jsonld,
    modality_answer,
    open_weights_answer,
    pricing_is_complete,
    providers_answer,
    released_answer,
    replaced_answer,
    same_question,
    used_for_answer,
    which_model_answer,
)
from catalog.guidance.hardware import (
    ACCELERATOR_SIZES_GB,
    HARDWARE_RULE,
    PrecisionFit,
    hardware_fit,
    hardware_summary,
)
from catalog.guidance.signals import (
    CAPABILITY_SIGNALS,
    ReleaseGroup,
    capability_rank,
    context_signal,
    distinctions,
    family_line,
    family_lines,
    is_current,
    is_multimodal,
    kind_line,
    max_context,
    most_capable,
    parameter_signal,
    release_groups,
    signals,
    use_when,
    variant_comparison,
)
from catalog.guidance.site_faq import site_faq

__all__ = [
    "ACCELERATOR_SIZES_GB", "CAPABILITY_SIGNALS", "COST_RULE", "HARDWARE_RULE", "MILLION", "MODALITY_WORDS",
    "Cost", "CostRow", "FAQItem", "FamilyFacts", "PrecisionFit", "PriceCheck", "ReleaseGroup", "Usage",
    "article", "capability_rank", "cheapest_offering", "compare_answer", "context_answer", "context_signal", "cost_table",
    "distinctions", "family_faq", "family_line", "family_lines", "is_current", "kind_line", "family_questions", "faq_jsonld", "format_cost", "format_gb", "format_parameters",
    "format_price", "format_tokens", "hardware_fit", "hardware_summary", "is_multimodal", "is_priced", "join_words",
    "max_context", "modality_answer", "monthly_cost", "most_capable", "name_list", "open_weights_answer",
    "parameter_signal", "plural", "price_check", "pricing_is_complete", "providers_answer", "release_groups",
    "released_answer", "replaced_answer", "same_question", "signals", "site_faq", "use_when", "used_for_answer",
    "variant_comparison", "which_model_answer",
]
