package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientAddr: X-Forwarded-For is believed only from a trusted proxy,
// and only as far as the last hop that is not one.
func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("::1/128")}
	for _, tt := range []struct {
		remote string
		xff    []string
		trust  []netip.Prefix
		want   string
	}{
		{"192.0.2.7:5000", nil, nil, "192.0.2.7"},
		{"192.0.2.7:5000", []string{"203.0.113.9"}, nil, "192.0.2.7"},               // no proxy trusted
		{"192.0.2.7:5000", []string{"203.0.113.9"}, proxies, "192.0.2.7"},           // not from a proxy
		{"10.0.0.2:5000", []string{"203.0.113.9"}, proxies, "203.0.113.9"},          // the proxy's word
		{"10.0.0.2:5000", []string{"6.6.6.6, 203.0.113.9"}, proxies, "203.0.113.9"}, // the client's own entry is not believed
		{"10.0.0.2:5000", []string{"6.6.6.6", "203.0.113.9"}, proxies, "203.0.113.9"},
		{"10.0.0.2:5000", []string{"203.0.113.9, 10.0.0.3"}, proxies, "203.0.113.9"}, // two proxies
		{"[::1]:5000", []string{"2001:db8::5"}, proxies, "2001:db8::5"},
		{"10.0.0.2:5000", []string{"not-an-address"}, proxies, "10.0.0.2"},
		{"10.0.0.2:5000", nil, proxies, "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, h := range tt.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		s := &Server{TrustProxies: tt.trust}
		if got := s.clientAddr(r); got != tt.want {
			t.Errorf("%s with X-Forwarded-For %q: %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}
