from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest


def _ecr(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecr_agent.cli", *args], capture_output=True, text=True, **kwargs)


def test_chat_once_json_contract(tiny_store, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "I love Titanic"},
                {"role": "assistant", "content": "You should watch The Notebook (2004)."},
            ]
        )
    )
    out = _ecr("--json", "chat", "--once", "I hated it, too slow.", "--history", str(history), check=True)
    result = json.loads(out.stdout)
    assert set(result) >= {"reply", "recommendations", "emotions"}
    assert len(result["emotions"]) == 2
    assert "185139" not in {r["movie_id"] for r in result["recommendations"]}
    assert {"movie_id", "title", "score", "evidence"} <= set(result["recommendations"][0])
    notebook = {"movie_id": "185139", "title": "The Notebook (2004)"}
    assert notebook in result["turned_down"] and notebook not in result["accepted"]  # the feedback read per movie
    assert isinstance(result["seen"], list)
    top = result["recommendations"][0]
    assert result["subject"] == {"movie_id": top["movie_id"], "title": top["title"]}  # what the reply talks about


def test_the_repl_and_the_demo_stream_each_turn(tiny_store):
    from io import StringIO

    from ecr_agent import ECRChain
    from ecr_agent.demo import run_demo
    from ecr_agent.terminal import chat_repl

    chain = ECRChain.from_store(str(tiny_store), strict=True)
    said = iter(["I loved Titanic, it made me cry", "/quit"])
    screen = StringIO()
    history = chat_repl(chain, read=lambda prompt: next(said), out=screen)
    expected = chain.invoke({"messages": history[:1]}).reply  # the streamed chunks add up to the whole reply
    assert history[-1]["role"] == "assistant" and history[-1]["content"].strip() == expected
    shown = screen.getvalue()
    assert "[you feel:" in shown and f"ecr> {history[-1]['content']}\n" in shown and "  * " in shown
    played = StringIO()
    summary = run_demo(out=played, script=("I loved Titanic, it made me cry",))
    assert summary["built"] == {} and summary["turns"][0]["reply"].strip() == expected
    assert expected in played.getvalue() and "[emotions:" in played.getvalue()


def test_missing_store_names_the_build_command(tmp_path):
    env = {**os.environ, "ECR_STORE_DIR": str(tmp_path)}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "I hated it", "labels": ["negative"]}) + "\n")
    out = _ecr("--json", "eval", "emotion", "--gold", str(gold), env=env)
    assert out.returncode == 2 and "ecr train emotion" in out.stderr


def _read_until(fd: int, needle: str, timeout: float = 240.0) -> str:
    seen, deadline = "", time.monotonic() + timeout
    while needle not in seen:
        if time.monotonic() > deadline:
            pytest.fail(f"never saw {needle!r}; screen so far:\n{seen[-2000:]}")
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return seen


def test_interactive_chat_in_a_pseudo_terminal(tiny_store):
    pid, fd = pty.fork()
    if pid == 0:  # the child is `ecr chat`, attached to a terminal like a person's shell
        os.execv(sys.executable, [sys.executable, "-m", "ecr_agent.cli", "chat"])
    try:
        _read_until(fd, "you> ")
        os.write(fd, b"I loved Titanic, it made me cry\n")
        screen = _read_until(fd, "you> ")
        assert "[you feel:" in screen and "ecr> " in screen and "  * " in screen
        os.write(fd, b"/why\n")
        why = _read_until(fd, "you> ")
        assert "nothing to explain" not in why and why.count("\n  ") >= 3  # one line per recommended movie
        os.write(fd, b"/reset\n")
        assert "forgotten" in _read_until(fd, "you> ")
        os.write(fd, b"/quit\n")
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def test_loading_models_from_a_library_call_draws_no_progress_bar(tiny_store):
    code = "from ecr_agent.text_encoder import shared_encoder; shared_encoder().encode(['hi'])"  # MiniLM's loading bar
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "Loading weights" not in out.stderr + out.stdout
