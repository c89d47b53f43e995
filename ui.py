"""Start Keel's web UI: `python ui.py [--host H] [--port P]` (same as `keel ui`)."""

from assistant.cli.main import app

if __name__ == "__main__":
    import sys

    app(["ui", *sys.argv[1:]])
