package console

// The field trail section's words (trail.go).
var trailTexts = map[lang]map[string]string{
	"en": {
		"nav.trail":         "Field trail",
		"trail.title":       "Field trail",
		"trail.hint":        "Where a field employee's phone reported it was, with the fences of their site. Points outside every fence are red.",
		"trail.employee":    "Employee id",
		"trail.range":       "Period",
		"trail.hours":       "last %d hours",
		"trail.show":        "Show",
		"trail.none":        "No location reported in this period.",
		"trail.summary":     "%d points, %d outside the fences",
		"trail.when":        "When",
		"trail.where":       "Where",
		"trail.accuracy":    "Accuracy",
		"trail.verdict":     "Fence",
		"trail.v.inside":    "inside",
		"trail.v.outside":   "outside",
		"trail.v.uncertain": "uncertain",
		"trail.v.":          "no fence",
		"sites.fix":         "Accuracy a phone's fix needs for a GPS punch, in metres (10 to 5,000; empty: 100 m, or the smallest circle)",
		"sites.err.fix":     "Type 10 to 5,000 metres, or leave it empty.",
	},
	"zh": {
		"nav.trail":         "外勤轨迹",
		"trail.title":       "外勤轨迹",
		"trail.hint":        "外勤员工手机上报的位置，以及其考勤地点的围栏。围栏外的点显示为红色。",
		"trail.employee":    "员工编号",
		"trail.range":       "时间段",
		"trail.hours":       "最近 %d 小时",
		"trail.show":        "查看",
		"trail.none":        "该时间段内没有上报位置。",
		"trail.summary":     "%d 个位置，%d 个在围栏外",
		"trail.when":        "时间",
		"trail.where":       "位置",
		"trail.accuracy":    "精度",
		"trail.verdict":     "围栏",
		"trail.v.inside":    "范围内",
		"trail.v.outside":   "范围外",
		"trail.v.uncertain": "不确定",
		"trail.v.":          "无围栏",
		"sites.fix":         "GPS 打卡所需的定位精度（米，10 至 5000；留空：100 米或最小圆形围栏的半径）",
		"sites.err.fix":     "请填写 10 至 5000 米，或留空。",
	},
}

func init() { addTexts(trailTexts) }
