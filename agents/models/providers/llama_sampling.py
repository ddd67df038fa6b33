"""Grammar-constrained sampling for the embedded model that runs the grammar only when it must.

llama-cpp-python puts the JSON grammar first in its sampler chain, so every generated token
checks all ~49k vocabulary entries against the grammar; on 2 cores that cost about 4 ms a
token, as much as the model itself. llama.cpp's own tools sample differently and so do we:
sample from the chain without the grammar, ask the grammar whether that one token is allowed,
and only if it is not, sample again with the grammar applied first (to the likeliest tokens,
or the whole vocabulary when none of those fits). Greedy decoding gives the same tokens either
way; sampling keeps the chain's distribution whenever the model's own pick fits the grammar.

This reaches into llama-cpp-python's sampler hook (`Llama._init_sampler`), so the package
version is pinned in pyproject.toml and a slow test compares the outputs with the stock path.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import Llama
from llama_cpp._internals import LlamaSampler

# Candidates the grammar judges before falling back to the whole vocabulary.
SHORTLIST = 512
# Must match llama.cpp's `llama_token_data` struct: (int32 id, float logit, float p).
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


class _Candidates:
    """A reusable `llama_token_data_array` over a numpy buffer, so each token costs no allocation."""

    def __init__(self, size: int):
        self.buffer = np.zeros(size, dtype=_TOKEN_DATA)
        self.ids = np.arange(size, dtype=np.int32)
        self.pointer = self.buffer.ctypes.data_as(llama_cpp.llama_token_data_p)
        self.array = llama_cpp.llama_token_data_array(data=self.pointer, size=size, selected=-1, sorted=False)
        self.ref = ctypes.byref(self.array)

    def fill(self, ids: np.ndarray, logits: np.ndarray) -> None:
        n = len(ids)
        self.buffer["id"][:n] = ids
        self.buffer["logit"][:n] = logits
        self.buffer["p"][:n] = 0.0
        # A sampler may leave `data` pointing at its own copy; always start from our buffer.
        # ctypes accepts the pointer where the stub declares an array.
        self.array.data, self.array.size, self.array.selected, self.array.sorted = self.pointer, n, -1, False  # type: ignore[assignment]

    def selected_token(self) -> int:
        if not 0 <= self.array.selected < self.array.size:
            raise RuntimeError("the sampler chain selected no token")
        return int(self.array.data[self.array.selected].id)


class GrammarLastSampler:
    """Drop-in for llama-cpp-python's sampler: same `sample(ctx, idx)`, grammar checked per pick."""

    def __init__(self, chain: LlamaSampler, grammar: LlamaSampler, n_vocab: int):
        self._chain = chain
        self._grammar = grammar
        self._n_vocab = n_vocab
        self._all = _Candidates(n_vocab)
        self._one = _Candidates(1)
        self.resampled = 0  # how often the model's own pick broke the grammar (for tests)

    def _pick(self, logits: np.ndarray) -> int:
        self._all.fill(self._all.ids, logits)
        llama_cpp.llama_sampler_apply(self._chain.sampler, self._all.ref)
        return self._all.selected_token()

    def _pick_in_grammar(self, logits: np.ndarray) -> int:
        # The grammar only has to judge the likeliest tokens: the chain after it keeps at most
        # top_k of them and min_p drops the long tail. The whole vocabulary is the fallback.
        likeliest = np.argpartition(logits, -SHORTLIST)[-SHORTLIST:]
        self._all.fill(likeliest.astype(np.int32), logits[likeliest])
        llama_cpp.llama_sampler_apply(self._grammar.sampler, self._all.ref)
        if np.isinf(self._all.buffer["logit"][:SHORTLIST]).all():
            self._all.fill(self._all.ids, logits)
            llama_cpp.llama_sampler_apply(self._grammar.sampler, self._all.ref)
        llama_cpp.llama_sampler_apply(self._chain.sampler, self._all.ref)
        return self._all.selected_token()

    def allows(self, token: int) -> bool:
        """Whether the grammar, in its current state, accepts `token` next."""
        self._one.fill(np.array([token], dtype=np.int32), np.zeros(1, dtype=np.float32))
        llama_cpp.llama_sampler_apply(self._grammar.sampler, self._one.ref)
        return not math.isinf(float(self._one.buffer["logit"][0]))

    def sample(self, ctx: Any, idx: int = -1) -> int:
        pointer = llama_cpp.llama_get_logits_ith(ctx.ctx, idx)
        logits = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))
        token = self._pick(logits)
        if not self.allows(token):
            self.resampled += 1
            token = self._pick_in_grammar(logits)
        self._grammar.accept(token)
        self._chain.accept(token)
        return token


class FastGrammarLlama(Llama):
    """`Llama` whose grammar-constrained generation uses GrammarLastSampler."""

    def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
        chain = super()._init_sampler(*args, grammar=None, **kwargs)  # type: ignore[misc]  # grammar is never positional
        if grammar is None:
            return chain
        checker = LlamaSampler()
        checker.add_grammar(self._model, grammar)
        return GrammarLastSampler(chain, checker, self.n_vocab())
