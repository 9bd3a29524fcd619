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
		"col.time":            "Time",
		"col.employee":        "Employee",
		"col.method":          "Method",
		"col.state":           "State",
		"col.code":            "Code",
		"col.message":         "Message",
		"state.pending":       "waiting",
		"state.synced":        "synced",
		"state.rejected":      "rejected",
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
		"col.time":            "时间",
		"col.employee":        "员工",
		"col.method":          "方式",
		"col.state":           "状态",
		"col.code":            "代码",
		"col.message":         "说明",
		"state.pending":       "待上传",
		"state.synced":        "已上传",
		"state.rejected":      "被拒",
	},
}
