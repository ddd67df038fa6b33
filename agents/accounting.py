"""What every model call costs: the record the gateway writes and the store persists."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ROLES = ("interviewer", "candidate", "grader", "judge")


class CallRecord(BaseModel):
    """Accounting for one model call through the gateway."""

    model_config = ConfigDict(extra="forbid")

    role: str = Field(description="Role that made the call: interviewer, candidate, grader or judge.")
    model: str = Field(description="Model string the call went to, e.g. local/smollm2-135m.")
    prompt_tokens: int = Field(default=0, description="Tokens sent.")
    completion_tokens: int = Field(default=0, description="Tokens received.")
    latency_s: float = Field(default=0.0, description="Wall time of the call in seconds (0 on a cache hit).")
    cost_usd: float = Field(default=0.0, description="Cost from litellm's price map; 0 when unknown.")
    cost_known: bool = Field(default=False, description="False when the price map does not know the model.")
    cache_hit: bool = Field(default=False, description="Answered from the response cache.")
    retries: int = Field(default=0, description="Transport retries plus structured-output repair attempts.")
    error: str | None = Field(default=None, description="Error message when the call failed.")
    started_at: float = Field(default=0.0, description="Unix time the call started.")
