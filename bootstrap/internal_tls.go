package bootstrap

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
)

// InternalTLS is INTERNAL_TLS_CERT, INTERNAL_TLS_KEY and INTERNAL_TLS_CA: TLS between masters and slaves. With a
// certificate and key, a process serves its HTTP port over TLS (a master its whole API, a slave its internal API)
// and presents the certificate when it calls the other side; with a CA, it verifies the other side's certificate
// against that CA (instead of the system's roots), and a slave also requires callers to present one it signed
// (mutual TLS: only masters call a slave). The bearer CLUSTER_SECRET is sent and checked as before.
type InternalTLS struct {
	Cert, Key, CA string // PEM file paths
}

func (c *InternalTLS) load(s *settings) {
	s.str(&c.Cert, "INTERNAL_TLS_CERT")
	s.str(&c.Key, "INTERNAL_TLS_KEY")
	s.str(&c.CA, "INTERNAL_TLS_CA")
	if (c.Cert == "") != (c.Key == "") {
		s.bad("INTERNAL_TLS_CERT", "INTERNAL_TLS_CERT and INTERNAL_TLS_KEY go together (a certificate and its key)")
	}
}

// Enabled reports whether this process serves TLS.
func (c InternalTLS) Enabled() bool { return c.Cert != "" }

// Scheme is the URL scheme of this process's HTTP port: https with a certificate.
func (c InternalTLS) Scheme() string {
	if c.Enabled() {
		return "https"
	}
	return "http"
}

// tlsConfigs loads the files: the server side (nil without a certificate; requireClients makes it ask callers for
// a certificate signed by the CA) and the client side (nil when neither a certificate nor a CA is set).
func (c InternalTLS) tlsConfigs(requireClients bool) (server, client *tls.Config, err error) {
	var certs []tls.Certificate
	if c.Enabled() {
		cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return nil, nil, fmt.Errorf("INTERNAL_TLS_CERT/INTERNAL_TLS_KEY: %w", err)
		}
		certs = []tls.Certificate{cert}
	}
	var pool *x509.CertPool
	if c.CA != "" {
		pem, err := os.ReadFile(c.CA)
		if err != nil {
			return nil, nil, fmt.Errorf("INTERNAL_TLS_CA: %w", err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("INTERNAL_TLS_CA: %s holds no PEM certificate", c.CA)
		}
	}
	if certs != nil {
		server = &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12}
		if requireClients && pool != nil {
			server.ClientCAs, server.ClientAuth = pool, tls.RequireAndVerifyClientCert
		}
	}
	if certs != nil || pool != nil {
		client = &tls.Config{Certificates: certs, RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return server, client, nil
}

// withTLS serves ln over TLS with cfg; nil cfg leaves it plain.
func withTLS(ln net.Listener, cfg *tls.Config) net.Listener {
	if cfg == nil {
		return ln
	}
	return tls.NewListener(ln, cfg)
}
