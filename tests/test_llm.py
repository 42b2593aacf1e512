"""The OpenAI-compatible backend against a real chat-completions server on 127.0.0.1.

The server (http.server in a thread) answers POST /v1/chat/completions with scripted answers: a
good attributed article, mutated articles (each error must be repaired or dropped by the verifier)
and malformed answers (each must raise ``LLMError`` or be handled as documented in llm.py). The
story is the invented one of ``synth_fixtures``; no model runs here.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newsloom import pipeline
from newsloom.config import Config, ConfigError, SynthesisConfig
from newsloom.eval.mutate import mutants
from newsloom.model import Story, Synthesis
from newsloom.synthesize.llm import (
    NO_CITATION,
    PROMPT_VERSION,
    LLMBackend,
    LLMError,
    from_config,
    parse_answer,
    source_lines,
)
from synth_fixtures import story_articles

NOW = datetime(2031, 3, 10, tzinfo=UTC)
MODEL = "test-model:7b"
STORY = Story(id=7, article_ids=[1, 2, 3, 4])


# -- the fake chat-completions server ------------------------------------------------------------
@dataclass
class Reply:
    """One scripted answer: message content, or an HTTP status with an error body, or a stall."""

    content: str | None = None
    status: int = 200
    stall: bool = False
    reject_json_mode: bool = False
    finish_reason: str = "stop"


@dataclass
class Script:
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _completion(content: str | None, model: str, finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_900_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("retry-after-ms", "1")  # the client's retries wait 1 ms, not seconds
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length))
        script = self.script
        script.requests.append(request)
        script.headers.append({k.lower(): v for k, v in self.headers.items()})
        reply = script.replies.pop(0) if script.replies else Reply(status=500)
        if reply.reject_json_mode and "response_format" in request:
            script.replies.insert(0, reply)  # the retry without JSON mode gets this reply
            self._send(
                400, {"error": {"message": "response_format is not supported", "type": "invalid"}}
            )
            return
        if reply.stall:
            script.release.wait(10)  # longer than the client's timeout; released at teardown
            return
        if reply.status != 200:
            self._send(reply.status, {"error": {"message": "model crashed", "type": "server"}})
            return
        self._send(200, _completion(reply.content, request.get("model", ""), reply.finish_reason))


@dataclass
class Server:
    script: Script
    base_url: str

    def backend(self, timeout: float = 5.0, max_retries: int = 0) -> LLMBackend:
        return LLMBackend(self.base_url, MODEL, None, timeout=timeout, max_retries=max_retries)

    def answer(self, *replies: Reply) -> None:
        self.script.replies.extend(replies)


@pytest.fixture
def server() -> Iterator[Server]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield Server(script, f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    finally:
        script.release.set()
        httpd.shutdown()
        httpd.server_close()


# -- scripted articles -----------------------------------------------------------------------------
ARTICLES = story_articles()
LINES = source_lines(ARTICLES)


def num(fragment: str, outlet: str | None = None) -> int:
    """The prompt number of the source sentence containing ``fragment``."""
    for line in LINES:
        if fragment in line.text and (outlet is None or line.outlet == outlet):
            return line.number
    raise AssertionError(f"no source sentence with {fragment!r}")


HEADLINE = "Storm Ardent destroyed 120 homes in Port Elmore"
GOOD = [
    [
        ("Storm Ardent destroyed 120 homes in Port Elmore, city officials said.", ["120 homes"]),
        ("Mayor Clara Vance said 14 people were injured in the storm.", ["14 people were injured"]),
        (
            "The regional hospital said 18 people were treated for storm injuries.",
            ["18 people were treated"],
        ),
    ],
    [
        (
            "President Mark Holloway ordered federal aid for the flooded region.",
            ["ordered federal"],
        ),
        (
            "The national weather agency said winds reached 150 kilometres per hour.",
            ["150 kilometres"],
        ),
        (
            '"We will rebuild every street and every school," Vance said at a news conference.',
            ["rebuild every street"],
        ),
    ],
]


def article(paragraphs: list[list[tuple[str, list[str]]]] = GOOD, headline: str = HEADLINE) -> str:
    """A model answer: each sentence cites the sources containing its fragments."""
    return json.dumps(
        {
            "headline": headline,
            "paragraphs": [
                [{"text": t, "cites": [num(f) for f in frags]} for t, frags in para]
                for para in paragraphs
            ],
        }
    )


def mutated(old: str, new: str) -> str:
    """The good article with one sentence's text changed (its citations kept)."""
    paras = [[(t.replace(old, new), f) for t, f in p] for p in GOOD]
    assert paras != GOOD, f"{old!r} is not in the good article"
    return article(paras)


def write(server: Server, content: str | None = None, words: int = 400, **kw: Any) -> Synthesis:
    if content is not None:
        server.answer(Reply(content))
    return server.backend(**kw).write(STORY, ARTICLES, version=3, words=words, now=NOW)


def texts(s: Synthesis) -> list[str]:
    return [x.text for x in s.sentences]


def dropped_with(s: Synthesis, fragment: str) -> list[str]:
    """The reasons of the dropped sentence containing ``fragment`` (fails if it was kept)."""
    assert not any(fragment in t for t in texts(s)), f"{fragment!r} was kept"
    for d in s.dropped:
        if fragment in d.text:
            assert d.verdict == "dropped" and d.reasons
            return d.reasons
    raise AssertionError(f"{fragment!r} neither kept nor dropped")


# -- the prompt ------------------------------------------------------------------------------------
def test_prompt_numbers_origins_only_and_skips_cut_sentences() -> None:
    outlets = {line.outlet for line in LINES}
    assert outlets == {"northwire.example", "harbourdaily.example", "coastpost.example"}
    assert all("expected to weaken" not in line.text for line in LINES)  # truncated last one
    assert [line.number for line in LINES] == list(range(1, len(LINES) + 1))
    for line in LINES:  # each number cites the exact characters of its article
        art = next(a for a in ARTICLES if a.id == line.article_id)
        assert art.text[line.start : line.end] == line.text


def test_prompt_budget_is_shared_round_robin_across_origins() -> None:
    few = source_lines(ARTICLES, max_sentences=6)
    assert len(few) == 6
    assert {line.outlet for line in few} == {
        "northwire.example",
        "harbourdaily.example",
        "coastpost.example",
    }
    assert all(line.text in {x.text for x in LINES[:2] + LINES[5:7] + LINES[10:12]} for line in few)


# -- a good answer ---------------------------------------------------------------------------------
def test_good_article_is_supported_and_records_model_and_prompt(server: Server) -> None:
    s = write(server, article())
    assert s.headline.text == HEADLINE and s.headline.verdict == "supported"
    assert len(s.sentences) == 6
    assert all(x.verdict == "supported" and x.citations for x in s.sentences), s.dropped
    assert not s.dropped
    assert (s.backend, s.model, s.prompt_version) == ("openai", MODEL, PROMPT_VERSION)
    assert (s.story_id, s.version, s.created_at) == (7, 3, NOW)
    # citations are the verifier's, recomputed: the hospital figure rests on harbourdaily only
    hospital = next(x for x in s.sentences if "hospital" in x.text)
    assert {c.article_id for c in hospital.citations} == {2}
    # one related source per origin, the copy grouped under its origin
    assert [r.outlet for r in s.related] == [
        "northwire.example",
        "harbourdaily.example",
        "coastpost.example",
    ]
    assert [c.outlet for c in s.related[0].copies] == ["mirrorfeed.example"]
    assert any(k.value.startswith("120") for k in s.key_facts)
    assert len(s.paragraphs) == 2


def test_request_carries_model_sources_and_json_mode(server: Server) -> None:
    write(server, article())
    (request,) = server.script.requests
    assert request["model"] == MODEL
    assert request["response_format"] == {"type": "json_object"}
    system, user = request["messages"]
    assert system["role"] == "system" and "cite" in system["content"]
    assert user["role"] == "user" and "at most 400 words" in user["content"]
    assert "[1] Storm Ardent hit the coastal city" in user["content"]
    assert "Source: harbourdaily.example (published Saturday 8 March 2031)" in user["content"]
    assert "mirrorfeed.example" not in user["content"]  # copies add no evidence
    assert server.script.headers[0]["authorization"] == "Bearer not-needed"


def test_fenced_json_with_chatter_around_it_is_parsed(server: Server) -> None:
    content = f"Here is the article:\n```json\n{article()}\n```\nI hope this helps! {{not json"
    s = write(server, content)
    assert len(s.sentences) == 6 and s.headline.text == HEADLINE


def test_inline_citation_marks_move_out_of_the_text(server: Server) -> None:
    content = json.dumps(
        {
            "headline": HEADLINE,
            "paragraphs": [
                [{"text": "Mayor Clara Vance said 14 people were injured in the storm [2, 7]."}]
            ],
        }
    )
    s = write(server, content)
    assert texts(s) == ["Mayor Clara Vance said 14 people were injured in the storm."]


def test_server_without_json_mode_is_asked_again_plainly(server: Server) -> None:
    server.answer(Reply(article(), reject_json_mode=True), Reply(article()))
    backend = server.backend()
    first = backend.write(STORY, ARTICLES, version=1, words=400, now=NOW)
    second = backend.write(STORY, ARTICLES, version=2, words=400, now=NOW)
    assert len(first.sentences) == len(second.sentences) == 6
    reqs = server.script.requests
    assert len(reqs) == 3
    assert "response_format" in reqs[0]
    assert "response_format" not in reqs[1] and "response_format" not in reqs[2]


# -- mutated answers: the verifier catches each ----------------------------------------------------
def test_changed_number_is_dropped(server: Server) -> None:
    s = write(server, mutated("destroyed 120 homes", "destroyed 130 homes"))
    reasons = dropped_with(s, "130 homes")
    assert any("130" in r or "supports" in r for r in reasons)
    assert len(s.sentences) == 5


def test_former_before_sitting_president_is_repaired(server: Server) -> None:
    s = write(server, mutated("President Mark Holloway", "Former President Mark Holloway"))
    fixed = next(x for x in s.sentences if "Holloway" in x.text)
    assert fixed.text == "President Mark Holloway ordered federal aid for the flooded region."
    assert fixed.verdict == "repaired"
    assert any("former" in r for r in fixed.reasons)
    assert "Former" not in s.text


def test_changed_quote_word_is_dropped(server: Server) -> None:
    s = write(server, mutated("every street", "every road"))
    reasons = dropped_with(s, "every road")
    assert any("quotation" in r for r in reasons)


def test_swapped_person_is_dropped(server: Server) -> None:
    s = write(server, mutated("Mayor Clara Vance said 14", "Mayor Mark Holloway said 14"))
    reasons = dropped_with(s, "Mayor Mark Holloway")
    assert any("Holloway" in r for r in reasons)
    assert "Mayor Mark Holloway" not in s.text


def test_sentence_without_citation_is_dropped_even_if_true(server: Server) -> None:
    paras = [list(p) for p in GOOD]
    paras[0][1] = (paras[0][1][0], [])  # a true sentence, but the model cited nothing
    s = write(server, article(paras))
    assert dropped_with(s, "Clara Vance said 14") == [NO_CITATION]
    assert len(s.sentences) == 5


def test_citation_numbers_outside_the_prompt_do_not_count(server: Server) -> None:
    content = json.dumps(
        {
            "headline": HEADLINE,
            "paragraphs": [
                [{"text": GOOD[0][0][0], "cites": [999]}, {"text": GOOD[0][1][0], "cites": ["2"]}]
            ],
        }
    )
    s = write(server, content)
    assert texts(s) == [GOOD[0][1][0]]
    assert "999" in dropped_with(s, "120 homes")[0]


def test_unsupported_headline_is_replaced_by_a_verified_sentence(server: Server) -> None:
    s = write(server, article(headline="Storm Ardent kills 40 in Port Elmore"))
    assert "40" not in s.headline.text
    assert s.headline.text == GOOD[0][0][0].rstrip(".")
    assert s.headline.verdict == "supported"
    assert any("40" in d.text for d in s.dropped)


def test_over_long_article_is_cut_to_the_budget(server: Server) -> None:
    s = write(server, article(), words=40)
    assert len(s.text.split()) <= 40
    assert any(d.reasons == ["over the 40-word budget"] for d in s.dropped)
    assert s.sentences  # the lead survives


def test_seeded_mutants_of_the_verifier_benchmark_are_all_caught(server: Server) -> None:
    """The mutation operators of ``newsloom.eval.mutate`` applied to the model's good article:
    each mutant, sent back as the model's answer, is dropped or repaired (injected text gone)."""
    good = write(server, article())
    backend = server.backend()
    kept = [m for m in mutants("LLM", good, ARTICLES, seed=0, per_kind=4) if not m.discarded]
    assert {m.kind for m in kept} >= {"number", "person", "role", "quote", "citation"}
    missed = []
    for m in kept:
        sources = list(m.articles) if m.articles is not None else ARTICLES
        lines = source_lines(sources)
        swap = {m.original: m.text}

        def cited(frags: list[str], lines: list[Any] = lines) -> list[int]:
            found = [ln.number for f in frags for ln in lines if f in ln.text]
            return found or [1]  # the citation kind removed the sources: cite something else

        answer = {
            "headline": swap.get(HEADLINE, HEADLINE),
            "paragraphs": [
                [{"text": swap.get(t, t), "cites": cited(f)} for t, f in p] for p in GOOD
            ],
        }
        server.answer(Reply(json.dumps(answer)))
        out = backend.write(STORY, sources, version=2, words=400, now=NOW)
        printed = [out.headline.text, *texts(out)]
        injected = m.token is not None and out.text.count(m.token) > good.text.count(m.token)
        if m.text in printed or injected:
            missed.append((m.kind, m.text))
    assert not missed
    assert len(kept) >= 12


def test_hyphenated_ex_before_sitting_president_is_repaired(server: Server) -> None:
    s = write(server, mutated("President Mark Holloway", "Ex-President Mark Holloway"))
    fixed = next(x for x in s.sentences if "Holloway" in x.text)
    assert fixed.text == "President Mark Holloway ordered federal aid for the flooded region."
    assert fixed.verdict == "repaired"


# -- malformed answers ----------------------------------------------------------------------------
def test_answer_without_any_citation_is_returned_empty_and_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    content = json.dumps(
        {"headline": HEADLINE, "paragraphs": [[{"text": t} for t, _ in p] for p in GOOD]}
    )
    with caplog.at_level(logging.WARNING, logger="newsloom.synthesize.llm"):
        s = write(server, content)
    assert not s.sentences
    assert len(s.dropped) == 6 and all(d.reasons == [NO_CITATION] for d in s.dropped)
    assert "dropped all 6 sentences" in caplog.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"headline": "Storm hits", "paragraphs": [[{"text": "A storm', "not valid JSON"),
        ("The storm destroyed many homes.", "no JSON object"),
        ('{"title": "Storm", "body": "A storm hit."}', "lacks the asked shape"),
        ('{"headline": "Storm", "paragraphs": "A storm hit."}', "lacks the asked shape"),
        ('{"headline": "Storm", "paragraphs": [[{"cites": [1]}]]}', "is not {'text', 'cites'}"),
        ('["Storm", "A storm hit."]', "holds no JSON object"),
        ("", "empty answer"),
        (None, "empty answer"),
    ],
)
def test_malformed_answer_raises(server: Server, content: str | None, message: str) -> None:
    server.answer(Reply(content))
    with pytest.raises(LLMError) as err:
        write(server)
    assert message in err.value.reason


def test_http_500_raises_with_the_status(server: Server) -> None:
    server.answer(Reply(status=500))
    with pytest.raises(LLMError, match="HTTP 500"):
        write(server)


def test_transient_500_is_retried_by_the_client(server: Server) -> None:
    server.answer(Reply(status=500), Reply(article()))
    s = write(server, max_retries=1)
    assert len(s.sentences) == 6
    assert len(server.script.requests) == 2


def test_slow_server_raises_timeout(server: Server) -> None:
    server.answer(Reply(stall=True))
    with pytest.raises(LLMError, match="did not answer within 0.3 s"):
        write(server, timeout=0.3)


def test_unreachable_server_raises() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = LLMBackend(f"http://127.0.0.1:{port}/v1", MODEL, None, timeout=2, max_retries=0)
    with pytest.raises(LLMError, match="cannot connect"):
        backend.write(STORY, ARTICLES, version=1, words=400, now=NOW)


def test_parse_answer_takes_the_first_article_object() -> None:
    data = parse_answer('{"headline": "A", "paragraphs": []} {"headline": "B", "paragraphs": []}')
    assert data["headline"] == "A"
    thinking = '<think>Plan: {"draft": 1} then write.</think>\n{"headline": "C", "paragraphs": []}'
    assert parse_answer(thinking)["headline"] == "C"
    noted = 'Note {braces} first. {"headline": "D", "paragraphs": [[]]} done.'
    assert parse_answer(noted)["headline"] == "D"
    with pytest.raises(LLMError, match="not valid JSON"):  # cut at the token limit
        parse_answer('{"headline": "E", "paragraphs": [[{"text": "A.", "cites": [1]}]')


# -- configuration --------------------------------------------------------------------------------
def test_from_config_reads_the_key_from_the_named_variable(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSLOOM_TEST_KEY", "sk-local-test")
    cfg = SynthesisConfig(
        backend="openai", base_url=server.base_url, model=MODEL, api_key_env="NEWSLOOM_TEST_KEY"
    )
    backend = from_config(cfg)
    assert (backend.model, backend.timeout) == (MODEL, 60.0)
    server.answer(Reply(article()))
    s = backend.write(STORY, ARTICLES, version=1, words=400, now=NOW)
    assert s.model == MODEL
    assert server.script.headers[0]["authorization"] == "Bearer sk-local-test"


def test_from_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSLOOM_UNSET_KEY", raising=False)
    cfg = SynthesisConfig(
        backend="openai",
        base_url="http://127.0.0.1:9/v1",
        model=MODEL,
        api_key_env="NEWSLOOM_UNSET_KEY",
    )
    with pytest.raises(ConfigError, match="NEWSLOOM_UNSET_KEY"):
        from_config(cfg)
    with pytest.raises(ConfigError, match="base_url and model"):
        from_config(SynthesisConfig(backend="openai", model=MODEL))


# -- the pipeline's use of the backend ---------------------------------------------------------
def _cfg(server: Server) -> Config:
    cfg = Config()
    cfg.synthesis = SynthesisConfig(
        backend="openai", base_url=server.base_url, model=MODEL, timeout=5.0
    )
    return cfg


def test_pipeline_uses_the_model_when_its_answer_verifies(server: Server) -> None:
    server.answer(Reply(article()))
    llm = from_config(_cfg(server).synthesis)
    result = pipeline.synthesize_story(_cfg(server), STORY, list(ARTICLES), version=1, llm=llm)
    assert result is not None and result.backend == "openai" and result.model == MODEL


NO_CITES = json.dumps(
    {"headline": HEADLINE, "paragraphs": [[{"text": t} for t, _ in p] for p in GOOD]}
)


@pytest.mark.parametrize("reply", [Reply("not json at all"), Reply(status=500), Reply(NO_CITES)])
def test_pipeline_falls_back_to_extractive_when_the_model_fails(
    server: Server, reply: Reply
) -> None:
    server.answer(reply, reply)
    cfg = _cfg(server)
    llm = from_config(cfg.synthesis)
    result = pipeline.synthesize_story(cfg, STORY, list(ARTICLES), version=1, llm=llm)
    assert result is not None and result.backend == "extractive"
    assert result.sentences and all(s.verdict != "dropped" for s in result.sentences)
