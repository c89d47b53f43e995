"""The Gradio web UI (above the domains): shared services, access control, the chat and its
router, the tabs. Thin: handlers call the same use cases as the CLI."""
