package bootstrap

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx/fxtest"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// testPKI writes a CA and a certificate it signed for 127.0.0.1 (server and client use) into dir.
func testPKI(t *testing.T, dir string) InternalTLS {
	t.Helper()
	write := func(name, kind string, der []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600))
		return p
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test internal CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return InternalTLS{CA: write("ca.pem", "CERTIFICATE", caDER), Cert: write("node.pem", "CERTIFICATE", leafDER),
		Key: write("node-key.pem", "EC PRIVATE KEY", keyDER)}
}

// With INTERNAL_TLS_*, a slave registers with its master over HTTPS, the master drives it over mutual TLS (a room
// made through the master's API gets its router on the slave), the bearer secret is still required, and the
// slave's internal API refuses plain HTTP and TLS callers without a certificate from the CA.
func TestInternalTLS(t *testing.T) {
	pki := testPKI(t, t.TempDir())
	secret := strings.Repeat("s", 32)
	masterCfg := testConfig(t, freePort(t))
	masterCfg.ClusterSecret, masterCfg.InternalTLS = secret, pki
	master := fxtest.New(t, Master(masterCfg))
	master.RequireStart()
	defer master.RequireStop()
	masterURL := "https://" + masterCfg.ListenAddr()

	slaveCfg := testConfig(t, freePort(t))
	slaveCfg.ClusterSecret, slaveCfg.InternalTLS = secret, pki
	slaveCfg.Role, slaveCfg.MasterURLs, slaveCfg.HeartbeatInterval = domain.SlaveRoleProducer, []string{masterURL}, 200*time.Millisecond
	slave := fxtest.New(t, Slave(slaveCfg))
	slave.RequireStart()
	defer slave.RequireStop()
	slaveURL := "https://127.0.0.1:" + strconv.Itoa(slaveCfg.Port)

	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(pki.CA)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	cert, err := tls.LoadX509KeyPair(pki.Cert, pki.Key)
	require.NoError(t, err)
	withCert := httpsClient(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	noCert := httpsClient(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})

	require.Eventually(t, func() bool {
		var slaves []struct {
			APIURL string `json:"apiUrl"`
			Status string `json:"status"`
		}
		code, err := call(withCert, http.MethodGet, masterURL+"/slaves", secret, &slaves)
		return err == nil && code == 200 && len(slaves) == 1 && slaves[0].APIURL == slaveURL && slaves[0].Status == "alive"
	}, 10*time.Second, 50*time.Millisecond, "the slave registered over HTTPS with its https:// API URL")

	var room struct {
		ID string `json:"id"`
	}
	code, err := call(noCert, http.MethodPost, masterURL+"/rooms", "", &room)
	require.NoError(t, err, "the master's API needs no client certificate")
	require.Equal(t, http.StatusOK, code, "the master made the room's router on the slave over mutual TLS")
	require.NotEmpty(t, room.ID)

	var stats struct {
		Routers int `json:"routers"`
	}
	code, err = call(withCert, http.MethodGet, slaveURL+"/internal/v1/stats", secret, &stats)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, 1, stats.Routers)
	code, err = call(withCert, http.MethodGet, slaveURL+"/internal/v1/stats", "", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, code, "the bearer secret is still required")
	_, err = call(noCert, http.MethodGet, slaveURL+"/internal/v1/stats", secret, nil)
	require.Error(t, err, "a caller without a certificate from the CA is refused")
	_, err = call(&http.Client{Timeout: 5 * time.Second}, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(slaveCfg.Port)+"/internal/v1/stats", secret, nil)
	require.Error(t, err, "plain HTTP is refused")
}

func TestInternalTLSSettings(t *testing.T) {
	_, err := loadFrom(env{dotenv: map[string]string{"INTERNAL_TLS_CERT": "/x.pem"}}, defaultConfig(3010))
	require.ErrorContains(t, err, "INTERNAL_TLS_CERT")
	cfg := testConfig(t, 0)
	cfg.InternalTLS = InternalTLS{Cert: "/nonexistent.pem", Key: "/nonexistent-key.pem"}
	_, _, err = cfg.InternalTLS.tlsConfigs(false)
	require.ErrorContains(t, err, "INTERNAL_TLS_CERT")
	cfg.InternalTLS = InternalTLS{CA: filepath.Join(t.TempDir(), "missing.pem")}
	_, _, err = cfg.InternalTLS.tlsConfigs(true)
	require.ErrorContains(t, err, "INTERNAL_TLS_CA")
	require.Equal(t, "http", InternalTLS{}.Scheme())
}

func httpsClient(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
}

func call(c *http.Client, method, url, secret string, out any) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, err
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode == http.StatusOK {
		return res.StatusCode, json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode, nil
}
