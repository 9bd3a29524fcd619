package console

// rulesTexts are the texts of the rules section's calendar, weekly
// schedules, overtime, make-up punches and approval matrix, merged into
// texts (kept apart so that neither file grows past reading).
var rulesTexts = map[lang]map[string]string{
	"en": {
		"weekly.title":             "Weekly schedules",
		"weekly.mon":               "Mon",
		"weekly.tue":               "Tue",
		"weekly.wed":               "Wed",
		"weekly.thu":               "Thu",
		"weekly.fri":               "Fri",
		"weekly.sat":               "Sat",
		"weekly.sun":               "Sun",
		"weekly.add":               "Add a weekly schedule",
		"weekly.newTitle":          "New weekly schedule",
		"weekly.days":              "The shift of each weekday (or rest)",
		"weekly.makeup":            "Shift on make-up workdays",
		"weekly.makeupDefault":     "The Monday shift (default)",
		"weekly.default":           "Schedule of everyone without an assignment",
		"weekly.noDefault":         "None",
		"weekly.err.shift":         "Choose one of the shifts above, or rest.",
		"holidays.title":           "Holidays and workdays",
		"holidays.country":         "Statutory holidays of",
		"holidays.none":            "No statutory holidays",
		"holidays.year":            "Year shown",
		"holidays.noData":          "No built-in holidays of %s for %d yet: import the year's calendar (iCal) below before attendance of that year is computed.",
		"holidays.empty":           "No holidays or workdays in %d.",
		"holidays.date":            "Date",
		"holidays.to":              "To (optional, inclusive)",
		"holidays.source":          "Source",
		"holidays.statutory":       "statutory",
		"holidays.company":         "company",
		"holidays.days":            "(%d days)",
		"holidays.kind.holiday":    "day off",
		"holidays.kind.workday":    "make-up workday",
		"holidays.companyTitle":    "The company's own days off and workdays",
		"holidays.companyNone":     "None: only the statutory calendar applies.",
		"holidays.add":             "Add a day off or workday",
		"holidays.remove":          "Remove %s",
		"holidays.removeShort":     "Remove",
		"holidays.ical":            "Import an iCal file (.ics): its events become days off, or workdays when marked so",
		"holidays.icalRead":        "%s: %d entries read. Nothing is added until you add them, and nothing saved before the preview.",
		"holidays.icalAdd":         "Add these %d entries",
		"holidays.icalBad":         "%s cannot be read as an iCal calendar of days (details in the tooltip).",
		"holidays.err.date":        "A date such as 2026-03-10.",
		"holidays.err.to":          "A date after the first, within a year.",
		"holidays.err.kind":        "A day off or a make-up workday.",
		"overtime.title":           "Overtime by day type",
		"overtime.workday":         "Workdays",
		"overtime.rest_day":        "Rest days",
		"overtime.holiday":         "Holidays",
		"overtime.enabled":         "Count overtime on %s",
		"overtime.start_after_min": "Counted from this many minutes after the shift ends",
		"overtime.min_min":         "Less than this many minutes counts as none",
		"overtime.round_min":       "Rounded down to a multiple of (minutes; 0: none)",
		"overtime.max_min":         "At most this many minutes a day (0: no cap)",
		"overtime.needs_approval":  "The direct manager approves it",
		"makeup.title":             "Make-up punches",
		"makeup.own":               "A make-up policy of these rules (else the approval settings' policy applies)",
		"makeup.monthly_cap":       "Per employee and month (-1: unlimited)",
		"makeup.window_days":       "Up to this many days back",
		"makeup.cutoff_day":        "A month closes on this day of the next (0: never)",
	},
	"zh": {
		"weekly.title":             "固定排班（每周）",
		"weekly.mon":               "周一",
		"weekly.tue":               "周二",
		"weekly.wed":               "周三",
		"weekly.thu":               "周四",
		"weekly.fri":               "周五",
		"weekly.sat":               "周六",
		"weekly.sun":               "周日",
		"weekly.add":               "新增每周排班",
		"weekly.newTitle":          "新的每周排班",
		"weekly.days":              "每个工作日的班次（或休息）",
		"weekly.makeup":            "调休上班日的班次",
		"weekly.makeupDefault":     "周一的班次（默认）",
		"weekly.default":           "未单独分配排班的员工使用",
		"weekly.noDefault":         "无",
		"weekly.err.shift":         "请选择上面的班次之一，或休息。",
		"holidays.title":           "节假日与调休上班",
		"holidays.country":         "法定节假日",
		"holidays.none":            "不使用法定节假日",
		"holidays.year":            "显示年份",
		"holidays.noData":          "尚无 %s %d 年的内置节假日：请在下方导入该年的日历（iCal），再计算该年的考勤。",
		"holidays.empty":           "%d 年没有节假日或调休上班日。",
		"holidays.date":            "日期",
		"holidays.to":              "至（可选，含当天）",
		"holidays.source":          "来源",
		"holidays.statutory":       "法定",
		"holidays.company":         "公司",
		"holidays.days":            "（%d 天）",
		"holidays.kind.holiday":    "休息日",
		"holidays.kind.workday":    "调休上班",
		"holidays.companyTitle":    "公司自定的休息日和上班日",
		"holidays.companyNone":     "无：只使用法定日历。",
		"holidays.add":             "新增休息日或上班日",
		"holidays.remove":          "删除 %s",
		"holidays.removeShort":     "删除",
		"holidays.ical":            "导入 iCal 文件（.ics）：其中的事件成为休息日，标明上班的成为调休上班日",
		"holidays.icalRead":        "%s：读到 %d 条。点击添加后才会加入，预览之前不会保存。",
		"holidays.icalAdd":         "添加这 %d 条",
		"holidays.icalBad":         "无法将 %s 读作日期日历（详情见提示）。",
		"holidays.err.date":        "请输入日期，例如 2026-03-10。",
		"holidays.err.to":          "须晚于开始日期，且在一年之内。",
		"holidays.err.kind":        "休息日或调休上班日。",
		"overtime.title":           "按日期类型计算加班",
		"overtime.workday":         "工作日",
		"overtime.rest_day":        "休息日",
		"overtime.holiday":         "节假日",
		"overtime.enabled":         "%s计算加班",
		"overtime.start_after_min": "下班后多少分钟开始计算",
		"overtime.min_min":         "不足多少分钟不计加班",
		"overtime.round_min":       "向下取整到多少分钟的倍数（0 为不取整）",
		"overtime.max_min":         "每天最多计多少分钟（0 为不限）",
		"overtime.needs_approval":  "需直属上级审批",
		"makeup.title":             "补卡",
		"makeup.own":               "本规则单独设置补卡规则（否则使用审批设置中的规则）",
		"makeup.monthly_cap":       "每人每月次数（-1 为不限）",
		"makeup.window_days":       "可补多少天以内的卡",
		"makeup.cutoff_day":        "次月几号之后不能再补（0 为不限）",
	},
}

// countryNames are the holiday countries' names (rules.Countries).
var countryNames = map[string][2]string{
	"CN": {"China (built in, with make-up workdays)", "中国（内置，含调休上班）"},
	"AT": {"Austria", "奥地利"}, "BE": {"Belgium", "比利时"}, "BR": {"Brazil", "巴西"},
	"CA": {"Canada", "加拿大"}, "CH": {"Switzerland", "瑞士"}, "CZ": {"Czechia", "捷克"},
	"DE": {"Germany", "德国"}, "DK": {"Denmark", "丹麦"}, "ES": {"Spain", "西班牙"},
	"FR": {"France", "法国"}, "GB": {"United Kingdom", "英国"}, "IE": {"Ireland", "爱尔兰"},
	"IT": {"Italy", "意大利"}, "JP": {"Japan", "日本"}, "NL": {"Netherlands", "荷兰"},
	"NO": {"Norway", "挪威"}, "NZ": {"New Zealand", "新西兰"}, "PL": {"Poland", "波兰"},
	"SE": {"Sweden", "瑞典"}, "US": {"United States", "美国"},
}

// countryName says a holiday country: "Germany (DE)".
func countryName(l lang, cc string) string {
	n, ok := countryNames[cc]
	if !ok {
		return cc
	}
	if l == "zh" {
		return n[1] + "（" + cc + "）"
	}
	return n[0] + " (" + cc + ")"
}

func init() {
	for l, m := range rulesTexts {
		for k, s := range m {
			texts[l][k] = s
		}
	}
}
