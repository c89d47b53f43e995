"""The injection benchmark cannot measure its own wording (issue 27).

Fails if any phrase (two or more consecutive words) that the defence's patterns match
literally also occurs in a benchmark payload: the independent attack set (filled), its
mutator's lead-ins, and the BIPIA benchmark's request templates. The defence's lexicons are
single words by design (`core.planted`); its regular expressions are expanded (alternatives,
optional parts) into the literal word sequences they match.
"""

from __future__ import annotations

import ast
import random
import re
import re._parser as sre  # the standard library's own regex parser
from pathlib import Path
from typing import Any

from evals.injection_mutate import _LEADS, fill, load_attacks, markers
from tests.support import PROJECT_ROOT
from tests.support.injection import payload

DEFENCE = ["assistant/core/planted.py", "assistant/core/output_guard.py",
           "assistant/core/safety.py", "assistant/knowledge/visible.py"]
_WORDS = re.compile(r"[^\W\d_]+")
_CAP = 2000  # expanded variants per pattern


def _expand(items: Any) -> list[str]:
    """The literal strings a parsed pattern matches; any non-literal part becomes a break."""
    variants = [""]
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            options = [chr(arg)]
        elif name == "SUBPATTERN":
            options = _expand(arg[-1])
        elif name == "BRANCH":
            options = [v for branch in arg[1] for v in _expand(branch)]
        elif name in ("MAX_REPEAT", "MIN_REPEAT") and arg[0] == 0 and arg[1] == 1:
            options = ["", *_expand(arg[2])]  # optional part
        elif name == "AT":
            continue
        else:
            options = ["\x00"]
        variants = [v + o for v in variants for o in options][:_CAP]
    return variants


def _phrases(text: str) -> set[str]:
    out = set()
    for segment in text.lower().split("\x00"):
        words = _WORDS.findall(segment)
        out |= {" ".join(words[i:i + 2]) for i in range(len(words) - 1)}
    return out


def _defence_phrases() -> set[str]:
    phrases: set[str] = set()
    for rel in DEFENCE:
        tree = ast.parse((PROJECT_ROOT / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile":
                pattern = "".join(a.value for a in ast.walk(node.args[0])
                                  if isinstance(a, ast.Constant) and isinstance(a.value, str))
                for variant in _expand(sre.parse(pattern)):
                    phrases |= _phrases(variant)
    return phrases


def _payload_texts() -> list[str]:
    marks = markers(random.Random(0))
    texts = [fill(part, marks) for attack in load_attacks() for part in attack.parts]
    texts += [lead for lead in _LEADS if lead]
    texts += [payload("", kind, "PWNED-00000000") for kind in ("canary", "image")]
    return texts


def test_the_expander_finds_the_phrases_a_pattern_matches() -> None:
    """So the test below can fail: the old phrase rule would have been caught."""
    old = r"\b(your (response|answer|reply)|ignore (all|the) (instructions|rules))\b"
    found = set().union(*(_phrases(v) for v in _expand(sre.parse(old))))
    assert {"your answer", "ignore all", "the rules"} <= found
    assert "your answer" in set().union(*(_phrases(t) for t in _payload_texts()))


def test_no_phrase_of_the_defence_occurs_in_a_benchmark_payload() -> None:
    defence = _defence_phrases()
    assert defence, "no pattern found: the test would pass for nothing"
    payloads = set().union(*(_phrases(t) for t in _payload_texts()))
    assert sorted(defence & payloads) == []


def test_the_defence_never_reads_the_attack_set() -> None:
    sources = [p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "assistant").rglob("*.py")]
    assert not [s for s in sources if "injection_attacks" in s or "injection_mutate" in s]
    assert Path(PROJECT_ROOT / "evals" / "datasets" / "attacks").is_dir()
