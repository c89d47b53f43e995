"""Read the OKRs people actually write: Markdown pages in the shapes real teams publish.

A document becomes one `ReadSet` per department or period section, each with objectives, their
key results, owners and targets, and the line each came from, so a misreading can be shown.
Shapes read (each has a test built from a real document's shape):

- objectives as headings ("## Objective: …", "### 1. CEO: Increase ARR", a heading under an
  "OKRs"/"Objectives"/"Goals" heading), as labelled lines ("* **Objective:** …", "O1: …",
  "Objective 2 — …"), as bold "Role: title" lines in a cascade, as bold rows of a table, or as
  bullets under a heading that names the list as objectives or goals;
- key results as "KR:" / "Key result:" / "CEO KR:" / "KR1.1" lines, bullets under an objective
  (nested ones are details), rows of a table (columns such as KR, owner, baseline, target,
  progress), sub-headings of a "Key results" heading, or its paragraphs;
- department or team sections (a heading or bold line above labelled objectives) and period
  sections ("## 2019 Q2", "## Q2 OKRs"); sections about previous quarters, initiatives,
  alternatives, schedules, vision or how-tos are left out, and said so;
- owners, markers, progress notes and numbers as `okr_lines` and `okr_numbers` read them.

Rules only, and they say what they left out (`ReadDocument.skipped`). What they cannot read —
free prose with no OKR shape — is `okr_read_model.read_with_model`'s job, whose result is
marked as the model's and shown for confirmation.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from assistant.goals.okr_lines import Line, clean_inline, front_matter, split_lines
from assistant.goals.okr_numbers import Period, period_in, placeholders_in, target_of
from assistant.goals.okr_tables import read_table

__all__ = ["ReadDocument", "ReadKR", "ReadObjective", "ReadSet", "read_document"]


@dataclass
class ReadKR:
    statement: str
    line: int
    owner: str = ""
    target: float | None = None
    unit: str = ""
    baseline: float | None = None
    ambition: str | None = None
    progress: str = ""
    source: str = ""
    placeholders: list[str] = field(default_factory=list)


@dataclass
class ReadObjective:
    title: str
    line: int
    owner: str = ""
    ambition: str | None = None
    parent: str = ""  # the KR or objective above it in a cascade
    progress: str = ""
    krs: list[ReadKR] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # "perspective", "parent", "why now"…


@dataclass
class ReadSet:
    department: str = ""
    period: Period | None = None
    objectives: list[ReadObjective] = field(default_factory=list)


@dataclass
class ReadDocument:
    name: str
    sets: list[ReadSet]
    period: Period | None = None
    skipped: list[str] = field(default_factory=list)  # sections and lines not read, and why
    source: str = "rules"  # "model" when the local model read free prose

    @property
    def objectives(self) -> list[ReadObjective]:
        return [o for s in self.sets for o in s.objectives]


_SKIP = re.compile(
    r"^(?:key concepts|(?:external )?references|how\b|"
    r"why\b|what\b|about\b|background|context|notes?\b|alternatives|initiatives|projects|"
    r"tasks|(?:okr )?schedule|roadmap|rationale?|not included|out of scope|previous|past\b|"
    r"last\b|archive|appendix|resources|faq|glossary|links|(?:team )?vision|mission|values|"
    r"principles|purpose)|\b(?:previous|last|past) (?:quarter|year|cycle)|presentations",
    re.IGNORECASE)
_TOC = re.compile(r"^(?:on this page|table of contents|contents|toc)\s*:?$", re.IGNORECASE)
_CONTAINER = re.compile(r"\b(?:okrs?|objectives|goals)\b", re.IGNORECASE)
_KR_SECTION = re.compile(r"^(?:key results?|krs?|results|success (?:criteria|metrics)|"
                         r"measures?(?: of success)?|we'?ll know we'?re successful when|"
                         r"how we(?:'ll| will) measure)\b", re.IGNORECASE)
_OBJ_LABEL = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:objective|goal)(?:\s*\d+)?\s*[:.—–-]\s*|"
                        r"^\s*O\d+\s*[:.—–-]\s*", re.IGNORECASE)
_KR_LABEL = re.compile(r"^\s*KR\s*\d+(?:\.\d+)?(?:\s*[:.—–-])?\s+|"
                       r"^\s*(?:(?P<owner>[^:]{1,80}?)\s+)?(?:KRs?|key results?)"
                       r"(?:\s*\d+(?:\.\d+)?)?\s*[:.—–-]\s*", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d+)*[.)]?|[A-Z][.)]|P\d)\s+")
_PRIORITY = re.compile(r"^\s*P\d\s*[:.—–-]\s*")
_ROLE = re.compile(r"^(?P<role>[A-Z][^:]{0,79}?):\s+(?P<rest>\S.*)$")
_LOWER_OK = {"of", "and", "the", "for", "&", "to", "in", "at"}


_PERIOD_TOKEN = re.compile(r"^(?:\W*\d.*|Q[1-4]|H[12]|FY.*|okrs?|objectives|goals|set|for|and|"
                           r"key|results|of|the|quarter|year)$", re.IGNORECASE)


def _names_a_period(text: str) -> bool:
    """'2019 Q2', 'Q2 OKRs WEVOLVER', 'OKRs (2020 Set 1)': a period section, not an objective
    that mentions a year ('Open 2 stores by 2026')."""
    words = [w.strip("():,.") for w in text.split()]
    return sum(not _PERIOD_TOKEN.match(w) for w in words if w) <= 2


def _role_split(text: str) -> tuple[str, str]:
    """("CRO", "Build strong FY21 pipeline.") from "CRO: Build strong FY21 pipeline."."""
    match = _ROLE.match(text)
    if not match or len(match.group("role").split()) > 8:
        return "", text
    words = match.group("role").replace(",", " ").split()
    if any(w[0].islower() and w not in _LOWER_OK for w in words):
        return "", text
    return match.group("role").strip(), match.group("rest").strip()


def _bold_role(raw: str) -> tuple[str, str] | None:
    """A cascade line: "**CRO: Build pipeline.**" or "**Director, Dev:** [Support IACV](…)"."""
    if not raw.lstrip().startswith(("**", "__")):
        return None
    clean = clean_inline(raw, owners_from_parens=False)
    role, rest = _role_split(clean.text)
    return (role, rest) if role and rest else None


@dataclass
class _Section:
    heading: Line | None
    body: list[Line] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)


def _tree(lines: list[Line]) -> _Section:
    root = _Section(None)
    stack = [(0, root)]
    for line in lines:
        if line.kind == "heading":
            while stack[-1][0] >= line.level:
                stack.pop()
            section = _Section(line)
            stack[-1][1].children.append(section)
            stack.append((line.level, section))
        else:
            stack[-1][1].body.append(line)
    return root


def _kr_parents(lines: list[Line], cascade: bool) -> set[int]:
    """Line numbers of items whose first deeper item is a "KR:" line: objectives, unlabelled
    ("1. **Make onboarding self-serve**" above "* KR: …")."""
    items = [ln for ln in lines if ln.kind == "item"]
    return {ln.no for ln, nxt in itertools.pairwise(items)
            if nxt.indent > ln.indent and _KR_LABEL.match(_NUMBERING.sub(
                "", clean_inline(nxt.text).text)) and not _KR_LABEL.match(
                _NUMBERING.sub("", clean_inline(ln.text).text))
            and not (cascade and _bold_role(ln.text))}  # "**CRO: …**" is read as a cascade


def _has_labelled_objectives(section: _Section, cascade: bool) -> bool:
    if any(ln.kind in ("item", "text") and _OBJ_LABEL.match(clean_inline(ln.text).text or "x")
           for ln in section.body) or _kr_parents(section.body, cascade):
        return True
    return any((c.heading is not None and _OBJ_LABEL.match(clean_inline(c.heading.text).text))
               or _has_labelled_objectives(c, cascade) for c in section.children)


class _Reader:
    def __init__(self, name: str, cascade: bool, year_hint: int | None) -> None:
        self.doc = ReadDocument(name, [ReadSet()])
        self.cascade = cascade  # the document writes "Role KR:" lines under "Role: …" objectives
        self.year_hint = year_hint
        self.prose: list[str] = []  # text before the first objective, for the period
        self.skipped = self.doc.skipped
        self.kr_parents: set[int] = set()

    @property
    def current(self) -> ReadSet:
        return self.doc.sets[-1]

    def new_set(self, department: str = "", period: Period | None = None) -> None:
        inherit = self.current
        if inherit.objectives:
            self.doc.sets.append(ReadSet(department or inherit.department,
                                         period or inherit.period))
        else:
            inherit.department = department or inherit.department
            inherit.period = period or inherit.period
        if period and period.start:
            self.year_hint = period.start.year

    def add_objective(self, title: str, line: int, owners: list[str], ambition: str | None,
                      parent: str = "", progress: str = "") -> ReadObjective:
        role, rest = _role_split(title)
        if role and not _OBJ_LABEL.match(title):
            owners, title = [*owners, role], rest
        objective = ReadObjective(_OBJ_LABEL.sub("", title).strip(), line, ", ".join(owners),
                                  ambition, parent, progress)
        self.current.objectives.append(objective)
        return objective

    # ---- sections ----

    def section(self, sec: _Section, under: str, objective: ReadObjective | None) -> None:
        """`under`: "container" (a heading naming OKRs), "objective", "krs" or "other"."""
        head = sec.heading
        if head is None:
            self.body(sec.body, "other", None)
            for child in sec.children:
                self.section(child, "other", None)
            return
        clean = clean_inline(head.text)
        text = _NUMBERING.sub("", clean.text) if not _OBJ_LABEL.match(clean.text) else clean.text
        if _TOC.match(text):  # "## On this page": its own body is a table of contents
            for child in sec.children:
                self.section(child, under, objective)
            return
        if _SKIP.search(text):
            self.skipped.append(f"line {head.no}: section '{clean.text}' (not OKRs)")
            return
        if under == "krs" and objective is not None:
            self.kr_heading(sec, objective)
            return
        if _KR_SECTION.match(text) and objective is not None:
            self.kr_section(sec, objective)
            return
        label = _OBJ_LABEL.match(text)
        period = period_in(text, self.year_hint) if not label and _names_a_period(text) else None
        if not label and (period or _CONTAINER.search(text) or
                          (under != "container" and _has_labelled_objectives(sec, self.cascade))):
            department = "" if (period or _CONTAINER.search(text)) else text
            self.new_set(department, period)
            self.body(sec.body, "container", None)
            for child in sec.children:
                self.section(child, "container", None)
            return
        if label or under in ("container", "objective") or (self.cascade and _role_split(text)[0]):
            new = self.add_objective(text, head.no, clean.owners, clean.ambition,
                                     objective.title if objective else "", clean.progress)
            has_krs = any(c.heading is not None and _KR_SECTION.match(clean_inline(
                c.heading.text).text) for c in sec.children)
            self.body(sec.body, "other" if has_krs else "objective", new)  # then: description
            for child in sec.children:
                self.section(child, "objective", new)
            return
        self.body(sec.body, "other", objective)
        for child in sec.children:
            self.section(child, under, objective)

    def kr_section(self, sec: _Section, objective: ReadObjective) -> None:
        if sec.children:  # "#### Key results" with one sub-heading per KR: bullets are a summary
            for child in sec.children:
                self.section(child, "krs", objective)
            return
        if any(ln.kind in ("item", "row") for ln in sec.body):
            self.body(sec.body, "objective", objective)
            return
        for ln in sec.body:  # paragraphs as KRs, lead-ins ("By order of priority,") left out
            text = clean_inline(ln.text).text
            if ln.kind == "text" and len(text.split()) > 3 and not text.endswith((":", ",")):
                self.add_kr(objective, ln.text, ln.no)

    def kr_heading(self, sec: _Section, objective: ReadObjective) -> None:
        assert sec.heading is not None
        first = next((ln for ln in sec.body if ln.kind in ("text", "item")), None)
        raw = first.text if first else _PRIORITY.sub("", sec.heading.text)
        kr = self.add_kr(objective, raw, first.no if first else sec.heading.no)
        if kr and not kr.owner:
            kr.owner = ", ".join(clean_inline(sec.heading.text).owners)

    # ---- lines ----

    def add_kr(self, objective: ReadObjective, raw: str, line: int,
               owner: str = "") -> ReadKR | None:
        clean = clean_inline(raw)
        text = _NUMBERING.sub("", clean.text)
        if match := _KR_LABEL.match(text):
            owner = owner or (match.group("owner") or "").strip()
            text = text[match.end():].strip()
        if not text:
            return None
        kr = ReadKR(text, line, owner or ", ".join(clean.owners), ambition=clean.ambition,
                    progress=clean.progress, source=clean.source,
                    placeholders=placeholders_in(text))
        if target := target_of(text):
            kr.target, kr.unit, kr.baseline = target.value, target.unit, target.baseline
        objective.krs.append(kr)
        return kr

    def body(self, lines: list[Line], mode: str, objective: ReadObjective | None) -> None:
        rows = [ln for ln in lines if ln.kind == "row"]
        if rows:
            read_table(self, rows, objective)
        items = [ln for ln in lines if ln.kind in ("item", "text")]
        if not self.doc.objectives:
            self.prose += [clean_inline(ln.text).text for ln in items if ln.kind == "text"]
        self.items(items, mode, objective)

    def items(self, lines: list[Line], mode: str, objective: ReadObjective | None) -> None:
        stack: list[tuple[int, ReadObjective | ReadKR | None]] = []
        run: list[tuple[int, ReadObjective]] = []  # objectives made by top-level lines
        self.kr_parents = _kr_parents(lines, self.cascade)
        for ln in lines:
            if ln.kind == "text" and not (_OBJ_LABEL.match(clean_inline(ln.text).text)
                                          or _KR_LABEL.match(clean_inline(ln.text).text)):
                continue  # prose: an objective's description, a note, a KR's detail
            while stack and stack[-1][0] >= ln.indent:
                stack.pop()
            above = next((n for _, n in reversed(stack) if n is not None), None)
            # a KR line's objective: the nearest one it is nested under, else the last labelled
            # line at its own depth ("O1: …" then "- KR1.1 …"), else the section's
            sibling = next((o for i, o in reversed(run) if i <= ln.indent), objective)
            owner_obj = next((n for _, n in reversed(stack) if isinstance(n, ReadObjective)),
                             sibling)
            node = self.item(ln, mode, above, owner_obj, top=not stack)
            stack.append((ln.indent, node))
            if isinstance(node, ReadObjective) and not stack[:-1]:
                run.append((ln.indent, node))

    def item(self, ln: Line, mode: str, above: ReadObjective | ReadKR | None,
             objective: ReadObjective | None, top: bool) -> ReadObjective | ReadKR | None:
        clean = clean_inline(ln.text)
        text = _NUMBERING.sub("", clean.text)
        if not text or _LINK_ONLY.match(ln.text.strip()):
            return None
        parent = above.statement if isinstance(above, ReadKR) else (
            above.title if isinstance(above, ReadObjective) else "")
        if (attr := _ATTRIBUTE.match(text)) and isinstance(above or objective, ReadObjective):
            target = above if isinstance(above, ReadObjective) else objective
            assert target is not None
            target.attrs[attr.group(1).lower()] = attr.group(2).strip()
            if attr.group(1).lower() == "ambition" and attr.group(2).strip().lower() in (
                    "committed", "aspirational"):
                target.ambition = attr.group(2).strip().lower()
            return None
        if _OBJ_LABEL.match(text):
            return self.add_objective(text, ln.no, clean.owners, clean.ambition, parent,
                                      clean.progress)
        if _KR_LABEL.match(text) and objective is not None:
            return self.add_kr(objective, ln.text, ln.no)
        if ln.no in self.kr_parents:
            return self.add_objective(text, ln.no, clean.owners, clean.ambition, parent,
                                      clean.progress)
        if self.cascade and (role := _bold_role(ln.text)):
            return self.add_objective(f"{role[0]}: {role[1]}", ln.no, clean.owners,
                                      clean.ambition, parent, clean.progress)
        if isinstance(above, ReadKR):
            return None  # a KR's detail
        if mode == "container" and top:
            return self.add_objective(text, ln.no, clean.owners, clean.ambition, "",
                                      clean.progress)
        if objective is not None and ((mode == "objective" and top) or
                                      isinstance(above, ReadObjective)):
            return self.add_kr(objective, ln.text, ln.no)
        return None


_ATTRIBUTE = re.compile(r"^(perspective|ambition|parent|serves|why now|why|initiatives?)\s*:\s*"
                        r"(.+)$", re.IGNORECASE)
_LINK_ONLY = re.compile(r"^\[[^\]]*\]\([^)]*\)\.?$")


def _doc_period(meta: dict[str, object], reader: _Reader, lines: list[Line]) -> Period | None:
    title = str(meta.get("period") or meta.get("quarter") or meta.get("title") or "")
    h1 = next((ln.text for ln in lines if ln.kind == "heading" and ln.level == 1), "")
    named = period_in(title) or period_in(h1)
    prose = next((p for p in map(period_in, reader.prose) if p), None)
    if named and prose and named.start is None and prose.start:
        return Period(named.label, prose.start, prose.end)  # "FY21-Q1" + "runs from Feb 1 …"
    return named or prose


def read_document(text: str, name: str = "document") -> ReadDocument:
    """Every OKR set the rules can read in a Markdown (or plain text) OKR document."""
    meta, body = front_matter(text)
    lines = split_lines(body)
    cascade = sum(bool(re.search(r"\w\s+KRs?\s*:", ln.text)) for ln in lines) >= 2
    first = period_in(str(meta.get("period") or meta.get("title") or ""))
    reader = _Reader(name, cascade, first.start.year if first and first.start else None)
    if meta.get("department"):
        reader.current.department = str(meta["department"])
    reader.section(_tree(lines), "other", None)
    doc = reader.doc
    doc.period = _doc_period(meta, reader, lines)
    doc.sets = [s for s in doc.sets if s.objectives] or [ReadSet()]
    for s in doc.sets:
        s.period = s.period or doc.period
    return doc
