"""Precision and recall of the report reader on the corpus of real passages.

    .venv/bin/python scripts/reading_eval.py [-v]

The corpus (tests/reading/data/corpus.py) holds real published passages with
the figures a careful reader would record. A found figure matches an
expected one with the same value (whole đồng or units; a rate by its printed
number); "with key" also needs the same figure key. Each expected figure is
matched at most once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _found(text: str) -> list[tuple[object, str | None]]:
    from mattran.reading.finder import read_text

    out = []
    for f in read_text(text).figures:
        value = str(f.value).rstrip("0").rstrip(".") if f.kind == "rate" else int(f.value)
        out.append((value, f.key))
    return out


def _match(expected, found, *, with_key: bool) -> int:
    left = list(expected)
    hits = 0
    for value, key in found:
        for i, (ev, ek) in enumerate(left):
            if ev == value and (not with_key or ek == key):
                hits += 1
                del left[i]
                break
    return hits


def evaluate(corpus: list[dict], *, verbose: bool = False) -> dict[str, float]:
    n_expected = n_found = hit_value = hit_key = 0
    for i, item in enumerate(corpus, 1):
        expected = [(str(v) if isinstance(v, str) else v, k) for v, k in item["expected"]]
        found = _found(item["text"])
        n_expected += len(expected)
        n_found += len(found)
        hv = _match(expected, found, with_key=False)
        hk = _match(expected, found, with_key=True)
        hit_value += hv
        hit_key += hk
        if verbose and (hk < len(expected) or hk < len(found)):
            print(f"#{i} {item['url']}")
            print(f"   expected {expected}")
            print(f"   found    {found}")
    return {
        "passages": len(corpus),
        "expected": n_expected,
        "found": n_found,
        "precision_value": hit_value / n_found if n_found else 0.0,
        "recall_value": hit_value / n_expected if n_expected else 0.0,
        "precision_key": hit_key / n_found if n_found else 0.0,
        "recall_key": hit_key / n_expected if n_expected else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show each imperfect passage")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    # serves nothing: development settings suffice
    os.environ.setdefault("MATTRAN_DEBUG", "1")
    import django

    django.setup()
    from tests.reading.data.corpus import CORPUS

    r = evaluate(CORPUS, verbose=args.verbose)
    print(f"{r['passages']} passages, {r['expected']} expected figures, {r['found']} found")
    print(f"value:         precision {r['precision_value']:.1%}  recall {r['recall_value']:.1%}")
    print(f"value and key: precision {r['precision_key']:.1%}  recall {r['recall_key']:.1%}")


if __name__ == "__main__":
    main()
