"""Demo mutual-aid agreements for the demo township: both templates, every state, believable carers and fees.

Called by the demo generator after the elders and supporters exist. Everything goes through
``models.agreements`` (the same checks and audit log as the window), so the demo shows real data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from stdnum.cn import ric

from township_desk.models import agreements

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何罗高林郑梁谢宋唐许邓冯韩曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾"
_GIVEN_F = ("桂兰", "秀英", "淑芬", "玉珍", "春梅", "素琴", "凤英", "翠华", "德芳", "小琴", "红梅", "丽华", "金凤", "菊香")
_GIVEN_M = ("德全", "国强", "志明", "建华", "永福", "长贵", "树林", "大勇", "光荣", "成才", "明亮", "富贵", "正清")
_PAYMENT = (
    "甲方每月5日前通过微信转账支付给乙方",
    "甲方每季度第一周一次性支付，银行转账",
    "每月月底现金支付，乙方写收条，村委会见证",
    "甲方每月10日前转入乙方银行卡",
    "按月支付，甲方委托村委会代为转交乙方",
)
_TERMINATION = (
    (False, "乙方", "乙方家中有老人需照顾，无法继续服务"),
    (False, "甲方", "甲方返乡照料老人"),
    (True, "乙方", "甲方逾期一个月不交纳服务费"),
    (True, "甲方", "乙方多次未按约定上门服务，未尽职尽责"),
    (False, "双方", "老人随子女进城居住，双方协商一致解除"),
)
# The share of elders with an agreement, and the mix of states (weights).
SHARE = 0.12
STATES = (("running", 4), ("ending_soon", 2), ("draft", 2), ("expired", 2), ("terminated", 2))


def _carer(rng: random.Random, elder: dict) -> dict:
    """A neighbour or relative in the same village, in their 50s to 60s, most often a woman."""
    female = rng.random() < 0.75
    birth = dt.date(rng.randint(1956, 1976), rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    body = f"{elder['id_number'][:6]}{birth:%Y%m%d}{seq:03d}"
    address = elder.get("current_address") or elder.get("household_address") or ""
    group = rng.randint(1, 9)
    return {
        "party_b_name": rng.choice(_SURNAMES) + rng.choice(_GIVEN_F if female else _GIVEN_M),
        "party_b_id_number": body + ric.calc_check_digit(body + "0"),
        "party_b_address": f"{elder['village']}{group}组{rng.randint(1, 60)}号" if address else None,
        "party_b_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
    }


def _terms(rng: random.Random, elder: dict) -> dict:
    assisted = (elder.get("ability_level") or 0) >= 2 or bool(elder.get("has_dementia"))
    fee = rng.randrange(5, 13) * 100 if assisted else rng.randrange(3, 9) * 100
    terms = {"template": "介助介护" if assisted else "自理", "term_years": rng.choice((1, 1, 1, 2)),
             "fee": f"每月{fee}元", "other_terms": rng.choice(_PAYMENT)}
    if rng.random() < 0.6:
        start = rng.choice((7, 8, 9, 14))
        length = rng.choice((2, 3, 4)) + (2 if assisted else 0)
        terms.update(hours_from=str(start), hours_to=str(start + length))
    else:
        terms["hours_per_day"] = rng.choice((2, 3, 4)) + (2 if assisted else 0)
    return terms


def _plan_dates(rng: random.Random, state: str, as_of: dt.date, term_years: float) -> dt.date:
    """A start date that puts an agreement of ``term_years`` in ``state`` on ``as_of``."""
    if state == "draft":
        return as_of + dt.timedelta(days=rng.randint(3, 30))
    if state == "ending_soon":
        end = as_of + dt.timedelta(days=rng.randint(1, 30))
        return agreements.add_months(end + dt.timedelta(days=1), -round(term_years * 12))
    if state == "expired":
        end = as_of - dt.timedelta(days=rng.randint(10, 200))
        return agreements.add_months(end + dt.timedelta(days=1), -round(term_years * 12))
    # running or terminated: started 2–10 months ago, ends more than 30 days from now
    start = as_of - dt.timedelta(days=rng.randint(60, 300))
    while agreements.default_end_date(start, term_years) <= as_of + dt.timedelta(days=30):
        start += dt.timedelta(days=30)
    return start


def generate(db, rng: random.Random, as_of: dt.date, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write demo agreements for about 12% of the 在册 elders who have a supporter; same rng → same data.

    Returns counts by status. Every state appears once there are at least 12 candidate elders.
    """
    candidates = list(db.query(
        """SELECT e.id, e.id_number, e.current_address, e.household_address, e.ability_level, e.has_dementia,
                  v.name AS village
           FROM elders e JOIN villages v ON v.id = e.village_id
           WHERE e.status = '在册' AND EXISTS (SELECT 1 FROM supporters s WHERE s.elder_id = e.id)
           ORDER BY e.id"""))
    if not candidates:
        return {}
    chosen = rng.sample(candidates, max(min(len(candidates), 12), round(len(candidates) * SHARE)))
    chosen.sort(key=lambda e: e["id"])
    plan = [state for state, weight in STATES for _ in range(weight)]
    total = len(chosen)
    with db.atomic():
        for index, elder in enumerate(chosen):
            state = plan[index % len(plan)]
            supporters = list(db.query("SELECT id FROM supporters WHERE elder_id = ? ORDER BY sort_order, id",
                                       [elder["id"]]))
            terms = _terms(rng, elder)
            start = _plan_dates(rng, state, as_of, terms["term_years"])
            data = {"elder_id": elder["id"], "party_a_supporter_id": supporters[0]["id"],
                    "start_date": start.isoformat(), **terms, **_carer(rng, elder)}
            if rng.random() < 0.5:
                data["party_a_address"] = elder.get("current_address")  # some supporters left their home address
            agreement_id = agreements.save_agreement(db, data, today=as_of).agreement_id
            if state != "draft":
                signed = min(start - dt.timedelta(days=rng.randint(0, 7)), as_of)
                agreements.sign(db, agreement_id, signed, today=as_of)
            if state == "terminated":
                for_cause, by, reason = rng.choice(_TERMINATION)
                signed_on = dt.date.fromisoformat(agreements.get_agreement(db, agreement_id)["signed_on"])
                # signed at least 60 days ago, so the end lies 40+ days after signing and 15+ after notice
                on = min(as_of, signed_on + dt.timedelta(days=rng.randint(40, 150)))
                notice = None if for_cause else on - dt.timedelta(days=agreements.NOTICE_DAYS + rng.randint(0, 10))
                agreements.terminate(db, agreement_id, on, by, reason, for_cause=for_cause, notice_on=notice,
                                     today=as_of)
            if state == "expired" and rng.random() < 0.5:
                renewed = agreements.renew(db, agreement_id)
                # the renewal of an expired agreement is either still a draft or already signed
                if rng.random() < 0.5:
                    renewal_start = agreements.get_agreement(db, renewed)["start_date"]
                    agreements.sign(db, renewed, min(dt.date.fromisoformat(renewal_start), as_of), today=as_of)
            if progress:
                progress(index + 1, total)
        # expire only after the renewals exist: expiry runs on the last day as the clerk's window would
        agreements.expire_due(db, as_of)
    counts: dict[str, int] = {}
    for status, count in db.execute("SELECT status, COUNT(*) FROM agreements GROUP BY status"):
        counts[status] = count
    return counts
