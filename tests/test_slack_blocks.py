"""Block Kit rendering: structure, limits, and escaping of everything not ours."""

from __future__ import annotations

import json

from naltrexone_qa.answer.safety import ABSTAIN, URGENT_HELP
from naltrexone_qa.render.slack import DISAGREE_HEADING, MAX_BLOCKS, SECTION_LIMIT, clip, escape, plain, render
from naltrexone_qa.types import AnswerSentence
from slack_mock_server import answer_for, citation, conflict

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U", "<#C", "<http")


def texts(message: dict) -> list[str]:
    """Every text object in the blocks, in order."""
    out = []
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", [])]
    return out


def text_objects(message: dict) -> list[dict]:
    objs = []
    for block in message["blocks"]:
        if "text" in block:
            objs.append(block["text"])
        objs += block.get("elements", [])
    return objs


def test_escape_covers_the_three_control_characters():
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("<!channel>") == "&lt;!channel&gt;"
    assert escape(None) == ""


def test_clip_never_splits_an_entity():
    s = escape("x" * 10 + "<<<<")
    for limit in range(5, len(s) + 1):
        cut = clip(s, limit)
        assert len(cut) <= limit
        body = cut.rstrip("\u2026")
        assert body.count("&") == body.count(";")


def test_answer_with_markers_and_one_context_per_citation():
    ans = answer_for("q", "Naltrexone blocks opioid receptors.")
    ans.sentences.append(AnswerSentence("It is taken once a day.", 2))
    ans.citations.append(citation(2, "It is taken once a day.", "Dosing Guide", None, "doc-b"))
    msg = render(ans)
    body = texts(msg)
    assert "\u201cNaltrexone blocks opioid receptors.\u201d *[1]*" in body[0]
    assert "*[2]*" in body[0]
    contexts = [b for b in msg["blocks"] if b["type"] == "context"]
    assert contexts[0]["elements"][0]["text"] == "*[1]* Naltrexone Uses \u00a7 Overview"
    assert contexts[1]["elements"][0]["text"] == "*[2]* Dosing Guide"
    assert msg["blocks"][-1]["elements"][0]["text"].startswith("_This bot quotes published articles")
    assert "[1]" in msg["text"] and "Naltrexone Uses \u00a7 Overview" in msg["text"]
    assert all(o["type"] == "mrkdwn" and o["verbatim"] is True for o in text_objects(msg))


def test_urgent_line_comes_first_and_abstain_message_is_shown():
    ans = answer_for(
        "I think he overdosed", abstained=True, sentences=[], citations=[], answer=ABSTAIN, urgent=URGENT_HELP
    )
    msg = render(ans)
    assert URGENT_HELP.split(" (")[0] in msg["blocks"][0]["text"]["text"]
    assert texts(msg)[1] == ABSTAIN
    assert msg["text"].startswith(URGENT_HELP[:40])
    assert ABSTAIN in msg["text"]
    assert not [b for b in msg["blocks"] if b["type"] == "context" and "[1]" in json.dumps(b)]


def test_sources_disagree_quotes_both_sides():
    conf = conflict("alcohol", "You must not drink on naltrexone.", "Light drinking is allowed.")
    msg = render(answer_for("q", conflicts=[conf]))
    joined = "\n".join(texts(msg))
    assert DISAGREE_HEADING in joined
    assert "\u201cYou must not drink on naltrexone.\u201d" in joined
    assert "\u201cLight drinking is allowed.\u201d" in joined
    assert "Article A \u00a7 Risks" in joined and "Article B" in joined
    assert DISAGREE_HEADING in msg["text"]


def test_no_text_from_users_or_sources_can_ping():
    evil = "<!channel> <!here|here> <!everyone> <@U123> <#C1|general> <http://x.example|click> & more"
    conf = conflict(evil, evil, evil, explanation=evil)
    ans = answer_for("q", evil, conflicts=[conf], resolved_question=f"what about {evil}")
    ans.citations[0] = citation(1, evil, title=evil, section=evil)
    msg = render(ans)
    dumped = json.dumps(msg)
    for ping in PINGS:
        assert ping not in dumped, ping
    assert "&lt;!channel&gt;" in msg["text"]
    assert "&lt;@U123&gt;" in dumped and "&amp; more" in dumped


def test_long_answers_respect_block_kit_limits():
    long = "word " * 500
    ans = answer_for("q", long.strip())
    for i in range(2, 80):
        ans.sentences.append(AnswerSentence(long.strip(), i))
        ans.citations.append(citation(i, long.strip()))
    msg = render(ans)
    assert len(msg["blocks"]) <= MAX_BLOCKS
    assert all(len(o["text"]) <= SECTION_LIMIT for o in text_objects(msg))
    assert msg["blocks"][-1]["type"] == "context"  # the notice survives trimming
    assert len(msg["text"]) <= 3000


def test_plain_message_has_text_and_a_section():
    msg = plain("Sorry.")
    assert msg["text"] == "Sorry." and msg["blocks"][0]["text"]["text"] == "Sorry."
