"""The words of an elder record: the choices fields allow, the supporters' labels, the statuses and flags.

The elder's own fields are described in ``fields.FIELDS``."""

from __future__ import annotations

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
# Common values the editor offers for 残疾类别 and 残疾等级 (other text may be typed).
DISABILITY_CATEGORIES = ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
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
