"""Consumer words and the clinical words articles use for the same thing.

Why: people ask about "the jab", "coming off", "feeling wired" or "getting
hooked"; articles say injection, withdrawal, excitability, dependence. The
dense model bridges some of these, word overlap none, so the question's
search text gains the clinical words beside the user's own (which are kept and
still weigh most). The list is general consumer-health vocabulary of addiction
medicine and common side effects, in the spirit of the Consumer Health
Vocabulary; it is not drawn from the articles or the evaluation sets.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from .shorthand import NAME_VARIANTS, written_out

# lay pattern (regular expression, matched case-insensitively on word boundaries) -> clinical words
LAY_TERMS: dict[str, str] = {
    # forms and use
    r"jabs?|shots?|needles?": "injection",
    r"pills?|tablets?": "oral tablet",
    r"once a month|every month|monthly": "month monthly",
    r"every day|each day|daily": "daily dose",
    r"how much should i take|how much do i take|strength|how much (?:\w+ )?(?:you|i|u|we|they|he|she|people|someone)"
    r" (?:should |can |could |need to )?(?:take|have|be on)": "dose dosage",
    r"(?:bigger|larger|stronger|more) doses?|up(?:ping)? (?:the|my|his|her) dose": "higher doses",
    r"forget|forgot|miss(?:ed)? (?:a )?(?:dose|pill)|skip(?:ped)? (?:a )?(?:dose|pill)|stop(?:ped)? taking": (
        "compliance taken as directed"
    ),
    # substances
    NAME_VARIANTS: "naltrexone",
    r"ldn": "low-dose naltrexone",
    r"booze|drinks?|drinking|pints?|beers?|wine|liquor|spirits": "alcohol",
    r"benzos?|xanax|valium|klonopin|ativan": "benzodiazepines",
    r"painkillers?|pain ?killers?|pain (?:pills|meds)|oxys?|oxycontin|percs?|percocets?|vicodin|norcos?|heroin|"
    r"fentanyl|smack|methadone|morphine|tramadol|oxycodone|hydrocodone|hydromorphone|dilaudid|narcotics?": "opioids",
    r"gabby|gabbies|neurontin": "gabapentin",
    r"narcan": "naloxone",
    r"ssris?|zoloft|prozac|sertraline|antidepressants?": "selective serotonin reuptake inhibitors",
    r"cough (?:medicine|syrup|meds)|diarrh(?:o|oe)a (?:medicine|meds|tablets)|imodium": "codeine loperamide",
    # dependence and recovery
    r"hooked|habit[- ]forming|addictive|get addicted": "addictive dependence habituation",
    r"coming off|come off|getting off|get off|detox(?:ing)?|cold turkey|clucking|dope ?sick": (
        "withdrawal detoxification"
    ),
    # stopping naltrexone itself, not coming off opioids: "once i'm off the shot can heroin hit me like before"
    r"(?:i'?m|im|once|after|when|if|was|been|go|went|stay|stayed) off (?:the )?"
    r"(?:naltrexone|ntx|vivitrol|revia|shot|jab|pills?|it)|stop(?:s|ped|ping)? (?:the )?"
    r"(?:naltrexone|ntx|vivitrol|shot|jab|injections?)|quit(?:s|ting)? (?:the )?"
    r"(?:naltrexone|ntx|vivitrol|shot|jab)": "stop taking naltrexone",
    r"still (?:drinking|drink|drinks|having a drink|having the odd \w+)|drinking a (?:bit|little)|cut(?:ting)? down on "
    r"(?:drinking|drink|booze|alcohol)": "nonabstinent",
    r"relapse|slip(?:ping)? up|fall(?:ing)? off the wagon|use again|using again": "relapse",
    # "use" alone, in recovery talk, is taking the drug: "if i use will i feel it", "he uses on his shot"
    r"(?:i|he|she|they|u|you|we|n|and|still) (?:use|uses|used|using)(?=\s*(?:[?!.,]|$)|\s+(?:on|while|again|will|"
    r"would|can|could|is|does|do)\b)|using on|use on|dope": "opioids opioid use",
    r"push through|override|overpower|get past (?:the |it|naltrexone|ntx)|beat (?:the )?block\w*|take more|"
    r"takes more|taking more|take extra|takes extra": "dose increased",
    r"feel (?:it|anything|a thing|the high|them|the pills)|(?:will|would) anything (?:even )?happen|nothing "
    r"(?:will|would) happen|do anything|does anything": "effect",
    r"clean|sober|sobriety|stay off": "abstinence clean",
    r"urges?|wanting to drink|wanting to use|itch to": "cravings",
    r"high|buzz|buzzed|stoned|wasted|drunk|euphoric": "euphoria high",
    r"od|od'd|od'ed|overdos\w*": "overdose",  # not "the odd pint"
    r"counsell?ing|therapy|therapist|talking therapy": "psychotherapeutic psychological treatment therapies",
    # body and symptoms
    r"feel-good chemicals?|happy chemicals?|natural (?:painkillers|opioids|highs?)|endorphins?": (
        "endorphins endogenous opioids"
    ),
    r"wired|jittery|jumpy|on edge|hyper|restless": "excitability",
    r"nervous|nerves|worried|worry|panicky|panic(?: attacks?)?|stressed": "anxiety stress",
    r"can'?t sleep|trouble sleeping|sleepless|awake at night|bad sleep": "sleep disturbances insomnia",
    r"sleepy|drowsy|knocked out|groggy": "drowsiness somnolence sedation",
    r"tired(?:ness)?|wiped out|exhausted|exhaustion|worn out|no energy": "fatigue",
    r"dizzy|light[- ]headed|woozy": "dizziness",
    r"feel(?:s|ing)? (?:rough|ill|unwell|awful|terrible|lousy|crap|crappy|like crap|like death)": "side effects nausea",
    r"easy on (?:you|me|people|the body|your body|the stomach)|gentle on|easy to tolerate": "well-tolerated",
    r"sick to my stomach|feel(?:ing)? sick|queasy|throw(?:ing)? up|puking|vomit\w*": "nausea vomiting",
    r"tummy|stomach|belly|gut": "abdominal gastrointestinal",
    r"heartburn|upset stomach": "indigestion",
    r"headaches?|head hurts|migraine": "headache",
    r"achy|aching|aches|sore": "pain",
    r"knees?|joints?": "joint",
    r"muscles?": "muscle",
    r"blurry|blurred|eyesight|vision": "vision changes",
    r"can'?t breathe|breathing|stopped breathing": "respiratory depression",
    r"liver (?:numbers|tests|enzymes|function)|lfts?": "liver transaminases",
    r"wee test|pee test|urine test|drug test": "urine sample",
    r"fits|seizures?": "seizures epilepsy",
    r"nerve pain|pins and needles|burning feet": "neuropathic pain",
    r"restless legs": "restless legs syndrome",
    r"spasms?|stiffness|stiff muscles": "spasticity",
    r"ms\b": "multiple sclerosis",
    # people and places
    r"gp|doc|doctor|prescriber|psychiatrist": "healthcare provider doctor",
    r"prescription|script": "prescription",
    r"america|usa|u\.s\.|states": "united states",
    r"europe": "european countries",
    r"licen[cs]ed": "approved",
    r"uni|universities|university": "university",
    r"brand names?|names? (?:it's|is) sold|sold as|called": "brand names",
    r"how (?:does|do) (?:it|they) work|what does (?:it|naltrexone) do": "mechanism works",
    r"safe together|ok together|mix(?:ing)?|combine|combining|together": "combination together",
}
_COMPILED = [(re.compile(rf"\b(?:{pat})\b", re.IGNORECASE), words) for pat, words in LAY_TERMS.items()]


def is_lay_word(word: str) -> bool:
    """Whether ``word`` alone is a consumer word of the list ("percs", "ntx"): a word, not a typo."""
    return any(rx.fullmatch(word) for rx, _ in _COMPILED)


def clinical_words(text: str) -> list[str]:
    """The clinical words for the consumer words in ``text`` (in order, without repeats)."""
    found: list[tuple[int, str]] = []
    for rx, words in _COMPILED:
        m = rx.search(text)
        if m:
            found.append((m.start(), words))
    out: list[str] = []
    for _, words in sorted(found):
        for w in words.split():
            if w not in out and not re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE):
                out.append(w)
    return out


def leaning_vector(
    encode: Callable[[Sequence[str]], np.ndarray], text: str, weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """``text``'s vector as typed, and the same leaning toward the clinical words of its consumer words.

    Why: the model places "percs" and "the shot" far from the articles' "opioids" and "injection", so
    a question in texting words is far from every sentence that answers it. Adding ``weight`` times the
    vector of the clinical words brings it near them while the user's own words keep most of the
    weight. Without consumer words (or with ``weight`` 0) both vectors are the question's own.
    The model reads the text with its texting shorthand written out (``shorthand``).
    """
    text = written_out(text)
    words = clinical_words(text) if weight > 0 else []
    if not words:
        v = np.asarray(encode([text])[0])
        return v, v
    v, clinical = np.asarray(encode([text, " ".join(words)]))
    leaning = v + weight * clinical
    return v, (leaning / np.linalg.norm(leaning)).astype(v.dtype)


def leaning_vectors(encode: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str], weight: float) -> np.ndarray:
    """``leaning_vector`` for many texts in two batches (the question bank's, when it is re-embedded)."""
    texts = [written_out(t) for t in texts]
    out = np.asarray(encode(texts), dtype=np.float32)
    words = [" ".join(clinical_words(t)) if weight > 0 else "" for t in texts]
    rows = [i for i, w in enumerate(words) if w]
    if rows:
        leaning = out[rows] + weight * np.asarray(encode([words[i] for i in rows]), dtype=np.float32)
        out[rows] = leaning / np.linalg.norm(leaning, axis=1, keepdims=True)
    return out


def expand(text: str) -> str:
    """``text`` followed by the clinical words it implies, for word-overlap scoring and BM25."""
    extra = clinical_words(text)
    return f"{text} {' '.join(extra)}" if extra else text
