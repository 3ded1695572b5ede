from __future__ import annotations

from django import forms

from minzheng.audit.models import AuditEvent

# The object_type values written by the services, as users read them.
OBJECT_TYPES = {
    "place_name": "地名",
    "placename_application": "地名申请",
    "placename_sign": "地名标志",
    "person": "居民",
    "household": "户",
    "import": "导入",
    "user": "账号",
    "person_search": "查询导出",
    "rejects": "错误行文件",
    "division": "区划",
    "feed_delivery": "部门核对数据",  # verification: feed deliveries and their rejects downloads
    "verification_report": "核对报告",  # verification: 一键核对 reports, their reading and downloads
    "batch_run": "批量复核",  # verification: batch re-checks started and finished
    "worklist": "核对工作清单导出",  # verification: worklist Excel exports
    "worklist_item": "核对工作清单",  # verification: pages of the worklist read
    "feed_snapshot": "部门数据快照",  # verification: snapshots read or replaced
    "match_candidate": "匹配复核",  # verification: non-number matches confirmed or rejected
    # 政策目录与资格判定 (rules)
    "parameter": "政策参数",
    "parameter_change": "参数调整申请",
    "eligibility": "可享政策",
    "eligibility_run": "批量资格判定",
    "eligibility_worklist": "应享未享清单",
    "eligibility_whatif": "政策测算",
    # 居家养老 (eldercare)
    "eldercare_elder": "居家养老服务对象",
    "eldercare_assessment": "能力评估",
    "eldercare_order": "居家养老订单",
    "eldercare_statement": "养老服务结算单",
    "eldercare_flag": "服务监管疑点",
    "eldercare_provider": "养老服务商",
    "eldercare_caregiver": "护理员",
    "eldercare_catalogue": "养老服务项目",
    # 一键通 (emergency) and 老年助餐 (meals)
    "emergency_incident": "紧急呼叫事件",
    "emergency_device": "一键通终端",
    "meals_canteen": "助餐点",
    "meals_menu": "助餐菜单",
    "meals_order": "助餐订单",
    "meals_settlement": "助餐结算",
    # Written by apps added alongside issue 9 (jobs, retention, cases, work items, calendar, scheduler)
    "job": "后台任务",
    "files": "过期文件清理",
    "case": "社会救助案件",
    "letter": "通知书与告知书",
    # 待遇与资金发放 (payments)
    "entitlement": "待遇",
    "entitlement_list": "待遇名册导出",
    "bank_account": "发放账户",
    "payroll_run": "发放批次",
    "overpayment": "追回台账",
    "dashboard": "民政大脑导出",  # dashboard: Excel and the monthly PDF report
    "child_visit": "儿童走访记录",  # childvisits
    "child_visit_plan": "儿童走访计划",
    "rescue_stay": "站内救助",  # rescue: intake, stay steps, identity requests, the rescue file read
    "rescue_entry": "救助台账",  # rescue: ledger entries and follow-ups
    "rescue_export": "救助台账导出",
    "life_event": "一件事",  # lifeevents: drafts, 受理, proofs received, benefit changes, reads, exports
    "lifeevent_task": "一件事部门事项",  # lifeevents: each department task's steps (workflow kernel)
    "disaster_event": "灾害事件",  # disaster: events, levels, exports
    "disaster_assessment": "灾情评估",  # disaster: village first and follow-up reports
    "disaster_claim": "灾害救助申请",  # disaster: relief claims and their payment
    "disaster_stock": "救灾物资",  # disaster: lots, issues, returns, write-offs, receipts
    "disaster_warning": "预警叫应",  # disaster: warnings, contacts, calls, numbers shown
    "disaster_distribution": "物资签收签名",  # disaster: the receipt's signature image (documents)
    "child_file": "儿童档案",  # children: file reads, writes (父母情形, 监护人, 在校与健康)
    "child_file_export": "儿童档案导出",
    "standard_change": "标准调整",
    "workitem": "待办事项",
    "holiday": "节假日表",
    "institution": "养老机构",  # institutions: registration, beds, account
    "institution_resident": "机构入住老人",  # institutions: admissions, discharges, levels, reads
    "institution_rating": "养老机构等级评定",
    "institution_inspection": "养老机构检查",  # institutions: inspection steps (workflow)
    "institution_subsidy": "养老机构运营补贴",
    "institution_facility": "养老服务设施",
    "institution_export": "养老机构导出",
    "scheduler_schedule": "定时任务",
    # 殡葬 (funeral) and 婚姻收养登记 (marriage)
    "funeral_home": "殡仪馆",
    "funeral_cemetery": "公墓与墓位",  # funeral: cemeteries, plots added, plot states
    "funeral_cremation": "火化记录",  # funeral: cremations (home or feed), ashes, file reads
    "funeral_burial": "安葬记录",  # funeral: burials, file reads
    "funeral_award": "殡葬补助与生态安葬奖励",  # funeral: the rules engine's decisions and payments
    "funeral_cleanup": "坟墓整治台账",
    "funeral_assistant": "殡葬协理员",
    "funeral_export": "殡葬导出",
    "marriage_appointment": "婚姻登记预约",  # marriage: bookings and their steps (workflow)
    "marriage_registration": "婚姻登记",  # marriage: registrations, record reads
    "marriage_adoption": "收养登记",
    "marriage_export": "婚姻登记导出",
    # 社会组织 (socialorgs)
    "socialorg": "社会组织",
    "socialorg_filing": "社会组织登记事项",
    "socialorg_report": "社会组织年报",
    "socialorg_draw": "双随机抽查批次",
    "socialorg_inspection": "社会组织检查",
    "socialorg_rating": "社会组织评估等级",
    "socialorg_lead": "打非线索",
    "venture_round": "公益创投活动",
    "venture_application": "公益创投项目",
    "venture_instalment": "创投资金拨付",
    "volunteer_station": "社工站",  # volunteers: stations and their social workers
    "volunteer": "志愿者",  # volunteers: registration, reads, star levels
    "volunteer_activity": "志愿服务活动",  # volunteers: activities, sign-in/out, hours confirmed
    "timebank_account": "时间银行账户",  # volunteers: every movement of the time bank
    "volunteer_export": "志愿服务导出",
    # 基层治理 (governance)
    "gov_topic": "议事协商议题",
    "gov_meeting": "阳光报告会",
    "gov_question": "阳光报告会问题台账",
    "gov_credit_rule": "信用积分规则",
    "gov_credit": "户信用积分",
    "gov_shop": "信用超市",
    "gov_fund": "信用基金",
    "gov_committee": "人民调解委员会",
    "gov_mediation": "人民调解案件",
    "gov_rating": "幸福社区星级评定",
    "gov_public": "村（居）务公开",
    "gov_noproof": "无证明村证明事项",
    "gov_export": "基层治理导出",
}


class AuditSearchForm(forms.Form):
    username = forms.CharField(label="操作人账号", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部"), *AuditEvent.Action.choices])
    object_type = forms.ChoiceField(label="对象类型", required=False, choices=[("", "全部"), *OBJECT_TYPES.items()])
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data
