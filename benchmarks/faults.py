"""SIGKILL and rerun: ``ecr build`` and each ``ecr train …`` killed at random points, then run again (issue #16).

Usage:
    nice -n 10 python benchmarks/faults.py                  (every command, 5 kills each: ~45 min on 2 busy cores)
    python benchmarks/faults.py --commands build --kills 2  (a part)
    python benchmarks/faults.py --commands emotion --profile emotion=quick  (another profile)

For each command: one uninterrupted reference run in a fresh scratch store, then ``--kills`` rounds, each in a fresh
scratch store of its own: start the command, send it SIGKILL after a random time (seeded, uniform within 5–95 % of
the reference's wall time), list what it left behind, run the same command again to its end, and check the result:
the files load, the build holds the reference's collection counts (and its vector index answers for every document),
and the metric the command reports is within `TOLERANCE` of the reference's. The rerun's own report says what it did
(resumed from a checkpoint, kept the graph and added the missing documents, or trained from the start).

Round stores start with what each command needs and does not build itself, linked from a prepared store: the emotion
model (ranker, generator), the converted base model (generator) and, for the ranker, its caches (linked turns and
MiniLM embeddings, which otherwise take most of its run, so the kills land in training).

Writes benchmarks/faults/results.json (each command line keeps its latest run) and benchmarks/faults.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "faults"
PAGE = ROOT / "benchmarks" / "faults.md"
BUILD_MOVIES = 300
TOLERANCE = 0.02
"""Largest accepted |rerun − reference| of the reported metric (recall and F1 in [0, 1]; the generator's loss)."""
KILL_WINDOW = (0.05, 0.95)
RETRIES = 2
"""Times a round draws a new kill time (within the last run's own duration) when its run ended before the kill."""
DEFAULT_PROFILES = {"emotion": "smoke", "feedback": "quick", "ranker": "quick", "generator": "smoke"}
"""Kill rounds repeat the reference run 10 more times (5 killed halves, 5 reruns): the emotion classifier's ``quick``
(5 min on 2 loaded cores) and the generator's (9–18 min) do not fit an hour, so they run ``smoke``."""


@dataclass
class Command:
    """One command of the benchmark: its arguments, what its store needs first, and the metric it reports."""

    name: str
    args: list[str]
    needs: tuple[str, ...] = ()
    """Store parts linked from the prepared store before each run."""
    metric: str = ""


def commands(profiles: dict[str, str]) -> dict[str, Command]:
    train = {name: ["train", name, "--profile", profile] for name, profile in profiles.items()}
    return {
        "build": Command("build", ["build", "--limit-movies", str(BUILD_MOVIES)], metric="documents"),
        "emotion": Command("emotion", train["emotion"], metric="valid recall@2"),
        "feedback": Command("feedback", train["feedback"], metric="valid turned-down F1"),
        "ranker": Command(
            "ranker", train["ranker"], needs=("models/emotion", "cache/ranker", "cache/emotion"), metric="valid R@10"
        ),
        "generator": Command(
            "generator",
            train["generator"],
            needs=("models/emotion", "models/smollm2-135m-instruct"),
            metric="valid loss (best step)",
        ),
    }


# --- running ---------------------------------------------------------------------------------------------------------


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "ECR_STORE_DIR": str(store), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def _start(command: Command, store: Path, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "ecr_agent.cli", "--json", *command.args]
    with log.open("ab") as err:
        return subprocess.Popen(  # its own session: the whole group can be checked for orphans after a kill
            argv, stdout=subprocess.PIPE, stderr=err, env=_env(store), cwd=ROOT, start_new_session=True
        )


def run_to_end(command: Command, store: Path, log: Path) -> dict[str, Any]:
    started = time.perf_counter()
    process = _start(command, store, log)
    stdout, _ = process.communicate()
    seconds = round(time.perf_counter() - started, 1)
    report: dict[str, Any] | None = None
    if process.returncode == 0:
        report = json.loads(stdout.decode().strip().splitlines()[-1])
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] if process.returncode else []
    return {"returncode": process.returncode, "seconds": seconds, "report": report, "error": " ".join(tail)[-300:]}


def run_killed(command: Command, store: Path, log: Path, after: float) -> dict[str, Any]:
    """Start the command and SIGKILL it (its main process only, as ``kill -9 PID`` does) ``after`` seconds in."""
    started = time.perf_counter()
    process = _start(command, store, log)
    try:
        process.wait(timeout=after)
        finished = True
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        finished = False
    orphans = False
    try:
        os.killpg(process.pid, 0)  # anything left of its process group outlived it (and may hold the lock)
        orphans = True
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return {
        "kill_s": round(after, 1),
        "finished_before_kill": finished,
        "returncode": process.returncode,
        "ran_s": round(time.perf_counter() - started, 1),
        "orphans": orphans,
    }


def fresh_store(scratch: Path, name: str, prepared: Path, needs: tuple[str, ...]) -> Path:
    store = scratch / name
    shutil.rmtree(store, ignore_errors=True)
    for part in needs:
        (store / part).parent.mkdir(parents=True, exist_ok=True)
        (store / part).symlink_to(prepared / part)  # read only by the command
    store.mkdir(parents=True, exist_ok=True)
    return store


def left_behind(store: Path) -> list[str]:
    """Files under the store after a kill, linked parts and Chroma's segment files left out."""
    found = []
    for folder, _, files in os.walk(store):  # does not enter linked folders
        for name in files:
            path = Path(folder) / name
            relative = path.relative_to(store)
            segment = relative.parts[0] == "chroma" and len(relative.parts) > 2
            if not (path.is_symlink() or segment):
                found.append(str(relative))
    return sorted(found)


# --- what the rerun did, and the checks ------------------------------------------------------------------------------


def rerun_did(name: str, report: dict[str, Any], reference: dict[str, Any], left: list[str]) -> str:
    if name == "build":
        added, total = report["added"], reference["added"]
        graph = "rebuilt the graph" if "rdf_triples" in report else "kept the graph"
        parts = [f"{added[k]}/{total[k]} {k}" for k in ("triples", "reviews")]
        if "rdf_triples" in report and added == total:
            return "built from scratch"
        return f"{graph}, added " + ", ".join(parts)
    if name == "emotion":
        resumed = report.get("resumed_from")
        if resumed:
            return f"resumed from stage {resumed['stage']} epoch {resumed['epoch']} step {resumed['step']}"
        if "models/emotion/report.json" in left:  # killed after its last file, while exiting
            return "trained again (the killed run had saved its model)"
        return "trained from the start" + (" (checkpoint ignored)" if any("checkpoint" in f for f in left) else "")
    if name == "feedback":
        cached = any(f.startswith("cache/feedback/") and f.endswith(".safetensors") for f in left)
        return "trained from the start (no checkpoint), " + ("features from cache" if cached else "features embedded")
    if name == "ranker":
        after = report["runs"]["ecr"].get("resumed_after_epoch")
        return f"resumed after epoch {after}" if after else "trained from the start"
    resumed = report.get("resumed_from")
    return f"resumed after step {resumed}" if resumed else "trained from the start"


def metric(name: str, report: dict[str, Any]) -> float:
    if name == "build":
        return float(sum(report["added"].values()))
    if name == "emotion":
        return float(report["valid"]["recall_at_2"])
    if name == "feedback":
        return float(report["valid"]["turned_down"]["f1"])
    if name == "ranker":
        return float(report["runs"]["ecr"]["valid"]["recall@10"])
    return float(report["valid_loss_best"])


def artefacts(name: str, store: Path) -> dict[str, Any]:
    """Load what the command wrote, as its users do; for the build: collection sizes, index answers, graph size."""
    from ecr_agent.config import Paths

    paths = Paths(data_dir=Paths.from_env().data_dir, store_dir=store)
    if name == "build":
        from ecr_agent.knowledge.stores import KnowledgeStore

        knowledge = KnowledgeStore.connect(paths)
        counts: dict[str, Any] = {}
        for kind in ("triples", "reviews"):
            counts[kind] = knowledge.check(kind)  # complete, and the count the build promised
            found = knowledge.collection(kind).query(query_texts=["a movie"], n_results=counts[kind], include=[])
            counts[f"{kind}_indexed"] = len(set(found["ids"][0]))  # the HNSW index holds every document
        with paths.graph_file.open("rb") as graph:
            counts["rdf_lines"] = sum(1 for _ in graph)
        return counts
    if name == "emotion":
        from ecr_agent.emotion.inference import EmotionPredictor

        EmotionPredictor.load(paths)
    elif name == "feedback":
        from ecr_agent.feedback.model import load_model

        load_model(paths.model_dir("feedback"))
    elif name == "ranker":
        from ecr_agent.ranker.assets import RankerAssets, load_run, ranker_dir

        load_run(ranker_dir(paths), RankerAssets(paths))
    else:
        from ecr_agent.generator.model import adapter_dir, check_adapter, read_lora

        check_adapter(adapter_dir(paths))
        read_lora(adapter_dir(paths))
    return {"loads": True}


def check(name: str, store: Path, report: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    try:
        found = artefacts(name, store)
    except Exception as error:  # noqa: BLE001 - a failed check is a result
        return {"ok": False, "error": f"{type(error).__name__}: {str(error)[:200]}"}
    value, expected = metric(name, report), metric(name, reference["report"])
    if name == "build":
        ok = found == reference["artefacts"]
        return {"ok": ok, "artefacts": found}
    delta = round(value - expected, 4)
    return {"ok": abs(delta) <= TOLERANCE, "metric": round(value, 4), "delta": delta}


# --- the benchmark ---------------------------------------------------------------------------------------------------


def prepare(scratch: Path, needed: set[str], log: Path, profiles: dict[str, str]) -> Path:
    """A store holding what the round stores link: the emotion model, the base model, the ranker's caches."""
    store = scratch / "prepared"
    if "models/emotion" in needed and not (store / "models/emotion/config.json").exists():
        result = run_to_end(Command("emotion", ["train", "emotion", "--profile", "smoke"]), store, log)
        assert result["returncode"] == 0, result
    if "models/smollm2-135m-instruct" in needed:
        from ecr_agent.config import Paths
        from ecr_agent.generator.base import ensure_base_checkpoint

        ensure_base_checkpoint(Paths(data_dir=Paths.from_env().data_dir, store_dir=store))
    if "cache/ranker" in needed and not (store / "cache/ranker").exists():
        warm = Command("ranker", ["train", "ranker", "--profile", profiles["ranker"]])
        result = run_to_end(warm, store, log)  # builds the caches; its model is not used
        assert result["returncode"] == 0, result
    return store


def bench_command(command: Command, kills: int, seed: int, scratch: Path, prepared: Path) -> dict[str, Any]:
    logs = scratch / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    store = fresh_store(scratch, f"{command.name}_reference", prepared, command.needs)
    reference = run_to_end(command, store, logs / f"{command.name}_reference.log")
    if reference["returncode"] != 0:
        return {"args": command.args, "reference": reference}
    reference["artefacts"] = artefacts(command.name, store)
    reference["metric"] = round(metric(command.name, reference["report"]), 4)
    shutil.rmtree(store, ignore_errors=True)
    print(f"{command.name}: reference {reference['seconds']} s, {command.metric} {reference['metric']}", flush=True)
    rng = random.Random(f"{seed}-{command.name}")
    rounds = []
    for number in range(1, kills + 1):
        log = logs / f"{command.name}_{number}.log"
        log.unlink(missing_ok=True)
        duration = reference["seconds"]
        for attempt in range(1, RETRIES + 2):  # a run faster than the reference may end before its kill: draw again
            store = fresh_store(scratch, f"{command.name}_{number}", prepared, command.needs)
            killed = run_killed(command, store, log, rng.uniform(*KILL_WINDOW) * duration) | {"attempts": attempt}
            if not killed["finished_before_kill"]:
                break
            duration = killed["ran_s"]  # within that run's own time
        left = left_behind(store)
        rerun = run_to_end(command, store, log)
        row: dict[str, Any] = {**killed, "left": left, "rerun_s": rerun["seconds"], "rerun_rc": rerun["returncode"]}
        if rerun["report"] is None:
            row |= {"did": "failed", "check": {"ok": False, "error": rerun["error"]}}
        else:
            row["did"] = rerun_did(command.name, rerun["report"], reference["report"], left)
            row["check"] = check(command.name, store, rerun["report"], reference)
        rounds.append(row)
        shutil.rmtree(store, ignore_errors=True)
        print(f"{command.name} #{number}: killed at {row['kill_s']} s; rerun {row['did']}; {row['check']}", flush=True)
    return {"args": command.args, "needs": list(command.needs), "metric": command.metric, "reference": reference} | {
        "rounds": rounds
    }


def _code() -> str:
    """The commit the package was at (read-only git), and whether the working tree had changes."""
    import ecr_agent

    package = Path(ecr_agent.__file__).parent
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    changed = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT).stdout
    where = "" if package == ROOT / "ecr_agent" else f", package copied to {package.parent}"
    return f"{sha.strip()}{' + uncommitted changes' if changed.strip() else ''}{where}"


def _loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", nargs="*", default=["build", "emotion", "feedback", "ranker", "generator"])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="append", default=[], metavar="COMMAND=PROFILE")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/faults_bench"))
    args = parser.parse_args()
    profiles = DEFAULT_PROFILES | dict(item.split("=", 1) for item in args.profile)
    chosen = {name: c for name, c in commands(profiles).items() if name in args.commands}
    args.scratch.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = read_results()
    machine = {"cpus": os.cpu_count(), "nice": os.nice(0), "code": _code(), "seed": args.seed, "kills": args.kills}
    needed = {part for c in chosen.values() for part in c.needs}
    prepared = prepare(args.scratch, needed, args.scratch / "prepare.log", profiles)
    for command in chosen.values():
        stamp = {"started": _now(), "load_start": _loads(), **machine}
        began = time.perf_counter()
        part = bench_command(command, args.kills, args.seed, args.scratch, prepared)
        part |= stamp | {"load_end": _loads(), "minutes": round((time.perf_counter() - began) / 60, 1)}
        results["runs"][" ".join(command.args)] = part  # each command line keeps its latest run
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
        write_page(results)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def read_results() -> dict[str, Any]:
    """The saved runs, keyed by command line (a file of the first layout, one run of every command, is converted)."""
    path = OUT / "results.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    runs = saved.get("runs", {})
    for part in saved.get("commands", {}).values():
        shared = {key: saved.get(key) for key in ("started", "cpus", "nice", "load_start", "code", "seed", "kills")}
        runs[" ".join(part["args"])] = shared | {"load_end": part.get("load_after")} | part
    return {"tolerance": TOLERANCE, "runs": runs}


def _cell(round_: dict[str, Any]) -> str:
    verdict = round_["check"]
    if not verdict["ok"]:
        return f"**fails**: {verdict.get('error') or verdict}"
    if "delta" in verdict:
        return f"{verdict['metric']} (Δ {verdict['delta']:+})"
    found = verdict["artefacts"]
    return f"{found['triples']} + {found['reviews']} documents, all indexed; {found['rdf_lines']} RDF lines"


def write_page(results: dict[str, Any]) -> None:
    lines = [
        "# Faults: SIGKILL at random points, then the same command again",
        "",
        "`nice -n 10 python benchmarks/faults.py` (issue #16, Reliability, item 4). Each command ran once to the end",
        "(the reference), then was killed with SIGKILL after a random time (seeded, uniform within "
        f"{int(KILL_WINDOW[0] * 100)}–{int(KILL_WINDOW[1] * 100)} % of the reference's wall time) and run again to "
        "its end, each round in a fresh scratch store. The check: the files load as their users load them; the "
        "build holds the reference's collection counts, its vector index returns every document, and its graph has "
        f"the reference's size; a training command's reported validation metric is within {results['tolerance']} "
        "of the reference's. Raw figures: faults/results.json.",
        "",
        f"The build ran on a slice (`--limit-movies {BUILD_MOVIES}`: the full build takes minutes). The kill rounds "
        "repeat a command ten more times, so by default the emotion classifier and the generator run `smoke` (their "
        "`quick` profiles take 5 and 9–18 minutes on these 2 cores); the feedback reader and the ranker run `quick`. "
        "The `smoke` emotion run is one epoch with no checkpoint before its end, so it never resumes part-way; the "
        "`quick` runs of both, below, were run on their own (`--commands emotion --profile emotion=quick`, and the "
        "same for the generator, whose `quick` run checkpoints every 40 steps). Round stores link what a command needs "
        "and does not build itself (the emotion model; the converted base model; the ranker's caches, so that its "
        "kills land in training). Each run was niced and shared the machine with other jobs.",
    ]
    for key, part in results["runs"].items():
        reference = part["reference"]
        lines += ["", f"## `ecr {key}`", ""]
        if reference.get("report") is None:
            lines.append(f"The reference run failed: {reference.get('error')}")
            continue
        ok = sum(r["check"]["ok"] for r in part["rounds"])
        lines += [
            f"Run {part['started']}, {part['cpus']} cores, nice {part['nice']}, load average {part['load_start']} → "
            f"{part['load_end']}" + (f", {part['minutes']} min" if "minutes" in part else "") + f"; code "
            f"{part['code']}; seed {part['seed']}.",
            "",
            f"Reference: {reference['seconds']} s, {part['metric']} {reference['metric']}. "
            f"**{ok} of {len(part['rounds'])} reruns pass.**",
            "",
            "| # | killed at (s) | left behind | rerun did | rerun (s) | final check |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for number, row in enumerate(part["rounds"], start=1):
            kill = f"{row['kill_s']}" + (" (had finished)" if row["finished_before_kill"] else "")
            kill += f" (draw {row['attempts']})" if row.get("attempts", 1) > 1 else ""
            kill += " (orphans!)" if row["orphans"] else ""
            temporary = [f for f in row["left"] if f.endswith((".partial", ".tmp")) or ".partial/" in f]
            left = f"{len(row['left'])} file{'s' * (len(row['left']) != 1)}"
            left += f", {len(temporary)} temporary" if temporary else ""
            checkpoint = [f for f in row["left"] if "checkpoint" in f]
            left += ", a checkpoint" if checkpoint else ""
            lines.append(f"| {number} | {kill} | {left} | {row['did']} | {row['rerun_s']} | {_cell(row)} |")
        lines += [line for note in part.get("notes", []) for line in ("", note)]  # added by hand to results.json
    PAGE.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
