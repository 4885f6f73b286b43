"""One ``Settings`` object for everything a run can be configured with.

Why one place: the same value (the fusion weights, the store, the model) used
to be spelled differently in several modules, and environment variables were
read wherever they were needed. Every front end builds a ``Settings`` with
:meth:`Settings.from_env` (command-line options win over the environment,
which wins over the defaults) and hands it down; no other module reads the
environment. Tuning constants live here too, each with the reason for its value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Mapping, Optional

from .errors import UsageError

DEFAULT_MODEL = "all-MiniLM-L6-v2"

# Environment variables, by the Settings field they set.
ENV = {
    "corpus_dir": "NALTREXONE_QA_CORPUS",
    "index_dir": "NALTREXONE_QA_INDEX",
    "model": "NALTREXONE_QA_MODEL",
    "device": "NALTREXONE_QA_DEVICE",
    "store": "NALTREXONE_QA_STORE",
    "detector": "NALTREXONE_QA_DETECTOR",
    "cache_dir": "NALTREXONE_QA_CACHE",
}
# The public benchmark data (SciFact, MedQuAD, SQuAD...) is not part of the package: benchmark and
# training commands take its folder as an option or from this variable, never from a built-in path.
BENCHMARKS_ENV = "NALTREXONE_QA_BENCHMARKS"
# Environment variables of nested settings, by (group, field).
NESTED_ENV = {
    ("retrieval", "milvus_uri"): "NALTREXONE_QA_MILVUS_URI",
    ("answer", "rerank"): "NALTREXONE_QA_RERANK",  # 0 / false: answer without the relevance adapter
    ("answer", "reranker_dir"): "NALTREXONE_QA_RERANKER",
    ("answer", "fitted"): "NALTREXONE_QA_FITTED",
    ("answer", "respell"): "NALTREXONE_QA_RESPELL",  # 0 / false: take every word as typed
    ("answer", "lead_in"): "NALTREXONE_QA_LEAD_IN",  # 0 / false: quote a "This ..." sentence alone
}


class Mode(str, Enum):
    """Which ranked lists retrieval uses: both fused, or one alone (for comparisons)."""

    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"

    @classmethod
    def from_str(cls, value: str | Mode) -> Mode:
        return _enum_value(cls, value, "mode")


class Fusion(str, Enum):
    """How hybrid retrieval joins the BM25 and dense lists (cf. Haystack's ``JoinMode``)."""

    RRF = "rrf"
    WEIGHTED = "weighted"

    @classmethod
    def from_str(cls, value: str | Fusion) -> Fusion:
        return _enum_value(cls, value, "fusion")


def _enum_value(cls: Any, value: Any, what: str) -> Any:
    if isinstance(value, cls):
        return value
    try:
        return cls(str(value).lower())
    except ValueError:
        names = ", ".join(m.value for m in cls)
        raise UsageError(f"unknown {what} {value!r}; choose one of {names}") from None


@dataclass(frozen=True)
class ChunkParams:
    """How many sentences a chunk holds and how many it shares with the next."""

    window: int = 4
    overlap: int = 1

    def __post_init__(self) -> None:
        if self.window < 1 or not 0 <= self.overlap < self.window:
            raise ValueError("need window >= 1 and 0 <= overlap < window")

    def to_dict(self) -> dict[str, int]:
        return {"window": self.window, "overlap": self.overlap}


@dataclass(frozen=True)
class RetrievalSettings:
    """Ranked retrieval over chunks."""

    mode: Mode = Mode.HYBRID
    fusion: Fusion = Fusion.RRF
    # 60 is the RRF paper's default; 20 weighs the top ranks more, which measured
    # better on evals/qa.jsonl (accuracy 0.655 vs 0.644) and no worse on SciFact.
    rrf_k: int = 20
    # (BM25, dense) weights of weighted fusion, for the pipeline and `bench beir` alike.
    fusion_weights: tuple[float, float] = (0.4, 0.6)
    candidates: int = 30  # each list is cut at this depth before fusion
    # log((N+1)/df) below this means a term is in over ~85% of chunks: skipped when rarer ones exist.
    min_idf: float = 0.15
    hnsw_threshold: int = 50_000  # exact search below this many vectors, HNSW above
    # Candidates HNSW explores per query: 64 keeps recall@10 above 0.95 (bench perf) at half the cost of 128.
    hnsw_ef_search: int = 64
    # One query is too little work to share between OpenMP threads (5x slower on 10k vectors, 2 cores).
    faiss_threads: int = 1
    # Where the milvus store keeps its collections: a file path runs Milvus Lite in this process,
    # http://host:19530 reaches a Milvus server. None: <index folder>/milvus.db (set by Settings).
    milvus_uri: Optional[str] = None


@dataclass(frozen=True)
class AnswerSettings:
    """The extractive answerer: candidates, ranking, selection and abstention."""

    top_chunks: int = 6
    # Nearest sentences by vector that join the candidates (with the top chunks' sentences);
    # 30 puts a right sentence in the pool for 97% of dev questions (8 did for 92%).
    extra_candidates: int = 30
    max_sentences: int = 4
    # Another sentence is quoted when its score is within the ranker's fitted margin of the
    # best, or this much more when it comes from an article not quoted yet.
    new_source_allowance: float = 0.05
    redundant_cos: float = 0.86
    min_new_terms: int = 2
    # The "gap" signal: nearest sentence against the mean of ranks gap_from..gap_to.
    gap_from: int = 5
    gap_to: int = 30
    # Words carried over from earlier turns find the topic but weigh less in choosing the sentence.
    carried_weight: float = 0.3
    # Add the clinical words for consumer ones ("jab" -> injection) to the searched words.
    lay_terms: bool = True
    # ...and the question's vector leans this much toward theirs (``lay_terms.leaning_vector``; dev: 0.3-0.7).
    lay_vector_weight: float = 0.5
    respell: bool = True  # read a typo ("anxeity") as the article word one or two edits away (``answer.spelling``)
    lead_in: bool = True  # a quoted "This ..." sentence starts at the sentence it points to (``answer.quotes``)
    # Use the learned reranker when the ranker was fitted with it; it reads this many candidates.
    rerank: bool = True
    # 6 (stop 28, records refitted each way; tune): right 167/176 on dev and 63/76 on dev_flags, near misses
    # 38/47, against 166, 61 and 37 at 8, and 15 ms less per answer (8 was chosen over 10 and 12 before).
    rerank_top: int = 6
    # "bank_votes": how many of the question's this-many nearest training questions a sentence answers. On dev
    # (ranker hit@1/hit@3 out of fold; answerable right; near misses declined): none 0.648/0.824, 0.875, 0.723;
    # 10 0.705/0.847, 0.864, 0.766; 15 0.710/0.852, 0.858, 0.766 (margins 3, 3, 4). Refit (calibrate) after changing it.
    bank_k: int = 10
    # A folder of fitted records to use instead of the shipped ones (``naltrexone-qa calibrate --out DIR``)
    # and a reranker adapter folder instead of the shipped one (``naltrexone-qa train reranker --out DIR``).
    fitted: Optional[Path] = None
    reranker_dir: Optional[Path] = None

    @property
    def lean(self) -> float:
        """How far question vectors lean toward clinical words: not at all when consumer words are not read."""
        return self.lay_vector_weight if self.lay_terms else 0.0


# When an answer quotes the other side of the disagreement it shows (``FlagSettings.quote_both_sides``).
QuoteBothSides = Literal["always", "contrast", "never"]


@dataclass(frozen=True)
class FlagSettings:
    """When an answer shows a disagreement from the conflict map (chosen on evals/dev.jsonl's
    disagreement and hard-negative items only; see the README)."""

    max_flags: int = 3
    # Both sides count as strong evidence for the question when each side's closest sentence is at
    # most this far (cosine) below the question's 5th-nearest sentence.
    near: float = 0.06
    # ... or at most this far, when the question names the disagreement's topic outside a condition
    # clause ("if it's for anxiety, is the liver at risk?" asks about the liver).
    near_named: float = 0.16
    # Nearest sentences whose disagreements are considered (with the quoted ones).
    neighbours: int = 30
    # A disagreement none of whose sentences the answer quotes is shown only when the question itself
    # weighs two possibilities: otherwise the answer speaks of something else ("what happens if a
    # patient stops taking it?" sits near the opioid-block sentences without asking about them).
    unquoted_needs_contrast: bool = True
    # A disagreement both of whose sides the answer quotes is shown however far either side is: the
    # answer itself sets them against each other, and the reader should be told.
    both_quoted_shown: bool = True
    # A disagreement one of whose sides the answer quotes is shown when the question asks yes or no
    # and names its topic or quotes a side first with the other side near ("is it gonna make my anxiety
    # worse?" answered from the side that says it eases anxiety): a one-sided yes or no reads as the answer.
    one_side_polar_named: bool = True
    # When the first disagreement shown has only one side among the answer's quotes, the other side's
    # best sentence joins them: "always", only for a question that weighs two possibilities
    # ("contrast", see ``disagree.flags.contrasting``), or "never".
    quote_both_sides: QuoteBothSides = "always"


def _env_value(name: str, text: str) -> Any:
    if name in ("rerank", "respell", "lead_in"):
        return text.lower() not in ("0", "false", "no", "off")
    return Path(text) if name in ("reranker_dir", "fitted") else text


def default_cache_dir(env: Optional[Mapping[str, str]] = None) -> Path:
    """Where caches live between runs: $NALTREXONE_QA_CACHE, else the XDG cache folder."""
    env = os.environ if env is None else env
    if env.get(ENV["cache_dir"]):
        return Path(env[ENV["cache_dir"]])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "naltrexone-qa"


def benchmarks_dir(given: Optional[str | Path] = None, env: Optional[Mapping[str, str]] = None) -> Optional[Path]:
    """The public benchmarks folder: the option if given, else $NALTREXONE_QA_BENCHMARKS, else None."""
    env = os.environ if env is None else env
    if given:
        return Path(given)
    value = env.get(BENCHMARKS_ENV, "").strip()
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    """Paths, model, backends, limits and tuning of one run."""

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    model: str = DEFAULT_MODEL
    device: str = "cpu"
    store: str = "faiss"
    detector: str = "rules"
    cache_dir: Path = field(default_factory=default_cache_dir)
    max_question_chars: int = 2000
    chunk: ChunkParams = field(default_factory=ChunkParams)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    flags: FlagSettings = field(default_factory=FlagSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir))
        object.__setattr__(self, "index_dir", Path(self.index_dir))
        object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        if self.store == "milvus" and not self.retrieval.milvus_uri:
            # Milvus Lite beside the index by default, so `--store milvus` alone works offline.
            milvus = str(self.index_dir / "milvus.db")
            object.__setattr__(self, "retrieval", replace(self.retrieval, milvus_uri=milvus))

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: Any) -> Settings:
        """Defaults, then the environment, then ``overrides`` (None means "not given")."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {"cache_dir": default_cache_dir(env)}
        for name, var in ENV.items():
            if env.get(var, "").strip() and name != "cache_dir":
                values[name] = env[var].strip()
        top = {f.name for f in fields(cls)}
        nested = dict.fromkeys(("mode", "fusion", "milvus_uri"), "retrieval")
        nested.update(dict.fromkeys(("rerank", "reranker_dir", "fitted", "respell"), "answer"))
        sub: dict[str, dict[str, Any]] = {}
        for (group, name), var in NESTED_ENV.items():
            if env.get(var, "").strip():
                sub.setdefault(group, {})[name] = _env_value(name, env[var].strip())
        for key, value in overrides.items():
            if value is None:
                continue
            if key in top:
                values[key] = value
            elif key in nested:
                sub.setdefault(nested[key], {})[key] = value
            else:
                raise TypeError(f"unknown setting {key!r}")
        settings = cls(**values)
        if "retrieval" in sub:
            settings = settings.with_retrieval(**sub["retrieval"])
        if "answer" in sub:
            settings = replace(settings, answer=replace(settings.answer, **sub["answer"]))
        return settings

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` rebuild these paths and backends (for worker processes)."""
        out = {var: str(getattr(self, name)) for name, var in ENV.items()}
        for (group, name), var in NESTED_ENV.items():
            value = getattr(getattr(self, group), name)
            if value is not None:
                out[var] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out

    def with_retrieval(self, **changes: Any) -> Settings:
        """A copy with retrieval settings changed; mode and fusion accept their names."""
        if "mode" in changes:
            changes["mode"] = Mode.from_str(changes["mode"])
        if "fusion" in changes:
            changes["fusion"] = Fusion.from_str(changes["fusion"])
        return replace(self, retrieval=replace(self.retrieval, **changes))


def read_env(table: Mapping[str, str], env: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """{field: value} for each variable of ``table`` ({field: variable}) that is set and not blank.

    The one reader of the environment for settings kept in other modules (server_settings).
    """
    env = os.environ if env is None else env
    return {name: env[var].strip() for name, var in table.items() if env.get(var, "").strip()}


def export_env(values: Mapping[str, str]) -> None:
    """Put settings into this process's environment, for worker processes started from it."""
    os.environ.update(values)
