"""The `keel` command line (the top layer): `base` holds the app and shared helpers, one module
per group of commands, `main` registers them."""
