"""Words, stems and word lists: the one source for BM25, answer scoring, conversation and the rules.

One tokenizer everywhere, so that "blocks" in a question and "blocking" in a
source meet on the same stem (Snowball, via PyStemmer).
"""

from __future__ import annotations

import re
import threading
from typing import Any

# Bump when tokenize() changes: BM25 indexes built with another tokenizer are rebuilt.
TOKENIZER_VERSION = "snowball-en/stop-1"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each either even ever every few for from further get gets got had hadn't
    has hasn't have haven't having he her here hers herself him himself his how i if in into is isn't
    it it's its itself just let's may me might more most much must my myself neither no nor not now of
    off on once only or other ought our ours ourselves out over own per same shall she should so some
    such than that that's the their theirs them themselves then there there's these they this those
    through to too under until up upon us very was wasn't we were weren't what what's when where
    whether which while who whom whose why will with won't would wouldn't yet you your yours yourself
    yourselves i'm i've i'd i'll you're you've you'd you'll we're we've they're they've really
    tell know want need like thing things one ones lot okay ok please happen happens happened
    happening""".split()
)

# Words of a question that neither name a subject nor say what is asked about it
# (conversation.aspect_terms keeps what is asked: "side effects", "addictive").
QUESTION_FILLER = frozenset(
    """take taking taken took use using used can could would should might may will does do did is are was
    were be been being have has had get got go going know tell explain mean means also else again any
    anything something someone people person patient patients doctor way ways much many actually
    really kind sort still though instead then""".split()
)

# Function words of a claim, for the rule detector: narrower than STOPWORDS on
# purpose, since content verbs ("need", "want", "know") can be what a negation negates.
FUNCTION_WORDS = frozenset(
    """a an the and or but if when while whereas unless during once of in on at to for from by with
    without as is are was were be been being it its it's this that these those they them their there
    which who whom what do does did have has had can could may might must should will would shall
    not no never neither nor cannot any all some such so than then very more most less also even only
    just still yet into about over after before between both each other your you we our us i he she
    his her one two many much own same well like therefore however least kind thus furthermore
    instead rather make makes made associated linked related""".split()
)

# Words that never carry the topic of a question, kept for negation checks.
NEGATIONS = frozenset(
    {
        "no",
        "not",
        "never",
        "neither",
        "nor",
        "without",
        "cannot",
        "can't",
        "won't",
        "doesn't",
        "don't",
        "isn't",
        "aren't",
        "didn't",
        "wasn't",
        "weren't",
    }
)


_local = threading.local()


def _stemmer() -> Any:
    """One Snowball stemmer per thread (a PyStemmer object must not be shared between threads)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes normalised, nothing removed."""
    return _WORD.findall(text.translate(_APOSTROPHES).lower())


def stem(word: str) -> str:
    """The Snowball stem of one lower-cased word ("blocking" -> "block")."""
    return str(_stemmer().stemWord(word))


def inflection_stem(word: str) -> str:
    """Strip inflections only ("blocks", "blocking" -> "block"; "prevention" stays).

    The disagreement rules use this instead of Snowball on purpose: Snowball also
    folds derivations ("prevention" -> "prevent", "ameliorating" -> "amelior"),
    which made the rules pair "prevention of relapse" with "cause a relapse" and
    added two false conflicts to this corpus's map (measured when the two were
    unified); retrieval wants that recall, the rules want the precision.
    """
    w = word[:-2] if word.endswith("'s") else word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("es") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def tokenize(text: str) -> list[str]:
    """Content-word stems: what BM25 and lexical overlap compare."""
    toks = [w.split("'")[0] for w in words(text) if w not in STOPWORDS]
    toks = [t for t in toks if t and (len(t) > 1 or t.isdigit())]
    return list(_stemmer().stemWords(toks))


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def norm_text(text: str) -> str:
    """Case-, curly-quote- and whitespace-insensitive form: how key phrases and sentences are matched.

    One definition, so the scorer, the fitting, the training data and the question bank agree on
    what "holds the key phrase" means.
    """
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()
