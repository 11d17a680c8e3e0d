package bus

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"go.uber.org/zap/zaptest"
)

// secureServer starts a JetStream server with the options set tweaks.
func secureServer(t *testing.T, set func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true}
	set(opts)
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// checkConnect connects with each configuration: the good ones must connect
// and create the pipeline's streams; the bad ones must fail at once (not
// retry until the deadline) with an error that names the problem.
func checkConnect(t *testing.T, good []NATSConfig, bad map[string]NATSConfig, wantErr string) {
	t.Helper()
	for i, c := range good {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		c.Replicas = 1
		svc, err := Start(ctx, c, "auth-test", zaptest.NewLogger(t))
		cancel()
		if err != nil {
			t.Errorf("good settings %d: %v", i, err)
			continue
		}
		svc.Close()
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			nc, _, err := Connect(ctx, c, "auth-test", zaptest.NewLogger(t))
			took := time.Since(start)
			if err == nil {
				nc.Close()
				t.Fatal("connected with wrong settings")
			}
			if took > 5*time.Second || ctx.Err() != nil {
				t.Errorf("failed after %v: wrong settings must fail at once, not be retried", took)
			}
			if !strings.Contains(err.Error(), wantErr) {
				t.Errorf("error %q does not contain %q", err, wantErr)
			}
		})
	}
}

func TestUserPassword(t *testing.T) {
	s := secureServer(t, func(o *server.Options) { o.Username, o.Password = "warta", "s3cret-pass" })
	url := s.ClientURL()
	checkConnect(t,
		[]NATSConfig{{URL: url, User: "warta", Password: "s3cret-pass"}, {URL: "nats://warta:s3cret-pass@" + url[len("nats://"):]}},
		map[string]NATSConfig{
			"wrong password": {URL: url, User: "warta", Password: "nope"},
			"wrong user":     {URL: url, User: "other", Password: "s3cret-pass"},
			"no credentials": {URL: url},
		}, "Authorization Violation (check the NATS credentials settings)")
}

func TestToken(t *testing.T) {
	s := secureServer(t, func(o *server.Options) { o.Authorization = "t0ken-123" })
	checkConnect(t,
		[]NATSConfig{{URL: s.ClientURL(), Token: "t0ken-123"}},
		map[string]NATSConfig{
			"wrong token":  {URL: s.ClientURL(), Token: "t0ken-124"},
			"user instead": {URL: s.ClientURL(), User: "t0ken-123", Password: "x"},
		}, "Authorization Violation (check the NATS credentials settings)")
}

func TestNKey(t *testing.T) {
	dir := t.TempDir()
	seedFile := func(name string) string {
		kp, err := nkeys.CreateUser()
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := kp.Seed()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, seed, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good, other := seedFile("good.nk"), seedFile("other.nk")
	seed, _ := os.ReadFile(good)
	kp, _ := nkeys.FromSeed(seed)
	pub, _ := kp.PublicKey()
	s := secureServer(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })
	checkConnect(t,
		[]NATSConfig{{URL: s.ClientURL(), NKeyFile: good}},
		map[string]NATSConfig{
			"another key": {URL: s.ClientURL(), NKeyFile: other},
			"no key":      {URL: s.ClientURL()},
		}, "Authorization Violation (check the NATS credentials settings)")

	// A seed file that is missing or not a seed is reported before connecting.
	garbage := filepath.Join(dir, "garbage.nk")
	_ = os.WriteFile(garbage, []byte("not a seed"), 0o600)
	checkConnect(t, nil, map[string]NATSConfig{
		"missing seed file": {URL: s.ClientURL(), NKeyFile: filepath.Join(dir, "nope.nk")},
		"garbage seed file": {URL: s.ClientURL(), NKeyFile: garbage},
	}, "nats nkey "+dir)
}

// pki writes a CA, a server certificate for 127.0.0.1 and a client
// certificate signed by it, and an unrelated CA, as PEM files in dir.
type pki struct {
	ca, serverCert, serverKey, clientCert, clientKey, otherCA, otherCert, otherKey string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := int64(0)
	cert := func(tmpl *x509.Certificate, parent *x509.Certificate, pub, signer any) (*x509.Certificate, []byte) {
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, der
	}
	keyDER := func(k *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	var p pki
	newCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, string) {
		k := key()
		c, der := cert(&x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}, nil, &k.PublicKey, k)
		return c, k, write(name+".pem", "CERTIFICATE", der)
	}
	leaf := func(name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, usage x509.ExtKeyUsage) (string, string) {
		k := key()
		_, der := cert(&x509.Certificate{Subject: pkix.Name{CommonName: name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}, ca, &k.PublicKey, caKey)
		return write(name+".pem", "CERTIFICATE", der), write(name+"-key.pem", "EC PRIVATE KEY", keyDER(k))
	}
	ca, caKey, caFile := newCA("warta-test-ca")
	other, otherKey, otherFile := newCA("other-ca")
	p.ca, p.otherCA = caFile, otherFile
	p.serverCert, p.serverKey = leaf("server", ca, caKey, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf("client", ca, caKey, x509.ExtKeyUsageClientAuth)
	p.otherCert, p.otherKey = leaf("stranger", other, otherKey, x509.ExtKeyUsageClientAuth)
	return p
}

func TestTLS(t *testing.T) {
	p := newPKI(t)
	tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: p.serverCert, KeyFile: p.serverKey, CaFile: p.ca, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	s := secureServer(t, func(o *server.Options) {
		o.TLSConfig, o.TLS, o.TLSVerify, o.TLSTimeout = tc, true, true, 2
	})
	url := s.ClientURL() // tls://127.0.0.1:port
	good := NATSConfig{URL: url, TLSCA: p.ca, TLSCert: p.clientCert, TLSKey: p.clientKey}
	noClientCert := good
	noClientCert.TLSCert, noClientCert.TLSKey = "", ""
	strangerCert := good
	strangerCert.TLSCert, strangerCert.TLSKey = p.otherCert, p.otherKey
	wrongCA := good
	wrongCA.TLSCA = p.otherCA
	// Without a CA, the client upgrades to TLS as the server asks, and does
	// not trust its certificate.
	plain := good
	plain.URL, plain.TLSCA, plain.TLSCert, plain.TLSKey = "nats://"+strings.TrimPrefix(url, "tls://"), "", "", ""
	checkConnect(t, []NATSConfig{good}, map[string]NATSConfig{
		"server not trusted":               wrongCA,
		"no CA":                            plain,
		"no client certificate":            noClientCert,
		"client certificate of another CA": strangerCert,
	}, "check the NATS TLS settings")
	missing := good
	missing.TLSCA = filepath.Join(t.TempDir(), "nope.pem")
	checkConnect(t, nil, map[string]NATSConfig{"missing CA file": missing}, "nope.pem: no such file")

	// TLS asked of a server without it.
	s2 := secureServer(t, func(*server.Options) {})
	noTLS := good
	noTLS.URL = s2.ClientURL()
	checkConnect(t, nil, map[string]NATSConfig{"server without TLS": noTLS}, "secure connection not available")
}
