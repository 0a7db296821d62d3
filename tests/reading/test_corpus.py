"""The reader on 27 real published passages: precision and recall stay where the note says."""

import importlib.util
import sys
from pathlib import Path

from tests.reading.data.corpus import CORPUS

REPO_DIR = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "reading_eval", REPO_DIR / "scripts" / "reading_eval.py"
)
reading_eval = importlib.util.module_from_spec(spec)
sys.modules["reading_eval"] = reading_eval
spec.loader.exec_module(reading_eval)


def test_corpus_has_twenty_real_passages_with_sources():
    assert len(CORPUS) >= 20
    assert all(item["url"].startswith("http") and item["expected"] for item in CORPUS)


def test_precision_and_recall_on_the_corpus():
    r = reading_eval.evaluate(CORPUS)
    assert r["recall_value"] >= 0.95 and r["precision_value"] >= 0.95
    assert r["recall_key"] >= 0.80 and r["precision_key"] >= 0.80
