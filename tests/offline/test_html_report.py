"""The standalone HTML report: parses, shows the numbers, embeds its stills, needs no network."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np

from dancecoach.coaching.items import FeedbackItem
from dancecoach.coaching.templates import template_feedback
from dancecoach.offline.command import write_html_report
from dancecoach.offline.html_report import render_html_report
from dancecoach.scoring.judgement import GRADE_BANDS
from dancecoach.scoring.results import ScoreReport
from tests.coaching.reports import great_report, typical_report

# Tags HTML allows without a closing tag, plus SVG's self-closed shapes.
_VOID = {"meta", "img", "br", "hr", "link", "input"}


class _Document(HTMLParser):
    """Collects tags, resource attributes and text, and checks that tags nest."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []
        self.mismatched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.resources.extend(v or "" for k, v in attrs if k in ("src", "href", "xlink:href"))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.resources.extend(v or "" for k, v in attrs if k in ("src", "href", "xlink:href"))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.mismatched.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(document: str) -> _Document:
    parser = _Document()
    parser.feed(document)
    parser.close()
    return parser


def jpeg(colour: tuple[int, int, int]) -> bytes:
    image = np.full((48, 64, 3), colour, dtype=np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return bytes(encoded.tobytes())


def render(report: ScoreReport, title: str = "Chorus practice") -> tuple[str, list[bytes]]:
    stills = [
        (jpeg((200, 40, 40)), jpeg((40, 200, 40 + i)))
        for i, _ in enumerate(report.problem_segments)
    ]
    document = render_html_report(report, template_feedback(report), title=title, stills=stills)
    return document, [image for pair in stills for image in pair]


def test_report_parses_and_shows_score_charts_and_feedback() -> None:
    report = typical_report()
    document, _ = render(report)
    parsed = parse(document)
    assert not parsed.mismatched and not parsed.stack
    text = " ".join(parsed.text)
    assert "72" in text  # the overall score
    assert parsed.tags.count("svg") >= 3  # score ring, timeline, body parts, timing
    assert "Left arm" in text and "61" in text  # a per-body-part bar
    assert "Coaching" in text and "Built-in coach" in text  # items with their source
    assert template_feedback(report)[0].title in text
    assert "improving" in text  # the trend
    # Problem segments are shaded in the timeline: one shaded rect per segment.
    assert document.count('fill-opacity="0.12"') == len(report.problem_segments)


def test_stills_are_embedded_as_data_uris_in_segment_order() -> None:
    document, images = render(typical_report())
    sources = [s for s in parse(document).resources if s.startswith("data:image/jpeg;base64,")]
    assert [base64.b64decode(s.split(",", 1)[1]) for s in sources] == images


def test_no_network_resources() -> None:
    document, _ = render(typical_report())
    parsed = parse(document)
    assert all(resource.startswith("data:") for resource in parsed.resources)
    assert not re.search(r"https?://", document)
    assert "<script" not in document and "@import" not in document


def test_text_is_escaped() -> None:
    report = typical_report()
    hostile = "<script>alert(1)</script>"
    segments = (replace(report.problem_segments[0], title=hostile), *report.problem_segments[1:])
    feedback = [FeedbackItem(12.5, hostile, f"Try {hostile} & more", "major", (hostile,), "llm")]
    document = render_html_report(
        replace(report, problem_segments=segments), feedback, title=hostile, stills=[]
    )
    assert "<script" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "AI coach" in document


def test_report_without_problems_or_stills() -> None:
    report = great_report()
    document = render_html_report(report, template_feedback(report), title="Great run", stills=[])
    parsed = parse(document)
    assert not parsed.mismatched
    text = " ".join(parsed.text)
    assert "94" in text and "None: no stretch" in text


def test_missing_stills_show_a_placeholder() -> None:
    report = typical_report()
    document = render_html_report(report, [], title="t", stills=[(jpeg((1, 2, 3)), b"")])
    assert document.count("data:image/jpeg;base64,") == 1
    assert document.count("no still available") == 2 * len(report.problem_segments) - 1


def test_nothing_scored() -> None:
    report = replace(typical_report(), timeline=(), problem_segments=(), per_body_part={})
    document = render_html_report(report, [], title="Empty", stills=[])
    assert not parse(document).mismatched
    assert "no timeline" in document


def test_segments_and_hits_are_named_by_their_counts_with_beats() -> None:
    from dancecoach.scoring.music.beats import BeatGrid
    from dancecoach.scoring.music.placement import with_counts
    from dancecoach.scoring.results import AccentTiming

    # 120 BPM from 0 s, count 1 on the first beat: typical_report's first segment, 12.0-15.2 s,
    # is the fourth eight, counts 1-7.
    grid = BeatGrid(120.0, 0.5 * np.arange(64), downbeat=0)
    late_hit = AccentTiming(10.0, 3, 5, 320.0)
    on_time_hit = AccentTiming(12.0, 4, 1, 20.0)
    report = replace(with_counts(typical_report(), grid), accents=(late_hit, on_time_hit))
    text = " ".join(parse(render(report)[0]).text)
    assert "The fourth eight, counts 1-7 (0:12-0:15)" in text
    assert "You hit count 5 of the third eight about 320 ms late" in text
    assert "count 1 of the fourth eight" not in text  # on time: not listed
    plain = " ".join(parse(render(typical_report())[0]).text)
    assert " eight, count" not in plain and "You hit count" not in plain


def test_a_video_named_with_markup_is_shown_as_text(tmp_path: Path) -> None:
    """`compare --report` titles the report with the two file names, which the user chose."""
    report = replace(great_report(), problem_segments=())  # no stills to read from the videos
    hostile = tmp_path / "<script>alert('hi') & more.mp4"  # a file name has no "/"
    written = tmp_path / "report.html"
    write_html_report(written, report, [], reference=tmp_path / "teacher.mp4", attempt=hostile)
    document = written.read_text(encoding="utf-8")
    assert "<script" not in document
    title = "&lt;script&gt;alert(&#39;hi&#39;) &amp; more.mp4 vs teacher.mp4"
    assert f"<title>{title}</title>" in document
    assert f"<h1>{title}</h1>" in document


def test_scores_are_coloured_by_their_grade() -> None:
    """The ring and the bars take the grade bands' colours: green from Great, red below Good."""
    parts = {"left_arm": GRADE_BANDS[1][1], "right_arm": GRADE_BANDS[2][1] - 1}
    report = replace(great_report(), per_body_part=parts, overall_score=GRADE_BANDS[2][1])
    document = render_html_report(report, [], title="t", stills=[])
    bars = re.findall(r'<rect x="110" [^>]*width="[\d.]+" [^>]*fill="(#\w+)"/>', document)
    assert bars[1::2] == ["#1f8f5f", "#c53030"]  # each part's filled bar, after its track
    assert 'stroke="#b7791f" stroke-width="12.0" stroke-linecap' in document  # Good: amber
