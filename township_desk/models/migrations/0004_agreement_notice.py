"""Agreements: the notice of a no-fault termination (seed 002 att. 3/4, 解除协议 clause 2: 应提前15日通知对方).

``notice_on``/``notice_by`` record when and by which party notice was given; ``terminated_for_cause``
marks a termination for cause (clauses 3–5: unpaid fee, carer not doing the job, disputes), which needs
no notice period.
"""

SQL = """
ALTER TABLE agreements ADD COLUMN notice_on TEXT;
ALTER TABLE agreements ADD COLUMN notice_by TEXT;
ALTER TABLE agreements ADD COLUMN terminated_for_cause INTEGER NOT NULL DEFAULT 0
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
