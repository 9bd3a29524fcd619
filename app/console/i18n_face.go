package console

// faceTexts are the texts of the employee editor's face enrolment; init
// adds them to texts. A photo's verdict and the face service's state are
// said from their codes (face.photo.CODE, face.svc.CODE).
var faceTexts = map[lang]map[string]string{
	"en": {
		"face.title":                 "Face enrolment",
		"face.hint":                  "The store's face service reads the photos and keeps only face descriptors, never the photos. Enrol only with the employee's agreement; delete on their request.",
		"face.svc.no_site":           "This employee has no home site: give them one to enrol their face at its kiosks.",
		"face.svc.no_service":        "The employee's site has no face service: set its URL in Sites.",
		"face.svc.not_linked":        "punchd is not linked to the face services (no face admin token): ask your administrator.",
		"face.svc.unreachable":       "The store's face service does not answer. Try again later.",
		"face.none":                  "Not enrolled.",
		"face.enrolled":              "Enrolled: %d face templates, since %s.",
		"face.withdrawn":             "Not enrolled: face data deleted and consent withdrawn on %s.",
		"face.consent":               "%s has agreed that their face is used to punch at the kiosks of their store. (The consent is kept with your name and the time.)",
		"face.photos":                "Photos (1 to 5)",
		"face.photosHint":            "The employee alone, facing the camera, well lit. On a phone or tablet the camera opens.",
		"face.needConsent":           "Tick the employee's consent first.",
		"face.full":                  "5 photos: remove one to add another.",
		"face.noPhotos":              "No photo chosen yet.",
		"face.photo.checking":        "Checking…",
		"face.photo.accepted":        "Accepted",
		"face.photo.no_face":         "No face found",
		"face.photo.many_faces":      "Several faces: the employee alone, please",
		"face.photo.face_too_small":  "Face too small: come closer",
		"face.photo.bad_image":       "Not a JPEG or PNG image, or broken",
		"face.photo.too_large":       "Too large (at most 8 MB, 4096 pixels a side)",
		"face.photo.not_same_person": "Not the same person as the first accepted photo",
		"face.remove":                "Remove",
		"face.removeOf":              "Remove photo %s",
		"face.enroll":                "Enrol (%d accepted)",
		"face.done.enrolled":         "Face enrolled.",
		"face.done.deleted":          "Face data deleted, consent withdrawn.",
		"face.delete":                "Delete face data",
		"face.ask":                   "Delete %s's face data and withdraw their consent? The kiosks will no longer recognise them.",
		"face.yes":                   "Delete",
		"face.err.transient":         "The store's face service did not answer. Try again in a moment.",
	},
	"zh": {
		"face.title":                 "人脸录入",
		"face.hint":                  "门店人脸服务读取照片后只保存人脸特征，从不保存照片。仅在员工同意后录入；员工要求时删除。",
		"face.svc.no_site":           "该员工没有所属门店：请先设置门店，才能在该店考勤机录入人脸。",
		"face.svc.no_service":        "该员工的门店没有人脸服务：请在“门店”中设置其地址。",
		"face.svc.not_linked":        "punchd 未连接人脸服务（没有人脸管理令牌），请联系管理员。",
		"face.svc.unreachable":       "门店人脸服务无响应，请稍后重试。",
		"face.none":                  "未录入人脸。",
		"face.enrolled":              "已录入：%d 个人脸模板，录入时间 %s。",
		"face.withdrawn":             "未录入：人脸数据已删除，同意已于 %s 撤回。",
		"face.consent":               "%s 已同意在所属门店的考勤机上使用人脸打卡。（同意记录将连同您的姓名和时间保存。）",
		"face.photos":                "照片（1 至 5 张）",
		"face.photosHint":            "仅员工本人，正对镜头，光线充足。在手机或平板上会打开相机。",
		"face.needConsent":           "请先勾选员工的同意。",
		"face.full":                  "已有 5 张照片：删除一张后才能再添加。",
		"face.noPhotos":              "尚未选择照片。",
		"face.photo.checking":        "检查中…",
		"face.photo.accepted":        "合格",
		"face.photo.no_face":         "未检测到人脸",
		"face.photo.many_faces":      "有多张人脸：请只拍员工本人",
		"face.photo.face_too_small":  "人脸太小：请靠近一些",
		"face.photo.bad_image":       "不是 JPEG 或 PNG 图片，或图片已损坏",
		"face.photo.too_large":       "文件过大（最大 8 MB，每边最多 4096 像素）",
		"face.photo.not_same_person": "与第一张合格照片不是同一人",
		"face.remove":                "移除",
		"face.removeOf":              "移除照片 %s",
		"face.enroll":                "录入（%d 张合格）",
		"face.done.enrolled":         "人脸已录入。",
		"face.done.deleted":          "人脸数据已删除，同意已撤回。",
		"face.delete":                "删除人脸数据",
		"face.ask":                   "删除 %s 的人脸数据并撤回其同意？考勤机将不再识别此人。",
		"face.yes":                   "删除",
		"face.err.transient":         "门店人脸服务无响应，请稍后重试。",
	},
}

func init() {
	for l, m := range faceTexts {
		for k, v := range m {
			texts[l][k] = v
		}
	}
}
