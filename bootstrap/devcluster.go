package bootstrap

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// DevClusterConfig sets up the all-in-one cluster: a master, a producer slave and a consumer slave, each its own
// fx app on its own loopback port talking HTTP as in production, plus the demo app over HTTPS.
type DevClusterConfig struct {
	Base       Config // logging, DATABASE_URL (empty: ./data/cluster.db), codecs, listen IPs
	MasterPort int    // 3010
	// SlavePorts are the producer and consumer slaves' HTTP ports (3011, 3012).
	ProducerPort, ConsumerPort int
	DemoAddr                   string // "127.0.0.1:4430"; "" disables the demo server
	DemoFiles                  fs.FS  // the built demo app
	DataDir                    string // where the TLS certificate is kept ("./data")
	// Progress, when set, is told each step as it starts (for a person watching `make dev`).
	Progress func(step string)
}

// DevCluster is a running all-in-one cluster.
type DevCluster struct {
	apps      []*fx.App
	demo      *http.Server
	demoLn    net.Listener
	MasterURL string
	DemoURL   string
	// Secret is the cluster secret the three apps share (CLUSTER_SECRET, or the random one made for this run):
	// the bearer token of GET /slaves and of cmd/loadtest.
	Secret string
}

// StartDevCluster starts the master, then the slaves (which register with it), then the demo server.
func StartDevCluster(ctx context.Context, dc DevClusterConfig) (*DevCluster, error) {
	c := &DevCluster{}
	if dc.Base.ClusterSecret == "" {
		// Even the dev cluster's slaves refuse unauthenticated calls: a random secret shared by its three apps.
		secret, err := randomSecret()
		if err != nil {
			return nil, err
		}
		dc.Base.ClusterSecret = secret
	}
	c.Secret = dc.Base.ClusterSecret
	progress := dc.Progress
	if progress == nil {
		progress = func(string) {}
	}
	master := dc.Base
	master.ListenHost, master.Port = "127.0.0.1", dc.MasterPort
	c.MasterURL = master.InternalTLS.Scheme() + "://" + master.ListenAddr()
	progress(fmt.Sprintf("starting the master on %s (store: %s)", c.MasterURL, storeName(master.DatabaseURL)))
	if err := c.start(ctx, Master(master)); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		role domain.SlaveRole
		port int
	}{{domain.SlaveRoleProducer, dc.ProducerPort}, {domain.SlaveRoleConsumer, dc.ConsumerPort}} {
		cfg := dc.Base
		cfg.Role, cfg.ListenHost, cfg.Port = s.role, "127.0.0.1", s.port
		cfg.MasterURLs = []string{c.MasterURL}
		progress(fmt.Sprintf("starting the %s slave on http://%s", s.role, cfg.ListenAddr()))
		if err := c.start(ctx, Slave(cfg)); err != nil {
			_ = c.Stop(ctx)
			return nil, err
		}
	}
	if dc.DemoAddr != "" {
		progress("serving the demo app on https://" + dc.DemoAddr)
		if err := c.serveDemo(dc); err != nil {
			_ = c.Stop(ctx)
			return nil, err
		}
	}
	return c, nil
}

func (c *DevCluster) start(ctx context.Context, opts fx.Option) error {
	app := fx.New(opts)
	if err := app.Err(); err != nil {
		return err
	}
	if err := app.Start(ctx); err != nil {
		return err
	}
	c.apps = append(c.apps, app)
	return nil
}

func (c *DevCluster) serveDemo(dc DevClusterConfig) error {
	cert, err := selfSignedCert(filepath.Join(dc.DataDir, "tls"))
	if err != nil {
		return fmt.Errorf("demo certificate: %w", err)
	}
	handler, err := httpapi.NewDemoHandler(dc.DemoFiles, c.MasterURL)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", dc.DemoAddr)
	if err != nil {
		return fmt.Errorf("demo listen on %s: %w", dc.DemoAddr, err)
	}
	c.demoLn = ln
	c.demo = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	port := ln.Addr().(*net.TCPAddr).Port
	c.DemoURL = "https://localhost:" + strconv.Itoa(port)
	go func() {
		if err := c.demo.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			zap.L().Error("demo server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Stop stops the demo server, then the slaves (they deregister), then the master.
func (c *DevCluster) Stop(ctx context.Context) error {
	var errs []error
	if c.demo != nil {
		// Close, not Shutdown: proxied event streams would hold a graceful shutdown until ctx ends.
		errs = append(errs, c.demo.Close())
	}
	for i := len(c.apps) - 1; i >= 0; i-- {
		errs = append(errs, c.apps[i].Stop(ctx))
	}
	return errors.Join(errs...)
}

// storeName says where the master keeps its state, without a password.
func storeName(databaseURL string) string {
	switch {
	case databaseURL == "":
		return "SQLite ./data/cluster.db"
	case databaseURL == MemoryStoreURL:
		return "in memory"
	case strings.HasPrefix(databaseURL, "sqlite://"):
		return "SQLite " + strings.TrimPrefix(databaseURL, "sqlite://")
	default:
		return "PostgreSQL"
	}
}

func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random cluster secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}
