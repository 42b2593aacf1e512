"""The OpenAI-compatible backend: a language model writes the draft, the verifier has the last word.

    backend = from_config(cfg.synthesis)            # or LLMBackend(base_url, model, api_key)
    synthesis = backend.write(story, articles, version=1, words=600)

Any server that speaks the chat-completions protocol works through the official ``openai``
client: Ollama, vLLM, llama.cpp's server, hosted APIs (docs/llm.md). The model sees the story's
source sentences, numbered, and answers with JSON in which every sentence cites the numbers it
rests on. Its draft is then treated exactly like the extractive backend's: ``newsloom.verify``
recomputes every citation from the sources and repairs or drops each sentence that breaks a rule
(numbers, quotes, people, roles), with the reason stored. A fluent model is not trusted more than a
copied sentence; it is trusted less, so a sentence for which the model names no source sentence at
all is dropped before the verifier even looks at it.

**Fallback.** Every failure of the model server or of its answer (timeout, connection refused,
HTTP error, answer that is not JSON or not of the asked shape) raises :class:`LLMError` with a
reason a person can act on. The pipeline catches it and writes the story with the extractive
backend instead, logging the reason, so a dead model server never leaves a story unwritten. An
answer that parses but whose every sentence the verifier drops is *returned* (the dropped
sentences and their reasons are the evidence) and logged as a warning; whether to fall back then
is the caller's decision (:func:`is_empty`).

The model name and :data:`PROMPT_VERSION` are stored with every synthesis so a reader knows which
model and which prompt wrote it; change ``PROMPT_VERSION`` whenever the prompt text changes.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from newsloom.config import ConfigError, SynthesisConfig
from newsloom.model import Article, Citation, Sentence, Story, Synthesis
from newsloom.verify import SourceIndex, SourceSentence, verify

from . import related_sources
from .facts import key_facts
from .select import representatives

log = logging.getLogger(__name__)

__all__ = [
    "PROMPT_VERSION",
    "LLMBackend",
    "LLMError",
    "SourceLine",
    "build_messages",
    "draft",
    "fit",
    "from_config",
    "is_empty",
    "parse_answer",
    "source_lines",
]

PROMPT_VERSION = "1"
MAX_SENTENCES = 120  # source sentences shown to the model at most
MAX_CHARS = 24_000  # and their characters (~6k tokens): with the answer, fits an 8k context
NO_CITATION = "the model cited no source sentence for it"

SYSTEM_PROMPT = """\
You are a careful wire-service editor. From numbered source sentences written by several \
news outlets you write ONE neutral news article about the event they report.

Rules:
1. State only what the source sentences state. Add nothing from your own knowledge.
2. After every sentence you write, cite the numbers of the source sentences that support it. \
Do not write a sentence that no source sentence supports.
3. Quotations: copy them word for word from a cited sentence, inside double quotes.
4. Numbers, dates and names: copy them exactly as the sources print them.
5. Attribute claims to whoever made them ("police said", "the ministry said"). When sources \
disagree (different figures or accounts), give each version with who said it.
6. Give a person only a title or role (President, Mayor, former, acting, ...) that most \
sources give that person; never one that no source gives.
7. Neutral wording: no opinions, no speculation, no adjectives of your own.
8. Order: what happened (who, what, where, when); then figures and damage; then reactions and \
quotes; then context. Short paragraphs of two to four sentences.
9. A headline that says who did what, 14 words or fewer, with no citation marks in it.
10. Keep within the word limit you are given (headline included).

Answer with one JSON object and nothing else, in exactly this shape:
{"headline": "Who did what", "paragraphs": [[{"text": "One sentence.", "cites": [1, 4]}, \
{"text": "Another sentence.", "cites": [2]}], [{"text": "...", "cites": [7]}]]}"""


class LLMError(Exception):
    """The model server or its answer could not be used; ``reason`` says why, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceLine:
    """A numbered source sentence of the prompt and the character span it cites."""

    number: int
    article_id: int
    outlet: str
    start: int
    end: int
    text: str

    @property
    def citation(self) -> Citation:
        return Citation(self.article_id, self.start, self.end)


# -- the prompt (pure) ----------------------------------------------------------------------------
def source_lines(
    articles: Sequence[Article],
    max_sentences: int = MAX_SENTENCES,
    max_chars: int = MAX_CHARS,
    index: SourceIndex | None = None,
) -> list[SourceLine]:
    """The numbered source sentences the model sees.

    English articles only, one per independent origin (a syndicated copy adds no evidence, only
    tokens), complete sentences only (a cut last sentence is never a claim: the same
    ``SourceIndex`` the verifier uses decides both). When the story is larger than the budget,
    sentences are taken round-robin across origins, leads first, so every origin is heard and
    the top of each article (where the facts are) comes first. Numbered in reading order:
    origins by time, then sentence position. ``index`` may be passed when already built."""
    index = index or SourceIndex(articles)
    reps = sorted(representatives(list(index.articles.values())), key=lambda a: (a.time, a.id or 0))
    per_article: dict[int, list[SourceSentence]] = {a.id: [] for a in reps}  # type: ignore[misc]
    for s in index.sentences:
        if s.article_id in per_article:
            per_article[s.article_id].append(s)
    chosen: set[tuple[int, int]] = set()
    chars = 0
    depth = 0
    while len(chosen) < max_sentences and any(depth < len(v) for v in per_article.values()):
        for sents in per_article.values():
            if depth < len(sents) and len(chosen) < max_sentences:
                s = sents[depth]
                if chars + len(s.text) > max_chars:
                    continue
                chosen.add((s.article_id, s.index))
                chars += len(s.text)
        depth += 1
    out: list[SourceLine] = []
    for a in reps:
        for s in per_article[a.id]:  # type: ignore[index]
            if (s.article_id, s.index) in chosen:
                out.append(SourceLine(len(out) + 1, s.article_id, a.outlet, s.start, s.end, s.text))
    return out


def build_messages(
    lines: Sequence[SourceLine], articles: Sequence[Article], words: int
) -> list[dict[str, str]]:
    """The chat messages: the fixed rules (system) and this story's sources and budget (user).

    Each source block names its outlet and publication date, so the model can attribute claims
    and turn "on Saturday" into a date; the verifier accepts such a date only within a week of a
    cited article's date."""
    by_id = {a.id: a for a in articles}
    blocks: list[str] = []
    current: int | None = None
    for line in lines:
        if line.article_id != current:
            current = line.article_id
            a = by_id[current]
            d = a.published_at
            date = f"{d:%A} {d.day} {d:%B %Y}" if d else "date unknown"
            blocks.append(f"\nSource: {a.outlet} (published {date})")
        blocks.append(f"[{line.number}] {line.text}")
    user = (
        f"Write the article in at most {words} words, headline included. "
        "Cite source sentences by their numbers.\n" + "\n".join(blocks)
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


# -- the answer (pure) ----------------------------------------------------------------------------
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_INLINE_CITES = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def parse_answer(content: str | None) -> dict[str, Any]:
    """The JSON object in a model's answer, tolerating what models add around it.

    Accepted: bare JSON, JSON inside ```json fences, a reasoning model's <think>...</think> block,
    text before the object and anything after its closing brace (models like to explain
    themselves). The first object with a "headline" wins. Raises ``LLMError`` for an empty
    answer, no JSON object, or a JSON object without "headline" (string) and "paragraphs" (a
    list)."""
    if content is None or not content.strip():
        raise LLMError("the model returned an empty answer")
    text = _THINK.sub("", content)
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    decoder = json.JSONDecoder()
    starts = [m.start() for m in re.finditer(r"\{", text)][:200]
    if not starts:
        raise LLMError(f"the model's answer holds no JSON object: {_clip(content)!r}")
    objects: list[dict[str, Any]] = []
    first_error: json.JSONDecodeError | None = None
    for i, start in enumerate(starts):
        try:
            obj, _ = decoder.raw_decode(text[start:])
        except json.JSONDecodeError as exc:
            first_error = exc if i == 0 else first_error
            continue
        objects.append(obj)
        if "headline" in obj:
            break
    data = next((o for o in objects if "headline" in o), None)
    if data is None:
        if first_error is not None:  # the outermost object is broken (cut or misquoted)
            raise LLMError(
                f"the model's answer is not valid JSON ({first_error.msg}): {_clip(content)!r}"
            )
        data = objects[0]
    if not isinstance(data.get("headline"), str) or not isinstance(data.get("paragraphs"), list):
        raise LLMError(
            "the model's JSON lacks the asked shape (a string 'headline' and a list "
            f"'paragraphs'); keys: {sorted(data)}"
        )
    return data


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _cites(raw: Any) -> list[int]:
    """Citation numbers as given: ints, digit strings, "[3]" or "3, 4"; anything else ignored."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out: list[int] = []
    for item in items:
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            out.append(item)
        elif isinstance(item, str):
            out.extend(int(d) for d in re.findall(r"\d+", item))
    return out


def _sentence(item: Any) -> tuple[str, list[int]]:
    """One written sentence and its cited numbers; citation marks left in the text move out."""
    if isinstance(item, str):
        text, cites = item, []
    elif isinstance(item, dict) and isinstance(item.get("text"), str):
        text, cites = item["text"], _cites(item.get("cites", item.get("citations")))
    else:
        raise LLMError(f"a sentence of the model's JSON is not {{'text', 'cites'}}: {item!r}")
    for m in _INLINE_CITES.finditer(text):
        cites.extend(int(d) for d in re.findall(r"\d+", m.group(1)))
    text = _INLINE_CITES.sub("", text).strip()
    return text, cites


def draft(
    data: dict[str, Any],
    lines: Sequence[SourceLine],
    story: Story,
    version: int,
    now: datetime,
) -> Synthesis:
    """The model's answer as an unverified ``Synthesis`` (citations as the model gave them).

    A sentence citing no valid source number goes straight to ``dropped`` with its reason: the
    prompt demands a citation per sentence, and a model that cannot say where a sentence comes
    from does not get the benefit of the doubt."""
    by_number = {line.number: line for line in lines}
    paragraphs: list[list[Sentence]] = []
    dropped: list[Sentence] = []
    for para in data["paragraphs"]:
        items = para if isinstance(para, list) else [para]
        kept: list[Sentence] = []
        for item in items:
            text, numbers = _sentence(item)
            if not text:
                continue
            cites = [by_number[n].citation for n in dict.fromkeys(numbers) if n in by_number]
            if cites:
                kept.append(Sentence(text, cites))
            else:
                reason = NO_CITATION
                if numbers:
                    reason += f" (cited numbers {numbers} are not in the sources)"
                dropped.append(Sentence(text, [], "dropped", [reason]))
        if kept:
            paragraphs.append(kept)
    return Synthesis(
        story_id=story.id,
        version=version,
        headline=Sentence(_INLINE_CITES.sub("", data["headline"]).strip()),
        paragraphs=paragraphs,
        related=[],
        created_at=now,
        dropped=dropped,
    )


def fit(synthesis: Synthesis, words: int) -> Synthesis:
    """Drop sentences from the end until headline and body fit ``words`` whitespace words
    (the evaluation's count); a model that writes too long does not get the extra space."""
    total = len(synthesis.text.split())
    paragraphs = [list(p) for p in synthesis.paragraphs]
    dropped = list(synthesis.dropped)
    while total > words and paragraphs:
        s = paragraphs[-1].pop()
        if not paragraphs[-1]:
            paragraphs.pop()
        total -= len(s.text.split())
        dropped.append(replace(s, verdict="dropped", reasons=[f"over the {words}-word budget"]))
    return replace(synthesis, paragraphs=paragraphs, dropped=dropped)


def is_empty(synthesis: Synthesis) -> bool:
    """True when nothing the model wrote survived the verifier (a caller may fall back)."""
    return not synthesis.sentences


# -- the shell: one HTTP call -------------------------------------------------------------------
class LLMBackend:
    """A chat-completions server and model. Build it once per run; ``write`` is one request.

    ``api_key`` may be None for local servers (Ollama, vLLM, llama.cpp do not check it; the
    client needs some string). ``max_retries`` is the client's retry count on connection errors,
    408/409/429 and 5xx answers. A server that rejects ``response_format`` (JSON mode) is asked
    again without it, once, and not asked with it again."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float = 60.0,
        max_retries: int = 1,
        max_sentences: int = MAX_SENTENCES,
        max_chars: int = MAX_CHARS,
    ) -> None:
        try:
            import openai
        except ImportError as exc:  # pragma: no cover - the extra is not installed
            raise ConfigError(
                '[synthesis] backend = "openai" needs the openai package: '
                "pip install 'newsloom[llm]'"
            ) from exc
        self._openai = openai
        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.json_mode = True
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=max_retries,
        )

    def write(
        self,
        story: Story,
        articles: Sequence[Article],
        version: int,
        words: int,
        now: datetime | None = None,
    ) -> Synthesis:
        """Ask the model for the story's article and return it verified.

        Raises ``LLMError`` when the server or the answer cannot be used (the caller falls back to
        the extractive backend). The result's citations are the verifier's, recomputed from the
        sources; its ``backend``, ``model`` and ``prompt_version`` say who wrote it."""
        index = SourceIndex(articles)
        lines = source_lines(articles, self.max_sentences, self.max_chars, index)
        if not lines:
            raise LLMError("the story has no complete English source sentence to show the model")
        messages = build_messages(lines, articles, words)
        content = self._complete(messages)
        data = parse_answer(content)
        synthesis = draft(data, lines, story, version, now or datetime.now(UTC))
        synthesis = replace(
            synthesis,
            backend="openai",
            model=self.model,
            prompt_version=PROMPT_VERSION,
            related=related_sources(articles),
            article_ids=[a.id for a in articles if a.id is not None],
        )
        written = len(synthesis.sentences) + len(synthesis.dropped)
        synthesis = fit(verify(synthesis, articles), words)
        if not synthesis.headline.text and synthesis.paragraphs:
            # a dropped headline: the first verified sentence stands in, as in the extractive path
            first = synthesis.paragraphs[0][0]
            rest = [synthesis.paragraphs[0][1:], *synthesis.paragraphs[1:]]
            synthesis = replace(
                synthesis,
                headline=replace(first, text=first.text.rstrip(".")),
                paragraphs=[p for p in rest if p],
            )
        synthesis.key_facts = key_facts([s.text for s in synthesis.sentences], index, articles)
        if is_empty(synthesis):
            log.warning(
                "story %s: the verifier dropped all %d sentences model %s wrote; first reasons: %s",
                story.id,
                written,
                self.model,
                [s.reasons for s in synthesis.dropped[:3]],
            )
        else:
            log.info(
                "story %s: model %s wrote %d sentences, %d kept",
                story.id,
                self.model,
                written,
                len(synthesis.sentences),
            )
        return synthesis

    def _complete(self, messages: list[dict[str, str]]) -> str | None:
        """One chat completion; every client failure becomes an ``LLMError`` with its reason."""
        openai = self._openai
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if self.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        try:
            try:
                response = self.client.chat.completions.create(**kwargs)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not self.json_mode:
                    raise
                # servers without JSON mode (or a fixed temperature) reject the request: ask plainly
                log.info("%s rejected JSON mode (%s); asking without it", self.base_url, exc)
                kwargs.pop("response_format")
                kwargs.pop("temperature")
                response = self.client.chat.completions.create(**kwargs)
                self.json_mode = False  # it worked without: do not ask with it again
        except openai.APITimeoutError as exc:
            raise LLMError(
                f"the model server at {self.base_url} did not answer within {self.timeout:g} s"
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError(f"cannot connect to the model server at {self.base_url}: {exc}") from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the model server at {self.base_url} answered HTTP {exc.status_code}: "
                f"{_clip(str(exc.message), 200)}"
            ) from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"the model server at {self.base_url} failed: {exc}") from exc
        if not getattr(response, "choices", None):
            raise LLMError("the model server's answer has no choices")
        choice = response.choices[0]
        content = choice.message.content if choice.message else None
        if choice.finish_reason == "length" and content:
            log.warning("model %s stopped at its token limit; the JSON may be cut", self.model)
        return content


def from_config(cfg: SynthesisConfig) -> LLMBackend:
    """The backend ``[synthesis]`` describes. Raises ``ConfigError`` when ``base_url`` or
    ``model`` is missing or ``api_key_env`` names an environment variable that is not set (a
    hosted API would only answer 401 later; better to say what to fix now)."""
    if not cfg.base_url or not cfg.model:
        raise ConfigError(
            '[synthesis] backend = "openai" needs base_url and model, e.g. '
            'base_url = "http://127.0.0.1:11434/v1" and model = "llama3.1:8b"'
        )
    api_key = None
    if cfg.api_key_env:
        api_key = os.environ.get(cfg.api_key_env)
        if not api_key:
            raise ConfigError(
                f"[synthesis] api_key_env names {cfg.api_key_env}, but that environment variable "
                "is not set"
            )
    return LLMBackend(cfg.base_url, cfg.model, api_key, timeout=cfg.timeout)
