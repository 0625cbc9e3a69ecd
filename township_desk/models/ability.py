"""GB/T 42195-2022 老年人能力评估规范: the 26 items, the 90-point total, the five levels and the adjustment rules.

Where each number comes from (GB/T 42195-2022, published and in force 2022-12-30):

- The items and their scores are 附录B 老年人能力评估表: 表B.1 自理能力 (8 items B.1.1–B.1.8, each 0–4,
  32 points), 表B.2 基础运动能力 (B.2.1–B.2.3 each 0–4, B.2.4 上下楼梯 0–3: 15 points), 表B.3 精神状态
  (B.3.1–B.3.6 each 0–4, B.3.7 攻击行为 and B.3.8 抑郁症状 0–1, B.3.9 意识水平 0–2: 28 points) and
  表B.4 感知觉与社会参与 (B.4.1 视力 and B.4.2 听力 0–2, B.4.3 执行日常事务 0–4, B.4.4 使用交通工具外出
  0–3, B.4.5 社会交往能力 0–4: 15 points). 32 + 15 + 28 + 15 = 90. The option wording below follows
  the tables, shortened only where the standard gives a long clinical description (意识水平).
- The levels by total score are the standard's 能力等级划分 (carried into 附录C C.3 老年人能力初步等级):
  0 能力完好 = 90; 1 能力轻度受损（轻度失能） 66–89; 2 能力中度受损（中度失能） 46–65;
  3 能力重度受损（重度失能） 30–45; 4 能力完全丧失（完全失能） 0–29.
- The adjustments are 附录C C.4 能力等级变更依据 (from 表A.5 A.5.11 昏迷, 表A.4 A.4.1 疾病诊断 and
  表A.2 A.2.14 近30天内照护风险事件):
  a) 处于昏迷状态者，直接评定为能力完全丧失（完全失能）;
  b) 确诊为痴呆（F00～F03）、精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99），在原有能力级别上
     提高一个等级;
  c) 近30天内发生过2次及以上照护风险事件（如跌倒、噎食、自杀、自伤、走失等），在原有能力级别上提高一个等级.
  This program applies b) and c) one after the other (both together: two levels worse), never beyond
  level 4; C.5 最终等级 is the result.

Nothing here knows about the database: ``risk.record_assessment`` stores a result and the dialog shows one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from township_desk.models.elders import ABILITY_LEVELS
from township_desk.models.errors import UserError

INDICATORS = ("自理能力", "基础运动能力", "精神状态", "感知觉与社会参与")
MAX_TOTAL = 90

# (lowest total, highest total, level) — the standard's 能力等级划分.
BANDS: tuple[tuple[int, int, int], ...] = ((90, 90, 0), (66, 89, 1), (46, 65, 2), (30, 45, 3), (0, 29, 4))
WORST_LEVEL = 4
RISK_EVENTS_THRESHOLD = 2  # 近30天内 2 次及以上照护风险事件

COMA_RULE = "处于昏迷状态者，直接评定为能力完全丧失（完全失能）"
DEMENTIA_RULE = "确诊为痴呆（F00～F03）或精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99），在原有能力级别上提高一个等级"
RISK_EVENTS_RULE = "近30天内发生过2次及以上照护风险事件（如跌倒、噎食、自杀、自伤、走失等），在原有能力级别上提高一个等级"


class Item(NamedTuple):
    """One second-level indicator of 附录B: its code (B.1.1 …), first-level indicator, name, options.

    ``options`` are (score, wording), best first.
    """

    code: str
    indicator: str
    label: str
    options: tuple[tuple[int, str], ...]

    @property
    def max_score(self) -> int:
        return max(score for score, _text in self.options)

    def text_for(self, score: int) -> str:
        return next(text for s, text in self.options if s == score)


# The five-step assistance scale the standard repeats for most self-care and movement items.
_ASSIST = (
    (4, "独立完成，不需要协助"),
    (3, "在他人指导或提示下完成"),
    (2, "需要他人协助，但以自身完成为主"),
    (1, "主要依靠他人协助，自身能给予配合"),
    (0, "完全依赖他人协助，且不能给予配合"),
)

ITEMS: tuple[Item, ...] = (
    # 表B.1 自理能力
    Item("B.1.1", "自理能力", "进食", (
        (4, "独立使用器具将食物送进口中并咽下，没有呛咳"),
        (3, "在他人指导或提示下完成，或独立使用辅具，没有呛咳"),
        (2, "进食中需要少量接触式协助，偶尔（每月一次及以上）呛咳"),
        (1, "在进食中需要大量接触式协助，经常（每周一次及以上）呛咳"),
        (0, "完全依赖他人协助进食，或吞咽困难，或留置营养管"),
    )),
    Item("B.1.2", "自理能力", "修饰", _ASSIST),
    Item("B.1.3", "自理能力", "洗澡", _ASSIST),
    Item("B.1.4", "自理能力", "穿/脱上衣", _ASSIST),
    Item("B.1.5", "自理能力", "穿/脱裤子和鞋袜", _ASSIST),
    Item("B.1.6", "自理能力", "小便控制", (
        (4, "可自行控制排尿，排尿次数、排尿控制均正常"),
        (3, "白天可自行控制排尿次数，夜间排尿次数增多、控制较差，或自行使用尿布、尿垫等辅助用物"),
        (2, "白天大部分时间可自行控制排尿，偶有尿失禁（每天<1次，但每周>1次），夜间控制较差，"
            "或他人少量协助使用尿布、尿垫等"),
        (1, "白天大部分时间不能控制排尿（每天≥1次，但尚非完全失控），夜间出现尿失禁，或他人大量协助使用尿布、尿垫等"),
        (0, "小便失禁，完全不能控制排尿，或留置导尿管"),
    )),
    Item("B.1.7", "自理能力", "大便控制", (
        (4, "可正常自行控制大便排出"),
        (3, "有时出现（每周<1次）便秘或大便失禁，或自行使用开塞露、尿垫等辅助用物"),
        (2, "经常出现（每天<1次，但每周>1次）便秘或大便失禁，或他人少量协助使用开塞露、尿垫等"),
        (1, "大部分时间均出现（每天≥1次）便秘或大便失禁，但尚非完全失控，或他人大量协助使用开塞露、尿垫等"),
        (0, "严重便秘或者完全大便失禁，需要依赖他人协助排便或清洁皮肤"),
    )),
    Item("B.1.8", "自理能力", "如厕", _ASSIST),
    # 表B.2 基础运动能力
    Item("B.2.1", "基础运动能力", "床上体位转移", _ASSIST),
    Item("B.2.2", "基础运动能力", "床椅转移", _ASSIST),
    Item("B.2.3", "基础运动能力", "平地行走", (
        (4, "独立平地行走50m左右，不需要协助，无摔倒风险"),
        (3, "能平地行走50m左右，存在摔倒风险，需要他人监护或指导，或使用拐杖、助行器等辅助工具"),
        (2, "在步行时需要他人少量扶持协助"),
        (1, "在步行时需要他人大量扶持协助"),
        (0, "完全不能步行"),
    )),
    Item("B.2.4", "基础运动能力", "上下楼梯", (
        (3, "可独立上下楼梯（连续上下10个～15个台阶），不需要协助"),
        (2, "在他人指导或提示下完成"),
        (1, "需要他人协助，但以自身完成为主"),
        (0, "主要依靠他人协助，自身能给予配合；或者完全依赖他人协助，且不能给予配合"),
    )),
    # 表B.3 精神状态
    Item("B.3.1", "精神状态", "时间定向", (
        (4, "时间观念（年、月）清楚，日期（或星期几）可相差一天"),
        (3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）"),
        (2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节"),
        (1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间"),
        (0, "无时间观念"),
    )),
    Item("B.3.2", "精神状态", "空间定向", (
        (4, "能在日常生活范围内单独外出，如在日常居住小区内独自外出购物等"),
        (3, "不能单独外出，但能准确知道自己日常生活所在地的地址信息"),
        (2, "不能单独外出，但知道较多有关自己日常生活的地址信息"),
        (1, "不能单独外出，但知道较少自己居住或生活所在地的地址信息"),
        (0, "不能单独外出，无空间观念"),
    )),
    Item("B.3.3", "精神状态", "人物定向", (
        (4, "认识长期共同一起生活的人，能称呼并知道关系"),
        (3, "能认识大部分共同生活居住的人，能称呼或知道关系"),
        (2, "能认识部分日常同住的亲人或照护者等，能称呼或知道关系等"),
        (1, "只认识自己或极少数日常同住的亲人或照护者等"),
        (0, "不认识任何人（包括自己）"),
    )),
    Item("B.3.4", "精神状态", "记忆", (
        (4, "总能保持与社会、年龄所适应的记忆能力，能完整的回忆"),
        (3, "出现轻度的记忆紊乱或回忆不能（不能回忆即时信息，3个词语经过5分钟后仅能回忆0～1个）"),
        (2, "出现中度的记忆紊乱或回忆不能（不能回忆近期记忆，不记得上一顿饭吃了什么）"),
        (1, "出现重度的记忆紊乱或回忆不能（不能回忆远期记忆，不记得自己的老朋友）"),
        (0, "记忆完全紊乱或者完全不能对既往事物进行正确的回忆"),
    )),
    Item("B.3.5", "精神状态", "理解能力", (
        (4, "能正常理解他人的话"),
        (3, "能理解他人的话，但需要增加时间"),
        (2, "理解有困难，需要频繁重复或简化口头表达"),
        (1, "理解有严重困难，需要大量他人帮助"),
        (0, "完全不能理解他人的话"),
    )),
    Item("B.3.6", "精神状态", "表达能力", (
        (4, "能正常表达自己的想法"),
        (3, "能表达自己的需要，但需要增加时间"),
        (2, "表达需要有困难，需频繁重复或简化口头表达"),
        (1, "表达有严重困难，需要大量他人帮助"),
        (0, "完全不能表达需要"),
    )),
    Item("B.3.7", "精神状态", "攻击行为", (
        (1, "未出现"),
        (0, "近一个月内出现过攻击行为（打、踢、推、咬、抓、摔东西，或骂人、语言威胁、尖叫）"),
    )),
    Item("B.3.8", "精神状态", "抑郁症状", (
        (1, "未出现"),
        (0, "近一个月内出现过负性情绪（情绪低落、兴趣减退、活力减退，甚至妄想、幻觉、自杀念头或行为）"),
    )),
    Item("B.3.9", "精神状态", "意识水平", (
        (2, "神志清醒，对周围环境能做出正确反应"),
        (1, "嗜睡（可唤醒，能正确交谈或执行指令，停止刺激后又入睡）；或意识模糊（注意力涣散，定向力障碍，理解力迟钝）"),
        (0, "昏睡（较强刺激才短时清醒，刺激减弱后很快入睡）；或昏迷（意识丧失，对一般刺激全无反应）"),
    )),
    # 表B.4 感知觉与社会参与
    Item("B.4.1", "感知觉与社会参与", "视力", (
        (2, "视力正常"),
        (1, "能看清楚大字体，但看不清书报上的标准字体；视力有限，看不清报纸大标题，但能辨认物体"),
        (0, "只能看到光、颜色和形状；完全失明"),
    )),
    Item("B.4.2", "感知觉与社会参与", "听力", (
        (2, "听力正常"),
        (1, "在轻声说话或说话距离超过两米时听不清；正常交流有些困难，需要在安静的环境或大声说话才能听到"),
        (0, "讲话者大声说话或说话很慢，才能部分听见；完全失聪"),
    )),
    Item("B.4.3", "感知觉与社会参与", "执行日常事务", (
        (4, "能完全独立计划、安排和完成日常事务，无需协助"),
        (3, "在计划、安排和完成日常事务时需要他人监护或指导"),
        (2, "在计划、安排和完成日常事务时需要少量协助"),
        (1, "在计划、安排和完成日常事务时需要大量协助"),
        (0, "完全依赖他人进行日常事务"),
    )),
    Item("B.4.4", "感知觉与社会参与", "使用交通工具外出", (
        (3, "能自己骑车或搭乘公共交通工具外出"),
        (2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出"),
        (1, "当有人协助或陪伴，可搭乘公共交通工具外出"),
        (0, "只能在他人协助下搭乘出租车或私家车外出；完全不能出门，或者外出完全需要协助"),
    )),
    Item("B.4.5", "感知觉与社会参与", "社会交往能力", (
        (4, "参与社会，在社会环境有一定的适应能力，待人接物恰当"),
        (3, "能适应单纯环境，主动接触他人，初见面时难让人发现智力问题，不能理解隐喻语"),
        (2, "脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗"),
        (1, "勉强可与他人接触，谈吐内容不清楚，表情不恰当"),
        (0, "不能与人交往"),
    )),
)

# What each item asks about, as the standard defines it (shown as a tooltip in the dialog).
DEFINITIONS: dict[str, str] = {
    "B.1.1": "使用适当的器具将食物送入口中并咽下",
    "B.1.2": "洗脸、刷牙、梳头、刮脸、剪指（趾）甲等",
    "B.1.3": "清洗和擦干身体",
    "B.1.4": "穿/脱上身衣服、系扣、拉拉链等",
    "B.1.5": "穿/脱裤子、鞋袜等",
    "B.1.6": "控制和排出尿液的能力",
    "B.1.7": "控制和排出粪便的能力",
    "B.1.8": "上厕所排泄大小便，并清洁身体（包括排泄前解开裤子、排泄后清洁身体、穿上裤子）",
    "B.2.1": "卧床翻身及坐起躺下",
    "B.2.2": "从坐位到站位，再从站位到坐位的转换过程",
    "B.2.3": "双脚交互的方式在地面行动，总是一只脚在前（包括他人辅助和使用辅具的步行）",
    "B.2.4": "双脚交替完成楼梯台阶连续的上下移动",
    "B.3.1": "知道并确认时间的能力",
    "B.3.2": "知道并确认空间的能力",
    "B.3.3": "知道并确认人物的能力",
    "B.3.4": "短时、近期和远期记忆能力",
    "B.3.5": "理解语言信息和非语言信息的能力（可借助平时使用的助听设备等），即理解别人的话",
    "B.3.6": "表达信息能力，包括口头的和非口头的，即表达自己的想法",
    "B.3.7": "身体攻击行为和语言攻击行为",
    "B.3.8": "存在情绪低落、兴趣减退、活力减退等症状，甚至出现妄想、幻觉、自杀念头或自杀行为",
    "B.3.9": "机体对自身和周围环境的刺激做出应答反应的能力程度，包括清醒和持续的觉醒状态",
    "B.4.1": "感受存在的光线并感受物体的大小、形状的能力，在个体的最好矫正视力下进行评估",
    "B.4.2": "能辨别声音的方位、音调、音量和音质的有关能力（可借助平时使用的助听设备等）",
    "B.4.3": "计划、安排并完成日常事务，包括但不限于洗衣服、小金额购物、服药管理",
    "B.4.4": "使用交通工具外出的能力",
    "B.4.5": "参与社会、与人交往的能力",
}

ITEMS_BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}
INDICATOR_MAX: dict[str, int] = {
    name: sum(item.max_score for item in ITEMS if item.indicator == name) for name in INDICATORS
}


def _level_name(level: int) -> str:
    return ABILITY_LEVELS[level]


def _score_value(item: Item, value: Any) -> int:
    """The answer as an int score of ``item``; UserError naming the item otherwise."""
    allowed = [s for s, _t in item.options]
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or number not in allowed:
        raise UserError(f"能力评估“{item.code} {item.label}”的得分“{value}”不在可选范围："
                        f"{'、'.join(str(s) for s in sorted(allowed))} 分")
    return number


def checked_answers(answers: dict[str, Any]) -> dict[str, int]:
    """Every item answered with one of its scores: the answers as {code: int}, in the standard's order.

    UserError (Chinese) for an unknown item, an unanswered item (all of them are listed) or a score that is
    not one of the item's options (naming the item).
    """
    unknown = [code for code in answers if code not in ITEMS_BY_CODE]
    if unknown:
        raise UserError(f"能力评估中没有这些项目：{'、'.join(sorted(unknown))}")
    missing = [item for item in ITEMS if answers.get(item.code) is None or answers.get(item.code) == ""]
    if missing:
        names = "、".join(f"{item.code} {item.label}" for item in missing)
        raise UserError(f"能力评估共 {len(ITEMS)} 项须全部填写，还有 {len(missing)} 项未填：{names}")
    return {item.code: _score_value(item, answers[item.code]) for item in ITEMS}


def score(answers: dict[str, Any]) -> int:
    """The total (0–90) of a complete set of answers {item code: score}."""
    return sum(checked_answers(answers).values())


def preliminary_level(total: int) -> int:
    """The level of a total by the standard's score bands (before any adjustment)."""
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_TOTAL:
        raise UserError(f"能力评估总分“{total}”应为 0–{MAX_TOTAL} 的整数")
    return next(level for low, high, level in BANDS if low <= total <= high)


def level_for(total: int, *, coma: bool = False, dementia: bool = False,
              risk_events_30d: int = 0) -> tuple[int, list[str]]:
    """The final level (0–4) for a total and the adjustments of 附录C C.4 applied, each said in Chinese."""
    if isinstance(risk_events_30d, bool) or not isinstance(risk_events_30d, int) or risk_events_30d < 0:
        raise UserError(f"近30天内照护风险事件次数“{risk_events_30d}”应为不小于0的整数")
    level = preliminary_level(total)
    adjustments: list[str] = []
    if coma:
        if level < WORST_LEVEL:
            adjustments.append(f"处于昏迷状态：由“{_level_name(level)}”直接评定为“{_level_name(WORST_LEVEL)}”")
        else:
            adjustments.append(f"处于昏迷状态：评定为“{_level_name(WORST_LEVEL)}”")
        return WORST_LEVEL, adjustments

    def one_worse(reason: str) -> None:
        nonlocal level
        if level >= WORST_LEVEL:
            adjustments.append(f"{reason}：已为“{_level_name(WORST_LEVEL)}”，不再提高")
            return
        adjustments.append(f"{reason}：由“{_level_name(level)}”提高一个等级为“{_level_name(level + 1)}”")
        level += 1

    if dementia:
        one_worse("确诊痴呆或精神和行为障碍疾病")
    if risk_events_30d >= RISK_EVENTS_THRESHOLD:
        one_worse(f"近30天内发生{risk_events_30d}次照护风险事件")
    return level, adjustments


@dataclass
class AbilityResult:
    """One completed assessment: total, final level and its name, the adjustments applied, scores by indicator.

    ``answers`` and the three flags are what the clerk entered, so the result can be stored and reopened.
    """

    total: int
    level: int
    label: str
    adjustments: list[str]
    by_indicator: dict[str, int]
    answers: dict[str, int] = field(default_factory=dict)
    coma: bool = False
    dementia: bool = False
    risk_events_30d: int = 0
    preliminary_level: int = 0

    def stored(self) -> dict[str, Any]:
        """What ``assessments.ability_items`` keeps (JSON): the 26 answers and the three adjustment answers."""
        return {"items": dict(self.answers), "coma": self.coma, "dementia": self.dementia,
                "risk_events_30d": self.risk_events_30d}

    def summary(self) -> str:
        """One line for a clerk: total, level, and the adjustments if any."""
        text = f"总分 {self.total} 分，{self.label}"
        if self.adjustments:
            text += f"（初步等级“{_level_name(self.preliminary_level)}”；" + "；".join(self.adjustments) + "）"
        return text


def assess(answers: dict[str, Any], *, coma: bool = False, dementia: bool = False,
           risk_events_30d: int = 0) -> AbilityResult:
    """Score a complete set of answers and apply the adjustment rules."""
    checked = checked_answers(answers)
    total = sum(checked.values())
    level, adjustments = level_for(total, coma=bool(coma), dementia=bool(dementia), risk_events_30d=risk_events_30d)
    by_indicator = {name: sum(checked[i.code] for i in ITEMS if i.indicator == name) for name in INDICATORS}
    return AbilityResult(total, level, _level_name(level), adjustments, by_indicator, checked, bool(coma),
                         bool(dementia), risk_events_30d, preliminary_level(total))


def from_stored(stored: dict[str, Any]) -> AbilityResult:
    """Re-score what ``AbilityResult.stored()`` kept (the rule is applied again, never read back as a number)."""
    if not isinstance(stored, dict) or not isinstance(stored.get("items"), dict):
        raise UserError("保存的能力评估内容无法识别")
    return assess(stored["items"], coma=bool(stored.get("coma")), dementia=bool(stored.get("dementia")),
                  risk_events_30d=int(stored.get("risk_events_30d") or 0))
