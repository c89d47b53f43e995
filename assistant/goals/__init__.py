"""Goals (above knowledge): drafting OKRs and SMART goals, the linter, the judge, follow-up
refinement, OKR files (Markdown, CSV, JSON) and saved goal sets."""
