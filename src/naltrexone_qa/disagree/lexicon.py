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
        "one two three four five six seven eight nine ten eleven twelve fourteen thirty".split(),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 30],
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
DRUGS = ["naltrexone", "gabapentin", "benzodiazepine", "diazepam", "alprazolam"]
SUBSTANCES = {"alcohol", "opioid"}  # subjects too, unless governed by a preposition
PREPOSITIONS = {"with", "of", "on", "to", "from", "for", "in", "by", "and", "or"}
SIDE_CUES = {"include", "includ", "like", "such", "are", "is", "involv"}
SIDE_STOP = {"particularly", "especially", "when", "if", "with", "in", "while"}
DECREASE = """reduce reduction decrease decline lower lessen relief relieve alleviate quell mitigate diminish
    ameliorate attenuate inhibit suppress prevent fewer""".split()
INCREASE = """increase rise rose elevate enhance higher promote induce cause trigger worsen exacerbate raise
    boost greater stimulate occur""".split()
TOTAL = re.compile(
    r"\b(?:totally|completely|entirely|fully) block|\bblock\w* (?:any|all|every)\b"
    r"|\bprevents? any\b|\buseless\b"
)
PARTIAL = re.compile(
    r"\bpartially\b|\bpartly\b|\bin part\b"
    r"|\b(?:cannot|can't|not) (?:\w+ ){0,2}(?:their|its|the) full\b"
)
OCCURS = re.compile(r"\boverdose (?:may|can|could|might) occur")
HEDGE = re.compile(
    r"\b(?:unclear|unknown|uncertain)\b"
    r"|\bnot (?:yet |fully |well |completely )?(?:understood|known|established)\b"
)
MODAL = re.compile(
    r"\b(?:may|might|could|possibly|potentially|presumably|perhaps|believed|suggests?"
    r"|appears?|likely|probably|seems?)\b"
)
COND = re.compile(
    r"\b(?:if|when|unless|while|during|in people who|by those who|by individuals|"
    r"for those who|in patients)\b"
)
QTY = re.compile(
    r"(?P<bound>at least|a minimum of|minimum of|no less than|more than|up to|at most)?\s*"
    r"\b(?P<n1>\d+(?:\.\d+)?|" + "|".join(NUMBERS) + r")"
    r"(?:\s*(?:to|-|or)\s*(?P<n2>\d+(?:\.\d+)?|" + "|".join(NUMBERS) + r"))?\s*"
    r"(?P<unit>hours?|days?|weeks?|months?|years?|percent|%|mg|milligrams?)(?P<age> of age| old)?"
)
DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
TAGS: dict[str, re.Pattern[str]] = {
    "concurrent": re.compile(
        r"while on naltrexone|concurrently with opioid|during (?:treatment|therapy)"
        r" with naltrexone|taking an opioid|opioid response|opioid effect"
    ),
    "waiting": re.compile(r"\bbefore (?:you )?start"),
    "mechanism": re.compile(r"\bmechanism\b|\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "mechanism-fact": re.compile(r"\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "anxiety": re.compile(r"\banxi"),
    "overdose": re.compile(r"\boverdose|\bantidote|\bpoisoning"),
    "withdrawal": re.compile(r"\bwithdrawal"),
    "dependence": re.compile(r"\baddict|\bhabituation|\bdependen"),
    "liver": re.compile(r"\bliver\b|\bhepato"),
    "side effects": re.compile(r"\bside effects?\b"),
    "cravings": re.compile(r"\bcraving"),
    "brand names": re.compile(r"\bbrand names?\b"),
}
TOPIC_LABELS = {
    "concurrent": "opioid use while on naltrexone",
    "waiting": "waiting period before starting",
    "mechanism": "mechanism of action",
    "anxiety": "anxiety",
    "overdose": "overdose",
    "withdrawal": "withdrawal",
    "dependence": "dependence and addiction",
    "liver": "liver damage",
    "side effects": "side effects",
    "cravings": "cravings",
    "brand names": "brand names",
}
# Cue pairs that can fire a signal without sharing any rare word: pairing
# builds candidates from these complements, not only from shared terms.
COMPLEMENTARY_CUES = (("total", "partial"), ("hedge", "mechanism-fact"))
