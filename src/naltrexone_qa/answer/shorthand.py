"""Texting shorthand written out before the model reads a question.

Why: the embedding model learned from edited text, so it reads "u", "ntx" or "im" as
stray word pieces. "can u still get high on ntx" lies far from every sentence about
getting high on naltrexone (best cosine 0.44; "can you still get high on naltrexone"
0.69), and the bot abstained on a question the articles answer plainly. Each entry
here is the same word spelt another way, not a different word (those are consumer
words, which ``lay_terms`` pairs with clinical ones), so writing it out changes what
the model reads and nothing the user meant. Only the text the model embeds is
written out; what is shown and searched keeps the user's words.
"""

from __future__ import annotations

import re

# The drug's name as people type it; ``lay_terms`` maps the same words for the searched text.
NAME_VARIANTS = r"ntx|naltrexon|naltrexon[ae]|naltrexine|naltraxone"

# shorthand (regular expression, a whole word, any case) -> the word written out
SHORTHAND: dict[str, str] = {
    r"u|ya": "you",
    r"ur": "your",
    r"r": "are",
    r"n": "and",
    r"w/?": "with",
    r"w/o": "without",
    r"im": "I'm",
    r"ive": "I've",
    r"tho": "though",
    r"thru": "through",
    r"rn": "right now",
    r"bc|cuz|coz|cos": "because",
    r"abt|bout": "about",
    r"pls|plz": "please",
    r"ppl": "people",
    r"smth|sth": "something",
    r"b4": "before",
    r"gonna": "going to",
    r"wanna": "want to",
    r"gotta": "have to",
    r"prob|prolly": "probably",
    r"idk": "I don't know",
    r"nite": "night",
    NAME_VARIANTS: "naltrexone",
    r"ldn": "low-dose naltrexone",
    # contractions typed without the apostrophe
    r"dont": "don't",
    r"doesnt": "doesn't",
    r"didnt": "didn't",
    r"cant": "can't",
    r"isnt": "isn't",
    r"arent": "aren't",
    r"wasnt": "wasn't",
    r"shouldnt": "shouldn't",
    r"wouldnt": "wouldn't",
    r"couldnt": "couldn't",
    r"havent": "haven't",
    r"whats": "what's",
    r"thats": "that's",
    r"theyre": "they're",
    r"youre": "you're",
}
# A shorthand word stands between spaces or sentence punctuation: not inside "U.S.", "N=30" or "r/opiates".
# One named group per entry, longest patterns first, so the match itself says which entry it was.
_ENTRIES = sorted(SHORTHAND.items(), key=lambda kv: len(kv[0]), reverse=True)
_PATTERN = re.compile(
    r"(?<![^\s(\"])(?:"
    + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(_ENTRIES))
    + r")(?=$|[\s,?!;:)\"]|\.(?:\s|$))",
    re.IGNORECASE,
)


def written_out(text: str) -> str:
    """``text`` with its texting shorthand written out ("can u ... on ntx" -> "can you ... on naltrexone")."""
    return _PATTERN.sub(lambda m: _ENTRIES[int(str(m.lastgroup)[1:])][1], text)
