"""The one seam to the models: the gateway every call passes, its providers, and what guards it.

`gateway.Gateway` is the only way a role reaches a model. Around it: model settings per role (`config`), the
response cache, rate limits, retry hints, the circuit breaker, deadlines and per-call accounting. Providers
(`providers/`) are litellm, the embedded model, the baseline graders, callables and scripted fakes.
May import: the data layer and the top-level modules of `agents` (records, client, output schemas, wording).
"""
