"""Rank movies for live conversations: `EmotionAwareRanker` (the trained model) and `popular_movies` (the fallback).

A conversation is a list of `ChatTurn` (``user`` = seeker, ``assistant`` = recommender). The ranker reads only its
most recent `HISTORY_WINDOW` messages, merges consecutive messages of one speaker into turns as the training data
does, links movies and KG entities, embeds the turns with MiniLM (memoised per text, so a growing chat only embeds its
new messages), and attaches emotions: the ones given, else those of `EmotionPredictor` (memoised per message too),
else ``neutral``.
Movies the user turned down are never recommended; ``exclude_mentioned`` also drops movies already named.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import torch

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.cpu import torch_threads
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import render_mentions
from ecr_agent.distributed import idle_threads
from ecr_agent.linking import EntityLinker
from ecr_agent.ranker.assets import (
    WEIGHTS_FILE,
    RankerAssets,
    TrainedRun,
    default_run_name,
    load_run,
    ranker_dir,
    run_dir,
    sibling_seeds,
)
from ecr_agent.ranker.cache import embed_texts, link_turn
from ecr_agent.ranker.features import TurnInfo, clause_rejections, disliked_movies, needs_clauses, turn_emotions
from ecr_agent.ranker.scoring import log_probabilities, score_contexts
from ecr_agent.ranker.states_cache import fingerprint, read_states, write_states
from ecr_agent.types import ChatTurn, Emotions, Recommendation

logger = logging.getLogger(__name__)

HISTORY_WINDOW = 40
"""Most recent messages read (a history of thousands of turns costs the same as one of forty)."""
MAX_MESSAGE_CHARS = 2000
"""Longer messages keep their end, where the latest wishes are."""
NEUTRAL: Emotions = {"neutral": 1.0}
EVIDENCE_PER_MOVIE = 3
TEXT_CACHE = 20_000


def entity_states(run: TrainedRun, assets: RankerAssets) -> tuple[torch.Tensor, torch.Tensor]:
    """``(states, items)`` of ``run``'s model: read from its folder when computed before (`states_cache`), else
    computed (and kept there for the next load)."""
    folder = run.directory
    kept = folder is not None and (folder / WEIGHTS_FILE).exists()
    if kept:
        edge_index, edge_type, _ = assets.graph
        key = fingerprint(folder / WEIGHTS_FILE, edge_index, edge_type)
        if (saved := read_states(folder, key)) is not None:
            return saved
    with torch.no_grad():
        states = run.model.entity_states()
        items = run.model.item_states(states)
    if kept:
        write_states(folder, key, states, items)
    return states, items


class EmotionAwareRanker:
    """ECR's emotion-aware recommender for live conversations (plain Python; `EmotionAwareRankerTool` adapts it).

    Example:
        .. code-block:: python

            from ecr_agent.config import Paths
            from ecr_agent.ranker.inference import EmotionAwareRanker
            from ecr_agent.types import ChatTurn

            ranker = EmotionAwareRanker.load(Paths.from_env())  # $ECR_STORE_DIR/models/ranker
            picks = ranker.rank([ChatTurn("user", "I loved The Matrix but hated Titanic")], k=5)
            picks[0].title, picks[0].evidence           # ('The Matrix Reloaded (2003)', ['The Matrix (1999) ...'])
    """

    def __init__(
        self,
        run: TrainedRun,
        assets: RankerAssets,
        detector: object | None = None,
        threads: int | str | None = "auto",
        members: Sequence[TrainedRun] = (),
    ) -> None:
        self.run = run
        self.threads = threads
        self.assets = assets
        self.model = run.model.eval()
        self.detector = detector
        self.states, self.items = entity_states(run, assets)
        self.members: list[tuple[TrainedRun, torch.Tensor, torch.Tensor]] = []
        for member in members:
            member.model.eval()
            self.members.append((member, *entity_states(member, assets)))
        self._texts: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._links: OrderedDict[str, tuple[tuple[str, ...], tuple[int, ...]]] = OrderedDict()
        self._emotions: OrderedDict[str, Emotions] = OrderedDict()
        self._movie_node = assets.nodes.movie_node()
        self._node_item = {node: item for item, node in enumerate(assets.nodes.item_nodes)}
        self._titles = [assets.catalog.titles[m] for m in assets.nodes.item_ids]
        self._descriptions: OrderedDict[tuple, str] = OrderedDict()
        self._cache_lock = threading.Lock()  # the memo caches are shared by every thread that ranks

    @classmethod
    def load(
        cls,
        paths: Paths,
        detector: object | None | str = "auto",
        threads: int | str | None = "auto",
        ensemble: bool = False,
        linker: EntityLinker | None = None,
    ) -> EmotionAwareRanker:
        """The inference default in ``models/ranker`` of the store in ``paths``.

        Args:
            paths: where the store is.
            detector: an emotion detector (anything with ``detect(texts)``), None for neutral emotions, or ``"auto"``
                to load `EmotionPredictor` when it is trained.
            threads: torch threads while ranking: ``"auto"`` (every CPU when the machine is idle, 1 when it is
                busy, decided per call), a number, or None (torch's setting).
            ensemble: also score with the other trained seeds of the default run (``ecr train ranker --seed N``) and
                rank by the mean log-probability: better recall (benchmarks/ranker), a model pass per seed; the
                evidence still comes from the default model.
            linker: an entity linker already loaded (the chain's), so the catalogue and KG are not loaded twice.

        Raises:
            StoreNotBuiltError: no trained ranker, or a corrupt one (the message names `ecr train ranker`).
        """
        assets = RankerAssets(paths, linker)
        run = load_run(ranker_dir(paths), assets)
        if detector == "auto":
            detector = _load_detector(paths)
        members = []
        if ensemble:
            names = sibling_seeds(paths, default_run_name(paths))
            members = [load_run(run_dir(paths, name), assets) for name in names]
            if not members:
                logger.warning("ranker ensemble asked for, but no other seed of the default run is trained")
        return cls(run, assets, detector, threads, members)

    @classmethod
    def from_run(
        cls,
        directory: Path,
        paths: Paths,
        detector: object | None = None,
        threads: int | str | None = "auto",
    ) -> EmotionAwareRanker:
        """A specific run directory (``models/ranker/runs/<name>``), e.g. an ablation."""
        assets = RankerAssets(paths)
        return cls(load_run(directory, assets), assets, detector, threads)

    # ------------------------------------------------------------------ public verbs
    def release_entity_inputs(self) -> None:
        """Free what the entity states were computed from: the node embeddings (16 MB) and the movie texts (10 MB)
        of each model.

        For a serving process (`ECRPipeline.from_store` calls it): ranking reads only the states computed at load.
        Afterwards the models cannot compute them again: `score_contexts` on ``self.model`` without ``states``, or a
        new `EmotionAwareRanker` built from ``self.run``, fail.
        """
        for model in (self.model, *(member.model for member, _, _ in self.members)):
            model.node_embeds = torch.nn.Parameter(model.node_embeds.new_empty(0, model.node_embeds.shape[1]), False)
            model.movie_text = model.movie_text.new_empty(0, model.movie_text.shape[1])

    def rank(
        self,
        turns: Sequence[ChatTurn],
        emotions: Sequence[Emotions | None] | None = None,
        k: int = 10,
        exclude_mentioned: bool = False,
        turned_down: Sequence[str] | None = None,
    ) -> list[Recommendation]:
        """Top-``k`` movies for one conversation, best first, each with its evidence.

        Args:
            turns: the conversation so far (any length; the last `HISTORY_WINDOW` messages are read).
            emotions: per message ``{label: prob}`` aligned with ``turns`` (None entries or None: detected).
            k: how many movies.
            exclude_mentioned: also drop movies already named in the conversation.
            turned_down: the movies the user turned down, as the feedback reader decided; they are never
                recommended and their evidence says so. None: the paper's rule (a turn whose top emotion is
                *negative* turns down its movies).
        """
        downs = None if turned_down is None else [turned_down]
        return self.rank_batch([turns], None if emotions is None else [emotions], k, exclude_mentioned, downs)[0]

    def rank_batch(
        self,
        conversations: Sequence[Sequence[ChatTurn]],
        emotions: Sequence[Sequence[Emotions | None] | None] | None = None,
        k: int = 10,
        exclude_mentioned: bool = False,
        turned_down: Sequence[Sequence[str]] | None = None,
        batch_size: int = 256,
    ) -> list[list[Recommendation]]:
        """`rank` for many conversations at once (one model pass per ``batch_size`` conversations)."""
        if turned_down is not None and len(turned_down) != len(conversations):
            raise ValueError("turned_down must hold one list per conversation")
        with torch_threads(idle_threads() if self.threads == "auto" else self.threads):
            return self._rank_batch(conversations, emotions, k, exclude_mentioned, turned_down, batch_size)

    def _rank_batch(
        self,
        conversations: Sequence[Sequence[ChatTurn]],
        emotions: Sequence[Sequence[Emotions | None] | None] | None,
        k: int,
        exclude_mentioned: bool,
        turned_down: Sequence[Sequence[str]] | None,
        batch_size: int,
    ) -> list[list[Recommendation]]:
        if k < 1:
            raise ValueError("k must be at least 1")
        emotions = list(emotions) if emotions is not None else [None] * len(conversations)
        if len(emotions) != len(conversations):
            raise ValueError("emotions must hold one entry (or None) per conversation")
        windows, feelings = [], []
        for index, (turns, given) in enumerate(zip(conversations, emotions, strict=True)):
            if given is not None and len(given) != len(turns):
                raise ValueError(f"conversation {index}: {len(given)} emotion entries for {len(turns)} messages")
            start = max(0, len(turns) - HISTORY_WINDOW)
            windows.append([_check_turn(t) for t in turns[start:]])
            feelings.append(list(given[start:]) if given is not None else [None] * (len(turns) - start))
        self._detect_missing(windows, feelings)
        contexts, embeddings = self._contexts(windows, feelings)
        results: list[list[Recommendation]] = [[] for _ in conversations]
        live = [i for i, c in enumerate(contexts) if any(t.role == "seeker" for t in c)]
        for i in set(range(len(contexts))) - set(live):
            mentioned = {m for t in contexts[i] for m in t.movies} if exclude_mentioned else set()
            results[i] = popular_movies(self.assets.catalog, k, exclude=mentioned)
        chosen = [contexts[i] for i in live]
        downs_of = [set(turned_down[i]) for i in live] if turned_down is not None else None
        for scored in score_contexts(
            self.model,
            chosen,
            embeddings,
            self.assets.item_index,
            self.run.cooccurrence,
            batch_size=batch_size,
            exclude_mentioned=exclude_mentioned,
            states=self.states,
            items=self.items,
            parts=True,
            turned_down=downs_of,
        ):
            probs = torch.softmax(self._ensemble(scored, chosen, embeddings, batch_size), dim=1)
            # a misread id's pick becomes the movie meant, which may already be among the picks
            top = probs.topk(min(k + len(self.assets.catalog.misread), probs.shape[1]), dim=1)
            end = scored.start + top.indices.shape[0]
            downs = downs_of[scored.start : end] if downs_of is not None else None
            evidence = self._evidence(scored, top.indices, chosen[scored.start : end], downs)
            for row, (items, values) in enumerate(zip(top.indices.tolist(), top.values.tolist(), strict=True)):
                picks = results[live[scored.start + row]]
                for slot, (item, prob) in enumerate(zip(items, values, strict=True)):
                    if len(picks) == k:
                        break
                    movie_id = self.assets.catalog.meant(self.assets.nodes.item_ids[item])
                    meant_item = self.assets.item_index.get(movie_id, item)
                    # a zero probability is an excluded movie (turned down, mentioned), the meant one's too
                    if prob <= 0.0 or probs[row, meant_item] <= 0.0 or any(p.movie_id == movie_id for p in picks):
                        continue
                    title = self.assets.catalog.titles[movie_id]
                    picks.append(Recommendation(movie_id, title, round(prob, 6), evidence[row][slot]))
        return results

    # ------------------------------------------------------------------ steps
    def _ensemble(self, scored, chosen, embeddings, batch_size: int) -> torch.Tensor:  # type: ignore[no-untyped-def]
        """The ranking scores of a scored batch: the default model's, or the members' mean log-probability."""
        if not self.members:
            return scored.ranked
        rows = chosen[scored.start : scored.start + scored.ranked.shape[0]]
        total = torch.log_softmax(scored.logits, dim=1)
        for member, states, items in self.members:
            total += log_probabilities(
                member.model, rows, embeddings, self.assets.item_index, member.cooccurrence,
                batch_size=batch_size, states=states, items=items,
            )  # fmt: skip
        mean = total / (1 + len(self.members))
        return mean.masked_fill(torch.isinf(scored.ranked), float("-inf"))  # the same rules as the default model

    def _detect_missing(self, windows: list[list[ChatTurn]], feelings: list[list[Emotions | None]]) -> None:
        wanted = [(c, i) for c, w in enumerate(windows) for i, t in enumerate(w) if t.role == "user"]
        wanted = [(c, i) for c, i in wanted if feelings[c][i] is None]
        if not wanted:
            return
        if self.detector is None:
            for c, i in wanted:
                feelings[c][i] = dict(NEUTRAL)
            return
        texts = [windows[c][i].content for c, i in wanted]
        detected = self._memoised(self._emotions, texts, self.detector.detect)  # type: ignore[attr-defined]
        for (c, i), found in zip(wanted, detected, strict=True):
            feelings[c][i] = found

    def _contexts(
        self, windows: list[list[ChatTurn]], feelings: list[list[Emotions | None]]
    ) -> tuple[list[list[TurnInfo]], torch.Tensor]:
        """Merged, linked turns of every conversation, and the embedding table their ``text_index`` points into."""
        merged: list[list[tuple[str, str, list[Emotions | None]]]] = []
        for window, feeling in zip(windows, feelings, strict=True):
            turns: list[tuple[str, str, list[Emotions | None]]] = []
            for message, emotion in zip(window, feeling, strict=True):
                role = "seeker" if message.role == "user" else "recommender"
                if turns and turns[-1][0] == role:
                    turns[-1] = (role, f"{turns[-1][1]} {message.content}".strip(), [*turns[-1][2], emotion])
                else:
                    turns.append((role, message.content, [emotion]))
            merged.append(turns)
        texts = list(dict.fromkeys(text for turns in merged for _, text, _ in turns))
        table = self._embed(texts)
        row = {text: index for index, text in enumerate(texts)}
        # an assistant turn's facts about its own picks (the opening's "directed by …, with …") are not context
        said_by = {text: role for turns in merged for role, text, _ in turns}
        link = partial(link_turn, self.assets.linker, movie_node=self._movie_node)
        keys = [f"{said_by[text]}|{text}" for text in texts]
        found = self._memoised(
            self._links, keys, lambda new: [link(k.split("|", 1)[1], movie_facts=k.startswith("seeker")) for k in new]
        )
        links = dict(zip(texts, found, strict=True))
        contexts = []
        for turns in merged:
            context = []
            for role, text, emotions in turns:
                movies, nodes = links[text]
                merged_emotions = turn_emotions(emotions) if role == "seeker" else {}
                context.append(
                    TurnInfo(
                        role=role,  # type: ignore[arg-type]
                        movies=movies,
                        nodes=nodes,
                        emotions=merged_emotions,
                        text_index=row[text],
                        rejected=self._clause_rejections(text, movies)
                        if needs_clauses(role, merged_emotions, movies)
                        else None,
                    )
                )
            contexts.append(context)
        return contexts, table

    def _clause_rejections(self, text: str, movies: tuple[str, ...]) -> tuple[str, ...] | None:
        """`features.clause_rejections` with this ranker's linker and detector (None without a detector)."""
        if self.detector is None:
            return None
        detect = self.detector.detect  # type: ignore[attr-defined]
        return clause_rejections(
            text,
            movies,
            lambda clause: self.assets.linker.link(clause).movie_ids,
            lambda clauses: self._memoised(self._emotions, clauses, detect),
        )

    def _embed(self, texts: list[str]) -> torch.Tensor:
        if not texts:
            return torch.zeros(1, 384)
        titles = self.assets.catalog.titles
        return torch.stack(
            self._memoised(self._texts, texts, lambda new: embed_texts([render_mentions(t, {}, titles) for t in new]))
        )

    def _memoised(self, cache: OrderedDict, keys: list[str], compute: Callable[[list[str]], Iterable]) -> list:
        """The values of ``keys``: from ``cache``, the missing ones computed in one call and remembered.

        Values are collected before the cache evicts anything, so a batch larger than the cache still works. The
        cache is read and updated under a lock (another thread may evict between a lookup and a read); the compute
        runs outside it, so two threads may compute the same key once each, never a wrong value.
        """
        with self._cache_lock:
            found = {key: cache[key] for key in keys if key in cache}
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            found.update(zip(missing, compute(missing), strict=True))
        with self._cache_lock:
            for key in dict.fromkeys(keys):
                self._remember(cache, key, found[key])
        return [found[key] for key in keys]

    @staticmethod
    def _remember(cache: OrderedDict, key: str, value: object) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > TEXT_CACHE:
            cache.popitem(last=False)

    def _evidence(  # type: ignore[no-untyped-def]
        self,
        scored,
        top: torch.Tensor,
        contexts: Sequence[Sequence[TurnInfo]],
        turned_down: Sequence[set[str]] | None = None,
    ) -> list[list[list[str]]]:
        """Per row and recommended movie, the context entities that raised its score most, with their emotions.

        A movie the seeker turned down (the dislike rule) is described as such, whatever emotions it carries: a later
        mention ("sorry X didn't work for you") hands it the next reaction, which would read as if they liked it.
        """
        batch = scored.batch
        cooc = None
        if self.run.cooccurrence is not None and "gamma" in scored.parts:
            nodes = np.asarray(self.assets.nodes.item_nodes)[top.numpy()]  # (B, k)
            heads = np.where(batch.entity_role.numpy() > 0, batch.entity_node.numpy(), -1)  # (B, L)
            size, width = heads.shape
            tails = np.repeat(nodes, width, axis=0)  # (B·L, k)
            cooc = torch.from_numpy(self.run.cooccurrence.lookup(heads.reshape(-1), tails).reshape(size, width, -1))
        contributions = self.model.contributions(scored.parts, batch, top, cooc)  # (B, L, k)
        best = contributions.topk(min(EVIDENCE_PER_MOVIE, contributions.shape[1]), dim=1)  # over entities
        values, entities = best.values.transpose(1, 2).tolist(), best.indices.transpose(1, 2).tolist()  # (B, k, 3)
        out: list[list[list[str]]] = []
        for row, mentions in enumerate(batch.mentions):
            downs = set(disliked_movies(contexts[row])) if turned_down is None else turned_down[row]
            out.append(
                [
                    [
                        self._describe(mentions[j], mentions[j].movie in downs)
                        for v, j in zip(vs, js, strict=True)
                        if v > 0 and j < len(mentions)
                    ]
                    for vs, js in zip(values[row], entities[row], strict=True)
                ]
            )
        return out

    def _describe(self, mention, turned_down: bool = False) -> str:  # type: ignore[no-untyped-def]
        key = (mention.node, mention.role, tuple(mention.emotions.items()), turned_down)
        with self._cache_lock:
            found = self._descriptions.get(key)
        if found is None:
            name = self._node_name(mention.node)
            feeling = ", ".join(f"{label} {prob:.2f}" for label, prob in mention.emotions.items())
            if turned_down:
                found = f"{name} (you turned it down)"
            elif mention.role == "seeker":
                found = f"{name} (you mentioned it; {feeling or 'no emotion detected'})"
            else:
                found = f"{name} (I suggested it; your reaction: {feeling or 'not yet'})"
            with self._cache_lock:
                self._remember(self._descriptions, key, found)  # type: ignore[arg-type]
        return found

    def _node_name(self, node: int) -> str:
        if node < self.assets.nodes.num_kg:
            return self.assets.kg.name(node)
        return self._titles[self._node_item[node]]


def _check_turn(turn: ChatTurn) -> ChatTurn:
    if not isinstance(turn, ChatTurn):
        raise TypeError(f"turns must be ChatTurn objects, got {type(turn).__name__}")
    if turn.role not in ("user", "assistant"):
        raise ValueError(f"unknown role {turn.role!r}; use 'user' or 'assistant'")
    content = turn.content if len(turn.content) <= MAX_MESSAGE_CHARS else turn.content[-MAX_MESSAGE_CHARS:]
    return ChatTurn(turn.role, content) if content is not turn.content else turn


def _load_detector(paths: Paths) -> object | None:
    try:
        from ecr_agent.emotion.inference import EmotionPredictor
        from ecr_agent.hardware import native_bfloat16

        return EmotionPredictor.load(paths, bf16=native_bfloat16())
    except (ImportError, StoreNotBuiltError) as error:
        logger.warning("emotion classifier unavailable (%s): user messages count as neutral", error)
        return None


def popular_movies(catalog: MovieCatalog, k: int = 10, exclude: Sequence[str] | set[str] = ()) -> list[Recommendation]:
    """The ``k`` most mentioned movies of ``catalog`` (``exclude`` removed), flagged ``popular_fallback`` — no model
    needed."""
    banned = set(exclude) | set(catalog.misread)
    movies = sorted(catalog.movies.values(), key=lambda m: (-m.mentions, int(m.movie_id)))
    top = movies[0].mentions if movies else 1
    return [
        Recommendation(
            movie_id=m.movie_id,
            title=m.title,
            score=round(m.mentions / top, 6),
            evidence=[f"popular on ReDial ({m.mentions} mentions); nothing in the conversation to go on yet"],
            popular_fallback=True,
        )
        for m in movies
        if m.movie_id not in banned
    ][:k]
