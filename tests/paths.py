"""Paths of data files shipped with the repository."""

from mattran.demo.data import STATEMENTS_DIR

__all__ = ["STATEMENTS_DIR"]
