"""The OKR reader on the shapes real documents take, one test per shape.

Each document below is written for the test in the shape of a real published page (named in
the test); the real pages themselves are scored by the `okr_read` eval task
(`python -m evals.task_okr_read`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.goals.lint import LintConfig, lint_okrs
from assistant.goals.okr_io import read_okr_sets
from assistant.goals.okr_read import read_document


def _krs(doc, n: int) -> list[str]:
    return [kr.statement for kr in doc.objectives[n].krs]


# A handbook page (GitLab's FY-OKR pages): one heading per department, numbered bold
# "OBJECTIVE:" items, "KR:" bullets (nested ones are details), numbers in bold, and a fiscal
# quarter whose dates are stated in a prose sentence.
HANDBOOK = """---
title: "FY24-Q2 OKRs"
---
This fiscal quarter will run from May 1, 2023 to July 31, 2023.

## Engineering

1. **OBJECTIVE:** Make deployments boring
    * KR: Cut failed deployments to **2%** of releases
        * measured weekly in the deploy dashboard
    * KR: Ship **12** self-service runbooks
2. **OBJECTIVE:** Grow the platform team
    * KR: Hire **3** site reliability engineers

## Marketing

1. **OBJECTIVE:** Be known for remote work
    * KR: Reach **200,000** readers of the remote guide
"""


def test_department_headings_with_numbered_bold_objectives_and_a_fiscal_quarter() -> None:
    doc = read_document(HANDBOOK)
    assert [s.department for s in doc.sets] == ["Engineering", "Marketing"]
    assert [o.title for o in doc.sets[0].objectives] == ["Make deployments boring",
                                                         "Grow the platform team"]
    assert _krs(doc, 0) == ["Cut failed deployments to 2% of releases",
                            "Ship 12 self-service runbooks"]  # the nested detail is not a KR
    assert [kr.target for o in doc.objectives for kr in o.krs] == [2, 12, 3, 200000]
    period = doc.sets[1].period
    assert period and (period.label, period.start, period.end) == (
        "FY24-Q2", date(2023, 5, 1), date(2023, 7, 31))


# The same company's page for another quarter: objectives as numbered bold lines with a
# "WHY:" paragraph, KRs whose numbers are reference-style links.
WHY_PAGE = """# OKRs for FY24-Q3

1. **Make onboarding self-serve**
   WHY: new customers wait two days for a human today.
   * KR: Raise trial-to-paid conversion to [**12%**][1]
   * KR: Answer onboarding tickets within [4 hours][2]
2. **Keep the lights on for enterprise customers**
   * KR: [99.95%][3] availability

[1]: https://example.com/dashboards/conversion
[2]: https://example.com/dashboards/support
[3]: https://example.com/dashboards/sla
"""


def test_numbered_bold_objectives_with_why_and_reference_link_numbers() -> None:
    doc = read_document(WHY_PAGE)
    assert [o.title for o in doc.objectives] == ["Make onboarding self-serve",
                                                 "Keep the lights on for enterprise customers"]
    assert [(kr.target, kr.unit) for o in doc.objectives for kr in o.krs] == [
        (12, "%"), (4, ""), (99.95, "%")]
    assert doc.sets[0].period and doc.sets[0].period.label == "FY24-Q3"


def test_the_second_page_lints_with_findings_not_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "fy24-q3.md"
    path.write_text(WHY_PAGE)
    result = CliRunner().invoke(app, ["lint", str(path), "--json"])
    findings = json.loads(result.stdout)
    assert result.exit_code in (0, 1) and findings and "ValidationError" not in result.output
    assert not [f for f in findings if f["rule"] == "K1" and "12%" in f["text"]]


# Nested lists with bold labels (Node.js Community Committee): "* **Objective:** …" with
# "* **Key Result:** …" beneath, a baseline in parentheses, and "(2020 Set 1)" as the period.
NESTED = """# Community Objectives and Key Results

## OKRs (2020 Set 1):

* **Objective:** Positively affect the ecosystem
    * **Key Result:** 200k views per 30 days of our articles (current is 125k)
    * **Key Result:** Publish 5 blog posts with partner projects
"""


def test_bold_labelled_nested_bullets_with_a_baseline_in_parentheses() -> None:
    doc = read_document(NESTED)
    kr = doc.objectives[0].krs[0]
    assert (kr.target, kr.baseline) == (200000, 125000)
    assert doc.sets[0].period and doc.sets[0].period.label == "2020"


# A cascade (GitLab FY21-Q1): "### 1. CEO: …" headings, "CEO KR:" lines, bold "Role: title"
# sub-objectives under a KR, their "Role KR:" lines, progress notes after "=>".
CASCADE = """### 1. CEO: IACV
1. CEO KR: End Q1 with pipeline ahead of plan.
    1. **CRO: Build strong FY21 pipeline.**
        1. CRO KR: Stage 3+ pipeline at 1.8X target => [DONE](https://x)
            1. **VP Alliances: Scale partner content.**
                1.  VP Alliances KR: Announce practices with 3 of the top SIs --> 66%
        1. CRO KR: Measure forecast effectiveness to 90% accuracy
1. CEO KR: Keep quota capacity at least 5% ahead of plan.
"""


def test_a_cascade_of_roles_with_progress_notes() -> None:
    doc = read_document(CASCADE)
    titles = [(o.title, o.owner) for o in doc.objectives]
    assert titles == [("IACV", "CEO"), ("Build strong FY21 pipeline", "CRO"),
                      ("Scale partner content", "VP Alliances")]
    ceo, cro, vp = doc.objectives
    assert [kr.owner for kr in ceo.krs] == ["CEO", "CEO"] and len(ceo.krs) == 2
    assert [kr.statement for kr in cro.krs] == ["Stage 3+ pipeline at 1.8X target",
                                                "Measure forecast effectiveness to 90% accuracy"]
    assert cro.krs[0].progress == "DONE" and cro.parent.startswith("End Q1")
    assert (vp.krs[0].target, vp.krs[0].progress) == (3, "66%")


# A spreadsheet pasted as a table (IPFS Cluster): bold objective rows, an owner column, a score
# line, an italic note row; and a table that is not OKRs (a schedule) left alone.
TABLE = """# Team OKRs

## OKR Schedule
| Week | Task |
| --- | --- |
| -1 | Draft 3 objectives |

## 2019 Q2

| **Cluster** | **Priority** | **Owner** | **End-Q** |
| :---: | :---: | :---: | --- |
| **** | P0-P4 |  | **0.4** |
| **1 Finish the base use-case** |  |  |  |
| Swagger API documentation (Kishan) | **P0** | Kishan | 0.5 |
| Generate 3 step-by-step guides: |  |  |  |
| *The following not likely to get done:* |  |  |  |
| Streaming API | P3 |  |  |
"""


def test_a_pasted_spreadsheet_with_objective_rows_and_owner_column() -> None:
    doc = read_document(TABLE)
    assert [o.title for o in doc.objectives] == ["Finish the base use-case"]
    krs = doc.objectives[0].krs
    assert [(k.statement, k.owner, k.progress) for k in krs] == [
        ("Swagger API documentation", "Kishan", "0.5"),
        ("Generate 3 step-by-step guides", "", ""), ("Streaming API", "", "")]
    assert any("schedule" in s.lower() for s in doc.skipped)
    assert doc.sets[0].period and doc.sets[0].period.label == "2019-Q2"


KR_TABLE = """# Support OKRs 2027-Q1

| Objective | KR | Owner | Baseline | Target | Progress |
| --- | --- | --- | --- | --- | --- |
| Make every customer feel heard | First reply within a day | Support lead | 61% | 90% | 0.4 |
|  | CSAT of weekend tickets | Support lead | 3.9 | 4.5 | |
"""


def test_a_table_with_kr_owner_baseline_target_columns() -> None:
    doc = read_document(KR_TABLE)
    (objective,) = doc.objectives
    assert [(k.owner, k.baseline, k.target) for k in objective.krs] == [
        ("Support lead", 61, 90), ("Support lead", 3.9, 4.5)]
    assert objective.krs[0].progress == "0.4"


# Headings per objective with owners in MDX (PostHog): "#### Objective: …" and plain headings
# under "### Q4 2025 Objectives", `<TeamMember name=…>` owners, "(Stretch)" on a bullet, and an
# HTML comment placeholder.
MDX = """### Q4 2025 Objectives
Intro prose about the quarter.

#### Objective: Awesome documentation <TeamMember name="Dylan Martin" photo />

#### Flag staleness cleanup <TeamMember name="Phil Haack" /> <TeamMember name="Ana Ruiz" />
<!-- Phil: fill this in -->
We're building tools to:
- Detect stale flags in the UI
- (Stretch) Automated cleanup PRs
"""


def test_mdx_headings_with_team_member_owners_and_a_stretch_marker() -> None:
    doc = read_document(MDX)
    assert [(o.title, o.owner) for o in doc.objectives] == [
        ("Awesome documentation", "Dylan Martin"),
        ("Flag staleness cleanup", "Phil Haack, Ana Ruiz")]
    assert [(k.statement, k.ambition) for k in doc.objectives[1].krs] == [
        ("Detect stale flags in the UI", None), ("Automated cleanup PRs", "aspirational")]
    assert doc.sets[0].period and doc.sets[0].period.start == date(2025, 10, 1)


# Short labels and owner spellings: "O1:", "Objective 2 —", "KR1.1", "(owner: …)", "— @name",
# "Owner: …", "[stretch]", and a bullet list of goals under a "Goals" heading (PostHog's
# customer success page) whose owners sit in trailing parentheses.
LABELS = """---
period: 2026-H1
department: Sales
---
## Goals
- Hit net revenue retention of 120% (CSMs)

O1: Win the mid-market [stretch]
- KR1.1 Close 12 new accounts (owner: Head of Sales)
- KR1.2 Raise win rate from 18% to 25% — @maria

Objective 2 — Shorten the sales cycle
- KR: Cut median days to close to 30. Owner: Sales ops
"""


def test_short_labels_and_every_owner_spelling() -> None:
    doc = read_document(LABELS)
    assert doc.sets[0].department == "Sales"
    assert [(o.title, o.owner, o.ambition) for o in doc.objectives] == [
        ("Hit net revenue retention of 120%", "CSMs", None),
        ("Win the mid-market", "", "aspirational"), ("Shorten the sales cycle", "", None)]
    krs = [(k.statement, k.owner, k.target, k.baseline) for o in doc.objectives for k in o.krs]
    assert krs == [("Close 12 new accounts", "Head of Sales", 12, None),
                   ("Raise win rate from 18% to 25%", "@maria", 25, 18),
                   ("Cut median days to close to 30", "Sales ops", 30, None)]
    assert doc.sets[0].period and doc.sets[0].period.end == date(2026, 6, 30)


# Real pages carry sections that are not this quarter's OKRs (IPFS package managers, CDS).
NOT_OKRS = """# Package OKRs

## 2019 Q4

### Objective: Users can quickly update large repositories.

* Update: maintainers care about import time.

#### Key Results

By order of priority,

* P0: Update - IPFS can quickly update a repository.

**Rationale**

* Add performance disappeared on HDDs.

##### P0: Update

IPFS can rsync a mirror at a rate of 10MiB/s.

#### Initiatives

##### P0: Mount

Allows us to add packages with unix tools.

## 2019 Q3

- [Package Manager 2019 Q3 OKRs](https://docs.google.com/x)

#### Previous quarter objectives

* [Quarter 3, October to December 2018 objectives](https://docs.google.com/y)
"""


def test_sections_that_are_not_okrs_are_left_out_and_said_so() -> None:
    doc = read_document(NOT_OKRS)
    assert len(doc.sets) == 1 and [o.title for o in doc.objectives] == [
        "Users can quickly update large repositories"]
    assert [(k.statement, k.target) for k in doc.objectives[0].krs] == [
        ("IPFS can rsync a mirror at a rate of 10MiB/s", 10)]
    assert any("Initiatives" in s for s in doc.skipped)


def test_numbers_that_are_not_targets_and_placeholders() -> None:
    doc = read_document("## Objectives\n- Objective: Grow\n"
                        "  - KR: Launch with XX sign-ups\n"
                        "  - KR: Ship the 1.0 version in FY21 for 2020\n"
                        "  - KR: Raise NPS to 40–45%\n")
    krs = doc.objectives[0].krs
    assert [k.target for k in krs] == [None, None, 40]
    assert krs[0].placeholders == ["XX"]


# The hand-written set from the issue: "(committed)" in the heading, no parent named.
HAND_WRITTEN = """# Customer care OKRs 2027-Q2

## Objective: Make every customer feel heard within a day (committed)
- KR: Raise first replies within 24 hours from 61% to 90%. Owner: Support lead. Source: help desk
- KR: Lift weekend CSAT from 3.9 to 4.5. Owner: Support lead. Source: survey tool
"""


def test_committed_in_the_heading_and_no_error_for_a_missing_parent(tmp_path: Path) -> None:
    path = tmp_path / "care.md"
    path.write_text(HAND_WRITTEN)
    (okrs,) = read_okr_sets(path)
    assert okrs.objectives[0].title == "Make every customer feel heard within a day"
    assert okrs.objectives[0].ambition == "committed"
    findings = lint_okrs(okrs)
    assert not [f for f in findings if f.rule == "O9"]
    assert {f.severity for f in findings if f.rule == "O6"} == {"warning"}
    assert not [f for f in findings if f.severity == "error"]
    assert {f.severity for f in lint_okrs(okrs, LintConfig(strategy_map=True))
            if f.rule == "O6"} == {"error"}


def test_lint_report_groups_repeated_findings(tmp_path: Path) -> None:
    lines = ["# Ops OKRs 2027-Q1", "## Objective: Run a calmer warehouse (committed)"]
    lines += [f"- KR: Pack {n} orders a day" for n in range(10, 16)]
    path = tmp_path / "ops.md"
    path.write_text("\n".join(lines))
    result = CliRunner().invoke(app, ["lint", str(path)])
    assert "K8 error — 6 of 6 key results" in result.stdout
    assert "… and 3 more" in result.stdout and "errors," in result.stdout
    every = CliRunner().invoke(app, ["lint", str(path), "--all"]).stdout
    assert every.count("No owner.") == 6


def test_hostile_lines_are_read_without_error_and_invent_nothing() -> None:
    """Markup built to make a reader backtrack (unclosed emphasis, brackets, links) is read in
    bounded work; nothing in it is an objective. (No timing asserted: pytest's timeout guards.)"""
    for text in ("## Notes\n- " + "_x " * 20000, "- KR: " + "[" * 20000 + "]" * 20000,
                 "- KR: " + "[a](" * 10000, "\x00\x01\x02 binary \xff" * 1000):
        doc = read_document(text)
        assert not doc.objectives


PROSE = ("Our plan for the spring.\n\nWe will make the café network feel like one family. "
         "That means 12 new partner cafés by June.\n\nWe will sort out the roastery floor.\n")


def test_model_read_of_prose_fake_drives_the_path_and_drops_what_the_text_lacks(
        settings) -> None:
    """The fake model proves no judgement: it checks that the reading is marked as the
    model's, numbers are read by code, and an objective the document does not contain (the
    fake always adds one) is dropped and listed."""
    from assistant.goals.okr_read_model import read_with_model
    from assistant.goals.okr_view import describe_read
    from assistant.llm.client import LLM

    llm = LLM(settings.model_copy(update={"llm_provider": "fake"}))
    try:
        doc = read_with_model(PROSE, llm, "plan.md")
    finally:
        llm.close()
    assert doc.source == "model"
    assert [o.title for o in doc.objectives] == [
        "We will make the café network feel like one family.",
        "We will sort out the roastery floor."]
    assert doc.objectives[0].krs[0].target == 12
    assert any("Antarctica" in s and "dropped" in s for s in doc.skipped)
    assert "Read by the local model — check every line" in describe_read(doc)


def test_lint_model_read_flag_fake_drives_the_cli(tmp_path: Path, monkeypatch) -> None:
    """Without the flag, prose is refused with the way out named; with it, the proposed
    reading is printed before the findings. (Fake model: no judgement proved.)"""
    monkeypatch.setenv("KEEL_LLM_PROVIDER", "fake")
    monkeypatch.setenv("KEEL_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "plan.md"
    path.write_text(PROSE)
    refused = CliRunner().invoke(app, ["lint", str(path)])
    assert refused.exit_code == 1 and "--model-read" in refused.stderr
    read = CliRunner().invoke(app, ["lint", str(path), "--model-read"])
    assert "Read by the local model" in read.stdout and "2 objectives" in read.stdout
