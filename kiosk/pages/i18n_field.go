package pages

// The field section's words (phone_field_view.go), added to messages.
var fieldMessages = map[Lang]map[string]string{
	English: {
		"field.title":      "Punch by GPS",
		"field.waiting":    "Waiting for the phone's location…",
		"field.fix":        "Location found (±%s m)",
		"field.weakFix":    "Location too vague (±%s m; %s m needed)",
		"field.denied":     "This page may not use the phone's location: allow it in the browser's settings.",
		"field.photo":      "Take a photo (optional)",
		"field.take":       "Take it",
		"field.cancel":     "Cancel",
		"field.photoTaken": "Photo taken: it goes with the punch.",
		"field.drop":       "Remove the photo",
		"field.punch":      "Punch here",
		"field.weakRoute":  "No usable location for 15 minutes. Type where you are: your manager will decide.",
		"field.place":      "Where you are (customer, address…)",
		"field.weakPunch":  "Punch with this place",
		"field.noPlace":    "Type where you are (at most 200 characters).",
		"field.inside":     "Inside %s",
		"field.outside":    "Outside the site's area: your manager will decide.",
		"field.uncertain":  "Location unsure: your manager will decide.",
		"field.again":      "Done",
	},
	Chinese: {
		"field.title":      "GPS 打卡",
		"field.waiting":    "正在获取手机定位…",
		"field.fix":        "已定位（±%s 米）",
		"field.weakFix":    "定位精度不足（±%s 米；需 %s 米以内）",
		"field.denied":     "此页面无权使用手机定位，请在浏览器设置中允许。",
		"field.photo":      "拍照（可选）",
		"field.take":       "拍摄",
		"field.cancel":     "取消",
		"field.photoTaken": "已拍照，将随打卡一起提交。",
		"field.drop":       "删除照片",
		"field.punch":      "在此打卡",
		"field.weakRoute":  "已 15 分钟无法获得可用定位。请填写所在地点，由上级审批。",
		"field.place":      "所在地点（客户、地址…）",
		"field.weakPunch":  "以此地点打卡",
		"field.noPlace":    "请填写所在地点（不超过 200 字）。",
		"field.inside":     "在 %s 范围内",
		"field.outside":    "不在考勤范围内，需上级审批。",
		"field.uncertain":  "定位不确定，需上级审批。",
		"field.again":      "完成",
	},
}

func init() {
	for l, m := range fieldMessages {
		for k, v := range m {
			messages[l][k] = v
		}
	}
}
