"""The field table: one row per field of the registration form (登记表), in the form's order.

Each row says what the field is called, what kind of value it holds, which values it allows, whether it must be
filled, how clerks head its column in their own workbooks and which words they write for its values. The
checks (``validation.prepare_elder``), the elder editor's lists and the importer's headings and word maps all
read this table, so a choice or a synonym is added in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from township_desk.models.elders.vocabulary import (
    CARE,
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    EDUCATION,
    HARDSHIP,
    INCOME,
    SPOUSE,
    TIERS,
)

# What each kind means to ``prepare_elder`` (the identity kinds are checked together from the ID number):
#   name, id_number, sex, birth_date — identity;  text — trimmed, blank is empty (``default`` when given);
#   phone — a phone number;  bool — 是/否 (``default`` when blank);  count — a whole number ≥ 0 (``units`` may
#   follow it: 3个);  years — a number of years ≥ 0;  month — a year and month;  ability — 能力等级 0–4;
#   choice — one of ``choices``;  choices — any of ``choices`` (several);  date — a day not after today;
#   village, visitor — a name, resolved when saving.
KINDS = ("name", "id_number", "sex", "birth_date", "text", "phone", "bool", "count", "years", "month", "ability",
         "choice", "choices", "date", "village", "visitor")


@dataclass(frozen=True)
class Field:
    """One field of an elder record. ``choices`` are the only values a choice/choices field takes; for a text
    field they are the common values the editor offers (any other text may be typed). ``headings`` is a
    regular expression for the column headings clerks write (matched whole, after spaces and brackets are
    removed); ``words`` maps words clerks write to the value stored."""

    code: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    headings: str | None = None
    words: Mapping[str, str] = field(default_factory=dict)
    default: object = None
    units: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for {self.code}")
        object.__setattr__(self, "words", MappingProxyType(dict(self.words)))


_INCOME_WORDS = {"务工": "打工", "外出务工": "打工", "打工收入": "打工", "种植": "种养殖业", "养殖": "种养殖业",
                 "种养殖": "种养殖业", "种养": "种养殖业", "务农": "种养殖业", "农业": "种养殖业", "种地": "种养殖业",
                 "低保": "政府救助", "特困": "政府救助", "救助": "政府救助", "政府补助": "政府救助", "亲友救济": "亲朋救济",
                 "亲朋": "亲朋救济", "亲友": "亲朋救济"}

FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", "name", required=True, headings=r"(?:老人|老年人)?(?:姓名|名字)"),
    Field("sex", "性别", "sex", ("男", "女"), headings=r"性别"),
    Field("birth_date", "出生日期", "birth_date", headings=r"出生(?:日期|年月日?|时间)|生日"),
    Field("ethnicity", "民族", "text", headings=r"民族", default="汉族"),
    Field("id_number", "身份证号码", "id_number", required=True,
          headings=r"(?:老人)?(?:公民)?身份(?:证)?(?:件)?(?:号码|号)?|证件号码"),
    Field("household_address", "户籍所在地", "text", headings=r"户籍(?:所在地|地|地址)|户口(?:所在地|地址)"),
    Field("current_address", "现居住地址", "text",
          headings=r"现居住地址|现居住地|现住址|家庭住址|居住地址|家庭地址|住址|现居地址"),
    Field("village", "村（社区）", "village", required=True,
          headings=r"村|所在村|村名|行政村|村社区|社区|所在村社区|村居|所属村|村委会"),
    Field("group_name", "组", "text", headings=r"组|村民小组|小组|所在组|组别|社"),
    Field("phone", "联系电话", "phone", headings=r"(?:老人|本人)?(?:联系电话|电话|手机|手机号码|联系方式|电话号码)"),
    Field("is_disabled", "残疾", "bool", headings=r"(?:是否)?残疾|身体情况残疾", default=0),
    Field("disability_category", "残疾类别", "text", DISABILITY_CATEGORIES, headings=r"残疾(?:类别|类型)"),
    Field("disability_grade", "残疾等级", "text", DISABILITY_GRADES, headings=r"残疾等级"),
    Field("is_ill", "患病", "bool", headings=r"(?:是否)?患病|身体情况患病", default=0),
    Field("illness_type", "患病类型", "text", headings=r"(?:患病|疾病)(?:类型|情况|名称|种类)|所患疾病|主要疾病"),
    Field("ability_level", "能力等级", "ability", headings=r"(?:老年人)?能力(?:评估)?(?:等级)?|失能等级|失能情况"),
    Field("has_dementia", "失智", "bool", headings=r"(?:是否)?失智", default=0),
    Field("education", "文化程度", "choice", EDUCATION, headings=r"文化程度|学历",
          words={"半文盲": "文盲", "文盲或半文盲": "文盲", "不识字": "文盲", "小学及以下": "小学", "高中": "高中及以上",
                 "中专": "高中及以上", "职高": "高中及以上", "技校": "高中及以上", "大专": "高中及以上",
                 "大学": "高中及以上", "本科": "高中及以上", "初中及以上": "初中"}),
    Field("spouse", "夫妻情况", "choice", SPOUSE, headings=r"夫妻情况|婚姻(?:状况|情况)|配偶情况",
          words={"丧偶": "一方健在", "一方去世": "一方健在", "已婚": "双方健在", "有配偶": "双方健在", "健在": "双方健在",
                 "夫妻健在": "双方健在", "均健在": "双方健在"}),
    Field("children_count", "子女数量", "count", headings=r"子女(?:数量|数|人数|个数)", units="个次天人"),
    Field("children_birth_years", "子女出生年份", "text", headings=r"子女出生年份?"),
    Field("children_away_years", "外出务工年限", "years", headings=r"(?:子女)?外出(?:务工)?年限|外出年数", units="年"),
    Field("last_family_visit", "最近一次回家探望时间", "month", headings=r"最近(?:一次)?(?:回家)?探望(?:时间|日期)"),
    Field("reunions_per_year", "每年团聚次数", "count", headings=r"(?:每年|年)?团聚次数", units="个次天人"),
    Field("reunion_avg_days", "平均团聚天数", "count", headings=r"(?:平均)?团聚天数", units="个次天人"),
    Field("income_sources", "家庭经济来源", "choices", INCOME, headings=r"(?:家庭)?(?:经济|收入)来源",
          words=_INCOME_WORDS),
    Field("main_income", "主要经济来源", "choice", INCOME, headings=r"主要(?:经济|收入)来源", words=_INCOME_WORDS),
    Field("care", "照料情况", "choice", CARE, headings=r"(?:日常)?(?:照料|照护)(?:情况)?",
          words={"有": "有人照料", "是": "有人照料", "有人": "有人照料", "无": "无人照料", "否": "无人照料",
                 "无人": "无人照料", "没有": "无人照料"}),
    Field("lives_alone", "独居", "bool", headings=r"(?:是否)?独居", default=0),
    # words for 困难类型 are found inside what was written (城市低保 → 低保), the first that occurs wins
    Field("hardship", "困难类型", "choice", HARDSHIP,
          headings=r"低保特困|困难类型|困难情况|是否低保特困|低保特困情况|低保特困类型|兜底保障|低保",
          words={"低保边缘": "低保边缘", "特困": "特困", "五保": "特困", "低保": "低保"}),
    Field("lost_only_child", "失独", "bool", headings=r"(?:是否)?失独", default=0),
    Field("family_planning_special", "计划生育特殊家庭", "bool", headings=r"(?:是否)?计(?:划)?生(?:育)?特殊家庭",
          default=0),
    Field("rural_hukou", "农村户籍", "bool", headings=r"(?:是否)?农村户籍", default=1),
    Field("needs", "养老需求", "text", headings=r"(?:养老|服务)?需求"),
    Field("difficulties", "存在困难问题", "text", headings=r"(?:存在(?:的)?)?困难(?:问题)?|存在问题|主要困难"),
    Field("visitor", "巡访责任人", "visitor",
          headings=r"(?:巡访|帮扶|关爱|包保)(?:责任)?人(?:姓名)?|巡访责任人姓名|结对帮扶人"),
    Field("tier", "巡访类别", "choice", TIERS, headings=r"巡访(?:类别|类型)|关爱类别"),
    Field("entered_on", "纳入台账日期", "date", headings=r"纳入(?:台账)?(?:日期|时间)|登记日期"),
    Field("notes", "备注", "text", headings=r"备注"),
)

FIELD_TABLE: Mapping[str, Field] = MappingProxyType({f.code: f for f in FIELDS})

# Every field of the registration form and what the visits and the county need, in the form's order.
ELDER_FIELDS: dict[str, str] = {f.code: f.label for f in FIELDS}


def of_kind(kind: str) -> tuple[str, ...]:
    """The codes of the fields of one kind, in the form's order."""
    return tuple(f.code for f in FIELDS if f.kind == kind)


_BOOL_FIELDS = of_kind("bool")
