"""Property-based fuzzing of every public endpoint: random, huge, binary and malformed input never
gives a 5xx or hangs (in process, Rasa unreachable so the core answers its safe message), and each
endpoint answers only with the status codes it is meant to give (a deleted route, 404/405, fails)."""
from __future__ import annotations

import base64
import json
import os

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from bot.gateway.app import create_app

# FUZZ_SCALE scales every test's number of examples (make test-fast: 0.1).
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
FAST = hsettings(max_examples=int(400 * SCALE) or 1, deadline=2000, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=20,
)
chat_like = st.fixed_dictionaries(
    {}, optional={"sender_id": json_values | st.text(max_size=200), "text": json_values | st.text(max_size=3000)}
)
raw_bodies = st.binary(max_size=5000) | st.text(max_size=5000).map(lambda s: s.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from bot.gateway.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'g.db'}",
                        secret_key="fuzz-secret", helpdesk_password="fuzz-pw", rasa_url="http://127.0.0.1:9",
                        rate_per_sender=10**9, rate_per_ip=10**9, line_channel_secret="s", line_channel_access_token="t",
                        line_api_base="http://127.0.0.1:9")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# What each endpoint may answer to anything at all: its success code(s), its refusals.
CHAT = {200, 400, 413, 415, 422, 429}
FEEDBACK = {201, 400, 404, 413, 422, 429}
FAX_API = {200, 400, 413, 422, 429}
FAX_FORM = {200, 400, 413, 422, 429}
LINE_WEBHOOK = {200, 400, 413}
SEARCH = {200, 400, 422, 429}
ANY_GET = {200, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 422}


def ok(response, allowed=ANY_GET) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.status_code in allowed, (response.status_code, response.text[:300])


@FAST
@given(body=chat_like)
def test_chat_json(client, body):
    ok(client.post("/api/chat", json=body), CHAT)


@FAST
@given(body=raw_bodies, content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_chat_raw(client, body, content_type):
    ok(client.post("/api/chat", content=body, headers={"content-type": content_type} if content_type else {}), CHAT)


@FAST
@given(body=st.dictionaries(st.sampled_from(["message_id", "helpful", "x"]), json_values, max_size=3))
def test_feedback(client, body):
    ok(client.post("/api/feedback", json=body), FEEDBACK)


FAX_KEYS = ["inquiry_type", "name", "furigana", "birth_date", "address", "reply_fax", "phone", "sender_name",
            "sender_relation", "device", "loss_kind", "lost_at", "lost_place", "police_report_number", "question"]


@hsettings(max_examples=int(200 * SCALE) or 1, deadline=5000, suppress_health_check=list(HealthCheck))
@given(body=st.dictionaries(st.sampled_from(FAX_KEYS), json_values | st.text(max_size=400), max_size=15))
def test_fax_json(client, body):
    ok(client.post("/api/fax", json=body), FAX_API)


@hsettings(max_examples=int(200 * SCALE) or 1, deadline=5000, suppress_health_check=list(HealthCheck))
@given(body=st.dictionaries(st.sampled_from(FAX_KEYS), st.text(max_size=400), max_size=15))
def test_fax_form(client, body):
    ok(client.post("/fax", data=body), FAX_FORM)


@FAST
@given(body=raw_bodies, signature=st.one_of(st.none(), st.text(max_size=60), st.binary(max_size=32).map(
    lambda b: base64.b64encode(b).decode())))
def test_line_webhook(client, body, signature):
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-line-signature"] = signature.encode("ascii", "ignore").decode()
    response = client.post("/webhooks/line/webhook", content=body, headers=headers)
    ok(response, LINE_WEBHOOK)  # never processed without a valid signature (only 200 if signed)


@FAST
@given(query=st.text(max_size=500))
def test_helpdesk_search(client, query):
    ok(client.get("/helpdesk/api/search", params={"q": query}, auth=("staff", "fuzz-pw")), SEARCH)


@FAST
@given(path=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80))
def test_any_get_path(client, path):
    from urllib.parse import quote

    ok(client.get("/" + quote(path.lstrip("/"), safe="/?=&")))


def test_json_with_lone_surrogates_and_nesting(client):
    ok(client.post("/api/chat", content=b'{"sender_id": "a", "text": "\\ud800"}', headers={"content-type": "application/json"}), CHAT)
    ok(client.post("/api/chat", content=json.dumps({"sender_id": "a", "text": [[[[[]]]]]}).encode(),
                   headers={"content-type": "application/json"}), CHAT)
    ok(client.post("/api/chat", content=b"[" * 10000, headers={"content-type": "application/json"}), CHAT)


def test_the_endpoints_exist_and_answer_a_valid_request(client):
    """The fuzz tests above would pass on refusals alone: a valid request to each gets its success code."""
    assert client.post("/api/chat", json={"sender_id": "fuzz-ok", "text": "カードをなくしました"}).status_code == 200
    assert client.get("/helpdesk/api/search", params={"q": "紛失"}, auth=("staff", "fuzz-pw")).status_code == 200
    fax = {"inquiry_type": "question", "name": "佐藤 太郎", "reply_fax": "0312345678", "question": "暗証番号を忘れました"}
    assert client.post("/api/fax", json=fax).status_code == 200
    assert client.post("/webhooks/line/webhook", content=b"{}", headers={"x-line-signature": "x"}).status_code == 400
