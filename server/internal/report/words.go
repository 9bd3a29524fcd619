package report

// words are the day types, statuses and punch statuses as the sheet shows them in each
// language (the words of WeCom's daily report); anomalies and approvals
// stay codes, which a filter matches whatever the language.
var words = map[string][2]string{
	"workday":        {"workday", "工作日"},
	"rest_day":       {"rest day", "休息日"},
	"holiday":        {"holiday", "节假日"},
	"absent":         {"absent", "旷工"},
	"missing_in":     {"missing in-punch", "上班缺卡"},
	"missing_out":    {"missing out-punch", "下班缺卡"},
	"seriously_late": {"seriously late", "严重迟到"},
	"late":           {"late", "迟到"},
	"early_leave":    {"early leave", "早退"},
	"short_hours":    {"short hours", "工时不足"},
	"needs_approval": {"needs approval", "待审批"},
	"normal":         {"normal", "正常"},
	"rest":           {"rest", "休息"},
	"in_progress":    {"in progress", "进行中"},
	"scheduled":      {"scheduled", "未开始"},
	"accepted":       {"accepted", "已接受"},
	"rejected":       {"rejected", "已拒绝"},
}

// Word is a day type's or status's word in lang (LangEN or LangZH); a
// code it does not know, as it is.
func Word(lang, code string) string {
	w, ok := words[code]
	if !ok {
		return code
	}
	if lang == LangZH {
		return w[1]
	}
	return w[0]
}
