package bootstrap

import (
	"fmt"
	"net"
	"strconv"
)

// Config is every setting of the cluster's binaries, read from the environment and an optional .env file
// (the environment wins). Names follow the seed; the original mediasoup-cluster names are accepted as aliases so
// an existing .env works. docs/OPERATIONS.md and .env.example list them all. The settings of one role are in
// MasterConfig (config_master.go) and SlaveConfig (config_slave.go); their fields are read as Config's own.
type Config struct {
	LogLevel  string // LOG_LEVEL: debug, info, warn, error
	LogFormat string // LOG_FORMAT: json or console
	// ListenHost is the HTTP listen address (LISTEN_HOST).
	ListenHost string
	// Port is the HTTP port (PORT): master 3010, producer slave 3011, consumer slave 3012 by default.
	Port      int
	BodyLimit int // BODY_LIMIT bytes

	// ClusterSecret authenticates master↔slave calls (CLUSTER_SECRET): slaves refuse calls without it, the master
	// refuses registrations without it. Required when a slave listens on a non-loopback address.
	ClusterSecret string
	// InternalTLS is INTERNAL_TLS_CERT/_KEY/_CA: TLS between masters and slaves (internal_tls.go).
	InternalTLS InternalTLS

	MasterConfig
	SlaveConfig
}

// Defaults for each binary; Load fills the rest from the environment.
func defaultConfig(port int) Config {
	return Config{LogLevel: "info", LogFormat: "console", ListenHost: "0.0.0.0", Port: port, BodyLimit: 1 << 20,
		MasterConfig: defaultMasterConfig(), SlaveConfig: defaultSlaveConfig()}
}

// LoadConfig reads the settings of a binary whose default HTTP port is defaultPort. dotenvPath "" skips the file.
// A bad value is an error that names the variable.
func LoadConfig(defaultPort int, dotenvPath string) (Config, error) {
	dot := map[string]string{}
	if dotenvPath != "" {
		var err error
		if dot, err = readDotEnv(dotenvPath); err != nil {
			return Config{}, err
		}
	}
	return loadFrom(env{dotenv: dot}, defaultConfig(defaultPort))
}

func loadFrom(e env, c Config) (Config, error) {
	s := &settings{env: e}
	s.str(&c.LogLevel, "LOG_LEVEL")
	s.str(&c.LogFormat, "LOG_FORMAT")
	s.str(&c.ListenHost, "LISTEN_HOST")
	s.integer(&c.Port, 0, 65535, "PORT")
	s.integer(&c.BodyLimit, 1024, 64<<20, "BODY_LIMIT")
	s.str(&c.ClusterSecret, "CLUSTER_SECRET")
	c.InternalTLS.load(s)
	c.MasterConfig.load(s)
	c.SlaveConfig.load(s)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		s.bad("LOG_LEVEL", fmt.Sprintf("must be debug, info, warn or error, got %q", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		s.bad("LOG_FORMAT", fmt.Sprintf("must be json or console, got %q", c.LogFormat))
	}
	if err := s.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// ListenAddr is host:port of the HTTP server.
func (c Config) ListenAddr() string { return net.JoinHostPort(c.ListenHost, strconv.Itoa(c.Port)) }
