"""The figures the README states are the ones the code uses (credit curve, on time, grades,
the judgement scale, turns), and its architecture picture shows every package."""

from __future__ import annotations

import re

from dancecoach.coaching.turns import MIN_TURN_DEG
from dancecoach.scoring.comparison import ANGLE_TOLERANCE_DEG, ANGLE_ZERO_CREDIT_DEG
from dancecoach.scoring.judgement import GRADE_BANDS, SCALE
from dancecoach.scoring.timing import ON_TIME_MS
from tests.footage import PROJECT_ROOT

_NUM = r"\d+(?:\.\d+)?"
README = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())


def _number(pattern: str) -> list[float]:
    found = re.search(pattern, README)
    assert found is not None, f"the README no longer says {pattern!r}"
    return [float(group) for group in found.groups()]


def test_the_credit_curve_in_the_readme_is_the_scorers() -> None:
    full, none = _number(rf"within ({_NUM})° earns full credit and none beyond ({_NUM})°")
    assert (full, none) == (ANGLE_TOLERANCE_DEG, ANGLE_ZERO_CREDIT_DEG)


def test_the_on_time_threshold_in_the_readme_is_the_reports() -> None:
    assert _number(rf"lag within ±({_NUM}) ms is on time") == [ON_TIME_MS]
    # The music section names the constant and its value again.
    assert _number(rf"on-time threshold `ON_TIME_MS` \(({_NUM}) ms") == [ON_TIME_MS]


def test_the_grade_bands_in_the_readme_are_the_judgements() -> None:
    found = re.search(rf"grade bands ((?:\w+ >= {_NUM}, )+)else Miss", README)
    assert found is not None, "the README no longer lists the grade bands"
    bands = re.findall(rf"(\w+) >= ({_NUM})", found[1])
    stated = [(grade, float(lowest)) for grade, lowest in bands]
    assert stated == [(grade, lowest) for grade, lowest in GRADE_BANDS]


def test_the_judgement_scale_in_the_readme_is_the_judgements() -> None:
    scale = [SCALE.chance_gain, SCALE.gain_scale]
    formula = rf"score = 100 \* \(1 - exp\(-\(gain - ({_NUM})\) / ({_NUM})\)\)"
    assert _number(formula) == scale
    # The calibration text says where each constant comes from, naming its value.
    chance = _number(rf"`python -m bench.judgement`: ({_NUM}) is the gain that 95 %")
    rise = _number(rf"at the 5 % level that the learner dances this dance; ({_NUM}) puts the gain")
    assert chance + rise == scale


def test_the_turn_threshold_in_the_readme_is_coachings() -> None:
    assert _number(rf"names a turn only from ({_NUM}) degrees") == [MIN_TURN_DEG]


def test_the_architecture_picture_lists_every_package_and_top_level_module() -> None:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    picture = text.split("## Architecture", 1)[1].split("```")[1]
    source = PROJECT_ROOT / "src" / "dancecoach"
    packages = {f"{p.parent.name}/" for p in source.glob("*/__init__.py")}
    modules = {p.name for p in source.glob("*.py") if p.name != "__init__.py"}
    missing = {name for name in packages | modules if name not in picture}
    assert not missing, f"the README's architecture picture leaves out {sorted(missing)}"
