"""axe-core in Chromium: `run_axe(page)` returns the accessibility violations of the page as it
is now. axe-core comes inside the axe-playwright-python package (requirements-dev.txt, installed
with its hash at set-up), never downloaded while the tests run. It is evaluated through the DevTools protocol, which our
Content-Security-Policy (scripts from our own files only) does not block."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

def _axe_js() -> Path:
    import axe_playwright_python
    return Path(axe_playwright_python.__file__).resolve().parent / "axe.min.js"

# WCAG 2.1 A and AA plus axe's best practices (heading order, landmarks, one h1 ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@lru_cache(maxsize=1)
def axe_source() -> str:
    path = _axe_js()
    if not path.exists():
        pytest.fail(f"{path} is missing: `make test` installs axe-playwright-python at set-up")
    return path.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """The violations on the page: each {"id", "impact", "help", "nodes": [target selectors]}."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate("() => {" + axe_source() + "\n}")
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]} for v in results["violations"]]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][:3]}" for v in violations)
