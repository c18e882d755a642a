"""The config file's `[audits]`: the weight of each of a scorecard's six dimensions in its
total, and the lower bounds of bands A, B and C (below C is D).

```toml
[audits]
weights = { responsiveness = 20, problem_solving = 20, efficiency = 20, staff_stability = 10,
            customer_feedback = 20, cooperation = 10 }
bands = { A = 85, B = 70, C = 50 }
```
Weights are numbers ≥ 0 (relative: only their proportions count); a key left out keeps its
default. Bands are numbers from 0 to 100, A above B above C.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.config.checks import problem, show
from bot.domain.audits import Band, Dimension

__all__ = ["AuditBands", "AuditWeights", "AuditsConfig", "DEFAULT_WEIGHTS", "MAX_WEIGHT"]

MAX_WEIGHT: Final = 1000

DEFAULT_WEIGHTS: Final = {
    Dimension.RESPONSIVENESS: 20.0,
    Dimension.PROBLEM_SOLVING: 20.0,
    Dimension.EFFICIENCY: 20.0,
    Dimension.STAFF_STABILITY: 10.0,
    Dimension.CUSTOMER_FEEDBACK: 20.0,
    Dimension.COOPERATION: 10.0,
}


def _weight(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem(f"must be a number from 0 to {MAX_WEIGHT} (got {show(value)})")
    if not 0 <= value <= MAX_WEIGHT:
        raise problem(f"must be a number from 0 to {MAX_WEIGHT} (got {show(value)})")
    return float(value)


def _bound(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise problem(f"must be a number from 0 to 100, a total's lower bound (got {show(value)})")
    return float(value)


Weight = Annotated[float, BeforeValidator(_weight)]
Bound = Annotated[float, BeforeValidator(_bound)]


class AuditWeights(BaseModel):
    """Each dimension's weight in a scorecard's total (relative)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    responsiveness: Weight = DEFAULT_WEIGHTS[Dimension.RESPONSIVENESS]
    problem_solving: Weight = DEFAULT_WEIGHTS[Dimension.PROBLEM_SOLVING]
    efficiency: Weight = DEFAULT_WEIGHTS[Dimension.EFFICIENCY]
    staff_stability: Weight = DEFAULT_WEIGHTS[Dimension.STAFF_STABILITY]
    customer_feedback: Weight = DEFAULT_WEIGHTS[Dimension.CUSTOMER_FEEDBACK]
    cooperation: Weight = DEFAULT_WEIGHTS[Dimension.COOPERATION]

    @model_validator(mode="after")
    def _some_weight(self) -> AuditWeights:
        if not any(self.by_dimension.values()):
            raise problem("at least one dimension must weigh more than 0")
        return self

    @property
    def by_dimension(self) -> dict[Dimension, float]:
        return {dimension: getattr(self, dimension.value) for dimension in Dimension}


class AuditBands(BaseModel):
    """The lower bounds of bands A, B and C; a total below C is band D."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    A: Bound = 85.0
    B: Bound = 70.0
    C: Bound = 50.0

    @model_validator(mode="after")
    def _in_order(self) -> AuditBands:
        if not self.A > self.B > self.C:
            raise problem(
                f"must be A above B above C (got A = {show(self.A)}, B = {show(self.B)}, "
                f"C = {show(self.C)})"
            )
        return self

    @property
    def by_band(self) -> dict[Band, float]:
        return {Band.A: self.A, Band.B: self.B, Band.C: self.C}


class AuditsConfig(BaseModel):
    """Supplier audits: the dimensions' weights and the bands."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    weights: AuditWeights = Field(default_factory=AuditWeights)
    bands: AuditBands = Field(default_factory=AuditBands)
