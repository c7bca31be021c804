"""Loading and saving the ranker: shared assets (catalog, KG, linker, node space) and trained runs.

Store layout (``$ECR_STORE_DIR/models/ranker``)::

    config.json, model.safetensors, cooccurrence.safetensors   the inference default (a copy of one run)
    runs/<variant>-seed<N>[-quick]/                           every trained run: the same three files,
        report.json, checkpoint.safetensors, checkpoint.json    its training report and resumable checkpoint
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch
from safetensors.torch import save_file

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.knowledge.graph import KnowledgeGraph
from ecr_agent.linking import EntityLinker
from ecr_agent.ranker.cache import movie_embeddings
from ecr_agent.ranker.config import RankerConfig, TrainConfig, from_json, save_json
from ecr_agent.ranker.cooccurrence import Cooccurrence
from ecr_agent.ranker.graph import NodeSpace, graph_tensors
from ecr_agent.ranker.model import EmotionAwareRankerModel
from ecr_agent.store_files import read_tensors, reading

logger = logging.getLogger(__name__)

TRAIN_COMMAND = "ecr train ranker"
RETRAIN = f"run `{TRAIN_COMMAND}` to train it"
WEIGHTS_FILE = "model.safetensors"
FILES = ("config.json", WEIGHTS_FILE)
COOC_FILE = "cooccurrence.safetensors"


class RankerAssets:
    """Catalog, KG, linker and node space: loaded once, shared by training, evaluation and inference."""

    def __init__(self, paths: Paths, linker: EntityLinker | None = None) -> None:
        self.paths = paths
        self.linker = linker or EntityLinker.load(paths)
        self.catalog: MovieCatalog = self.linker.catalog
        self.kg: KnowledgeGraph = self.linker.kg
        self.nodes = NodeSpace.build(self.kg, self.catalog)

    @cached_property
    def item_index(self) -> dict[str, int]:
        return self.nodes.item_index()

    @cached_property
    def graph(self) -> tuple[torch.Tensor, torch.Tensor, int]:
        return graph_tensors(self.kg)

    def movie_text(self, kind: str) -> torch.Tensor:
        return movie_embeddings(self.catalog, self.nodes, self.paths, kind)

    def build_model(self, config: RankerConfig, movie_text: torch.Tensor | None = None) -> EmotionAwareRankerModel:
        """A fresh model; ``movie_text`` defaults to the cached MiniLM embeddings (zeros when loading weights)."""
        edge_index, edge_type, relations = self.graph
        if movie_text is None:
            movie_text = self.movie_text(config.movie_text)
        return EmotionAwareRankerModel(
            config,
            self.nodes.num_nodes,
            relations,
            edge_index,
            edge_type,
            torch.tensor(self.nodes.item_nodes),
            movie_text,
        )


@dataclass
class TrainedRun:
    """A trained model with its configs, metadata and global co-occurrence matrix."""

    model: EmotionAwareRankerModel
    model_config: RankerConfig
    train_config: TrainConfig
    meta: dict
    cooccurrence: Cooccurrence | None
    directory: Path | None = None
    """The folder the run was loaded from (None for a run trained in this process)."""

    @property
    def name(self) -> str:
        return self.train_config.run_name

    @property
    def uses_emotions(self) -> bool:
        return self.model_config.use_local_emotions


RUN_NAME = re.compile(r"^(?P<variant>[a-z_]+)-seed(?P<seed>\d+)(?:-(?P<profile>quick|smoke))?$")
"""Names of training runs: ``<variant>-seed<N>`` for the full profile, with ``-quick``/``-smoke`` otherwise."""


def ranker_dir(paths: Paths) -> Path:
    return paths.model_dir("ranker")


def run_dir(paths: Paths, run_name: str) -> Path:
    return ranker_dir(paths) / "runs" / run_name


def save_run(
    directory: Path,
    model: EmotionAwareRankerModel,
    model_config: RankerConfig,
    train_config: TrainConfig,
    meta: dict,
    cooccurrence: Cooccurrence | None,
) -> None:
    """Write ``model.safetensors`` (+ co-occurrence) and ``config.json`` (last, so a complete config means done).

    The old config goes first: a run killed mid-way leaves no config (not trained), never new weights beside it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").unlink(missing_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(directory / "model.partial"))
    (directory / "model.partial").replace(directory / WEIGHTS_FILE)
    if cooccurrence is not None:
        save_file(cooccurrence.to_tensors(), str(directory / "cooc.partial"))
        (directory / "cooc.partial").replace(directory / COOC_FILE)
    save_json(
        directory / "config.json",
        {"model": _asdict(model_config), "train": _asdict(train_config), **meta},
    )


def _asdict(config: object) -> dict:
    from dataclasses import asdict

    return asdict(config)  # type: ignore[call-overload]


def load_run(directory: Path, assets: RankerAssets) -> TrainedRun:
    """Load a saved run (or the inference default).

    Raises:
        StoreNotBuiltError: files missing, or made for another node space.
        StoreCorruptError: a file is unreadable (the error names it).
    """
    missing = [name for name in FILES if not (directory / name).exists()]
    if missing:
        raise StoreNotBuiltError(f"no trained ranker at {directory} (missing {', '.join(missing)}); {RETRAIN}")
    with reading(directory / "config.json", TRAIN_COMMAND):
        data = json.loads((directory / "config.json").read_text())
        model_config = from_json(RankerConfig, data["model"])
        train_config = from_json(TrainConfig, data["train"])
    state = read_tensors(directory / WEIGHTS_FILE, TRAIN_COMMAND)
    cooccurrence = None
    if model_config.use_global:
        tensors, nodes = read_tensors(directory / COOC_FILE, TRAIN_COMMAND), assets.nodes.num_nodes
        with reading(directory / COOC_FILE, TRAIN_COMMAND):
            cooccurrence = Cooccurrence.from_tensors(tensors, nodes)
    if state.get("node_embeds") is None or state["node_embeds"].shape[0] != assets.nodes.num_nodes:
        raise StoreNotBuiltError(f"the ranker at {directory} was trained for another knowledge graph; {RETRAIN}")
    model = assets.build_model(model_config, movie_text=state["movie_text"])
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise StoreNotBuiltError(f"the ranker at {directory} does not match this code ({error}); {RETRAIN}") from error
    model.eval()
    meta = {k: v for k, v in data.items() if k not in ("model", "train")}
    return TrainedRun(model, model_config, train_config, meta, cooccurrence, directory)


def publish_default(paths: Paths, run_name: str) -> None:
    """Copy a run to the top of ``models/ranker`` as the inference default (its config last, the old one first)."""
    source, target = run_dir(paths, run_name), ranker_dir(paths)
    (target / "config.json").unlink(missing_ok=True)
    for name in (WEIGHTS_FILE, COOC_FILE):
        if (source / name).exists():
            shutil.copyfile(source / name, target / f"{name}.partial")
            (target / f"{name}.partial").replace(target / name)
        elif (target / name).exists():
            (target / name).unlink()
    shutil.copyfile(source / "config.json", target / "config.partial")
    (target / "config.partial").replace(target / "config.json")


def default_run_name(paths: Paths) -> str | None:
    path = ranker_dir(paths) / "config.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text()).get("run")
    except ValueError:
        return None


def sibling_seeds(paths: Paths, run_name: str | None) -> list[str]:
    """Trained runs of the same variant and profile as ``run_name``, other seeds (an ensemble's other members)."""
    this = RUN_NAME.match(run_name or "")
    if this is None:
        return []
    same = [RUN_NAME.match(name) for name in trained_runs(paths)]
    return [
        m.string
        for m in same
        if m and m["variant"] == this["variant"] and m["profile"] == this["profile"] and m["seed"] != this["seed"]
    ]


def trained_runs(paths: Paths) -> list[str]:
    """Names of the runs with a complete ``config.json`` (training finished)."""
    root = ranker_dir(paths) / "runs"
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "config.json").exists() and (p / WEIGHTS_FILE).exists())
