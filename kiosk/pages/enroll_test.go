package pages

import (
	"net/url"
	"testing"
)

// TestCodeFromURL: the kiosk page opened from the console's QR code has
// its enrollment code filled in; any other address fills nothing.
func TestCodeFromURL(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://punchd.example.com/?enroll=K7QX-92MD", "K7QX-92MD"},
		{"http://127.0.0.1:8080/?enroll=K7QX-92MD#debug", "K7QX-92MD"},
		{"https://punchd.example.com/?enroll=%20AB12%20", "AB12"},
		{"https://punchd.example.com/", ""},
		{"https://punchd.example.com/?c=PHONE", ""},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := codeFromURL(u); got != tc.want {
			t.Errorf("codeFromURL(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
	if got := codeFromURL(nil); got != "" {
		t.Errorf("codeFromURL(nil) = %q", got)
	}
}
