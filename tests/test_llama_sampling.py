"""The embedded model's grammar sampler: same tokens as the stock grammar path, always in the grammar."""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("llama_cpp")

from llama_cpp import Llama  # noqa: E402

from agents.models.providers.llama_sampling import FastGrammarLlama, GrammarLastSampler  # noqa: E402
from agents.models.providers.local_model import gguf_path  # noqa: E402

pytestmark = pytest.mark.slow

VERDICT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["move", "scores", "text"],
    "properties": {
        "move": {"enum": ["ask:q_ownership", "probe:evidence", "close"]},
        "scores": {"type": "array", "maxItems": 3, "items": {"enum": [1, 2, 3, 4, 5, None]}},
        "text": {"type": "string", "maxLength": 160},
    },
}
MESSAGES = [
    {"role": "system", "content": "You interview candidates for an AI engineer role."},
    {
        "role": "user",
        "content": "The candidate said: I shipped a ranking model. Choose a move, score three skills, and say your next line. JSON.",
    },
]


@pytest.fixture(scope="module")
def models():
    def load(cls):
        return cls(model_path=str(gguf_path("smollm2-135m")), n_ctx=1024, n_threads=os.cpu_count(), verbose=False)

    stock, fast = load(Llama), load(FastGrammarLlama)
    yield stock, fast
    stock.close()
    fast.close()


def complete(llama, schema, temperature, seed=7, messages=MESSAGES):
    out = llama.create_chat_completion(
        messages=messages,
        max_tokens=160,
        temperature=temperature,
        seed=seed,
        repeat_penalty=1.1,
        response_format={"type": "json_object", "schema": schema},
    )
    return out["choices"][0]["message"]["content"]


def test_greedy_output_is_token_for_token_the_stock_grammar_output(models):
    stock, fast = models
    expected = complete(stock, VERDICT, 0.0)
    got = complete(fast, VERDICT, 0.0)
    assert got == expected
    assert isinstance(fast._sampler, GrammarLastSampler)
    assert fast._sampler.resampled > 0  # the model's own picks broke the grammar and were corrected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sampled_output_always_fits_the_schema(models, seed):
    _, fast = models
    value = json.loads(complete(fast, VERDICT, 0.8, seed=seed))
    assert value["move"] in VERDICT["properties"]["move"]["enum"]
    assert len(value["scores"]) <= 3 and all(s is None or 1 <= s <= 5 for s in value["scores"])
    assert len(value["text"]) <= 160


def test_a_choice_the_model_would_never_make_is_still_forced(models):
    _, fast = models
    schema = {
        "type": "object",
        "required": ["animal"],
        "additionalProperties": False,
        "properties": {"animal": {"enum": ["xylophone-zebra"]}},
    }
    messages = [{"role": "user", "content": "Which pet says meow? Answer in JSON."}]
    assert json.loads(complete(fast, schema, 0.0, messages=messages)) == {"animal": "xylophone-zebra"}


def test_text_without_a_grammar_uses_the_stock_sampler(models):
    stock, fast = models
    messages = [{"role": "user", "content": "Name a colour."}]
    plain = [
        llama.create_chat_completion(messages=messages, max_tokens=12, temperature=0, seed=1)["choices"][0]["message"]["content"]
        for llama in (stock, fast)
    ]
    assert plain[0] == plain[1]
    assert not isinstance(fast._sampler, GrammarLastSampler)
