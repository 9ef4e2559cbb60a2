"""Property-based fuzzing of the WebSocket protocol: whatever a client sends, the server answers
with schema-valid messages, keeps the connection and goes on scoring frames."""

from __future__ import annotations

import base64
import struct

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dancecoach.config import Settings
from tests.api.fakes import BLACK, GREY, WHITE, jpeg
from tests.api.wsclient import frame_binary, receive, receive_type

_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)
_VALID_IMAGES = [jpeg(GREY), jpeg(WHITE), jpeg(BLACK)]


@pytest.fixture(params=["off", "required"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Every test here runs on a server without accounts and on one with them."""
    settings.auth = request.param
    return settings


@pytest.fixture
def client(client: TestClient, settings: Settings) -> TestClient:
    """With accounts on, the client is a signed-in learner (an API token on every request)."""
    if settings.auth == "required":
        accounts = client.app.state.runtime.accounts  # type: ignore[attr-defined]
        user = accounts.add_user("dancer", "a long password", "learner")
        client.headers["Authorization"] = f"Bearer {accounts.create_api_token(user, None)}"
    return client


def _frame_like() -> st.SearchStrategy[str]:
    """Frame messages that are nearly right: odd data, odd timestamps, extra fields."""
    data = st.one_of(
        st.sampled_from(_VALID_IMAGES).map(
            lambda b: "data:image/jpeg;base64," + base64.b64encode(b).decode()
        ),
        st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
        st.text(max_size=40),
        _JSON_VALUES,
    )
    timestamp = st.one_of(
        st.floats(min_value=-10, max_value=100, allow_nan=False),
        st.integers(min_value=-1000, max_value=1000),
        _JSON_VALUES,
    )
    return st.fixed_dictionaries(
        {"type": st.just("frame"), "data": data, "timestamp": timestamp},
        optional={"session_id": st.text(max_size=34), "extra": _JSON_VALUES},
    ).map(lambda m: orjson.dumps(m).decode())


def _control() -> st.SearchStrategy[str]:
    kinds = st.sampled_from(
        ["pause", "resume", "seek", "ping", "camera_delay", "frame", "", "FRAME", "noise"]
    )
    delay = st.one_of(st.floats(min_value=-1, max_value=1), _JSON_VALUES)
    return st.fixed_dictionaries(
        {"type": kinds},
        optional={"timestamp": _JSON_VALUES, "data": _JSON_VALUES, "delay_s": delay},
    ).map(lambda m: orjson.dumps(m).decode())


_TEXT_MESSAGES = st.one_of(
    st.text(max_size=60),
    st.just('{"type": "frame", "data": "aGk=", "timestamp": 123456789012345678901234567890}'),
    _JSON_VALUES.map(lambda v: orjson.dumps(v).decode()),
    _frame_like(),
    _control(),
)
_BINARY_MESSAGES = st.one_of(
    st.binary(max_size=64),
    st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(_VALID_IMAGES)).map(
        lambda pair: struct.pack("<d", pair[0]) + pair[1]
    ),
)
_MESSAGES = st.lists(st.one_of(_TEXT_MESSAGES, _BINARY_MESSAGES), min_size=1, max_size=12)


@pytest.mark.timeout(120)
def test_any_message_sequence_leaves_the_session_working(
    client: TestClient, session_id: str
) -> None:
    @hypothesis_settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(messages=_MESSAGES)
    def run(messages: list[str | bytes]) -> None:
        with client.websocket_connect(f"/ws/{session_id}") as ws:
            assert receive(ws)["type"] == "state"
            for message in messages:
                if isinstance(message, bytes):
                    ws.send_bytes(message)
                else:
                    ws.send_text(message)
            # Every reply so far must follow the schema (receive validates it); then the
            # session must still be usable: resume, undo any camera delay, jump back, and a
            # good frame is scored.
            ws.send_text('{"type": "resume"}')
            ws.send_text('{"type": "camera_delay", "delay_s": 0}')
            ws.send_text('{"type": "seek"}')
            ws.send_bytes(frame_binary(jpeg(GREY), 0.5))
            while True:
                reply = receive(ws)
                if reply["type"] == "frame_result" and reply["timestamp"] == 0.5:
                    break
            assert reply["accuracy"] is not None

    run()
    # After all that, the server still answers over REST and the session state is consistent.
    state = client.get(f"/api/sessions/{session_id}").json()
    assert state["status"] == "active"
    assert state["frames_scored"] >= 60


def test_messages_on_one_socket_never_reach_another(client: TestClient, reference_id: str) -> None:
    first, second = (
        client.post("/api/sessions/create", json={"reference_video_id": reference_id}).json()[
            "session_id"
        ]
        for _ in range(2)
    )
    with (
        client.websocket_connect(f"/ws/{first}") as a,
        client.websocket_connect(f"/ws/{second}") as b,
    ):
        receive(a)
        receive(b)
        a.send_bytes(frame_binary(jpeg(GREY), 1.0))
        b.send_bytes(frame_binary(jpeg(GREY), 2.0))
        assert receive_type(a, "frame_result")["timestamp"] == 1.0
        assert receive_type(b, "frame_result")["timestamp"] == 2.0
