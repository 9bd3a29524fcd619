package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/facematch"
)

func TestFlags(t *testing.T) {
	t.Setenv("PUNCHCLOCK_FACE_KEY", "")
	t.Setenv("PUNCHCLOCK_FACE_ADMIN_TOKEN", "")
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no encryption key"},
		{[]string{"-key", key}, "admin token is required"},
		{[]string{"-key", key, "-admin-token", "t", "-site-thresholds", "x"}, "not site=distance"},
		{[]string{"-key", key, "-admin-token", "t", "-punchd-url", "http://127.0.0.1:8080"}, "-punchd-token"},
		{[]string{"-key", key, "-admin-token", "t", "-tls-cert", "cert.pem"}, "-tls-cert and -tls-key go together"},
		{[]string{"-key", key, "-admin-token", "t", "-tls-cert", "missing.pem", "-tls-key", "missing.key"}, "-tls-cert/-tls-key"},
	} {
		err := run(t.Context(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	// The environment names of the TLS flags.
	t.Setenv("PUNCHCLOCK_FACE_TLS_CERT", "cert.pem")
	if err := run(t.Context(), []string{"-key", key, "-admin-token", "t"}, io.Discard); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("PUNCHCLOCK_FACE_TLS_CERT alone: %v", err)
	}
	t.Setenv("PUNCHCLOCK_FACE_TLS_KEY", "key.pem")
	if err := run(t.Context(), []string{"-key", key, "-admin-token", "t"}, io.Discard); err == nil || !strings.Contains(err.Error(), "cert.pem") {
		t.Errorf("PUNCHCLOCK_FACE_TLS_CERT and _KEY: %v", err)
	}
	if s, err := parseSites("a=0.5, b=0.55"); err != nil || s["a"].Threshold != 0.5 || s["b"].Threshold != 0.55 {
		t.Fatalf("parseSites: %v %v", s, err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "facematchd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS: with -tls-cert and -tls-key the service answers over HTTPS (a
// kiosk page served over https may call it), including the CORS preflight
// with Chrome's Private Network Access header, and refuses plain HTTP.
func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	tc, err := tlsConfig(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	st, err := facematch.OpenStore(t.Context(), ":memory:", []byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := facematch.New(t.Context(), nil, st, facematch.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(facematch.NewHandler(svc, "admin", ""), tc)
	errc := make(chan error, 1)
	go func() { errc <- serve(srv, ln) }()
	defer func() {
		srv.Close()
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	base := "https://" + ln.Addr().String()

	resp, err := client.Get(base + "/api/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || resp.TLS == nil || health["status"] != "ok" {
		t.Fatalf("health over HTTPS: %d %v %v (TLS %v)", resp.StatusCode, health, err, resp.TLS != nil)
	}

	req, _ := http.NewRequest(http.MethodOptions, base+"/api/v1/identify", nil)
	req.Header.Set("Origin", "https://punchd.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-site-id")
	req.Header.Set("Access-Control-Request-Private-Network", "true")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header; resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Private-Network") != "true" ||
		h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("private network preflight over HTTPS: %d %v", resp.StatusCode, h)
	}

	// Plain HTTP to the HTTPS port gets no API answer.
	resp, err = http.Get("http://" + ln.Addr().String() + "/api/v1/health")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the HTTPS port")
		}
	}
}
