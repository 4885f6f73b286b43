"""A vector store in Milvus, with its BM25 over the same rows: hybrid search inside Milvus.

Why: FAISS and the BM25 arrays live in the answering process, so the corpus
must fit in one machine's memory and every worker holds a copy. Milvus keeps
the vectors and the text; each row is (id, text, BM25 sparse vector made by
Milvus's own BM25 function, dense vector), and ``search_hybrid`` sends one
request that runs both searches in Milvus and fuses them with its RRF ranker
(or its weighted ranker), so only the top ids come back.

The URI chooses where: a file path (``index/milvus.db``) runs Milvus Lite, real
Milvus code in a local process, nothing to start; ``http://host:19530`` reaches a
Milvus server or cluster with the same client code. Milvus Lite builds FLAT
(exact) indexes only and serves one process per file; a server uses HNSW above
``hnsw_threshold``. The index folder keeps only ``<stem>.json`` (the collection's
name), so a rebuild makes a new collection and drops the old one afterwards.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from ..config import Fusion, RetrievalSettings
from ..text import tokenize
from .store import Matches

BATCH = 2000  # rows per insert: well under gRPC's message limit at 384 dimensions
MAX_TEXT_BYTES = 60_000  # VARCHAR holds 65,535 bytes; BM25 needs no more of a chunk than this
# Milvus's BM25 reads the words our own BM25 reads (text.tokenize: our stop words, Snowball
# stems, split contractions), so both stores rank with the same vocabulary; Milvus's analyzer
# only splits them again. With Milvus's own English analyzer (standard tokenizer, stop words,
# stemmer) FAISS and Milvus chose the same top quote on 0.901 of the evaluation questions.
ANALYZER = {"tokenizer": "standard"}
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def is_lite(uri: str) -> bool:
    """Whether ``uri`` is a local file (Milvus Lite) rather than a server address."""
    return "://" not in uri


def client_for(uri: str) -> Any:
    """One MilvusClient per URI per process (Milvus Lite allows one process per file)."""
    from pymilvus import MilvusClient

    with _clients_lock:
        if uri not in _clients:
            if is_lite(uri):
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
            _clients[uri] = MilvusClient(uri=uri)
        return _clients[uri]


def _uri(settings: RetrievalSettings) -> str:
    if not settings.milvus_uri:
        raise ValueError("the milvus store needs a URI (--milvus-uri or NALTREXONE_QA_MILVUS_URI)")
    return settings.milvus_uri


def bm25_text(text: str) -> str:
    """What Milvus's BM25 indexes for a text (and searches for a query): our content-word stems."""
    return " ".join(tokenize(text))


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= MAX_TEXT_BYTES else data[:MAX_TEXT_BYTES].decode("utf-8", "ignore")


class MilvusStore:
    """One Milvus collection: ids, text (BM25 inside Milvus) and dense vectors."""

    name = "milvus"

    def __init__(self, client: Any, collection: str, dim: int, count: int, uri: str, settings: RetrievalSettings):
        self.client = client
        self.collection = collection
        self._dim = dim
        self._count = count
        self.uri = uri
        self.settings = settings

    # ------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        vectors: np.ndarray,
        settings: RetrievalSettings,
        texts: Optional[Sequence[str]] = None,
    ) -> MilvusStore:
        """A new collection holding ``vectors`` (and ``texts`` for BM25) under ``ids``."""
        from pymilvus import DataType, Function, FunctionType

        uri = _uri(settings)
        client = client_for(uri)
        dim = int(np.atleast_2d(vectors).shape[1])
        collection = f"nqa_{uuid.uuid4().hex}"
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=ANALYZER)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(
            Function(
                name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]
            )
        )
        index = client.prepare_index_params()
        if is_lite(uri) or len(ids) < settings.hnsw_threshold:
            index.add_index("vector", index_type="FLAT", metric_type="IP")
        else:
            index.add_index("vector", index_type="HNSW", metric_type="IP", params={"M": 32, "efConstruction": 80})
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        client.create_collection(collection, schema=schema, index_params=index, consistency_level="Strong")
        store = cls(client, collection, dim, 0, uri, settings)
        if len(ids):
            store.add(ids, vectors, texts)
        return store

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return self._count

    def add(self, ids: Sequence[int], vectors: np.ndarray, texts: Optional[Sequence[str]] = None) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self._dim or len(vectors) != len(ids):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self._dim}, got {vectors.shape}")
        keys = [int(i) for i in ids]
        if len(set(keys)) != len(keys) or self._existing(keys):
            raise ValueError("an id is already stored")
        words = list(texts) if texts is not None else [""] * len(keys)
        for start in range(0, len(keys), BATCH):
            rows = [
                {"id": keys[j], "text": _clip(bm25_text(words[j])), "vector": vectors[j].tolist()}
                for j in range(start, min(start + BATCH, len(keys)))
            ]
            self.client.insert(self.collection, rows)
        self._count += len(keys)

    def _existing(self, keys: list[int]) -> bool:
        if not self._count:
            return False
        for start in range(0, len(keys), BATCH):
            if self.client.get(self.collection, ids=keys[start : start + BATCH], output_fields=["id"]):
                return True
        return False

    # ------------------------------------------------------------ searching
    def search(self, queries: np.ndarray, k: int) -> list[Matches]:
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not self._count or k < 1:
            return [[] for _ in q]
        params: dict[str, Any] = {"metric_type": "IP", "params": {"ef": max(self.settings.hnsw_ef_search, k)}}
        found = self.client.search(
            self.collection, data=q.tolist(), anns_field="vector", limit=min(k, self._count), search_params=params
        )
        return [_matches(row) for row in found]

    def search_text(self, text: str, k: int) -> Matches:
        """BM25 inside Milvus: (id, score) of the k best rows with a positive score."""
        query = bm25_text(text)
        if not self._count or k < 1 or not query:
            return []
        found = self.client.search(
            self.collection,
            data=[query],
            anns_field="sparse",
            limit=min(k, self._count),
            search_params={"metric_type": "BM25"},
        )
        return [(i, abs(s)) for i, s in _matches(found[0], by_magnitude=True)]

    def search_hybrid(self, text: str, vector: np.ndarray, k: int) -> Matches:
        """BM25 and dense search in one Milvus request, each list cut at ``candidates``, fused in Milvus."""
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        if not self._count or k < 1:
            return []
        s = self.settings
        depth = min(max(k, s.candidates), self._count)
        dense = AnnSearchRequest(
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="vector",
            param={"metric_type": "IP", "params": {"ef": max(s.hnsw_ef_search, depth)}},
            limit=depth,
        )
        query = bm25_text(text)
        if not query:
            return self.search(np.asarray(vector), k)[0]
        sparse = AnnSearchRequest(data=[query], anns_field="sparse", param={"metric_type": "BM25"}, limit=depth)
        ranker = RRFRanker(s.rrf_k) if s.fusion is Fusion.RRF else WeightedRanker(*s.fusion_weights)
        found = self.client.hybrid_search(self.collection, reqs=[sparse, dense], ranker=ranker, limit=min(k, depth))
        return _matches(found[0])

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        keys = [int(i) for i in ids]
        if not keys:
            return np.zeros((0, self._dim), dtype=np.float32)
        unique = sorted(set(keys))
        rows: dict[int, Any] = {}
        for start in range(0, len(unique), BATCH):
            for row in self.client.get(self.collection, ids=unique[start : start + BATCH], output_fields=["vector"]):
                rows[int(row["id"])] = row["vector"]
        missing = [i for i in unique if i not in rows]
        if missing:
            raise KeyError(f"unknown id in {missing[:5]}")
        return np.array([rows[i] for i in keys], dtype=np.float32)

    # ------------------------------------------------------------ persistence
    def save(self, folder: Path, stem: str) -> list[str]:
        self.client.flush(self.collection)
        meta = {"store": self.name, "collection": self.collection, "dim": self._dim, "count": self._count}
        (folder / f"{stem}.json").write_text(json.dumps(meta), encoding="utf-8")
        return [f"{stem}.json"]

    @classmethod
    def load(cls, folder: Path, stem: str, settings: RetrievalSettings) -> MilvusStore:
        from pymilvus.exceptions import MilvusException

        try:
            return cls._load(folder, stem, settings)
        except MilvusException as exc:  # the index loader rebuilds on ValueError
            raise ValueError(f"Milvus at {settings.milvus_uri}: {exc}") from exc

    @classmethod
    def _load(cls, folder: Path, stem: str, settings: RetrievalSettings) -> MilvusStore:
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        uri = _uri(settings)
        client = client_for(uri)
        collection = str(meta["collection"])
        if not client.has_collection(collection):
            raise ValueError(f"Milvus at {uri} has no collection {collection} (a different server, or dropped)")
        client.load_collection(collection)
        count = client.query(collection, filter="", output_fields=["count(*)"])[0]["count(*)"]
        if int(count) != int(meta["count"]):
            raise ValueError(f"collection {collection} holds {count} rows, the index expects {meta['count']}")
        return cls(client, collection, int(meta["dim"]), int(count), uri, settings)

    def release(self) -> None:
        """Drop this store's collection (for stores built only to be measured)."""
        self.client.drop_collection(self.collection)
        self._count = 0

    @staticmethod
    def drop(folder: Path, stem: str, settings: RetrievalSettings) -> None:
        """Drop the collection a saved store names (after a rebuild replaced it)."""
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        client = client_for(_uri(settings))
        if client.has_collection(str(meta["collection"])):
            client.drop_collection(str(meta["collection"]))


def _matches(row: Any, by_magnitude: bool = False) -> Matches:
    """(id, score) pairs, best first, ties by id (so results do not depend on Milvus's tie order)."""
    pairs = [(int(hit["id"]), float(hit["distance"])) for hit in row]
    if by_magnitude:  # Milvus Lite reports BM25 as a negative distance
        return sorted(pairs, key=lambda p: (-abs(p[1]), p[0]))
    return sorted(pairs, key=lambda p: (-p[1], p[0]))
