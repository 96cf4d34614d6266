"""OpenSPM's pure calculation engine: the plan language and a vectorised SQL pipeline.

``load_plan`` / ``load_plans`` read plan YAML into strict models (every problem reported with
its location); ``run`` compiles the plans to SQL and executes them in DuckDB over Arrow tables.
Nothing here imports Django: the engine knows plans, tables and periods, nothing else.
"""

from openspm.engine.errors import DataError, EngineError, PlanError
from openspm.engine.plan.loader import load_plan, load_plan_text, load_plans
from openspm.engine.run import RunResult, run
from openspm.engine.version import ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "DataError",
    "EngineError",
    "PlanError",
    "RunResult",
    "load_plan",
    "load_plan_text",
    "load_plans",
    "run",
]
