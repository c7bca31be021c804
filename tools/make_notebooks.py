"""Write the notebooks under notebooks/ from the cell lists below (so they stay reviewable as code).

Usage: python tools/make_notebooks.py             (writes the notebooks)
       python tools/make_notebooks.py --transcript  (prints the agent transcript on $ECR_STORE_DIR, for AGENT_TRANSCRIPT)
The test suite executes every notebook top to bottom (tests/integration/test_notebooks.py) against a small store.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """import os
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
PROFILE = os.environ.get("ECR_NOTEBOOK_PROFILE", "quick")  # the test suite sets a smaller one
print("store:", os.environ.get("ECR_STORE_DIR", "stores"), "| profile:", PROFILE)"""

QUICKSTART = [
    new_markdown_cell(
        "# ecr-agent quickstart\n"
        "Load ECR from the built store (`bash run.sh demo` builds it), talk to it, and look at why it answered as it did."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        "from ecr_agent import ECRChain\n\n"
        "chain = ECRChain.from_store()\n"
        "messages = [{'role': 'user', 'content': 'I loved The Notebook and Titanic, they made me cry. Any ideas?'}]\n"
        "result = chain.invoke({'messages': messages})\n"
        "print(result.reply)"
    ),
    new_markdown_cell("## The evidence: emotions, ranked movies, knowledge"),
    new_code_cell(
        "print('emotions per user message:', result.emotions)\n"
        "for rec in result.recommendations:\n"
        "    print(f'{rec.title:40s} {rec.score:.3f}  {rec.evidence[:3]}')\n"
        "for item in result.knowledge:\n"
        "    print(item['kind'], '|', item['text'][:100])"
    ),
    new_markdown_cell("## A second turn: the user rejects the pick, and ECR adapts"),
    new_code_cell(
        "first_pick = result.recommendations[0].title\n"
        "messages += [{'role': 'assistant', 'content': result.reply},\n"
        "             {'role': 'user', 'content': 'I hated that one, it was boring.'}]\n"
        "second = chain.invoke({'messages': messages})\n"
        "print(second.reply)\n"
        "assert second.recommendations[0].title != first_pick"
    ),
    new_markdown_cell("## Streaming the reply"),
    new_code_cell(
        "for piece in chain.stream_text({'messages': [{'role': 'user', 'content': 'Something scary like The Conjuring?'}]}):\n"
        "    print(piece, end='', flush=True)"
    ),
]

TRAINING = [
    new_markdown_cell(
        "# Training and evaluation\n"
        "Each model trains with one call; the figures below come from held-out data (validation for choices, "
        "test for reporting). `PROFILE` is `quick` here; `ecr train all --profile full` is the full run."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        "from ecr_agent.config import Paths\n"
        "from ecr_agent.emotion.training import train_emotion\n\n"
        "paths = Paths.from_env()  # $ECR_DATA_DIR and $ECR_STORE_DIR, or Paths(data_dir=..., store_dir=...)\n"
        "emotion_report = train_emotion(profile=PROFILE, paths=paths)\n"
        "{k: v for k, v in emotion_report.items() if not isinstance(v, (dict, list))}"
    ),
    new_code_cell(
        "from ecr_agent.ranker.training import train_ranker\n"
        "ranker_report = train_ranker(profile=PROFILE, paths=paths)\n"
        "{k: v for k, v in ranker_report.items() if not isinstance(v, (dict, list))}"
    ),
    new_code_cell(
        "from ecr_agent.ranker.evaluation import evaluate_ranker\n"
        "table = evaluate_ranker(split='valid', paths=paths)\n"
        "table.keys()"
    ),
    new_code_cell(
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n\n"
        "systems = table['systems']\n"
        "names = list(systems)\n"
        "fig, ax = plt.subplots(figsize=(8, 3))\n"
        "for offset, metric in enumerate(['recall@10', 'recall@50']):\n"
        "    ax.bar([i + 0.4 * offset for i in range(len(names))], [systems[n][metric] for n in names], 0.4, label=metric)\n"
        "ax.set_xticks([i + 0.2 for i in range(len(names))], names, rotation=20, ha='right')\n"
        "ax.legend(); ax.set_title('Ranker on the validation split')\n"
        "fig.tight_layout()"
    ),
]

AGENT_THREAD = (
    "I love romantic movies like The Notebook, what should I watch?",
    "I hated that one. Something else please.",
    "Who is in it?",
    "Who directed Titanic?",
    "Where is Titanic playing tonight?",
    "How are you today?",
    "Thanks, bye!",
)
"""One thread through every intent: recommend, reject, a fact about "it", a fact and showtimes by name, small talk,
goodbye. The transcript below was played on the demo store (`quick` models) with `python tools/make_notebooks.py
--transcript`."""

AGENT_TRANSCRIPT = """\
user : I love romantic movies like The Notebook, what should I watch?
agent: Sure, a romance movie like The Notebook (2004). How about The Choice (2016)? It's a romance movie directed by Ross Katz, with Benjamin Walker and Teresa Palmer. I love the story of a young woman who is forced to marry her husband and his family. She's not happy, but she has no choice - or any other way out for this kind of thing...  [empathetic_reply]

user : I hated that one. Something else please.
agent: Got it, The Choice (2016) is off the list. I'd suggest A Walk to Remember (2002), a romance movie directed by Adam Shankman, with Mandy Moore and Shane West.  [empathetic_reply]

user : Who is in it?
agent: A Walk to Remember (2002) stars Mandy Moore, Shane West, Peter Coyote and Daryl Hannah (source: DBpedia).  [search_movie_knowledge]

user : Who directed Titanic?
agent: Titanic (1997) was directed by James Cameron (source: DBpedia).  [search_movie_knowledge]

user : Where is Titanic playing tonight?
agent: (example data) Titanic (1997) plays tonight at 17:00, 19:15, 21:30 and 23:45.  [find_showtimes]

user : How are you today?
agent: I'm doing well, thanks for asking! Want another suggestion, or to know more about the last one?  [router]

user : Thanks, bye!
agent: My pleasure! Enjoy the movie.  [empathetic_reply]
"""

AGENT = [
    new_markdown_cell(
        "# ECR in an agent graph\n"
        "The ECR tools next to a tool of another kind (`find_showtimes`, an example stub) in a LangGraph agent. "
        "Offline, the agent's brain is `RuleBasedToolCaller`, a transparent **rule-based router**, not a language "
        "model: its intent table is in docs/agent.md. With a hosted model: "
        "`build_agent(model=init_chat_model('openai:gpt-4o-mini'), chain=chain)`."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        "from ecr_agent import ECRChain\n"
        "from ecr_agent.tools import get_tools\n\n"
        "chain = ECRChain.from_store()        # every part loaded once\n"
        "for tool in get_tools(chain=chain):  # the tools share the chain's parts\n"
        "    print(f'{tool.name:24s} {tool.description[:90]}')"
    ),
    new_code_cell(
        "from ecr_agent.agent import build_agent\n\n"
        "agent = build_agent(chain=chain)\n"
        "config = {'configurable': {'thread_id': 'notebook'}}\n"
        "seen = 0\n\n"
        "def say(text):\n"
        "    global seen\n"
        "    state = agent.invoke({'messages': [{'role': 'user', 'content': text}]}, config)\n"
        "    tools = [c['name'] for m in state['messages'][seen:] if m.type == 'ai' for c in m.tool_calls]\n"
        "    seen = len(state['messages'])\n"
        "    print('user :', text)\n"
        "    print('agent:', state['messages'][-1].content, f\"  [{', '.join(tools) or 'router'}]\\n\")\n"
        "    return state"
    ),
    new_markdown_cell(
        "One thread through every intent. Memory: the checkpointer keeps the thread, so the movie turned down never "
        'comes back and the romance request still holds; "it" is the thread\'s last movie; a fact is worded from '
        "the knowledge graph with its source."
    ),
    new_code_cell("for text in " + repr(AGENT_THREAD) + ":\n    state = say(text)"),
    new_markdown_cell(
        "### The same thread on the demo store\n"
        "Played with `python tools/make_notebooks.py --transcript` on the store `bash run.sh demo` builds "
        "(`quick` models), so the picks differ from the small test store above:\n\n```\n"
        + AGENT_TRANSCRIPT.rstrip()
        + "\n```"
    ),
]


def transcript() -> str:
    """The agent's answers to `AGENT_THREAD` on ``$ECR_STORE_DIR``, as the notebook shows them."""
    from ecr_agent import ECRChain
    from ecr_agent.agent import build_agent

    agent = build_agent(chain=ECRChain.from_store())
    config = {"configurable": {"thread_id": "transcript"}}
    lines, seen = [], 0
    for text in AGENT_THREAD:
        state = agent.invoke({"messages": [{"role": "user", "content": text}]}, config)
        tools = [c["name"] for m in state["messages"][seen:] if m.type == "ai" for c in m.tool_calls]
        seen = len(state["messages"])
        lines += [f"user : {text}", f"agent: {state['messages'][-1].content}  [{', '.join(tools) or 'router'}]", ""]
    return "\n".join(lines)


def main() -> None:
    if "--transcript" in sys.argv:
        print(transcript())
        return
    OUT.mkdir(exist_ok=True)
    for name, cells in (("01_quickstart", QUICKSTART), ("02_training_and_evaluation", TRAINING), ("03_agents", AGENT)):
        notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
        nbformat.write(notebook, OUT / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
