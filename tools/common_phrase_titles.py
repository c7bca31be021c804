"""Write the movie titles that ReDial users type far more often as plain words than they mention the movie.

Usage: python tools/common_phrase_titles.py [--out ecr_agent/data/common_phrase_titles.json]
[--lower-out ecr_agent/data/lower_case_phrase_titles.json]

"Anything else?", "Loved it!", "lol", "for the weekend": ReDial has movies called *Anything Else*, *Loved*, *LOL* and
*Weekend*, each mentioned once or twice, while their words fill thousands of messages. `EntityLinker` does not link
these titles by name (with their year they still link). Counts come from the train split's messages, both roles.

A second, softer list holds the titles of several words that users type in lower case as a phrase about as often as
the movie comes up: "a movie for date night", "old school movies", "my kids watch it every day". Those link only when
capitalised ("Date Night") or with their year.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.redial import MOVIE_MENTION
from ecr_agent.linking import COMMON_PHRASE_TITLES, LOWER_CASE_PHRASE_TITLES, EntityLinker, _tokens, typed_as_a_title

MIN_TYPED = 5
"""A phrase typed fewer times than this is no evidence either way."""
TYPED_PER_MENTION = 3
"""Typed more than this many times per mention (+1) of the movie: a common phrase."""
MAX_MENTIONS = 50
"""Movies mentioned this often keep their typed titles ("Saw": the verb at a sentence start is handled apart)."""
MIN_LOWER = 3
"""A phrase of several words typed in lower case fewer times than this is no evidence either way."""
LOWER_PER_MENTION = 0.3
"""Typed in lower case more than this many times per mention (+1): a phrase ("date night" 31 times in lower case
against 43 mentions; "pulp fiction" 4 against 190 stays a title)."""


def common_phrase_titles(paths: Paths) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Title key → [times typed in train messages as `EntityLinker.link` would link it (capitalised, or two
    content words), the movie's ReDial mentions], for the common phrases; and the same, counting only lower-case
    typings of titles of several words, for the phrases that need capitals to link."""
    linker = EntityLinker.load(paths, common_phrases=frozenset(), lower_case_phrases=frozenset())
    keys = set(linker.titles)
    typed: Counter[str] = Counter()
    lower: Counter[str] = Counter()
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
                        if n > 1 and start + n <= len(words) and key in keys and not any(caps[start : start + n]):
                            lower[key] += 1
    common, lower_case = {}, {}
    for key, count in sorted(typed.items()):
        mentions = linker.catalog[linker.titles[key]].mentions
        if count >= MIN_TYPED and count > TYPED_PER_MENTION * (mentions + 1) and mentions < MAX_MENTIONS:
            common[key] = [count, mentions]
    for key, count in sorted(lower.items()):
        mentions = linker.catalog[linker.titles[key]].mentions
        if key not in common and count >= MIN_LOWER and count > LOWER_PER_MENTION * (mentions + 1):
            lower_case[key] = [count, mentions]
    return common, lower_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=COMMON_PHRASE_TITLES)
    parser.add_argument("--lower-out", type=Path, default=LOWER_CASE_PHRASE_TITLES)
    args = parser.parse_args()
    common, lower_case = common_phrase_titles(Paths.from_env())
    for titles, out in ((common, args.out), (lower_case, args.lower_out)):
        out.write_text(json.dumps(titles, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(titles)} titles written to {out}")


if __name__ == "__main__":
    main()
