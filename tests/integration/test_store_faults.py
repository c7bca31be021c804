"""Damaged store files give one clear error (the file, the command that rebuilds it), and writers take turns.

Every test damages a private copy of the parts of the session's tiny store it needs: other tests read that store.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ecr_agent.config import Paths, StoreBusyError, StoreCorruptError, StoreNotBuiltError
from ecr_agent.store_lock import LOCK_FILE, store_lock

Damage = Callable[[Path], None]


def truncate(path: Path) -> None:
    """Cut the file in half, as a full disk or a killed copy leaves it."""
    os.truncate(path, path.stat().st_size // 2)


def garble(path: Path) -> None:
    """Overwrite the start of the file (its header) with bytes no reader accepts."""
    with path.open("r+b") as handle:
        handle.write(b"\xff\x00garbled" * 64)


DAMAGES = [pytest.param(truncate, id="truncated"), pytest.param(garble, id="garbled")]


def store_copy(tiny_store: Path, tmp_path: Path, data_dir: Path, *parts: str) -> Paths:
    """A private store holding copies of ``parts`` (folders or files relative to the tiny store)."""
    target = tmp_path / "store"
    for part in parts:
        source, copy = tiny_store / part, target / part
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy)
        else:
            shutil.copy2(source, copy)
    return Paths(data_dir=data_dir, store_dir=target)


def assert_names(error: BaseException, path: Path, command: str) -> None:
    assert isinstance(error, StoreCorruptError) and isinstance(error, StoreNotBuiltError)
    assert error.path == path and error.command == command
    message = str(error)
    assert str(path) in message and f"`{command}`" in message and "corrupt" in message
    assert "\n" not in message  # one line, however long the library's own message was


def _ecr(*args: str, store: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ECR_STORE_DIR": str(store)}
    return subprocess.run(
        [sys.executable, "-m", "ecr_agent.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


# --- trained models: every safetensors and config file ---------------------------------------------------------


def _load_emotion(paths: Paths) -> None:
    from ecr_agent.emotion.inference import EmotionPredictor

    EmotionPredictor.load(paths)


def _load_feedback(paths: Paths) -> None:
    from ecr_agent.feedback import FeedbackReader

    FeedbackReader.load(paths, linker=object())  # type: ignore[arg-type]  # the model is read before the linker


def _load_generator(paths: Paths) -> None:
    from ecr_agent.generator.model import adapter_dir, check_adapter, read_lora

    check_adapter(adapter_dir(paths))  # what `EmpatheticGenerator.load` checks first, cheaply
    read_lora(adapter_dir(paths))  # what the torch merge and the GGUF export read


MODELS = {
    "emotion": (("config.json", "model.safetensors"), _load_emotion, "ecr train emotion"),
    "feedback": (("config.json", "model.safetensors"), _load_feedback, "ecr train feedback"),
    "generator": (("adapter_config.json", "adapter_model.safetensors"), _load_generator, "ecr train generator"),
}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("model, name", [(model, name) for model, (names, _, _) in MODELS.items() for name in names])
def test_a_damaged_model_file_names_itself_and_the_train_command(
    tiny_store: Path, tmp_path: Path, data_dir: Path, model: str, name: str, damage: Damage
) -> None:
    _, load, command = MODELS[model]
    paths = store_copy(tiny_store, tmp_path, data_dir, f"models/{model}")
    load(paths)  # the copy is whole: it loads
    target = paths.model_dir(model) / name
    damage(target)
    with pytest.raises(StoreCorruptError) as caught:
        load(paths)
    assert_names(caught.value, target, command)


@pytest.fixture(scope="module")
def ranker_assets(tiny_store: Path, data_dir: Path):  # noqa: ANN201
    from ecr_agent.ranker.assets import RankerAssets

    return RankerAssets(Paths(data_dir=data_dir, store_dir=tiny_store))


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("name", ["config.json", "model.safetensors", "cooccurrence.safetensors"])
def test_a_damaged_ranker_file_names_itself_and_the_train_command(
    tiny_store: Path, tmp_path: Path, data_dir: Path, ranker_assets, name: str, damage: Damage
) -> None:
    from ecr_agent.ranker.assets import load_run, ranker_dir

    paths = store_copy(tiny_store, tmp_path, data_dir, "models/ranker")
    directory = ranker_dir(paths)
    if not (directory / name).exists():
        pytest.skip(f"the tiny store's ranker has no {name}")
    load_run(directory, ranker_assets)
    damage(directory / name)
    with pytest.raises(StoreCorruptError) as caught:
        load_run(directory, ranker_assets)
    assert_names(caught.value, directory / name, "ecr train ranker")


@pytest.mark.parametrize("name", ["state.json", "model.safetensors", "optimizer.safetensors"])
def test_a_torn_training_checkpoint_is_ignored_so_training_can_replace_it(
    tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    import torch

    from ecr_agent.emotion.training import Checkpoint

    checkpoint = Checkpoint(tmp_path / "checkpoint", fingerprint="run")
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    checkpoint.save(model, optimizer, {"stage": 0, "epoch": 0, "step": 1})
    assert checkpoint.read_state()["step"] == 1  # type: ignore[index]
    truncate(checkpoint.directory / name)
    with caplog.at_level(logging.WARNING):
        assert checkpoint.read_state() is None  # `ecr train emotion` starts over instead of failing
    assert f"{checkpoint.directory / name} is corrupt" in caplog.text


# --- the knowledge stores ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_chroma_database_names_it_and_how_to_rebuild(
    tiny_store: Path, tmp_path: Path, data_dir: Path, damage: Damage
) -> None:
    from ecr_agent.knowledge.stores import KnowledgeStore

    paths = store_copy(tiny_store, tmp_path, data_dir, "chroma")
    sqlite = paths.chroma_dir / "chroma.sqlite3"
    damage(sqlite)
    with pytest.raises(StoreCorruptError) as caught:
        KnowledgeStore.connect(paths)
    # `ecr build` opens the same file, so it cannot repair it in place: the command clears the folder first
    assert_names(caught.value, sqlite, f"rm -r {paths.chroma_dir} && ecr build")


def test_a_damaged_vector_index_names_the_store_and_how_to_rebuild(
    tiny_store: Path, tmp_path: Path, data_dir: Path
) -> None:
    from ecr_agent.knowledge.stores import KnowledgeStore

    paths = store_copy(tiny_store, tmp_path, data_dir, "chroma")
    headers = list(paths.chroma_dir.glob("*/header.bin"))
    assert headers, "the tiny store has no HNSW segment on disk"
    for header in headers:
        header.write_bytes(b"")
    store = KnowledgeStore.connect(paths)  # the sqlite file is whole
    with pytest.raises(StoreCorruptError) as caught:
        store.check("triples")
    assert_names(caught.value, paths.chroma_dir, f"rm -r {paths.chroma_dir} && ecr build")


def test_a_truncated_rdf_graph_names_it_and_how_to_rebuild(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    from ecr_agent.knowledge.graph import RDFGraph

    paths = store_copy(tiny_store, tmp_path, data_dir, "kg")
    text = paths.graph_file.read_bytes()
    start = text.rindex(b"\n", 0, len(text) // 2) + 1  # cut inside a line, not at a line end: the middle of one
    with paths.graph_file.open("r+b") as handle:  # (the serialised order varies, so a fixed offset once hit an end)
        handle.truncate(start + (text.index(b"\n", start) - start) // 2)
    with pytest.raises(StoreCorruptError) as caught:
        RDFGraph.open(paths)
    assert_names(caught.value, paths.graph_file, f"rm {paths.graph_file} && ecr build")


# --- what is rebuilt without asking: the fact book, the converted base model, the llama.cpp exports ----------------


@pytest.fixture(scope="module")
def saved_book(tiny_store: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A fact book saved by `FactBook.load` into a store of its own, and how many movies it holds."""
    from ecr_agent.evaluation.claims import FactBook

    paths = Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("book_store"))
    book = FactBook.load(paths)
    return paths.cache_dir / "factbook.json", len(book.facts)


@pytest.mark.parametrize("damage", [*DAMAGES, pytest.param(lambda path: path.write_text("[]"), id="another-shape")])
def test_a_damaged_fact_book_is_rebuilt_without_a_word(
    saved_book: tuple[Path, int], tmp_path: Path, data_dir: Path, damage: Damage, caplog: pytest.LogCaptureFixture
) -> None:
    from ecr_agent.evaluation.claims import FactBook

    source, movies = saved_book
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    saved = paths.cache_dir / "factbook.json"
    saved.parent.mkdir(parents=True)
    shutil.copy2(source, saved)
    damage(saved)
    with caplog.at_level(logging.WARNING):
        book = FactBook.load(paths)
    assert len(book.facts) == movies and book.resolve("Titanic")
    assert json.loads(saved.read_text()) == json.loads(source.read_text())  # saved again, whole
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json", "config.json"])
def test_a_damaged_base_checkpoint_is_converted_again(
    tiny_store: Path, tmp_path: Path, data_dir: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ecr_agent.generator.base as base

    source = base.base_checkpoint_dir(Paths(data_dir=data_dir, store_dir=tiny_store))
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    folder = base.base_checkpoint_dir(paths)
    folder.mkdir(parents=True)
    for path in source.iterdir():  # links to the tiny store's files (540 MB of weights), which stay whole
        (folder / path.name).symlink_to(path)
    assert base.ensure_base_checkpoint(paths) == folder  # whole: used as it is
    damaged = folder / name
    damaged.unlink()
    with (source / name).open("rb") as whole:  # a torn copy in place of the link: at most its first MB
        damaged.write_bytes(whole.read(min((source / name).stat().st_size // 2, 1 << 20)))
    with pytest.raises(StoreCorruptError) as caught:
        base.check_checkpoint(folder)
    assert_names(caught.value, damaged, f"rm -r {folder}")

    class Converting(Exception):
        pass

    def converting() -> Path:
        raise Converting

    monkeypatch.setattr(base, "gguf_path", converting)  # the conversion's first step: stop there
    with pytest.raises(Converting):
        base.ensure_base_checkpoint(paths)


@pytest.mark.slow
def test_a_truncated_lora_export_is_written_again_not_run(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    pytest.importorskip("llama_cpp")
    from ecr_agent.generator.llama_runtime import exported_adapter, whole_gguf
    from ecr_agent.generator.model import adapter_dir

    paths = store_copy(tiny_store, tmp_path, data_dir, "models/generator")
    folder = adapter_dir(paths)
    (folder / "adapter.gguf").unlink(missing_ok=True)
    export = exported_adapter(folder)
    size = export.stat().st_size
    truncate(export)  # newer than the adapter's weights: only its contents can tell it is torn
    assert not whole_gguf(export)
    assert exported_adapter(folder) == export and export.stat().st_size == size and whole_gguf(export)
    # llama.cpp itself loads a torn LoRA file and then dies with SIGSEGV at the first token: run it apart
    truncate(export)
    code = (
        "import sys; from pathlib import Path\n"
        "from ecr_agent.config import Paths\n"
        "from ecr_agent.generator.llama_runtime import load_stepper\n"
        "paths = Paths(data_dir=Path(sys.argv[2]), store_dir=Path(sys.argv[3]))\n"
        "stepper = load_stepper(Path(sys.argv[1]), paths, 'q4_1+lora', threads=1)\n"
        "print(int(stepper.start([1, 2, 3]).argmax()) >= 0)\n"
    )
    command = [sys.executable, "-c", code, str(folder), str(paths.data_dir), str(paths.store_dir)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip().endswith("True"), run.stderr[-2000:]


# --- callers: a damaged part degrades like a missing one; the command line prints one line -----------------------


def test_a_damaged_part_degrades_like_a_missing_one_unless_strict(
    tiny_store: Path, tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ecr_agent.pipeline import ECRPipeline

    paths = store_copy(tiny_store, tmp_path, data_dir, "models/emotion", "chroma")
    weights = paths.model_dir("emotion") / "model.safetensors"
    sqlite = paths.chroma_dir / "chroma.sqlite3"
    truncate(weights)
    truncate(sqlite)
    with caplog.at_level(logging.WARNING):
        pipeline = ECRPipeline.from_store(paths)
    assert pipeline.detector is None and pipeline.knowledge is None
    assert f"{weights} is corrupt" in caplog.text and "`ecr train emotion`" in caplog.text
    assert f"{sqlite} is corrupt" in caplog.text and "&& ecr build`" in caplog.text
    with pytest.raises(StoreCorruptError) as caught:
        ECRPipeline.from_store(paths, strict=True)
    assert_names(caught.value, weights, "ecr train emotion")


def test_the_command_line_prints_one_line_not_a_traceback(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    paths = store_copy(tiny_store, tmp_path, data_dir, "models/emotion")
    config = paths.model_dir("emotion") / "config.json"
    garble(config)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "I hated it", "labels": ["negative"]}) + "\n")
    out = _ecr("eval", "emotion", "--gold", str(gold), store=paths.store_dir)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    line = out.stderr.strip().splitlines()[-1]
    assert line.startswith(f"ecr: {config} is corrupt") and line.endswith("rebuild it with `ecr train emotion`")


@pytest.mark.slow
def test_ecr_chat_answers_around_damaged_parts_and_says_which(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    base = "models/smollm2-135m-instruct"
    store = tmp_path / "store"
    shutil.copytree(
        tiny_store, store, ignore=lambda folder, names: [n for n in names if f"{folder}/{n}".endswith(base)]
    )
    (store / base).symlink_to(tiny_store / base)  # read only here, and 540 MB
    weights = store / "models" / "emotion" / "model.safetensors"
    adapter = store / "models" / "generator" / "adapter_model.safetensors"
    truncate(weights)
    truncate(adapter)
    out = _ecr("--json", "chat", "--once", "I loved Titanic, anything like it?", store=store)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-3000:]
    result = json.loads(out.stdout)
    assert result["reply"] and result["recommendations"]
    assert f"{weights} is corrupt" in out.stderr  # the warning of the part left out
    assert any(f"{adapter} is corrupt" in note and "`ecr train generator`" in note for note in result["notes"])


# --- one writer at a time --------------------------------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from ecr_agent.store_lock import store_lock
with store_lock(Path(sys.argv[1]), "ecr build"):
    print("locked", flush=True)
    time.sleep(300)
"""


@pytest.fixture
def held_store(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """A store whose write lock another process (running ``ecr build``, as far as the lock says) holds."""
    store = tmp_path / "store"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield store, holder
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_is_refused_with_the_first_ones_pid(held_store: tuple[Path, subprocess.Popen]) -> None:
    store, holder = held_store
    with pytest.raises(StoreBusyError) as caught:
        with store_lock(store, "ecr train emotion"):
            pytest.fail("two writers held the store at once")
    message = str(caught.value)
    assert f"another `ecr build` (pid {holder.pid}) is writing {store.resolve()}" in message


def test_ecr_build_refuses_before_writing_anything(held_store: tuple[Path, subprocess.Popen], data_dir: Path) -> None:
    from ecr_agent.knowledge.build import build_knowledge

    store, _ = held_store
    with pytest.raises(StoreBusyError):
        build_knowledge(Paths(data_dir=data_dir, store_dir=store))
    assert sorted(p.name for p in store.iterdir()) == [LOCK_FILE]


def test_ecr_train_in_another_process_is_refused_in_one_line(held_store: tuple[Path, subprocess.Popen]) -> None:
    store, holder = held_store
    out = _ecr("train", "feedback", "--profile", "smoke", store=store)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"ecr: another `ecr build` (pid {holder.pid}) is writing" in out.stderr
    assert not (store / "models").exists()


def test_the_lock_goes_with_its_holder_however_it_ends(held_store: tuple[Path, subprocess.Popen]) -> None:
    store, holder = held_store
    holder.send_signal(signal.SIGKILL)  # no cleanup runs: the kernel drops the lock
    holder.wait()
    with store_lock(store, "ecr train ranker"), store_lock(store, "ecr train ranker"):  # re-entrant in one process
        assert (store / LOCK_FILE).read_text().split() == [str(os.getpid()), "ecr", "train", "ranker"]
    probe = "import sys; from pathlib import Path; from ecr_agent.store_lock import store_lock\n"
    probe += "with store_lock(Path(sys.argv[1]), 'ecr build'): print('ok')"
    after = subprocess.run([sys.executable, "-c", probe, str(store)], capture_output=True, text=True, timeout=120)
    assert after.stdout.strip() == "ok", after.stderr  # released when the outer block ended


def test_data_parallel_workers_leave_the_lock_to_their_main_process(
    held_store: tuple[Path, subprocess.Popen], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = held_store
    monkeypatch.setenv("RANK", "1")
    with store_lock(store, "ecr train generator"):
        pass
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(StoreBusyError):
        with store_lock(store, "ecr train generator"):
            pass
