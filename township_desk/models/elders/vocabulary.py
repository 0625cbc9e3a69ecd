"""The words of an elder record: field labels, the choices each field allows, the statuses and flags."""

from __future__ import annotations

# Every field of the registration form and what the visits and the county need, in the form's order.
ELDER_FIELDS: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "id_number": "身份证号码",
    "household_address": "户籍所在地",
    "current_address": "现居住地址",
    "village": "村（社区）",
    "group_name": "组",
    "phone": "联系电话",
    "is_disabled": "残疾",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "is_ill": "患病",
    "illness_type": "患病类型",
    "ability_level": "能力等级",
    "has_dementia": "失智",
    "education": "文化程度",
    "spouse": "夫妻情况",
    "children_count": "子女数量",
    "children_birth_years": "子女出生年份",
    "children_away_years": "外出务工年限",
    "last_family_visit": "最近一次回家探望时间",
    "reunions_per_year": "每年团聚次数",
    "reunion_avg_days": "平均团聚天数",
    "income_sources": "家庭经济来源",
    "main_income": "主要经济来源",
    "care": "照料情况",
    "lives_alone": "独居",
    "hardship": "困难类型",
    "lost_only_child": "失独",
    "family_planning_special": "计划生育特殊家庭",
    "rural_hukou": "农村户籍",
    "needs": "养老需求",
    "difficulties": "存在困难问题",
    "visitor": "巡访责任人",
    "tier": "巡访类别",
    "entered_on": "纳入台账日期",
    "notes": "备注",
}

SUPPORTER_FIELDS: dict[str, str] = {
    "name": "姓名",
    "relation": "与老人关系",
    "id_number": "身份证号码",
    "phone": "联系电话",
    "work_place": "务工地点",
    "away_since": "外出时间",
    "employer_type": "单位性质",
    "rural_hukou": "农村户籍",
    "is_away": "在外务工",
    "can_support": "有赡养能力",
}

STATUSES = ("在册", "暂离", "已迁出", "已去世", "已不属于留守")
EDUCATION = ("文盲", "小学", "初中", "高中及以上")
SPOUSE = ("双方健在", "一方健在")
INCOME = ("打工", "种养殖业", "政府救助", "亲朋救济", "其他")
CARE = ("有人照料", "无人照料")
HARDSHIP = ("", "低保", "特困", "低保边缘")
TIERS = ("重点", "一般")
ABILITY_LEVELS = {
    0: "能力完好",
    1: "轻度受损（轻度失能）",
    2: "中度受损（中度失能）",
    3: "重度受损（重度失能）",
    4: "完全丧失（完全失能）",
}
EMPLOYER_TYPES = ("企业", "个体", "务农", "灵活就业", "机关", "事业单位", "国有企业", "其他")
STATE_EMPLOYERS = ("机关", "事业单位", "国有企业")
FLAGS = ("独居", "失能", "高龄", "无人照料")
AGED_FROM = 80  # 高龄: full years (the ledger filter and the risk factor)

_BOOL_FIELDS = ("is_disabled", "is_ill", "has_dementia", "lives_alone", "lost_only_child",
                "family_planning_special", "rural_hukou")
_INT_FIELDS = ("children_count", "reunions_per_year", "reunion_avg_days")
_TEXT_FIELDS = ("ethnicity", "household_address", "current_address", "group_name", "disability_category",
                "disability_grade", "illness_type", "children_birth_years", "needs", "difficulties", "notes")
