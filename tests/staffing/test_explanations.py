"""Explanations render as sentences in Finnish and English; summaries carry no scores."""

from __future__ import annotations

from django.utils import translation

from staffing.explanations import explanation_lines, fit_summary
from staffing.matching.engine import rank
from staffing.matching.pool import Pool
from tests.staffing.matching.plain_data import COMPANY, person, request


def near_miss_explanation():
    result = rank(
        Pool.from_features([person(languages={"fi": 6, "sv": 3})]),
        request(languages=(("fi", 4), ("sv", 4))),
    )
    return result.near_misses[0].explanation


def ranked_explanation(**changes):
    result = rank(Pool.from_features([person(**changes)]), request(required_skills=(3,)))
    return result.ranked[0].explanation


def test_a_language_gap_reads_as_a_sentence():
    with translation.override("en"):
        lines = explanation_lines(near_miss_explanation())
    assert "Not ranked: Swedish B1, request needs B2" in lines


def test_every_factor_and_constraint_has_a_line():
    explanation = ranked_explanation(skills={3: 2}, marks={COMPANY: "favourite"})
    with translation.override("en"):
        lines = explanation_lines(explanation, skill_names={3: "Till work"})
    assert len(lines) == len(explanation["passed"]) + len(explanation["factors"]) + 1 + len(
        explanation["missing"]
    )
    assert any(line.startswith("Distance: +") and "km from the site" in line for line in lines)
    assert any(line.startswith("Score: ") for line in lines)


def test_missing_skills_are_named():
    with translation.override("en"):
        lines = explanation_lines(ranked_explanation(), skill_names={3: "Till work"})
    assert "Lacks the required skill Till work" in lines


def test_lines_render_in_finnish_too():
    with translation.override("fi"):
        lines = explanation_lines(ranked_explanation())
    assert all(isinstance(line, str) and line for line in lines)


def test_the_client_summary_has_plain_words_and_no_numbers():
    explanation = ranked_explanation(
        marks={COMPANY: "favourite"}, assessment=(5, 5, 5), client_experience={COMPANY: 2}
    )
    with translation.override("en"):
        summary = fit_summary(explanation)
    assert summary[0] == "You have marked them as a favourite"
    assert "Has worked for you before" in summary
    assert len(summary) <= 4
    assert not any(ch.isdigit() for line in summary for ch in line)
