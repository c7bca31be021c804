"""Write the movie titles that ReDial users type far more often as plain words than they mention the movie.

Usage: python tools/common_phrase_titles.py [--out ecr_agent/data/common_phrase_titles.json]

"Anything else?", "Loved it!", "lol", "for the weekend": ReDial has movies called *Anything Else*, *Loved*, *LOL* and
*Weekend*, each mentioned once or twice, while their words fill thousands of messages. `EntityLinker` does not link
these titles by name (with their year they still link). Counts come from the train split's messages, both roles.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.redial import MOVIE_MENTION
from ecr_agent.linking import COMMON_PHRASE_TITLES, EntityLinker, _tokens, typed_as_a_title

MIN_TYPED = 5
"""A phrase typed fewer times than this is no evidence either way."""
TYPED_PER_MENTION = 3
"""Typed more than this many times per mention (+1) of the movie: a common phrase."""
MAX_MENTIONS = 50
"""Movies mentioned this often keep their typed titles ("Saw": the verb at a sentence start is handled apart)."""


def common_phrase_titles(paths: Paths) -> dict[str, list[int]]:
    """Title key → [times typed in train messages as `EntityLinker.link` would link it (capitalised, or two
    content words), the movie's ReDial mentions], for the common phrases."""
    linker = EntityLinker.load(paths, common_phrases=frozenset())
    keys = set(linker.titles)
    typed: Counter[str] = Counter()
    with paths.data_file("redial/train_data.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            for message in json.loads(line)["messages"]:
                tokens = _tokens(MOVIE_MENTION.sub(" | ", message["text"]))
                words, caps = [word for word, _ in tokens], [cap for _, cap in tokens]
                for start in range(len(words)):
                    for n in (1, 2, 3):
                        key = " ".join(words[start : start + n])
                        if key in keys and typed_as_a_title(words[start : start + n], caps[start : start + n]):
                            typed[key] += 1
    common = {}
    for key, count in sorted(typed.items()):
        mentions = linker.catalog[linker.titles[key]].mentions
        if count >= MIN_TYPED and count > TYPED_PER_MENTION * (mentions + 1) and mentions < MAX_MENTIONS:
            common[key] = [count, mentions]
    return common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=COMMON_PHRASE_TITLES)
    args = parser.parse_args()
    common = common_phrase_titles(Paths.from_env())
    args.out.write_text(json.dumps(common, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(common)} titles written to {args.out}")


if __name__ == "__main__":
    main()
