"""Property tests: for random valid graphs the generated code compiles,
passes ruff, and builds the model shape inference predicts."""

from __future__ import annotations

import pytest
from codegen_helpers import expected_from_inference, ruff_problems
from codegen_strategies import valid_graphs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.engine.codegen.module import generate

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


def test_random_graphs_generate_ruff_clean_code(tmp_path):
    sources: dict[str, str] = {}

    @settings(max_examples=150, **SETTINGS)
    @given(valid_graphs(max_layers=12), st.sampled_from(["tf-keras", "keras"]))
    def check(graph, flavor):
        code = generate(graph, flavor)
        compile(code.text, "generated.py", "exec")
        assert all(len(line) <= 88 or line.endswith("# noqa: E501")
                   or " " not in line.strip() for line in code.text.splitlines())
        sources[f"graph_{len(sources)}"] = code.text

    check()
    assert ruff_problems(sources, tmp_path) == ""


@pytest.mark.slow
def test_random_graphs_build_what_shape_inference_predicts():
    from netbuilder.engine.codegen.execute import execute

    @settings(max_examples=40, **SETTINGS)
    @given(valid_graphs(max_layers=10), st.sampled_from(["tf-keras", "keras"]))
    def check(graph, flavor):
        params, shapes = expected_from_inference(graph)
        code = generate(graph, flavor)
        compile(code.text, "generated.py", "exec")
        model = execute(code, graph)
        assert model.count_params() == params
        assert [tuple(t.shape) for t in model.outputs] == shapes

    check()
