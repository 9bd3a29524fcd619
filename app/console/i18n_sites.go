package console

// sitesTexts are the texts of a site's several geofences; init adds
// them to texts.
var sitesTexts = map[lang]map[string]string{
	"en": {
		"sites.fences":         "Geofences",
		"sites.noFences":       "No geofence: punches here are not checked by place. Add a circle or a polygon.",
		"sites.fenceSep":       "; ",
		"sites.fenceEdit":      "Edit fence %d (%s)",
		"sites.fenceOf":        "Fence %d: %s",
		"sites.fenceBad":       "has a problem: edit it",
		"sites.fenceRemove":    "Remove",
		"sites.fenceRemoveOf":  "Remove fence %d",
		"sites.fenceRemoveAsk": "Remove fence %d (%s)? It is gone once the site is saved.",
		"sites.addCircle":      "Add a circle",
		"sites.addPolygon":     "Add a polygon",
		"sites.err.fence":      "This fence is not valid (a shape or datum punchd does not take).",
	},
	"zh": {
		"sites.fences":         "考勤范围",
		"sites.noFences":       "未设考勤范围：此处打卡不检查位置。请添加圆形或多边形。",
		"sites.fenceSep":       "；",
		"sites.fenceEdit":      "编辑范围 %d（%s）",
		"sites.fenceOf":        "范围 %d：%s",
		"sites.fenceBad":       "有问题：请编辑",
		"sites.fenceRemove":    "删除",
		"sites.fenceRemoveOf":  "删除范围 %d",
		"sites.fenceRemoveAsk": "删除范围 %d（%s）？保存地点后即被删除。",
		"sites.addCircle":      "添加圆形",
		"sites.addPolygon":     "添加多边形",
		"sites.err.fence":      "此考勤范围无效（punchd 不接受的形状或坐标系）。",
	},
}

func init() { addTexts(sitesTexts) }
