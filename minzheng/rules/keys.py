"""The canonical parameter keys every installation understands (issue 4), shown on the admin page.

Other keys come with the policy files and the shipped parameter files (`data/params_default.yaml`,
`eldercare/data/params.yaml` for home-care hours, `meals/data/params.yaml` for meal subsidies); the
admin page lists every key that has a value, with its description and unit, next to these.
"""

from __future__ import annotations

CANONICAL_KEYS: list[tuple[str, str, str]] = [
    ("dibao.standard", "最低生活保障标准", "元/人/月"),
    ("dibao.edge_multiple", "低保边缘家庭收入线：低保标准的倍数（全国默认 1.5，浙江 2）", "倍"),
    ("dibao.deposit_cap_months", "人均存款与有价证券须低于低保标准的月数", "个月"),
    ("dibao.enterprise_capital_cap", "家庭成员认缴出资合计上限", "元"),
    ("dibao.vehicle_value_cap_months", "车辆价值上限（低保标准的月数；0 表示不得有车）", "个月"),
    ("tekun.basic_living", "特困人员基本生活标准", "元/人/年"),
    ("gaoling.min_age", "高龄津贴起始年龄", "岁"),
    ("gaoling.amount", "高龄津贴", "元/人/月"),
]
