"""The browser fixture the e2e tests share: Chromium whose webcam plays a real student clip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.browser import STUDENT, chromium_context
from tests.e2e.fake_camera import write_y4m
from tests.footage import footage


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    camera = write_y4m(
        footage(STUDENT),
        tmp_path_factory.mktemp("camera") / "student.y4m",
        seconds=12.0,
    )
    with chromium_context(camera) as context:
        yield context
