"""Word lists and patterns the rule detector reads claims with.

Kept apart from the parser so the vocabulary can be reviewed on one page.
Function words come from ``text.FUNCTION_WORDS`` (the package's one home for
word lists); the lists here name what a claim is about: effect directions,
extent and certainty cues, quantities and condition clauses.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?()]")
PUNCT = set(".,;:!?()")
HARD_STOP = set(".;:!?")
NUMBERS = dict(
    zip(
        """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
        seventeen eighteen nineteen twenty thirty forty fifty sixty""".split(),
        [*range(1, 21), 30, 40, 50, 60],
        strict=True,
    )
)
NEGATORS = {"not", "no", "never", "neither", "nor", "cannot", "without"}
DEONTIC = {"must", "should"}
GENERIC = set(
    """effect us use treatment patient people individual study studies medication drug medicine person brain
    body potential potentially typically significant significantly common commonly help result role ability
    way part level risk""".split()
)
# Drug names are recognised by the WHO INN naming stems (a published, general list), not by
# names taken from the corpus: "nal-" opioid antagonists/agonists, "-azepam"/"-zolam"/"-azepine"
# benzodiazepines, "-gab-"/"-pentin" GABA analogues, "-codone"/"-fentanil" opioids, and so on.
DRUG_STEMS = re.compile(
    r"^nal(?:t|ox|m|b|orph)\w{3,}$|\w{2,}(?:azepam|azolam|zolam|azepine|azepines|pentin|gabalin|barbital|codone"
    r"|fentanil|orphine|profen|statin|olol|pril|sartan|cillin|mycin|oxacin|oxetine|tyline|prazole|dipine|tidine"
    r"|triptan|gliptin|flozin|semide|thiazide|caine|cycline|setron|vudine|navir|mab)s?$"
)
# Substance classes: subjects too, unless governed by a preposition.
SUBSTANCES = {"alcohol", "opioid", "nicotine", "tobacco", "cannabis", "cocaine", "caffeine", "stimulant"}
PREPOSITIONS = {"with", "of", "on", "to", "from", "for", "in", "by", "and", "or"}
SIDE_CUES = {"include", "includ", "like", "such", "are", "is", "involv"}
SIDE_STOP = {"particularly", "especially", "when", "if", "with", "in", "while"}
DECREASE = """reduce reduction decrease decline lower lessen relief relieve alleviate quell mitigate diminish
    ameliorate attenuate inhibit suppress prevent fewer""".split()
INCREASE = """increase rise rose elevate enhance higher promote induce cause trigger worsen exacerbate raise
    boost greater stimulate occur""".split()
# Extent: a total effect ("totally block", "prevents any", "useless") against a partial one or a
# possible outcome ("cannot exert their full effect", "X may occur"); a range that includes the
# total ("partially or completely") is not partial.
_BLOCKING = r"(?:block|prevent|stop|abolish|eliminat|suppress|inhibit)\w*"
TOTAL = re.compile(
    r"\b(?:totally|completely|entirely|fully) " + _BLOCKING + r"|\b" + _BLOCKING + r" (?:any|all|every)\b"
    r"|\buseless\b|\bno effect at all\b"
)
PARTIAL = re.compile(
    r"\bpartially\b|\bpartly\b|\bin part\b"
    r"|\b(?:cannot|can't|not) (?:\w+ ){0,2}(?:their|its|the) full\b"
)
RANGE = re.compile(
    r"\b(?:partially|partly|in part) or (?:totally|completely|entirely|fully|wholly)\b"
    r"|\b(?:totally|completely|entirely|fully|wholly) or (?:partially|partly|in part)\b"
)
OCCURS = re.compile(r"\b(?:[a-z]+ )?(?:may|can|could|might) (?:still )?(?:occur|happen|result)\b")
# "The exact mechanism is unclear" doubts the details, not a plain statement of what the drug is.
DETAIL_HEDGE = re.compile(r"\b(?:exact|precise|full|specific|detailed)\b|\bnot fully\b")
HEDGE = re.compile(
    r"\b(?:unclear|unknown|uncertain)\b"
    r"|\bnot (?:yet |fully |well |completely )?(?:understood|known|established)\b"
)
MODAL = re.compile(
    r"\b(?:may|might|could|possibly|potentially|presumably|perhaps|believed|suggests?"
    r"|appears?|likely|probably|seems?)\b"
)
COND = re.compile(
    r"\b(?:if|when|unless|while|during|once|until"
    r"|(?:in|by|for|among) (?:people|patients|individuals|those|anyone|someone|users|adults|children)\b)"
)
QTY = re.compile(
    r"(?P<bound>at least|a minimum of|minimum of|no less than|more than|up to|at most)?\s*"
    r"\b(?P<n1>\d+(?:\.\d+)?|" + "|".join(NUMBERS) + r")"
    r"(?:\s*(?:to|-|or)\s*(?P<n2>\d+(?:\.\d+)?|" + "|".join(NUMBERS) + r"))?\s*"
    r"(?P<unit>hours?|days?|weeks?|months?|years?|percent|%|mg|milligrams?)(?P<age> of age| old)?"
)
DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
# Generic cues only: what kind of statement a sentence is, never what it is about.
TAGS: dict[str, re.Pattern[str]] = {
    "mechanism": re.compile(r"\bmechanism\b|\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "mechanism-fact": re.compile(r"\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "side effects": re.compile(r"\bside effects?\b"),
}
# Cue pairs that can fire a signal without sharing any rare word: pairing
# builds candidates from these complements, not only from shared terms.
COMPLEMENTARY_CUES = (("total", "partial"), ("hedge", "mechanism-fact"))
