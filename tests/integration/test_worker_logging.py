"""The masking filter on a real worker's output: a number logged inside a task, quoted by
an exception or printed never comes out in clear."""

from __future__ import annotations

import pytest

from tests.integration.conftest import wait_until
from veille.phones import MASK, number_variants

pytestmark = pytest.mark.integration

NUMBER = "+22376123456"


def test_a_number_logged_inside_a_task_of_a_real_worker_comes_out_masked(workers):
    from tests.integration.worker_tasks import log_a_number

    worker = workers.start("w1", extra_args=("--include", "tests.integration.worker_tasks"))

    log_a_number.apply_async()

    wait_until(
        lambda: "raised unexpected" in worker.output(),
        timeout=30,
        what=f"the task to run and fail\n{workers.logs()}",
    )
    output = worker.output()
    for variant in number_variants(NUMBER):
        assert variant not in output, f"{variant!r} in the worker's output:\n{output[-4000:]}"
    # The lines themselves are there, masked: the filter ran, nothing was dropped.
    assert f"reply to {MASK} failed" in output
    assert "invalid recipient " + MASK in output  # the logged traceback
    assert "Traceback" in output
    assert f"debug: {MASK}" in output  # print() went through logging too
    assert f"gave up on {MASK}" in output  # the task's failure, logged by Celery
