"""Session-wide guards: no test reaches a real model provider or writes the real response cache."""

from __future__ import annotations

import pytest

from agents.models import gateway
from agents.models.providers import litellm_provider
from agents.models.providers.scripted import clear_scripted


@pytest.fixture(autouse=True)
def _block_real_model_calls(monkeypatch, tmp_path):
    """Refuse every litellm call whose api_base is not loopback; keep the cache in tmp_path.

    Scripted and local models stay available, and so do servers a test starts on loopback.
    """
    monkeypatch.setattr(litellm_provider, "ALLOW_REMOTE_CALLS", False)
    monkeypatch.setattr(gateway, "DEFAULT_CACHE_PATH", tmp_path / "response_cache.sqlite")
    yield
    clear_scripted()


@pytest.fixture
def fake_gateway(tmp_path):
    """Factory: register a fake as scripted/<name> and return a Gateway routing every role to it.

    Extra keyword arguments are RoleModel parameters (temperature, seed, timeout, ...).
    """
    from agents.models.config import ModelsConfig
    from agents.models.gateway import Gateway
    from agents.models.providers.scripted import register_scripted

    def build(name, fake, *, use_cache=True, concurrency=8, max_retries=3, backoff_s=0.0, **params):
        register_scripted(name, fake)
        return Gateway(
            ModelsConfig.for_all(f"scripted/{name}", **params),
            cache_path=tmp_path / "gateway_cache.sqlite",
            use_cache=use_cache,
            concurrency=concurrency,
            max_retries=max_retries,
            backoff_s=backoff_s,
        )

    return build
