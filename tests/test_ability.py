"""GB/T 42195-2022 ability assessment: items and maxima, score bands at their edges, adjustment rules."""

from __future__ import annotations

import pytest

from township_desk.models import ability
from township_desk.models.errors import UserError


def best() -> dict[str, int]:
    return {item.code: item.max_score for item in ability.ITEMS}


def answers_totalling(total: int) -> dict[str, int]:
    """A complete set of answers adding up to ``total``: items lowered one by one from their best."""
    answers = best()
    missing = ability.MAX_TOTAL - total
    for item in ability.ITEMS:
        lower = min(missing, answers[item.code])
        answers[item.code] -= lower
        missing -= lower
    assert missing == 0
    return answers


def test_26_items_in_four_indicators_with_maxima_adding_up_to_90():
    assert len(ability.ITEMS) == 26
    assert len({item.code for item in ability.ITEMS}) == 26
    counts = {name: sum(1 for i in ability.ITEMS if i.indicator == name) for name in ability.INDICATORS}
    assert counts == {"自理能力": 8, "基础运动能力": 4, "精神状态": 9, "感知觉与社会参与": 5}
    assert sum(item.max_score for item in ability.ITEMS) == 90
    assert ability.INDICATOR_MAX == {"自理能力": 32, "基础运动能力": 15, "精神状态": 28, "感知觉与社会参与": 15}


def test_each_item_has_options_from_its_maximum_down_to_zero_with_wording():
    for item in ability.ITEMS:
        scores = [s for s, _t in item.options]
        assert scores == list(range(item.max_score, -1, -1)), item.code
        assert all(text.strip() for _s, text in item.options)
        assert ability.DEFINITIONS[item.code]


def test_the_items_the_standard_scores_differently():
    maxima = {item.label: item.max_score for item in ability.ITEMS}
    assert (maxima["上下楼梯"], maxima["攻击行为"], maxima["抑郁症状"], maxima["意识水平"]) == (3, 1, 1, 2)
    assert (maxima["视力"], maxima["听力"], maxima["使用交通工具外出"]) == (2, 2, 3)


def test_full_marks_score_90_and_are_level_0():
    result = ability.assess(best())
    assert (result.total, result.level, result.label, result.adjustments) == (90, 0, "能力完好", [])
    assert result.by_indicator == ability.INDICATOR_MAX


@pytest.mark.parametrize(("total", "level"), [
    (90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4),
])
def test_score_bands_at_their_edges(total, level):
    assert ability.score(answers_totalling(total)) == total
    assert ability.level_for(total) == (level, [])
    assert ability.assess(answers_totalling(total)).level == level


def test_total_outside_0_to_90_is_refused():
    for total in (-1, 91):
        with pytest.raises(UserError, match="0–90"):
            ability.level_for(total)


def test_coma_is_complete_loss_whatever_the_score():
    level, adjustments = ability.level_for(90, coma=True)
    assert level == 4 and "昏迷" in adjustments[0] and "完全丧失（完全失能）" in adjustments[0]


def test_dementia_makes_the_level_one_worse():
    level, adjustments = ability.level_for(70, dementia=True)
    assert level == 2
    assert adjustments == ["确诊痴呆或精神和行为障碍疾病：由“轻度受损（轻度失能）”提高一个等级为“中度受损（中度失能）”"]


def test_two_care_risk_events_in_30_days_make_the_level_one_worse_one_does_not():
    assert ability.level_for(90, risk_events_30d=1) == (0, [])
    level, adjustments = ability.level_for(90, risk_events_30d=2)
    assert level == 1 and "近30天内发生2次照护风险事件" in adjustments[0]


def test_dementia_and_risk_events_together_are_two_levels_worse():
    assert ability.level_for(70, dementia=True, risk_events_30d=3)[0] == 3


def test_adjustments_never_go_beyond_level_4():
    level, adjustments = ability.level_for(35, dementia=True, risk_events_30d=2)
    assert level == 4
    assert "已为“完全丧失（完全失能）”，不再提高" in adjustments[1]
    assert ability.level_for(10, dementia=True)[0] == 4


def test_negative_risk_event_count_is_refused():
    with pytest.raises(UserError, match="照护风险事件次数"):
        ability.level_for(80, risk_events_30d=-1)


def test_unanswered_items_are_refused_and_listed():
    answers = best()
    del answers["B.2.4"]
    answers["B.4.5"] = None
    with pytest.raises(UserError) as caught:
        ability.score(answers)
    assert "2 项未填" in str(caught.value) and "B.2.4 上下楼梯" in str(caught.value) and "B.4.5 社会交往能力" in str(caught.value)


def test_a_score_outside_the_items_options_names_the_item():
    answers = best()
    answers["B.2.4"] = 4  # 上下楼梯 is scored 0–3
    with pytest.raises(UserError, match="B.2.4 上下楼梯.*“4”.*0、1、2、3"):
        ability.score(answers)


def test_an_unknown_item_is_refused():
    with pytest.raises(UserError, match="B.9.9"):
        ability.score({**best(), "B.9.9": 1})


def test_scores_typed_as_text_are_read():
    answers = {code: str(value) for code, value in best().items()}
    assert ability.score(answers) == 90


def test_stored_result_scores_the_same_when_reopened():
    answers = answers_totalling(50)
    result = ability.assess(answers, dementia=True, risk_events_30d=2)
    again = ability.from_stored(result.stored())
    assert (again.total, again.level, again.adjustments) == (50, 4, result.adjustments)
    assert result.preliminary_level == 2
    assert "总分 50 分" in result.summary() and "中度受损" in result.summary()
