"""`EmotionAwareRankerModel`: scores every ReDial movie for a dialogue context (plain PyTorch).

Parts (DESIGN.md, "the algorithm"):

- **Entities**: learnable node embeddings (movie nodes also get a projection of their MiniLM metadata text, so
  movies outside the KG have a representation) → one basis-decomposed R-GCN layer with a residual, ``H``.
- **Context text**: frozen MiniLM embeddings of the last turns, attention-pooled with role and recency → ``t``.
- **Local emotion-aware entities**: each context entity ``e_j`` fused with ``F_j = Σ p·v_f`` of its emotions,
  ``ẽ'_j = [e_j; F_j] W + b`` (Eq. 3–4), attention-pooled with a query from ``t`` → ``l``.
- **Global emotion-aware entities**: ``E_j = Σ_i P(e_i | e_j) e_i`` from the sparse co-occurrence matrix, fused
  with ``F_j`` the same way (Eq. 5) and pooled → ``g``; plus an emotion-gated collaborative expert: with
  ``q(m) = Σ_j α_j P(m | e_j)`` (α a softmax over the context's entities from their emotions, role and recency),
  ``λ·log(1 + q(m)/ε)`` is added to the scores. In development runs on validation, a linear gate on q left the global
  part useless (R@50 0.33) and this log term made it pay off (0.41); the reference code's counterpart is its "copy"
  score.
- **Mention bonus**: a learned scalar per movie already in the context, from its role, recency (and emotions),
  so the model can learn when a recommender repeats a movie and when a disliked one must go.
- **Scores**: ``u = W_t t + W_l l + W_g g + b``; ``score(m) = u · W_i h_m + bias_m`` (+ the two item-level terms).
  Everything after the attention but the collaborative log term is linear, so `contributions` splits a score
  exactly over context entities (the log term in proportion to each entity's share of q).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ecr_agent.ranker.batching import NO_EMOTION, Batch
from ecr_agent.ranker.config import RankerConfig
from ecr_agent.ranker.graph import BasisRGCN

TEXT_DIM = 384
NEG_INF = -1e9


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dim where ``mask``; all-masked rows give zeros."""
    scores = scores.masked_fill(~mask, NEG_INF)
    return torch.softmax(scores, dim=-1) * mask.any(-1, keepdim=True)


class EmotionAwareRankerModel(nn.Module):
    """ECR's emotion-aware item recommender, sized for CPU.

    Args:
        config: architecture and variant flags.
        num_nodes: N, KG entities plus unlinked movies.
        num_relations: R-GCN relations (with inverses).
        edge_index: (2, E) KG edges; edge_type: (E,).
        item_nodes: (num_items,) node of each item.
        movie_text: (num_items, 384) MiniLM embeddings of the movies' metadata text (a buffer, saved with weights).
    """

    def __init__(
        self,
        config: RankerConfig,
        num_nodes: int,
        num_relations: int,
        edge_index: torch.Tensor,
        edge_type: torch.Tensor,
        item_nodes: torch.Tensor,
        movie_text: torch.Tensor,
    ) -> None:
        super().__init__()
        d, emo = config.entity_dim, config.emotion_dim
        self.config = config
        self.num_nodes = num_nodes
        self.register_buffer("item_nodes", item_nodes.long())
        node_item = torch.full((num_nodes,), -1, dtype=torch.long)
        node_item[item_nodes.long()] = torch.arange(item_nodes.numel())
        self.register_buffer("node_item", node_item, persistent=False)
        self.register_buffer("movie_text", movie_text.float())
        self.node_embeds = nn.Parameter(torch.empty(num_nodes, d))
        bound = math.sqrt(6.0 / (num_nodes + d))
        nn.init.uniform_(self.node_embeds, -bound, bound)
        self.movie_text_proj = nn.Linear(TEXT_DIM, d)
        self.rgcn = BasisRGCN(num_nodes, d, num_relations, config.num_bases, edge_index, edge_type)
        self.item_proj = nn.Linear(d, d)
        self.item_bias = nn.Parameter(torch.zeros(item_nodes.numel()))

        distances = config.max_distance + 1
        self.turn_proj = nn.Linear(TEXT_DIM, d)
        self.turn_role = nn.Embedding(3, d)
        self.turn_distance = nn.Embedding(distances, d)
        self.turn_query = nn.Parameter(torch.randn(d) / math.sqrt(d))

        self.emotion_embeds = nn.Embedding(NO_EMOTION + 1, emo, padding_idx=NO_EMOTION)
        nn.init.normal_(self.emotion_embeds.weight, std=0.1)  # N(0, 1) would drown the entity in its emotions
        with torch.no_grad():
            self.emotion_embeds.weight[NO_EMOTION].zero_()
        local_in = d + (emo if config.use_local_emotions else 0)
        self.entity_role = nn.Embedding(3, d)
        self.entity_distance = nn.Embedding(distances, d)
        self.local_fuse = nn.Linear(local_in, d)
        self.local_query = nn.Linear(d, d)
        side = 2 + distances + (emo if config.use_local_emotions else 0)
        self.mention_bonus = nn.Sequential(nn.Linear(side, 32), nn.ReLU(), nn.Linear(32, 1))
        if config.use_global:
            self.global_fuse = nn.Linear(local_in, d)
            self.global_query = nn.Linear(d, d)
            self.global_gate = nn.Sequential(nn.Linear(side, 32), nn.ReLU(), nn.Linear(32, 1))
            self.cooc_scale = nn.Parameter(torch.ones(()))
            self.out_global = nn.Linear(d, d, bias=False)
        self.out_text = nn.Linear(d, d, bias=False)
        self.out_local = nn.Linear(d, d, bias=False)
        self.user_bias = nn.Parameter(torch.zeros(d))
        self.dropout = nn.Dropout(config.dropout)

    # ----------------------------------------------------------------- entities
    def entity_states(self, targets: torch.Tensor | None = None) -> torch.Tensor:
        """``H`` (N, d): node embeddings (+ movie text) through the R-GCN, with a residual.

        With ``targets`` only those rows are exact (training computes just what a batch reads: ~3× cheaper).
        """
        text = self.movie_text_proj(self.movie_text)
        x = self.node_embeds.index_add(0, self.item_nodes, text)
        return self.rgcn(x, targets) + x

    def batch_targets(self, batch: Batch) -> torch.Tensor:
        """Nodes whose states ``batch`` reads: every item, the context entities and their co-occurrence neighbours."""
        parts = [self.item_nodes, batch.entity_node[batch.entity_role > 0]]
        if self.config.use_global and batch.neighbours is not None:
            parts.append(batch.neighbours[1])
        return torch.unique(torch.cat(parts))

    def item_states(self, states: torch.Tensor) -> torch.Tensor:
        """(num_items, d) item vectors scored against the user vector."""
        return self.item_proj(states[self.item_nodes])

    # ----------------------------------------------------------------- context
    def _side_features(self, batch: Batch, emotions: torch.Tensor | None) -> torch.Tensor:
        role = F.one_hot(batch.entity_role.clamp(min=1) - 1, 2).float()
        distance = F.one_hot(batch.entity_distance, self.config.max_distance + 1).float()
        parts = [role, distance] + ([emotions] if emotions is not None else [])
        return torch.cat(parts, -1)

    def forward(
        self,
        batch: Batch,
        states: torch.Tensor | None = None,
        items: torch.Tensor | None = None,
        parts: bool = False,
    ) -> torch.Tensor | dict:
        """Scores (B, num_items); with ``parts`` a dict with ``logits`` and the pieces `contributions` needs.

        ``states`` (N, d) and ``items`` (num_items, d) can be passed in when precomputed (evaluation, inference).
        """
        if states is None:
            states = self.entity_states(self.batch_targets(batch) if self.training else None)
        items = self.item_states(states) if items is None else items
        cfg = self.config

        # Text: attention over the last turns.
        turn_mask = batch.turn_role > 0
        keys = (
            self.turn_proj(batch.turn_embeddings)
            + self.turn_role(batch.turn_role)
            + self.turn_distance(batch.turn_distance)
        )
        alpha = masked_softmax(torch.tanh(keys) @ self.turn_query, turn_mask)
        text = self.dropout((alpha.unsqueeze(-1) * keys).sum(1))

        # Local entities, each fused with its emotions.
        entity_mask = batch.entity_role > 0
        entities = self.dropout(states[batch.entity_node])
        emotions = None
        if cfg.use_local_emotions:
            emotions = (self.emotion_embeds(batch.emotion_ids) * batch.emotion_probs.unsqueeze(-1)).sum(-2)
        position = self.entity_role(batch.entity_role) + self.entity_distance(batch.entity_distance)
        local_in = torch.cat([entities, emotions], -1) if emotions is not None else entities
        local = self.local_fuse(local_in) + position
        query = self.local_query(text)
        beta = masked_softmax((torch.tanh(local) * query.unsqueeze(1)).sum(-1), entity_mask)
        pooled_local = self.dropout((beta.unsqueeze(-1) * local).sum(1))
        side = self._side_features(batch, emotions)

        user = self.out_text(text) + self.out_local(pooled_local) + self.user_bias
        logits = user @ items.T + self.item_bias
        bonus = self.mention_bonus(side).squeeze(-1) * (batch.entity_item >= 0) * entity_mask
        logits = logits.scatter_add(1, batch.entity_item.clamp(min=0), bonus)
        out = {"text": text, "alpha": alpha, "keys": keys, "local": local, "beta": beta, "bonus": bonus}

        if cfg.use_global and batch.neighbours is not None:
            size, width = batch.entity_node.shape
            rows, nodes, probs = batch.neighbours  # COO: entity row b·L+j, neighbour node, P(node | e_j)
            weighted = probs.unsqueeze(1) * states[nodes]
            neighbour = torch.zeros(size * width, states.shape[1]).index_add(0, rows, weighted)
            neighbour = neighbour.view(size, width, -1)  # E_j = Σ_i P(e_i | e_j) e_i
            has_neighbours = entity_mask & (neighbour.abs().sum(-1) > 0)
            global_in = torch.cat([neighbour, emotions], -1) if emotions is not None else neighbour
            global_states = self.global_fuse(global_in) + position
            gamma = masked_softmax(
                (torch.tanh(global_states) * self.global_query(text).unsqueeze(1)).sum(-1), has_neighbours
            )
            pooled_global = self.dropout((gamma.unsqueeze(-1) * global_states).sum(1))
            logits = logits + self.out_global(pooled_global) @ items.T
            # Collaborative expert: q(item) = Σ_j α_j P(item | e_j), α an emotion-aware softmax over the context's
            # entities; its log is added to the scores (a product of experts, active from the first step).
            gate = masked_softmax(self.global_gate(side).squeeze(-1), has_neighbours)  # (B, L)
            item = self.node_item[nodes]
            keep = item >= 0
            flat = (rows[keep] // width) * logits.shape[1] + item[keep]
            mixture = torch.zeros(logits.numel()).index_add(0, flat, gate.reshape(-1)[rows[keep]] * probs[keep])
            mixture = mixture.view_as(logits)
            logits = logits + self.cooc_scale * (torch.log(mixture + cfg.cooc_epsilon) - math.log(cfg.cooc_epsilon))
            out.update(mixture=mixture)
            out.update(global_states=global_states, gamma=gamma, gate=gate)
        if parts:
            out.update(logits=logits, items=items)
            return out
        return logits

    # ----------------------------------------------------------------- explanations
    @torch.no_grad()
    def contributions(self, out: dict, batch: Batch, items: torch.Tensor, cooc: torch.Tensor | None) -> torch.Tensor:
        """How much each context entity adds to the score of each chosen item, (B, L, k).

        Exact for every linear part (local and global entity vectors, mention bonus); the collaborative term
        ``λ·log(1 + q/ε)`` is shared among entities in proportion to their share ``α_j P(item | e_j)`` of q.

        Args:
            out: ``forward(..., parts=True)`` of the batch.
            batch: the batch.
            items: (B, k) item indices to explain.
            cooc: (B, L, k) ``P(item's node | entity)`` (zeros or None without the global part).
        """
        vectors = out["items"][items]  # (B, k, d)
        local = out["beta"].unsqueeze(-1) * self.out_local(out["local"])  # (B, L, d)
        total = local @ vectors.transpose(1, 2)
        total = total + out["bonus"].unsqueeze(-1) * (batch.entity_item.unsqueeze(-1) == items.unsqueeze(1))
        if "gamma" in out:
            pooled = out["gamma"].unsqueeze(-1) * self.out_global(out["global_states"])
            total = total + pooled @ vectors.transpose(1, 2)
            if cooc is not None:
                eps = self.config.cooc_epsilon
                shares = out["gate"].unsqueeze(-1) * cooc  # (B, L, k): α_j P(item | e_j)
                mixture = out["mixture"].gather(1, items).unsqueeze(1)  # (B, 1, k)
                term = self.cooc_scale * (torch.log(mixture + eps) - math.log(eps))
                total = total + term * shares / mixture.clamp(min=1e-12)
        return total
