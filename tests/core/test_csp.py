"""Content-Security-Policy: the header, and templates that need nothing it forbids."""

import re
from pathlib import Path

import pytest

import mattran

SRC = Path(mattran.__file__).resolve().parent
TEMPLATES = sorted(p for p in SRC.rglob("templates/**/*.html"))

INLINE_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b([^>]*)>", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.django_db
def test_pages_carry_a_strict_policy(client):
    response = client.get("/dang-nhap/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy["script-src"])
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # htmx is told not to eval or inject <style> (both would be refused).
    body = response.content.decode()
    assert '"allowEval":false' in body and '"includeIndicatorStyles":false' in body


def test_there_are_templates_to_check():
    assert len(TEMPLATES) >= 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_template_has_no_inline_script_the_policy_would_block(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(text), "inline event handler: use static/mattran/app.js"
    assert "javascript:" not in text.lower()
    # No nonces in templates at all: a cached page (the public disclosure) would
    # carry a nonce that no longer matches the header, and style-src takes none.
    for attrs in SCRIPT_TAG.findall(text):
        assert "src=" in attrs or "application/json" in attrs, (
            f"inline <script{attrs}>: put the code in a static file (mattran/app.js, charts.js)"
        )
    assert not STYLE_TAG.findall(text), "inline <style>: put the rules in a static .css file"
