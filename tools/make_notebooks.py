"""Write the notebooks under notebooks/ from the cell lists below (so they stay reviewable as code).

Usage: python tools/make_notebooks.py
The test suite executes every notebook top to bottom (tests/integration/test_notebooks.py) against a small store.
"""

from __future__ import annotations

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
        "for piece in chain.stream({'messages': [{'role': 'user', 'content': 'Something scary like The Conjuring?'}]}):\n"
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
        "from ecr_agent.emotion.training import train_emotion\n"
        "emotion_report = train_emotion(profile=PROFILE)\n"
        "{k: v for k, v in emotion_report.items() if not isinstance(v, (dict, list))}"
    ),
    new_code_cell(
        "from ecr_agent.ranker.training import train_ranker\n"
        "ranker_report = train_ranker(profile=PROFILE)\n"
        "{k: v for k, v in ranker_report.items() if not isinstance(v, (dict, list))}"
    ),
    new_code_cell(
        "from ecr_agent.ranker.evaluation import evaluate_ranker\ntable = evaluate_ranker(split='valid')\ntable.keys()"
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

AGENT = [
    new_markdown_cell(
        "# ECR in an agent graph\n"
        "The ECR tools next to a tool of another kind (`find_showtimes`, an example stub) in a LangGraph agent. "
        "Offline, the agent's brain is `RuleBasedToolCaller` — a rule-based router, not a language model. "
        "With a hosted model: `build_agent(model=init_chat_model('openai:gpt-4o-mini'))`."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        "from ecr_agent.tools import get_tools\n\n"
        "for tool in get_tools():\n"
        "    print(f'{tool.name:24s} {tool.description[:90]}')"
    ),
    new_code_cell(
        "from ecr_agent.agent import build_agent\n\n"
        "agent = build_agent()\n"
        "config = {'configurable': {'thread_id': 'notebook'}}\n"
        "def say(text):\n"
        "    state = agent.invoke({'messages': [{'role': 'user', 'content': text}]}, config)\n"
        "    print('user :', text)\n"
        "    print('agent:', state['messages'][-1].content, '\\n')\n"
        "    return state\n\n"
        "state = say('I love romantic movies like The Notebook, what should I watch?')"
    ),
    new_markdown_cell("Memory: the checkpointer keeps the thread, so a rejected movie is not offered again."),
    new_code_cell(
        "state = say('I hated that one. Something else please.')\n"
        "state = say('Nice! Are there showtimes tonight?')\n"
        "[m.name for m in state['messages'] if m.type == 'tool']"
    ),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in (("01_quickstart", QUICKSTART), ("02_training_and_evaluation", TRAINING), ("03_agents", AGENT)):
        notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
        nbformat.write(notebook, OUT / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
