package webhook

import (
	"context"
	"errors"

	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"punchclock/app/wire"
)

// errPrivate refuses an address on a private network.
var errPrivate = errors.New("webhook: the endpoint's address is on a loopback, private or link-local network")

// Private reports whether a is an address a webhook must not reach
// unless allowed: loopback, private, link-local, multicast, unspecified.
func Private(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a) // carrier-grade NAT
}

// Client is the HTTP client deliveries are posted with: no redirects
// followed (a 3xx is a failed attempt), no proxy from the environment,
// and unless allowPrivate, every connection's address checked after the
// name is resolved (so a name that resolves to a private address is
// refused too).
func Client(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || Private(ap.Addr()) {
				return errPrivate
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         func(ctx context.Context, n, a string) (net.Conn, error) { return dialer.DialContext(ctx, n, a) },
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CheckURL checks an endpoint's URL: absolute http or https, a host, no
// credentials, at most 2,000 bytes; unless allowPrivate, not an address
// on a private network (names are checked when connecting).
func CheckURL(raw string, allowPrivate bool) error {
	if len(raw) > 2000 {
		return wire.Errorf(wire.CodeInvalid, "url is longer than 2,000 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || u.Fragment != "" {
		return wire.Errorf(wire.CodeInvalid, "url must be an absolute http or https URL without credentials or fragment")
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && Private(a) {
		return wire.Errorf(wire.CodeInvalid, "url is on a loopback, private or link-local network, which this server does not send to")
	}
	if u.Hostname() == "localhost" && !allowPrivate {
		return wire.Errorf(wire.CodeInvalid, "url is on a loopback, private or link-local network, which this server does not send to")
	}
	return nil
}
