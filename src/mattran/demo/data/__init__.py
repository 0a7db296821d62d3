"""Data files the demo loads and the tests read.

statements/: real bank-statement rows of September 2024 (Typhoon Yagi relief
accounts), MIT licence, see statements/LICENSE-source.txt and README.md.
"""

from pathlib import Path

STATEMENTS_DIR = Path(__file__).resolve().parent / "statements"
