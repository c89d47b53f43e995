"""Who may use the web UI, and which workspaces each account may touch.

Two kinds of account, both from settings:
- `ui_username`/`ui_password`: one account with every workspace (the simple setup);
- `ui_users`: named accounts, each limited to a list of workspaces (`*` = all).

With no account configured the UI has no login and binds loopback only (see `webapp.launch`);
every workspace is then open to whoever can reach 127.0.0.1. With accounts, every UI event
that names a workspace is checked on the server against the signed-in user (`guard`), so a
direct API call with another workspace's name is refused the same way as the dropdown.
"""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from assistant.core.config import Settings
from assistant.core.errors import AccessError, KeelError

__all__ = ["Access"]

ALL = "*"


class Access:
    """Accounts and their workspaces, built from settings."""

    def __init__(self, settings: Settings) -> None:
        self._default = settings.workspace
        self._passwords: dict[str, str] = {}
        self._workspaces: dict[str, set[str]] = {}
        if settings.ui_username and settings.ui_password:
            self._add(settings.ui_username, settings.ui_password.get_secret_value(), [ALL])
        for name, user in settings.ui_users.items():
            self._add(name, user.password.get_secret_value(), user.workspaces)

    def _add(self, name: str, password: str, workspaces: list[str]) -> None:
        self._passwords[name] = password
        self._workspaces[name] = set(workspaces)

    @property
    def enabled(self) -> bool:
        """True when the UI asks for a login."""
        return bool(self._passwords)

    def login(self, username: str, password: str) -> bool:
        """Gradio's auth callback: constant-time password comparison."""
        expected = self._passwords.get(username)
        if expected is None:
            hmac.compare_digest(password, password)  # same work for unknown names
            return False
        return hmac.compare_digest(password.encode(), expected.encode())

    def allowed(self, username: str | None, workspace: str) -> bool:
        if not self.enabled:
            return True
        mine = self._workspaces.get(username or "", set())
        return ALL in mine or workspace in mine

    def visible(self, username: str | None, workspaces: list[str]) -> list[str]:
        return [w for w in workspaces if self.allowed(username, w)]

    def check(self, username: str | None, workspace: str | None) -> None:
        """Raise AccessError unless the account may use `workspace` (None: the default)."""
        workspace = workspace or self._default
        if not self.allowed(username, workspace):
            raise AccessError(f"This account may not use the workspace '{workspace}'.")

    def guard(self, fn: Callable[..., Any], to_user: Callable[[KeelError], Exception]
              ) -> Callable[..., Any]:
        """`fn` (a UI handler with a parameter named `ws`) checked against the signed-in user.

        The wrapper has fn's parameters plus a `request` (before any defaulted parameter) that
        Gradio fills in; its signature is set explicitly so Gradio still sees `gr.Progress`.
        A refusal, and any other KeelError the handler lets through, reaches the user as
        `to_user(error)` (a `gr.Error` in the UI): a message, never a traceback.
        """
        import gradio as gr

        signature = inspect.signature(fn)
        params = list(signature.parameters.values())
        position = [p.name for p in params].index("ws")
        at = next((i for i, p in enumerate(params) if p.default is not p.empty), len(params))
        params.insert(at, inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                            annotation=gr.Request))

        def checked(args: tuple[Any, ...]) -> tuple[Any, ...]:
            request, rest = args[at], args[:at] + args[at + 1:]
            self.check(getattr(request, "username", None), rest[position])
            return tuple(rest)

        wrapper: Callable[..., Any]
        if inspect.isgeneratorfunction(fn):
            def wrapper(*args: Any) -> Iterator[Any]:
                try:
                    yield from fn(*checked(args))
                except KeelError as exc:
                    raise to_user(exc) from None
        else:
            def wrapper(*args: Any) -> Any:
                try:
                    return fn(*checked(args))
                except KeelError as exc:
                    raise to_user(exc) from None
        setattr(wrapper, "__signature__", signature.replace(parameters=params))  # noqa: B010
        wrapper.__annotations__ = {"request": gr.Request}
        return wrapper
