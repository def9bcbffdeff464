"""Close what Gradio's own auth leaves open.

With ``auth`` on, Gradio guards its data routes but still accepts POSTs to
``/gradio_api/cancel`` and ``/gradio_api/reset`` (and the heartbeat stream) without a
login. This ASGI middleware refuses every ``/gradio_api/`` request that carries no valid
session cookie, except the few the login page itself needs.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

OPEN_PATHS = (
    "/gradio_api/app_id",
    "/gradio_api/token",
    "/gradio_api/user",
    "/gradio_api/startup-events",
    "/gradio_api/theme.css",
    "/gradio_api/login_check",
    "/gradio_api/info",
)


def _logged_in(scope: dict[str, Any], app: Any) -> bool:
    headers = dict(scope.get("headers") or [])
    raw = headers.get(b"cookie", b"").decode("latin-1")
    cookie = SimpleCookie()
    try:
        cookie.load(raw)
    except Exception:  # a malformed cookie header is simply not a login
        return False
    cid = getattr(app, "cookie_id", "")
    tokens = getattr(app, "tokens", {}) or {}
    for name in (f"access-token-{cid}", f"access-token-unsecure-{cid}"):
        if name in cookie and cookie[name].value in tokens:
            return True
    return False


class AuthGate:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            gradio_app = scope.get("app")
            path = scope.get("path", "")
            needs_login = getattr(gradio_app, "auth", None) is not None
            if needs_login and path.startswith("/gradio_api/") and not path.startswith(OPEN_PATHS):
                if not _logged_in(scope, gradio_app):
                    if scope["type"] == "websocket":
                        await send({"type": "websocket.close", "code": 1008})
                        return
                    body = b'{"detail":"Not authenticated"}'
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 401,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
