"""What a question talks about: drugs, forms, conditions, studies and places, with their positions.

Why a lexicon: a follow-up inherits its subject from earlier turns, and which
earlier thing a pronoun or "the second one" points to depends on the thing's
kind ("does it hurt?" after a question about the monthly shot is about the
shot, "what did it find?" after one about a study is about the study). The
lexicon names the things people ask about naltrexone in consumer words as well
as clinical ones ("the jab", "benzos", "booze"); it is general vocabulary of the
domain, not phrases of the articles. Anything capitalised that the lexicon
does not know (a city, a university) is a place or study mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# kind -> canonical name -> surface pattern. Order matters inside a kind: the first match wins.
LEXICON: dict[str, dict[str, str]] = {
    "form": {
        "injection": r"(?:monthly |once[- ]a[- ]month |extended[- ]release |long[- ]acting )?"
        r"(?:injections?|shots?|jabs?|implants?|depot)",
        "pill": r"pills?|tablets?|oral (?:form|version|naltrexone)",
    },
    "drug": {
        "naltrexone": r"naltrexone|vivitrol|revia|depade|ldn|low[- ]dose naltrexone",
        "gabapentin": r"gabapentin|gabby|gabbies|neurontin|gralise|horizant",
        "benzodiazepines": r"benzodiazepines?|benzos?|xanax|valium|klonopin|ativan|alprazolam|diazepam|clonazepam"
        r"|lorazepam",
        "opioids": r"opioids?|opiates?|heroin|fentanyl|oxycodone|oxycontin|oxy|morphine|codeine|hydrocodone"
        r"|methadone|buprenorphine|suboxone|subutex|tramadol|loperamide|painkillers?|pain ?killers?"
        r"|pain (?:pills?|medications?|meds|relief)",
        "naloxone": r"naloxone|narcan",
        "alcohol": r"alcohol(?!ism|ics?\b)|booze|beers?|wine|pints?|liquor|drinks?",
        "antidepressants": r"antidepressants?|ssris?|sertraline|zoloft|fluoxetine|prozac|citalopram|escitalopram"
        r"|bupropion|wellbutrin",
        "acamprosate": r"acamprosate|campral",
        "disulfiram": r"disulfiram|antabuse",
    },
    "condition": {
        "opioid addiction": r"(?:opioid|opiate|heroin|painkiller) (?:addiction|dependence|use disorder|abuse|habit)",
        "alcoholism": r"alcoholism|alcoholics?|alcohol (?:use disorder|dependence|addiction|problems?)|heavy drink\w*"
        r"|drinking|drinkers?|drink problems?",
        "anxiety": r"anxiety|anxious|panic(?: attacks?)?|nerves",
        "depression": r"depression|depressed",
        "addiction": r"addiction|dependence|substance (?:use|abuse)",
        "multiple sclerosis": r"multiple sclerosis|\bms\b",
        "fibromyalgia": r"fibromyalgia|fibro",
        "liver": r"liver(?: disease| damage| problems?| failure| function| numbers| enzymes)?|hepat\w+|cirrhosis",
        "withdrawal": r"withdrawals?|detox\w*|coming off|come off",
        "overdose": r"overdos\w*|\bods?\b",
        "pregnancy": r"pregnan\w*|breastfeed\w*",
        "cravings": r"cravings?|urges?",
        "sleep": r"sleep\w*|insomnia",
        "side effects": r"side[- ]effects?",
        "seizures": r"seizures?|epilepsy|fits",
        "nerve pain": r"nerve pain|neuropathic pain|neuropathy",
        "nausea": r"nausea|nauseous|queasy|feel(?:ing)? sick|throw(?:ing)? up|vomit\w*|puk\w*",
        "headache": r"headaches?|migraines?",
        "dizziness": r"dizz\w*|light[- ]?headed\w*",
        "fatigue": r"fatigue|tired\w*|drows\w*|sleepy|exhaust\w*",
        "diarrhoea": r"diarrh\w*|the runs",
        "vision changes": r"vision (?:changes?|problems?)|blurr?(?:ed|y) vision",
    },
    "study": {
        "study": r"stud(?:y|ies)|trials?|research(?:ers)?|experiments?",
    },
    "test": {
        "urine test": r"urine (?:test|sample|screen)s?|wee test|drug (?:test|screen)s?",
    },
}
# Beside the lexicon: things people ask about that are not naltrexone's subject matter, so no
# follow-up resolves to them (``abstain.unlisted_substance`` and ``abstain.unlisted_place`` tell when a
# question names one the articles never mention). Substances and medicines taken beside naltrexone:
OTHER_SUBSTANCES = re.compile(
    r"\b(?:crystal meth|meth(?:amphetamine)?s?|cocaine|crack|amphetamines?|adderall|ritalin|mdma|ecstasy|molly"
    r"|ketamine|kratom|weed|marijuana|cannabis|thc|cbd|nicotine|cigarettes?|cigs|vap(?:e|es|ing)|tobacco"
    r"|gambl\w*|betting|casinos?|ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|aspirin|naproxen"
    r"|aleve|melatonin|benadryl|pregabalin|lyrica|semaglutide|ozempic|wegovy|topiramate|baclofen|lithium"
    r"|trazodone|seroquel|quetiapine|ambien|zolpidem)\b",
    re.IGNORECASE,
)
# Countries, where approval, sale and price differ:
COUNTRIES = re.compile(
    r"\b(?:canada|uk|u\.k\.|britain|england|scotland|wales|ireland|australia|new zealand|mexico|india|france"
    r"|spain|italy|netherlands|sweden|norway|denmark|finland|poland|russia|china|japan|brazil|south africa"
    r"|philippines|thailand|germany|united states|usa)\b",
    re.IGNORECASE,
)
# A pronoun or a noun phrase that stands for an earlier thing, written out in the searched text.
PRONOUNS = re.compile(
    r"\b(?:(?:that|this|these|those|the) (?:combination|two(?: drugs| medications| meds)?|drugs?|medications?"
    r"|medicines?|meds?|stuff)|both of them|it(?! own)|its(?! own)|they|them|these|those)\b",
    re.IGNORECASE,
)
# "this" / "that" standing alone: a whole earlier statement ("is that true?", "who studied this?").
DEMONSTRATIVE = re.compile(
    r"\b(?:this|that)\b(?!\s+(?:one|combination|drugs?|medications?|study|shot|injection))", re.IGNORECASE
)
ORDINALS = {"first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "latter": -1, "other": -1, "last": -1}
_ONE = r"(?: one| drug| medication| med| study| trial| option| kind| thing| condition)"
# "the other" only with a noun after it: "the other one", not "the other names".
# Not "the first question" / "the last thing": those name a turn (see conversation._RETURN_PLACE).
ORDINAL = re.compile(
    rf"\bthe (first|1st|second|2nd|last|former|latter){_ONE}?\b(?!\s+(?:question|thing|topic|point|time)s?\b)"
    rf"|\bthe (other){_ONE}\b|\b(former|latter)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:University of )?[A-Z][a-zø]+(?: [A-Z][a-zø]+)*\b")
_NOT_PLACES = frozenset(
    """I I'm I've I'd I'll My Is Are Can Could Does Do Did What When Where Why How Who Which Will Would Should
    And But So Or Also Then OK Okay Back Tell Any Some The A An If My GP Dr Doctor""".split()
)


@dataclass(frozen=True)
class Mention:
    """One thing a text talks about: its kind, its canonical name, where it is and how it was written."""

    kind: str
    name: str
    start: int
    end: int
    surface: str


def _compile() -> list[tuple[str, str, re.Pattern[str]]]:
    out = []
    for kind, names in LEXICON.items():
        for name, pattern in names.items():
            out.append((kind, name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)))
    return out


_PATTERNS = _compile()


def mentions(text: str) -> list[Mention]:
    """Every mention in ``text``, in order; overlaps go to the longer (then earlier-listed) one."""
    found: list[Mention] = []
    for kind, name, rx in _PATTERNS:
        for m in rx.finditer(text):
            found.append(Mention(kind, name, m.start(), m.end(), m.group(0)))
    for m in _CAPITALISED.finditer(text):
        word = m.group(0)
        if word.split()[0] in _NOT_PLACES or any(p.start <= m.start() < p.end for p in found):
            continue
        found.append(Mention("place", word.lower(), m.start(), m.end(), word))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[Mention] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def names(items: list[Mention], kind: str) -> list[str]:
    """Canonical names of one kind, first occurrence order, no repeats."""
    out: list[str] = []
    for m in items:
        if m.kind == kind and m.name not in out:
            out.append(m.name)
    return out
