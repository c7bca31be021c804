from __future__ import annotations

import re
from pathlib import Path

import pytest

import ecr_agent.emotion as emotion_package
from ecr_agent.config import Paths
from ecr_agent.emotion.goemotions import (
    GOEMOTIONS_LABELS,
    GOEMOTIONS_TO_ECR,
    UNMAPPED_ECR_LABELS,
    load_goemotions,
    map_labels,
)
from ecr_agent.emotion.labels import EMOTIONS

MAPPING_DOC = Path(emotion_package.__file__).parent / "GOEMOTIONS_MAPPING.md"


def test_every_goemotions_label_is_mapped_or_explicitly_dropped() -> None:
    assert set(GOEMOTIONS_TO_ECR) == set(GOEMOTIONS_LABELS)
    assert {v for v in GOEMOTIONS_TO_ECR.values() if v is not None} <= set(EMOTIONS)
    assert [k for k, v in GOEMOTIONS_TO_ECR.items() if v is None] == ["caring"]


def test_nostalgia_is_the_only_label_without_a_source_and_agreement_comes_from_approval() -> None:
    assert UNMAPPED_ECR_LABELS == ("nostalgia",)
    assert [k for k, v in GOEMOTIONS_TO_ECR.items() if v == "agreement"] == ["approval"]


def test_label_order_matches_the_data_file(data_dir: Path) -> None:
    names = (data_dir / "emotions" / "goemotions_labels.txt").read_text().split()
    assert tuple(names) == GOEMOTIONS_LABELS


def test_the_mapping_document_agrees_with_the_code() -> None:
    rows = re.findall(r"^\| (\w+) \| ([\w() ]+) \|", MAPPING_DOC.read_text(), flags=re.MULTILINE)
    documented = {source: None if target == "(dropped)" else target for source, target in rows[1:]}
    assert documented == GOEMOTIONS_TO_ECR


@pytest.mark.parametrize(
    ("goemotions", "expected"),
    [
        (["admiration", "love"], ("like",)),
        (["joy", "gratitude"], ("happy", "grateful")),
        (["caring"], ()),
        (["caring", "curiosity"], ("curious",)),
        (["disapproval"], ("negative",)),
    ],
)
def test_map_labels(goemotions: list[str], expected: tuple[str, ...]) -> None:
    assert map_labels(goemotions) == expected


def test_loading_the_dev_split_masks_nostalgia_and_skips_dropped_comments(paths: Paths) -> None:
    examples = load_goemotions("dev", paths)
    assert 5000 < len(examples) < 5426  # some caring-only comments are dropped
    nostalgia = EMOTIONS.index("nostalgia")
    assert all(not e.label_mask[nostalgia] and sum(e.label_mask) == 8 for e in examples)
    assert all(e.source == "goemotions" and e.labels for e in examples)
    assert {label for e in examples for label in e.labels} == set(EMOTIONS) - {"nostalgia"}
    assert len(load_goemotions("dev", paths, limit=10)) == 10
