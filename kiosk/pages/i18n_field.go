package pages

// The field section's words (phone_field_view.go), added to messages by
// init: key, English, Chinese. A table rather than two map literals, whose
// initialisation code would weigh on every tablet's download.
var fieldMessages = [...][3]string{
	{"field.title", "Punch by GPS", "GPS 打卡"},
	{"field.waiting", "Waiting for the phone's location…", "正在获取手机定位…"},
	{"field.fix", "Location found (±%s m)", "已定位（±%s 米）"},
	{"field.weakFix", "Location too vague (±%s m; %s m needed)", "定位精度不足（±%s 米；需 %s 米以内）"},
	{"field.denied", "This page may not use the phone's location: allow it in the browser's settings.", "此页面无权使用手机定位，请在浏览器设置中允许。"},
	{"field.photo", "Take a photo (optional)", "拍照（可选）"},
	{"field.take", "Take it", "拍摄"},
	{"field.cancel", "Cancel", "取消"},
	{"field.photoTaken", "Photo taken: it goes with the punch.", "已拍照，将随打卡一起提交。"},
	{"field.drop", "Remove the photo", "删除照片"},
	{"field.punch", "Punch here", "在此打卡"},
	{"field.weakRoute", "No usable location for 15 minutes. Type where you are: your manager will decide.", "已 15 分钟无法获得可用定位。请填写所在地点，由上级审批。"},
	{"field.place", "Where you are (customer, address…)", "所在地点（客户、地址…）"},
	{"field.weakPunch", "Punch with this place", "以此地点打卡"},
	{"field.noPlace", "Type where you are (at most 200 characters).", "请填写所在地点（不超过 200 字）。"},
	{"field.inside", "Inside %s", "在 %s 范围内"},
	{"field.outside", "Outside the site's area: your manager will decide.", "不在考勤范围内，需上级审批。"},
	{"field.uncertain", "Location unsure: your manager will decide.", "定位不确定，需上级审批。"},
	{"field.again", "Done", "完成"},
}

func init() {
	for _, m := range fieldMessages {
		messages[English][m[0]], messages[Chinese][m[0]] = m[1], m[2]
	}
}
