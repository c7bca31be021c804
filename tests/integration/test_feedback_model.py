"""The trained feedback reader (smoke profile, real MiniLM and data, a private store): behaviour and contracts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecr_agent.config import Paths
from ecr_agent.feedback import FeedbackReader
from ecr_agent.feedback.evaluation import EVALUATION_SETS, evaluate_reader, evaluation_sets
from ecr_agent.feedback.model import CONFIG_FILE, WEIGHTS_FILE
from ecr_agent.feedback.training import train_feedback
from ecr_agent.types import ChatTurn

AVATAR = "How about Avatar?"


@pytest.fixture(scope="module")
def trained(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Paths, dict]:
    paths = Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("feedback_store"))
    return paths, train_feedback("smoke", paths=paths, progress=False)


@pytest.fixture(scope="module")
def reader(trained) -> FeedbackReader:
    from ecr_agent.linking import EntityLinker

    return FeedbackReader.load(trained[0], EntityLinker.load(trained[0]))


def after_suggestion(reply: str) -> list[ChatTurn]:
    return [ChatTurn("user", "I want a sci-fi movie"), ChatTurn("assistant", AVATAR), ChatTurn("user", reply)]


def test_training_writes_safetensors_and_thresholds_chosen_on_validation(trained):
    paths, report = trained
    directory = paths.model_dir("feedback")
    assert (
        (directory / WEIGHTS_FILE).exists() and not list(directory.glob("*.pt")) and not list(directory.glob("*.pkl"))
    )
    config = json.loads((directory / CONFIG_FILE).read_text())
    assert config["turned_down_threshold"] == report["thresholds"]["turned_down_threshold"]
    assert 0.0 < config["turned_down_threshold"] < 1.0
    assert config["training"]["valid_examples"] == report["valid_examples"] > 0


def test_seen_and_loved_is_not_turned_down(reader):
    verdict = reader.read(after_suggestion("I have seen it and loved it")).latest()
    assert len(verdict) == 1 and verdict[0].source == "suggested"
    assert not verdict[0].turned_down and verdict[0].accepted and verdict[0].seen is True


def test_saw_and_hated_is_turned_down(reader):
    hated = reader.read(after_suggestion("I saw that and hated it")).latest()[0]
    loved = reader.read(after_suggestion("I have seen it and loved it")).latest()[0]
    assert hated.turned_down and not hated.accepted
    assert hated.p_turned_down > loved.p_turned_down + 0.2


def test_a_binge_before_a_sequel_is_not_a_rejection(reader):
    feedback = reader.read(
        [
            ChatTurn("user", "Any superhero movies?"),
            ChatTurn("assistant", "Have you seen Avengers: Infinity War?"),
            ChatTurn("user", "I have. Did a binge to prepare for Avengers: Infinity War"),
        ]
    )
    assert feedback.turned_down() == [] and len(feedback.movies) == 1


def test_a_clause_naming_two_movies_splits(reader):
    feedback = reader.read([ChatTurn("user", "I love The Shining, but I hated Titanic")])
    titles = {reader.linker.catalog[m.movie_id].name: m for m in feedback.movies}
    assert set(titles) == {"The Shining", "Titanic"}
    assert titles["Titanic"].turned_down and not titles["The Shining"].turned_down
    assert all(m.source == "named" and m.turn_index == 0 for m in feedback.movies)


def test_evaluation_reports_every_held_out_set(reader, trained):
    sets = {name: examples[:60] for name, examples in evaluation_sets(trained[0], limit=10).items()}
    results = evaluate_reader(reader, sets)
    assert set(results) == set(EVALUATION_SETS)
    for scores in results.values():
        for key in ("turned_down", "accepted", "seen"):
            assert 0.0 <= scores[key]["precision"] <= 1.0 and 0.0 <= scores[key]["recall"] <= 1.0
    assert results["iard"]["turned_down"]["support"] <= results["iard_broad"]["turned_down"]["support"]
