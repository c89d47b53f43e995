"""Keel's error hierarchy. Edges (CLI, UI) turn these into one readable message.

KeelError
├── ConfigError            settings are invalid or incomplete
├── DocumentError          one input document cannot be read (empty, binary, too large, corrupt)
├── KnowledgeError         the knowledge base cannot serve the request
│   ├── StoreLockedError   another process holds the embedded store
│   ├── EmbeddingMismatch  a collection was built with another embedding model
│   └── WorkspaceError     unknown or invalid workspace
├── DatabaseError          the database is unreachable, busy past its timeout, or changed
├── ModelError             the language model cannot be reached or started
│   └── ModelSetupError    the embedded model cannot be assembled or started
├── GenerationError        the model answered, but not with something usable after retries
├── PromptError            a prompt file is missing or a variable was not supplied
├── InputError             a question, proposal or upload is empty, too large or unusable
└── AccessError            this account may not use that workspace

Messages are written for the person at the keyboard: what happened, then what to do.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "ConfigError",
    "DatabaseError",
    "DocumentError",
    "EmbeddingMismatch",
    "GenerationError",
    "InputError",
    "KeelError",
    "KnowledgeError",
    "ModelError",
    "ModelSetupError",
    "PromptError",
    "StoreLockedError",
    "WorkspaceError",
]


class KeelError(Exception):
    """Root of every error Keel raises on purpose."""


class ConfigError(KeelError):
    """Settings are invalid or incomplete."""


class DocumentError(KeelError):
    """A single document cannot be ingested; the rest of a batch goes on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class KnowledgeError(KeelError):
    """The knowledge base cannot serve the request."""


class StoreLockedError(KnowledgeError):
    """Another process is using the embedded Chroma store."""


class EmbeddingMismatch(KnowledgeError):
    """A collection was built with a different embedding model."""


class WorkspaceError(KnowledgeError):
    """The workspace name is invalid."""


class DatabaseError(KeelError):
    """The database cannot be opened, is busy past its timeout, or changed under a write."""


class ModelError(KeelError):
    """The language model endpoint is down, slow or refusing requests."""


class ModelSetupError(ModelError):
    """The embedded local model could not be assembled or started."""


class GenerationError(KeelError):
    """The model kept answering with output that fails validation."""

    def __init__(self, message: str, last_output: str = "", attempts: int = 0) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts


class PromptError(KeelError):
    """A prompt file is missing, malformed, or rendered without a variable."""


class InputError(KeelError):
    """A question, proposal or file given by the user cannot be used as it is."""


class AccessError(KeelError):
    """The signed-in account may not use the requested workspace."""
