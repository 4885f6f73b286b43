"""Tokenisation shared by BM25, lexical answer scoring and conflict pairing.

One tokenizer everywhere, so that "blocks" in a question and "blocking" in a
source meet on the same stem (Snowball, via PyStemmer).
"""

from __future__ import annotations

import re
from functools import lru_cache

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

# Words that never carry the topic of a question, kept for negation checks.
NEGATIONS = frozenset({"no", "not", "never", "neither", "nor", "without", "cannot", "can't", "won't",
                       "doesn't", "don't", "isn't", "aren't", "didn't", "wasn't", "weren't"})


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes normalised, nothing removed."""
    return _WORD.findall(text.translate(_APOSTROPHES).lower())


def tokenize(text: str) -> list[str]:
    """Content-word stems: what BM25 and lexical overlap compare."""
    toks = [w.split("'")[0] for w in words(text) if w not in STOPWORDS]
    toks = [t for t in toks if t and (len(t) > 1 or t.isdigit())]
    return list(_stemmer().stemWords(toks))
