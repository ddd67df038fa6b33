"""Model configuration per role: defaults, precedence of sources, and errors that name the key."""

from __future__ import annotations

import pytest

from agents.models.config import ROLE_DEFAULTS, ConfigError, ModelsConfig, RoleModel, resolve_models
from agents.records import ROLES

GRADER_TOML = """
[models.grader]
model = "openai/gpt-4o-mini"
temperature = 0.2
max_tokens = 300

[models.judge]
model = "openai/smollm2"
api_base = "http://127.0.0.1:8080/v1"
timeout = 30
"""


def test_defaults_put_every_role_on_the_embedded_model():
    config = resolve_models(environ={})
    assert {config.role(r).model for r in ROLES} == {"local/smollm2-135m"}
    assert (config.grader.temperature, config.judge.temperature) == (0.0, 0.0)
    assert (config.interviewer.temperature, config.candidate.temperature) == (0.7, 0.7)
    assert [config.role(r).max_tokens for r in ROLES] == [ROLE_DEFAULTS[r]["max_tokens"] for r in ROLES]
    assert all(config.role(r).seed is None for r in ROLES)
    assert resolve_models(environ={}) == ModelsConfig()


def test_for_all_uses_one_model_and_keeps_role_defaults():
    config = ModelsConfig.for_all("scripted/x", timeout=5)
    assert {config.role(r).model for r in ROLES} == {"scripted/x"}
    assert config.grader.temperature == 0.0 and config.candidate.max_tokens == ROLE_DEFAULTS["candidate"]["max_tokens"]
    assert config.judge.timeout == 5


def test_precedence_cli_over_env_over_file_over_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "interview-harness.toml").write_text(GRADER_TOML)
    env = {"INTERVIEW_HARNESS_GRADER_MODEL": "anthropic/claude-x", "INTERVIEW_HARNESS_CANDIDATE_MODEL": "ollama/llama3"}
    cli = {"grader": "azure/my-deployment", "candidate": None}

    full = resolve_models(cli, environ=env)
    assert full.grader.model == "azure/my-deployment"
    assert full.grader.temperature == 0.2 and full.grader.max_tokens == 300  # file params still apply
    assert full.candidate.model == "ollama/llama3"  # None on the CLI means "not given"

    assert resolve_models(environ=env).grader.model == "anthropic/claude-x"
    from_file = resolve_models(environ={})
    assert from_file.grader.model == "openai/gpt-4o-mini"
    assert from_file.judge.api_base == "http://127.0.0.1:8080/v1" and from_file.judge.timeout == 30
    assert from_file.interviewer == RoleModel(**ROLE_DEFAULTS["interviewer"])

    (tmp_path / "interview-harness.toml").unlink()
    assert resolve_models(environ={}).grader.model == "local/smollm2-135m"


def test_explicit_config_path_wins_over_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "interview-harness.toml").write_text('[models.judge]\nmodel = "openai/a"\n')
    other = tmp_path / "other.toml"
    other.write_text('[models.judge]\nmodel = "openai/b"\n')
    assert resolve_models(config_path=other, environ={}).judge.model == "openai/b"


def test_empty_env_value_is_ignored():
    assert resolve_models(environ={"INTERVIEW_HARNESS_JUDGE_MODEL": ""}).judge.model == "local/smollm2-135m"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[models.grader\nmodel = 1", "not valid TOML"),
        ('[models.recruiter]\nmodel = "openai/x"\n', "models.recruiter: unknown role"),
        ("[models.grader]\ntemprature = 0.1\n", "models.grader.temprature"),
        ('[models.grader]\ntemperature = "hot"\n', "models.grader.temperature"),
        ("[models.grader]\nmax_tokens = 0\n", "models.grader.max_tokens"),
        ('[models.judge]\nmodel = "local/gpt-5"\n', "unknown local model 'gpt-5'"),
        ('models = "all"\n', "'models' must be a table"),
    ],
)
def test_bad_config_file_names_file_and_key(tmp_path, toml, expected):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=expected) as caught:
        resolve_models(config_path=path, environ={})
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_config_path_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        resolve_models(config_path=tmp_path / "nope.toml", environ={})


def test_unknown_role_on_the_command_line_or_lookup():
    with pytest.raises(ConfigError, match="unknown role 'hr'"):
        resolve_models({"hr": "openai/x"}, environ={})
    with pytest.raises(ConfigError, match="unknown role 'hr'"):
        ModelsConfig().role("hr")


def test_bad_model_from_env_names_the_variable():
    with pytest.raises(ConfigError, match="INTERVIEW_HARNESS_CANDIDATE_MODEL"):
        resolve_models(environ={"INTERVIEW_HARNESS_CANDIDATE_MODEL": "local/"})


def test_role_model_forbids_unknown_fields():
    with pytest.raises(ValueError, match="api_key"):
        RoleModel(temperature=0, max_tokens=10, api_key="secret")
