"""The bodies that unit-bound accounts of the demo and of the test cast act for.

A department's staff (协办部门), an organisation's own account (社会组织) and an institution's operator
(养老机构) carry the body's code in `User.unit`. The demo step and the tests of the app that owns the
body (lifeevents, socialorgs, institutions) create a body with exactly this code.
"""

DEPARTMENT_UNIT = "hrss"  # 人力社保, one of the 一件事 departments
ORG_CREDIT_CODE = "52330212MJ0000010G"  # a valid 统一社会信用代码 (5 民政登记, 2 社会服务机构, 330212)
INSTITUTION_CODE = "YL330212001"
