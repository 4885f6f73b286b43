"""Follow-up questions resolved from the conversation so far.

A follow-up leans on earlier turns in a few recognisable ways, each resolved
its own way, and the user's own words always stay in the searched text:

- a pronoun ("does it hurt?") is written out as the most recent compatible
  thing: the shot, the study, the drug or the pair of drugs taken together;
- "the first one" / "the second one" picks from the earlier turn that named several;
- "back to the injection: ..." returns to the turn that talked about it;
- a fragment ("and dizziness?", "even if I still drink?", "what about Norway?")
  is read against the previous question: a thing of the same kind replaces the
  earlier one ("And naltrexone?" -> the same question about naltrexone), anything
  else is searched together with the previous question;
- a question with no subject of its own gets the earlier drug and condition;
- "does it?" asks the previous question again; "mine" / "for me" is the condition
  the user said was theirs ("I get panic attacks": "could it make mine worse?").

A question that names its own subject and leans on nothing is not rewritten.
The chat, ``ask --history``, Slack threads and the HTTP API all call
:func:`resolve`, so follow-ups behave the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from .mentions import DEMONSTRATIVE, ORDINAL, PRONOUNS, Mention, mentions, names
from .referents import Turn, alternatives, drug_phrase, make_turn, ordinal, referent

_FRAGMENT_START = re.compile(
    r"^\s*(?:and|also|but|or|so|plus|then|what about|how about|what if|same|even if|even though|even when"
    r"|ok(?:ay)?,? (?:and|so|what|how)|for (?:everyone|all|me|him|her|them)|only|just)\b",
    re.IGNORECASE,
)
# ... or ends leaning on what was said: "... too?", "... instead?", "would it work again after?"
_FRAGMENT_END = re.compile(
    r"\b(?:too|as well|though|then|either|instead|after|afterwards|after that)\s*[?.!]*\s*$", re.IGNORECASE
)
_QUESTION_WORD = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should"
    r"|has|have|had|may|might|must|tell|explain|describe|list|give|show)\b",
    re.IGNORECASE,
)
_RETURN = re.compile(
    r"^\s*(?:ok(?:ay)?,?\s*|so,?\s*|sorry,?\s*)?(?:ok(?:ay)?,?\s*)?(?:but\s+)?"
    r"(?:back to|go(?:ing)? back to|returning to)\s+([^,:;?\u2013\u2014]+?)\s*(?:[,:;\u2013\u2014]|\s-\s)",
    re.IGNORECASE,
)
# "back to my first question", "back to the previous thing": a turn by its place, not by its words.
_RETURN_PLACE = re.compile(
    r"^(?:my|the)\s+(?:(first|original|earliest)|(last|previous|earlier|other))\s+(?:question|thing|topic|point|one)s?$",
    re.IGNORECASE,
)
# "is it safe to ...", "is it true that ...", texted "its ok if": an "it" that points at nothing; "which is
# it?": one that points at the alternatives the same turn just gave, not at anything said before.
_EXPLETIVE_IT = re.compile(
    r"\bit(?:'s|s| is| was| would be| will be)?\s+(?:not\s+)?(?:\w+\s+)?(?:safe|ok|okay|alright|normal|true|possible"
    r"|likely|common|worth|bad|good|dangerous|wise|better|best|easy|hard|necessary|advisable|important|fine"
    r"|unusual|rare|risky|harmful)\b"
    r"|\b(?:make|makes|take|takes|took) it\b"
    r"|\bwhich (?:one )?is it\b"
    r"|\b(?:whose|who's) (?:job|responsibility|call|decision|choice) is it\b",
    re.IGNORECASE,
)
# "that" introducing a clause ("is it normal that they...", "I read that it..."), not pointing back.
_COMPLEMENTIZER = re.compile(
    r"\b(?:normal|true|possible|likely|say|says|said|think|thought|read|heard|hear|mean|means|reckon|reckons"
    r"|believe|know|so|such|sure|told|tell|mentioned|claim|claims|now|fact|worried|afraid)\s+that\b",
    re.IGNORECASE,
)
# "they" as people, not drugs: "they want a urine sample", "they mentioned naltrexone".
_PEOPLE_THEY = re.compile(
    r"\bthey\s+(?:\w+\s+)?(?:want|wanted|say|said|told|tell|give|gave|mention|mentioned|recommend|reckon|think|suggest"
    r"|prescribe|prescribed|do a|did a|ask|asked|skip|skipped|test|check|need me|make you|put|keep|kept)\b",
    re.IGNORECASE,
)

# The user speaking of their own case ("could it make mine worse?", "is it still ok for me?"): what they
# mean is the condition they told of earlier ("I get panic attacks", "I've got some liver issues"); not
# "a friend of mine".
_SELF = re.compile(
    r"(?<!of )\bmine\b|\b(?:for me|in my case|my situation|someone like me|people like me)\b", re.IGNORECASE
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me)\b", re.IGNORECASE)

# A bare auxiliary and pronoun ("does it?", "will it though?") asks the previous question again.
_ELLIPSIS = re.compile(
    r"^\W*(?:(?:and|so|but|ok|okay|well)\W+)*(?:does|do|did|is|are|was|will|would|can|could|should|has|have)"
    r"\s+(?:it|they|that|she|he)(?:\s+(?:though|tho|really|actually|even|still|too|now))*\s*[?.!]*$",
    re.IGNORECASE,
)


@dataclass
class Resolution:
    """The question to search for, and what was carried over to make it."""

    question: str
    text: str
    carried: list[str] = field(default_factory=list)
    followup: bool = False
    kind: str = "self-contained"


def _is_fragment(question: str) -> bool:
    content = re.findall(r"[A-Za-z']+", question)
    if _FRAGMENT_START.search(question) or _FRAGMENT_END.search(question):
        return True
    return len(content) <= 4 or not _QUESTION_WORD.search(question)


def _points_back(question: str) -> bool:
    """A "this"/"that" standing for an earlier statement ("who has studied this?", "where does that fit in?")."""
    for m in DEMONSTRATIVE.finditer(question):
        if not _COMPLEMENTIZER.search(question[: m.end()][-40:]):
            return True
    return False


def _return_turn(question: str, turns: list[Turn]) -> Optional[Turn]:
    m = _RETURN.search(question)
    if not m:
        return None
    place = _RETURN_PLACE.match(m.group(1).strip())
    if place:
        return turns[0] if place.group(1) or len(turns) < 2 else turns[-2]
    target = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", m.group(1))} - {"the", "my", "your", "our"}
    target |= {x.name for x in mentions(m.group(1))}
    for turn in reversed(turns[:-1] or turns):
        words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", turn.resolved)} | {x.name for x in turn.things}
        if target & words:
            return turn
    return None


def _step(question: str, turns: list[Turn], answer: Optional[Turn] = None) -> Resolution:
    """Resolve one question against the resolved turns before it (``answer``: the bot's last answer)."""
    q = question.strip()
    if not turns or not q:
        return Resolution(q, q)
    own = mentions(q)
    back = _return_turn(q, turns)
    context = turns if back is None else turns[: turns.index(back) + 1]
    subs: list[tuple[int, int, str, Optional[Turn], str]] = []
    for m in ORDINAL.finditer(q):
        ref, turn = ordinal(m, context)
        if not ref and answer is not None:
            ref, turn = ordinal(m, [answer])
        if ref:
            subs.append((m.start(), m.end(), ref, turn, "the-first-one"))
    expletive = [(x.start(), x.end()) for x in _EXPLETIVE_IT.finditer(q)]
    people = [(x.start(), x.end()) for x in _PEOPLE_THEY.finditer(q)]
    for m in PRONOUNS.finditer(q):
        if any(s <= m.start() < e for s, e, *_ in subs) or any(s <= m.start() < e for s, e in expletive + people):
            continue
        # "the 2nd one, can it ...": "it" is what the ordinal picked.
        picked = [x for x in subs if x[1] <= m.start() and x[4] == "the-first-one"]
        ref, turn = (picked[-1][2], picked[-1][3]) if picked else referent(q, m, own, context)
        if ref:
            subs.append((m.start(), m.end(), ref + ("'s" if m.group(0).lower() == "its" else ""), turn, "pronoun"))
    text, carried, kind, used = q, [], "self-contained", None
    for start, end, ref, turn, k in sorted(subs, reverse=True):
        after = text[end:]
        if ref.endswith(" together") and re.match(r"\s+together\b", after, re.IGNORECASE):
            ref = ref[: -len(" together")]  # "taking them together" -> "taking X and Y together", once
        text = text[:start] + ref + after
        carried.append(ref)
        used = used or turn
        kind = k
    antecedent = back or used or turns[-1]
    fragment = _is_fragment(q) and not subs or bool(_ELLIPSIS.match(q))
    if fragment:
        replaced = _replace_same_kind(q, antecedent, own)
        if replaced is not None:
            return Resolution(q, replaced, [m.surface for m in own], True, "fragment")
    if fragment or _points_back(q) or back is not None:
        kind = "fragment" if fragment else "return" if back is not None else "pronoun"
        text = _with_context(text, antecedent.resolved, q)
        carried.append(antecedent.resolved)
    elif not names(mentions(text), "drug") and antecedent.drugs:
        have = names(mentions(text), "condition")
        if any(k == "the-first-one" for *_, k in subs):  # the alternatives not picked are not carried
            have += [x.name for x in alternatives(antecedent)]
        extra = [drug_phrase(antecedent)] + [c for c in antecedent.conditions if c not in have]
        text = _with_context(text, ", ".join(extra), q)
        carried += extra
        kind = kind if kind != "self-contained" else "subject"
    own_case = _own_case(text, turns)
    if own_case is not None:
        text, mine = own_case
        carried.append(mine)
        kind = kind if kind != "self-contained" else "subject"
    return Resolution(q, text, carried, bool(carried), kind)


def _own_case(text: str, turns: list[Turn]) -> Optional[tuple[str, str]]:
    """``text`` with "mine" / "for me" written out as the condition the user said was theirs, and that
    condition ("my panic attacks"); None when there is none.

    Only when the question names no condition itself and an earlier turn in the first person named one.
    """
    m = _SELF.search(text)
    if not m or names(mentions(text), "condition"):
        return None
    for turn in reversed(turns):
        if _FIRST_PERSON.search(turn.text):
            told = [x for x in mentions(turn.text) if x.kind == "condition" and x.name not in _BROAD]
            if told:
                mine = "my " + re.sub(r"^(?:my|the)\s+", "", told[0].surface, flags=re.IGNORECASE)
                if m.group(0).lower() == "mine":
                    return text[: m.start()] + mine + text[m.end() :], mine
                return text[: m.end()] + f" ({mine})" + text[m.end() :], mine
    return None


def _with_context(text: str, context: str, question: str) -> str:
    return f"{_strip_end(text)} ({_strip_end(context)})" + ("?" if question.rstrip().endswith("?") else "")


def _replace_same_kind(question: str, antecedent: Turn, own: list[Mention]) -> Optional[str]:
    """ "And naltrexone?" after a question about gabapentin: the same question about naltrexone.

    Only for a bare fragment (the thing and a few linking words); anything more
    says something of its own and is searched with the earlier question instead.
    """
    if len(own) != 1 or own[0].kind not in ("drug", "place", "form", "condition") or own[0].name in _BROAD:
        return None
    rest = re.sub(re.escape(own[0].surface), " ", question, flags=re.IGNORECASE)
    words = re.findall(r"[A-Za-z']+", rest.lower())
    if _ADDED.search(rest) or [w for w in words if w not in _LINKING]:
        return None  # "what about with SSRIs?" adds a drug to the question; it does not swap one
    new = own[0]
    # "What about loperamide?" after "Is codeine off-limits on naltrexone?": swap the other opioid,
    # not naltrexone; "and the diazepam one?" after a question about alprazolam: the other benzodiazepine.
    kin = [m for m in antecedent.things if m.kind == new.kind and m.name == new.name]
    kin = [m for m in kin if m.surface.lower() != new.surface.lower() and m.surface.lower() != m.name]
    same = [m for m in antecedent.things if m.kind == new.kind and m.name != new.name and m.name not in _BROAD]
    if len({m.surface.lower() for m in kin}) == 1 and new.surface.lower() != new.name:
        same = kin
    elif len({m.name for m in same}) != 1:
        return None
    old = same[0]
    return antecedent.resolved[: old.start] + new.surface + antecedent.resolved[old.end :]


# Words a bare fragment may hold besides the thing it swaps in ("and for anxiety too?").
_LINKING = frozenset("and what about how the one ones from in for with or too also either then as well".split())
# "what about with X", "X as well as that": the thing is added to the question, not swapped in.
_ADDED = re.compile(r"\b(?:with|plus|alongside|together|combined|as well as)\b", re.IGNORECASE)
# Conditions too general to stand for one another ("side effects" is the topic, not an alternative).
_BROAD = frozenset({"side effects", "addiction"})


def _strip_end(text: str) -> str:
    return text.rstrip().rstrip("?.!").rstrip()


def resolve(question: str, history: Sequence[str] = (), previous_answer: Optional[str] = None) -> Resolution:
    """Resolve ``question`` against ``history`` (earlier user turns, oldest first).

    ``previous_answer`` is the bot's last answer text, when the front end has
    it: things it named (a drug listed in the answer) can be pointed to too.
    """
    turns: list[Turn] = []
    for h in history:
        h = h.strip()
        if h:
            res = _step(h, turns)
            turns.append(make_turn(h, res.text))
    answer = make_turn(previous_answer, previous_answer) if previous_answer and turns else None
    return _step(question, turns, answer)
