package pages

import (
	"fmt"
	"strings"
)

// Lang is a user interface language.
type Lang string

// The languages the kiosk speaks.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// LangOf picks the language for a browser language tag such as "zh-CN":
// Chinese for any zh tag, English otherwise.
func LangOf(tag string) Lang {
	if strings.HasPrefix(strings.ToLower(tag), "zh") {
		return Chinese
	}
	return English
}

// Other is the language the toggle switches to.
func (l Lang) Other() Lang {
	if l == Chinese {
		return English
	}
	return Chinese
}

// T returns the text of key in l, formatted with args (fmt verbs). A key
// missing in Chinese falls back to English, and a missing key shows itself,
// so a gap is visible rather than blank.
func (l Lang) T(key string, args ...any) string {
	s, ok := messages[l][key]
	if !ok {
		if s, ok = messages[English][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// messages is the translation table. Keep the two columns in step; a test
// checks that every key has both.
var messages = map[Lang]map[string]string{
	English: {
		"lang.toggle":         "中文",
		"starting":            "Starting…",
		"boot.failed":         "The kiosk cannot start: %s",
		"status.notEnrolled":  "This kiosk is not enrolled yet.",
		"enroll.title":        "Enroll this kiosk",
		"enroll.code":         "One-time code",
		"enroll.server":       "Server",
		"enroll.name":         "Kiosk name",
		"enroll.submit":       "Enroll",
		"enroll.busy":         "Enrolling…",
		"enroll.unknown":      "Unknown code. Check it and try again.",
		"enroll.used":         "This code has already been used. Ask for a new one.",
		"enroll.expired":      "This code has expired. Ask for a new one.",
		"enroll.unreachable":  "The server cannot be reached. Check the address and the network.",
		"enroll.failed":       "Enrollment failed: %s",
		"enroll.done":         "Enrolled at %s",
		"scan.prompt":         "Show your badge to the camera",
		"scan.unreadable":     "Hold the badge still, a little closer",
		"qr.caption":          "Or scan with your phone",
		"punch.in":            "IN",
		"punch.out":           "OUT",
		"punch.recorded":      "RECORDED",
		"punch.noShift":       "no shift now",
		"punch.late":          "late %d min",
		"punch.unknown":       "Unknown badge %s. Recorded for the manager to check.",
		"punch.inactive":      "Badge %s is no longer valid.",
		"punch.duplicate":     "Already punched at %s.",
		"punch.failed":        "NOT RECORDED: %s",
		"punch.quota":         "NOT RECORDED: the kiosk's storage is full. Call the manager.",
		"method.badge":        "badge",
		"method.qr":           "phone QR",
		"method.face":         "face",
		"st.online":           "Online",
		"st.offline":          "Offline",
		"st.connecting":       "Connecting",
		"st.waiting":          "waiting",
		"st.oldest":           "oldest",
		"st.lastSync":         "last sync",
		"st.never":            "never",
		"st.ago":              "%s ago",
		"st.offset":           "clock",
		"st.offsetUnknown":    "unknown",
		"st.version":          "version",
		"st.rejected":         "rejected",
		"st.fatal":            "Sync stopped: %s. Enroll this kiosk again.",
		"st.notPersistent":    "Storage may be evicted",
		"st.error":            "Error: %s",
		"camera.error":        "Camera unavailable: %s",
		"camera.starting":     "Starting the camera…",
		"manager.open":        "Manager",
		"manager.title":       "Today at this kiosk",
		"manager.rejected":    "Rejected punches",
		"manager.none":        "None.",
		"manager.back":        "Back to the kiosk",
		"manager.notEnrolled": "Enroll the kiosk first.",
		"manager.locked":      "The manager view is locked: sign in with your badge and PIN.",
		"manager.signout":     "Sign out",
		"mgr.prompt":          "Manager sign-in: show your badge to the camera.",
		"mgr.pinPrompt":       "%s, enter your PIN.",
		"mgr.ok":              "OK",
		"mgr.cancel":          "Cancel",
		"mgr.notManager":      "This badge cannot open the manager view on this kiosk.",
		"mgr.wrongPin":        "Wrong PIN: %d tries left.",
		"mgr.locked":          "Too many wrong PINs: try again in 15 minutes.",
		"mgr.error":           "The PIN could not be checked.",
		"col.time":            "Time",
		"col.employee":        "Employee",
		"col.method":          "Method",
		"col.state":           "State",
		"col.code":            "Code",
		"col.message":         "Message",
		"state.pending":       "waiting",
		"state.synced":        "synced",
		"state.rejected":      "rejected",

		// The employee's phone page (/p).
		"phone.bootFailed":       "This page cannot start: %s",
		"phone.activating":       "Activating this phone…",
		"phone.notActivated":     "This phone is not activated for punching. Ask your manager for an activation link.",
		"phone.unknownLink":      "This activation link is not valid. Ask your manager for a new one.",
		"phone.usedLink":         "This activation link has already been used. Ask your manager for a new one.",
		"phone.expiredLink":      "This activation link has expired. Ask your manager for a new one.",
		"phone.unreachable":      "The server cannot be reached. Connect to the network and open the link again.",
		"phone.activateFailed":   "Activation failed: %s",
		"phone.owner":            "This phone punches for",
		"phone.alreadyActivated": "This phone was already activated; the link was not used.",
		"phone.inactive":         "You are no longer on the staff list: punches from this phone will be refused.",
		"phone.hint":             "To punch, scan the QR code on the kiosk with your phone's camera.",
		"phone.confirm":          "Confirm punch",
		"phone.saving":           "Saving…",
		"phone.queued":           "Saved on this phone. Sending…",
		"phone.offline":          "Saved on this phone. It will be sent when the phone is online.",
		"phone.accepted":         "Recorded",
		"phone.expired":          "This QR code has expired: scan the code the kiosk shows now.",
		"phone.used":             "You have already punched with this QR code.",
		"phone.rejected":         "Refused: %s",
		"phone.notQR":            "This is not a kiosk's QR code. Scan the code the kiosk shows.",
		"phone.quota":            "NOT RECORDED: this phone's storage is full.",
		"phone.fatal":            "This phone is no longer activated. Ask your manager for a new activation link.",
		"phone.recent":           "Your recent punches",
		"phone.state.accepted":   "recorded",
		"phone.state.offline":    "saved, will be sent when online",
		"phone.state.stopped":    "not sent: phone deactivated",
		"phone.reset":            "This phone was deactivated. To activate it with the new link, clear this site's data in the browser's settings, then open the link again.",

		// Face punching on the kiosk (faceui.go).
		"st.face":              "face",
		"face.ready":           "ready",
		"face.unavailable":     "unavailable",
		"face.checkingService": "checking",
		"face.start":           "Face",
		"face.look":            "Look at the camera",
		"face.turn":            "Slowly turn your head to one side",
		"face.one":             "One person at a time, please",
		"face.checking":        "Checking…",
		"face.unknown":         "Face not recognised. Use your badge or the phone QR.",
		"face.notSure":         "Not sure who you are. Use your badge or the phone QR.",
		"face.many":            "Several faces in view. One person at a time, please.",
		"face.notLive":         "Liveness check failed. Turn your head slowly and try again, or use your badge.",
		"face.noFace":          "No face seen. Look at the camera and tap Face again.",
		"face.down":            "Face recognition is unavailable. Use your badge or the phone QR.",
		"face.insecure":        "Face recognition is off: this kiosk page is served over https, so the face service must be served over https too (its address starts with http://). Use your badge or the phone QR.",
		"face.error":           "Face check failed: %s. Use your badge or the phone QR.",
		"face.inactive":        "No longer active here: punch not recorded.",
		"scan.promptFace":      "Look at the camera, or show your badge",
	},
	Chinese: {
		"lang.toggle":         "English",
		"starting":            "正在启动…",
		"boot.failed":         "终端无法启动：%s",
		"status.notEnrolled":  "本终端尚未注册。",
		"enroll.title":        "注册本终端",
		"enroll.code":         "一次性注册码",
		"enroll.server":       "服务器",
		"enroll.name":         "终端名称",
		"enroll.submit":       "注册",
		"enroll.busy":         "正在注册…",
		"enroll.unknown":      "注册码无效，请核对后重试。",
		"enroll.used":         "该注册码已被使用，请申请新的注册码。",
		"enroll.expired":      "该注册码已过期，请申请新的注册码。",
		"enroll.unreachable":  "无法连接服务器，请检查地址和网络。",
		"enroll.failed":       "注册失败：%s",
		"enroll.done":         "已注册到 %s",
		"scan.prompt":         "请向摄像头出示工牌",
		"scan.unreadable":     "请将工牌靠近一些并保持不动",
		"qr.caption":          "或用手机扫码打卡",
		"punch.in":            "上班",
		"punch.out":           "下班",
		"punch.recorded":      "已打卡",
		"punch.noShift":       "不在班次时间内",
		"punch.late":          "迟到 %d 分钟",
		"punch.unknown":       "未知工牌 %s，已记录，待管理员核实。",
		"punch.inactive":      "工牌 %s 已失效。",
		"punch.duplicate":     "已于 %s 打卡，请勿重复。",
		"punch.failed":        "打卡未保存：%s",
		"punch.quota":         "打卡未保存：终端存储已满，请联系管理员。",
		"method.badge":        "工牌",
		"method.qr":           "手机扫码",
		"method.face":         "人脸",
		"st.online":           "在线",
		"st.offline":          "离线",
		"st.connecting":       "连接中",
		"st.waiting":          "待上传",
		"st.oldest":           "最早",
		"st.lastSync":         "上次同步",
		"st.never":            "从未",
		"st.ago":              "%s前",
		"st.offset":           "时钟偏差",
		"st.offsetUnknown":    "未知",
		"st.version":          "版本",
		"st.rejected":         "被拒",
		"st.fatal":            "同步已停止：%s。请重新注册本终端。",
		"st.notPersistent":    "存储可能被浏览器清除",
		"st.error":            "错误：%s",
		"camera.error":        "摄像头不可用：%s",
		"camera.starting":     "正在启动摄像头…",
		"manager.open":        "管理",
		"manager.title":       "本终端今日打卡",
		"manager.rejected":    "被拒绝的打卡",
		"manager.none":        "无。",
		"manager.back":        "返回打卡界面",
		"manager.notEnrolled": "请先注册本终端。",
		"manager.locked":      "管理界面已锁定：请刷工牌并输入PIN。",
		"manager.signout":     "退出",
		"mgr.prompt":          "管理员登录：请向摄像头出示工牌。",
		"mgr.pinPrompt":       "%s，请输入PIN。",
		"mgr.ok":              "确定",
		"mgr.cancel":          "取消",
		"mgr.notManager":      "此工牌无法在本终端打开管理界面。",
		"mgr.wrongPin":        "PIN错误：还可尝试%d次。",
		"mgr.locked":          "PIN错误次数过多：请15分钟后再试。",
		"mgr.error":           "无法验证PIN。",
		"col.time":            "时间",
		"col.employee":        "员工",
		"col.method":          "方式",
		"col.state":           "状态",
		"col.code":            "代码",
		"col.message":         "说明",
		"state.pending":       "待上传",
		"state.synced":        "已上传",
		"state.rejected":      "被拒",

		// The employee's phone page (/p).
		"phone.bootFailed":       "页面无法启动：%s",
		"phone.activating":       "正在激活本手机…",
		"phone.notActivated":     "本手机尚未开通打卡，请向主管索取激活链接。",
		"phone.unknownLink":      "激活链接无效，请向主管索取新的链接。",
		"phone.usedLink":         "该激活链接已被使用，请向主管索取新的链接。",
		"phone.expiredLink":      "该激活链接已过期，请向主管索取新的链接。",
		"phone.unreachable":      "无法连接服务器，请联网后重新打开链接。",
		"phone.activateFailed":   "激活失败：%s",
		"phone.owner":            "本手机为以下员工打卡",
		"phone.alreadyActivated": "本手机已激活，该链接未被使用。",
		"phone.inactive":         "您已不在员工名单中，本手机的打卡将被拒绝。",
		"phone.hint":             "打卡时，请用手机相机扫描终端上的二维码。",
		"phone.confirm":          "确认打卡",
		"phone.saving":           "正在保存…",
		"phone.queued":           "已保存在手机上，正在上传…",
		"phone.offline":          "已保存在手机上，联网后将自动上传。",
		"phone.accepted":         "打卡成功",
		"phone.expired":          "二维码已过期，请扫描终端上当前的二维码。",
		"phone.used":             "此二维码已使用，您已用它打过卡。",
		"phone.rejected":         "被拒绝：%s",
		"phone.notQR":            "这不是打卡终端的二维码，请扫描终端上显示的二维码。",
		"phone.quota":            "打卡未保存：手机存储已满。",
		"phone.fatal":            "本手机已停用，请向主管索取新的激活链接。",
		"phone.recent":           "最近打卡",
		"phone.state.accepted":   "已记录",
		"phone.state.offline":    "已保存，联网后上传",
		"phone.state.stopped":    "未上传：手机已停用",
		"phone.reset":            "本手机已被停用。如需用新链接重新激活，请先在浏览器设置中清除本网站的数据，再打开链接。",

		// 终端人脸打卡 (faceui.go).
		"st.face":              "人脸",
		"face.ready":           "可用",
		"face.unavailable":     "不可用",
		"face.checkingService": "检测中",
		"face.start":           "刷脸",
		"face.look":            "请看摄像头",
		"face.turn":            "请慢慢向一侧转头",
		"face.one":             "请一次一人",
		"face.checking":        "正在识别…",
		"face.unknown":         "未能识别您的面部，请使用工牌或手机扫码。",
		"face.notSure":         "无法确定您的身份，请使用工牌或手机扫码。",
		"face.many":            "画面中有多张人脸，请一次一人。",
		"face.notLive":         "活体检测未通过，请慢慢转头后重试，或使用工牌。",
		"face.noFace":          "未检测到人脸，请看摄像头后再点“刷脸”。",
		"face.down":            "人脸识别不可用，请使用工牌或手机扫码。",
		"face.insecure":        "人脸识别已停用：本打卡页面通过 https 提供，人脸识别服务也必须通过 https 提供（其地址以 http:// 开头）。请使用工牌或手机扫码。",
		"face.error":           "人脸识别出错：%s。请使用工牌或手机扫码。",
		"face.inactive":        "该员工已不在职，打卡未记录。",
		"scan.promptFace":      "请看摄像头刷脸，或出示工牌",
	},
}
