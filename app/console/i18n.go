package console

import "fmt"

// lang is the console's language: "en" or "zh".
type lang string

// other is the language the toggle switches to.
func (l lang) other() lang {
	if l == "zh" {
		return "en"
	}
	return "zh"
}

// t says key in l (English for a key l lacks, the key itself for one
// neither has: a test checks every key has both), formatted with args.
func (l lang) t(key string, args ...any) string {
	s, ok := texts[l][key]
	if !ok {
		if s, ok = texts["en"][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// refusal says a server refusal's code in l: the code, never the server's
// English message, which the details keep.
func (l lang) refusal(code string) string {
	if _, ok := texts[l]["err."+code]; ok {
		return l.t("err." + code)
	}
	return l.t("err.failed")
}

var texts = map[lang]map[string]string{
	"en": {
		"title":            "punchclock console",
		"lang.toggle":      "中文",
		"signin.title":     "Sign in",
		"signin.login":     "Login",
		"signin.password":  "Password",
		"signin.submit":    "Sign in",
		"signout":          "Sign out",
		"nav.kiosks":       "Kiosks",
		"kiosks.title":     "Kiosks",
		"kiosks.none":      "No kiosk is enrolled yet. Enroll a tablet below: open punchclock on it and type the code.",
		"kiosks.refresh":   "Refresh",
		"kiosks.name":      "Kiosk",
		"kiosks.site":      "Site",
		"kiosks.lastSync":  "Last sync",
		"kiosks.waiting":   "Punches waiting",
		"kiosks.oldest":    "Oldest unsynced",
		"kiosks.offset":    "Clock offset",
		"kiosks.version":   "Version",
		"kiosks.face":      "Face service",
		"kiosks.storage":   "Storage kept",
		"kiosks.camera":    "Camera",
		"kiosks.never":     "never",
		"kiosks.stale":     "no sync for over an hour",
		"kiosks.revoked":   "revoked",
		"kiosks.revoke":    "Revoke",
		"kiosks.revokeAsk": "Revoke %s? It stops syncing at once and must be enrolled again.",
		"kiosks.revokeYes": "Yes, revoke",
		"kiosks.cancel":    "Cancel",
		"kiosks.noReport":  "no report yet",
		"yes":              "yes",
		"no":               "no",
		"face.ready":       "reachable",
		"face.unreachable": "unreachable",
		"face.none":        "not used",
		"camera.ok":        "working",
		"camera.denied":    "blocked",
		"camera.missing":   "missing",
		"camera.error":     "failing",
		"enroll.title":     "Enroll a tablet",
		"enroll.site":      "Site",
		"enroll.submit":    "Make a code",
		"enroll.code":      "Type this code on the tablet within 24 hours (once):",
		"enroll.expires":   "valid until %s",
		"forbidden.kiosks": "Your role does not include the kiosks.",
		"err.unauthorized": "Wrong login or password, or your session has ended. Sign in again.",
		"err.forbidden":    "Your role does not allow this.",
		"err.rate_limited": "Too many tries. Wait a minute and try again.",
		"err.invalid":      "Check what you typed.",
		"err.not_found":    "It is no longer there. Refresh.",
		"err.conflict":     "Someone changed it meanwhile. Refresh.",
		"err.offline":      "punchd cannot be reached. Check the network and try again.",
		"err.transient":    "punchd is busy. Try again in a moment.",
		"err.failed":       "That did not work. Try again; if it keeps failing, tell your administrator.",
		"loading":          "Loading…",
		"minutes":          "%d min",
		"seconds":          "%d s",
		"ago":              "%s ago",
	},
	"zh": {
		"title":            "punchclock 管理后台",
		"lang.toggle":      "English",
		"signin.title":     "登录",
		"signin.login":     "账号",
		"signin.password":  "密码",
		"signin.submit":    "登录",
		"signout":          "退出登录",
		"nav.kiosks":       "考勤终端",
		"kiosks.title":     "考勤终端",
		"kiosks.none":      "还没有注册的终端。请在下方注册平板：在平板上打开 punchclock 并输入注册码。",
		"kiosks.refresh":   "刷新",
		"kiosks.name":      "终端",
		"kiosks.site":      "地点",
		"kiosks.lastSync":  "最近同步",
		"kiosks.waiting":   "待上传打卡",
		"kiosks.oldest":    "最早未上传",
		"kiosks.offset":    "时钟偏差",
		"kiosks.version":   "版本",
		"kiosks.face":      "人脸服务",
		"kiosks.storage":   "存储已保留",
		"kiosks.camera":    "摄像头",
		"kiosks.never":     "从未",
		"kiosks.stale":     "超过一小时未同步",
		"kiosks.revoked":   "已停用",
		"kiosks.revoke":    "停用",
		"kiosks.revokeAsk": "停用 %s？它将立即停止同步，需重新注册。",
		"kiosks.revokeYes": "确认停用",
		"kiosks.cancel":    "取消",
		"kiosks.noReport":  "尚无状态报告",
		"yes":              "是",
		"no":               "否",
		"face.ready":       "可连接",
		"face.unreachable": "无法连接",
		"face.none":        "未使用",
		"camera.ok":        "正常",
		"camera.denied":    "被禁止",
		"camera.missing":   "未找到",
		"camera.error":     "故障",
		"enroll.title":     "注册平板",
		"enroll.site":      "地点",
		"enroll.submit":    "生成注册码",
		"enroll.code":      "请在 24 小时内在平板上输入此注册码（仅可使用一次）：",
		"enroll.expires":   "有效期至 %s",
		"forbidden.kiosks": "您的角色无权查看考勤终端。",
		"err.unauthorized": "账号或密码错误，或登录已过期。请重新登录。",
		"err.forbidden":    "您的角色无权进行此操作。",
		"err.rate_limited": "尝试次数过多，请一分钟后再试。",
		"err.invalid":      "请检查输入内容。",
		"err.not_found":    "该项已不存在，请刷新。",
		"err.conflict":     "已被他人修改，请刷新。",
		"err.offline":      "无法连接 punchd，请检查网络后重试。",
		"err.transient":    "punchd 正忙，请稍后重试。",
		"err.failed":       "操作未成功。请重试；如仍失败，请联系管理员。",
		"loading":          "加载中…",
		"minutes":          "%d 分钟",
		"seconds":          "%d 秒",
		"ago":              "%s前",
	},
}
