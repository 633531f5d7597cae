"""What the fake server records: requests, interaction responses, gateway connections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .payloads import JSON, LOADING_FLAG

# Interaction callback types (POST /interactions/{id}/{token}/callback).
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9


@dataclass
class RecordedRequest:
    """One HTTP request the bot made (the Authorization header is never kept)."""

    method: str
    path: str  # without the /api/v10 prefix, e.g. "/interactions/1/tok/callback"
    route: str  # matched template, e.g. "/interactions/{iid}/{token}/callback"; "*" if unknown
    query: dict[str, str]
    json: Any
    status: int
    time: float  # time.monotonic()

    @property
    def key(self) -> str:
        """'METHOD /path', the string rate-limit/fault patterns are searched in."""
        return f"{self.method} {self.path}"


@dataclass
class BotResponse:
    """One successful reply of the bot to an interaction."""

    kind: str  # "callback" | "followup" | "edit" | "delete"
    type: int | None  # callback type (4..9) for kind == "callback", else None
    data: JSON  # the request body ("data" of a callback, the whole body otherwise)
    time: float  # time.monotonic()
    message: JSON | None = None  # snapshot of the message created/edited, if any


@dataclass
class InteractionRecord:
    """An injected interaction and everything the bot answered to it."""

    id: str
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    payload: JSON
    injected_at: float
    responses: list[BotResponse] = field(default_factory=list)
    rejected: list[BotResponse] = field(default_factory=list)  # callbacks answered 400
    original: JSON | None = None  # the "@original" response message, kept up to date
    seq: int | None = None  # gateway sequence number it was dispatched with

    @property
    def callbacks(self) -> list[BotResponse]:
        """Successful callback responses (should be exactly one)."""
        return [r for r in self.responses if r.kind == "callback"]

    @property
    def callback_attempts(self) -> int:
        """Callback POSTs that reached the server (429s excluded): 1 means answered once."""
        return len(self.callbacks) + len(self.rejected)

    @property
    def callback_type(self) -> int | None:
        """Type of the first callback, or None if not acknowledged yet."""
        return self.callbacks[0].type if self.callbacks else None

    @property
    def latency(self) -> float | None:
        """Seconds from injection to the first successful response."""
        return self.responses[0].time - self.injected_at if self.responses else None

    @property
    def answer(self) -> JSON | None:
        """The latest visible (non-loading) message the bot produced for this interaction."""
        for resp in reversed(self.responses):
            msg = resp.message
            if resp.kind != "delete" and msg and not int(msg.get("flags") or 0) & LOADING_FLAG:
                return msg
        return None

    @property
    def choices(self) -> list[JSON] | None:
        """Autocomplete choices, once the bot answered with callback type 8."""
        for resp in self.callbacks:
            if resp.type == AUTOCOMPLETE_RESULT:
                return list(resp.data.get("choices") or [])
        return None


@dataclass
class GatewayConnection:
    """One websocket connection to the fake gateway."""

    path: str  # "/gateway" (DEFAULT_GATEWAY) or "/resume" (resume_gateway_url)
    query: dict[str, str]
    opened_at: float
    kind: str = "?"  # "identify" | "resume" | "resume-rejected" | "?" (none yet)
    closed_at: float | None = None
    close_code: int | None = None
    fault: str | None = None  # fault injected on it, e.g. "close:4000", "reset", "op7", "op9"
    heartbeats: int = 0
    ws: Any = field(default=None, repr=False)
    transport: Any = field(default=None, repr=False)
