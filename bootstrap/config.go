package bootstrap

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Config is every setting of the cluster's binaries, read from the environment and an optional .env file
// (the environment wins). Names follow the seed; the original mediasoup-cluster names are accepted as aliases so
// an existing .env works. docs/OPERATIONS.md and .env.example list them all.
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

	// Master.
	DatabaseURL         string         // DATABASE_URL: postgres://..., sqlite://path, or empty for ./data/cluster.db
	Migrate             bool           // MIGRATE: run migrations at start (default true)
	PipeSRTP            bool           // PIPE_SRTP: protect slave-to-slave pipes with SRTP (default true)
	APITokenSecret      string         // API_TOKEN_SECRET: when set, the public API requires HS256 bearer tokens
	RoomCreateRate      int            // ROOM_CREATE_RATE: rooms one client IP may create per minute (0: no cap)
	TrustedProxies      []netip.Prefix // TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the client
	CORSOrigins         []string       // CORS_ORIGINS: origins whose browser apps may call the API directly
	MaxPeersPerRoom     int            // MAX_PEERS_PER_ROOM (0: no limit)
	MaxProducersPerPeer int            // MAX_PRODUCERS_PER_PEER (0: no limit)
	RouterIdleTimeout   time.Duration  // CONSUMER_ROUTER_IDLE_TIMEOUT: a consumer router without peers this long closes (10s)
	RoomIdleTimeout     time.Duration  // ROOM_IDLE_TIMEOUT: a room without peers this long is removed (10m; 0 keeps it)
	SlaveTimeout        time.Duration  // SLAVE_TIMEOUT: silence after which a slave is dead (default 5.5s: under three 2s heartbeats)

	// Slave.
	Role          domain.SlaveRole // SLAVE_ROLE (alias SLAVE_FOR)
	MasterURLs    []string         // MASTER_URL, comma-separated
	AdvertiseURL  string           // SLAVE_API_URL: how the master reaches this slave (default http://<host>:<port>)
	MaxTransports int              // SLAVE_MAX_TRANSPORTS (alias SLAVE_MAX_TRANSPORT_PER_WORKER)
	MediaCodecs   string           // MEDIA_CODECS (alias MEDIASOUP_MEDIA_CODECS): JSON array; empty = defaults
	ListenIPs     []ListenIP       // WEBRTC_LISTEN_IPS (alias MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS)
	RTCPort       int              // RTC_PORT: the slave's one UDP port for WebRTC (0 = any free port)
	// RTCTCPPort is RTC_TCP_PORT, the ICE-TCP port beside RTC_PORT: 0 (unset) the same number as RTC_PORT,
	// -1 ("off") no ICE-TCP.
	RTCTCPPort        int
	PipePortMin       int // PIPE_PORT_MIN, PIPE_PORT_MAX: UDP ports of pipe transports (0, 0 = any)
	PipePortMax       int
	FanoutWorkers     int           // FANOUT_WORKERS: goroutines sharing large fan-outs (0 = GOMAXPROCS-1, -1 = none)
	HeartbeatInterval time.Duration // HEARTBEAT_INTERVAL (default 2s)
	// TransportIdleTimeout closes a client's WebRTC transport that received nothing (no ICE consent check, no
	// media) for this long, and the master forgets it (TRANSPORT_IDLE_TIMEOUT, default 30s).
	TransportIdleTimeout time.Duration
	// DrainTimeout is how long a slave stopping gracefully waits for its transports to close (DRAIN_TIMEOUT; 0:
	// it stops at once, closing them).
	DrainTimeout time.Duration
}

// ListenIP is where media sockets bind and the IP announced to clients (the original's {ip, announcedIp}).
type ListenIP struct {
	IP          string  `json:"ip"`
	AnnouncedIP *string `json:"announcedIp"`
}

// Announced returns the announced IP, or the listen IP when none is set.
func (l ListenIP) Announced() string {
	if l.AnnouncedIP != nil && *l.AnnouncedIP != "" {
		return *l.AnnouncedIP
	}
	return l.IP
}

// Defaults for each binary; Load fills the rest from the environment.
func defaultConfig(port int) Config {
	return Config{LogLevel: "info", LogFormat: "console", ListenHost: "0.0.0.0", Port: port, BodyLimit: 1 << 20,
		Migrate: true, PipeSRTP: true, RouterIdleTimeout: 10 * time.Second, RoomIdleTimeout: 10 * time.Minute, RoomCreateRate: 60, MaxPeersPerRoom: 1000, MaxProducersPerPeer: 16, SlaveTimeout: 5500 * time.Millisecond, MaxTransports: 500,
		ListenIPs: []ListenIP{{IP: "127.0.0.1"}}, HeartbeatInterval: 2 * time.Second, TransportIdleTimeout: 30 * time.Second, MasterURLs: []string{"http://127.0.0.1:3010"}}
}

// env looks a setting up under its name then its aliases: the process environment first, then .env.
type env struct{ dotenv map[string]string }

func (e env) get(names ...string) (string, string, bool) {
	for _, n := range names {
		if v, ok := os.LookupEnv(n); ok {
			return n, v, true
		}
	}
	for _, n := range names {
		if v, ok := e.dotenv[n]; ok {
			return n, v, true
		}
	}
	return "", "", false
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
	var errs []string
	bad := func(name, msg string) { errs = append(errs, fmt.Sprintf("%s: %s", name, msg)) }
	str := func(dst *string, names ...string) {
		if _, v, ok := e.get(names...); ok {
			*dst = strings.TrimSpace(v)
		}
	}
	integer := func(dst *int, min, max int, names ...string) {
		if n, v, ok := e.get(names...); ok {
			i, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || i < min || i > max {
				bad(n, fmt.Sprintf("must be an integer in %d..%d, got %q", min, max, v))
				return
			}
			*dst = i
		}
	}
	boolean := func(dst *bool, names ...string) {
		if n, v, ok := e.get(names...); ok {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				bad(n, fmt.Sprintf("must be true or false, got %q", v))
				return
			}
			*dst = b
		}
	}
	duration := func(dst *time.Duration, names ...string) {
		if n, v, ok := e.get(names...); ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d <= 0 {
				bad(n, fmt.Sprintf("must be a positive duration like 2s, got %q", v))
				return
			}
			*dst = d
		}
	}
	str(&c.LogLevel, "LOG_LEVEL")
	str(&c.LogFormat, "LOG_FORMAT")
	str(&c.ListenHost, "LISTEN_HOST")
	integer(&c.Port, 0, 65535, "PORT")
	integer(&c.BodyLimit, 1024, 64<<20, "BODY_LIMIT")
	str(&c.ClusterSecret, "CLUSTER_SECRET")
	str(&c.DatabaseURL, "DATABASE_URL")
	boolean(&c.Migrate, "MIGRATE")
	boolean(&c.PipeSRTP, "PIPE_SRTP")
	str(&c.APITokenSecret, "API_TOKEN_SECRET")
	integer(&c.RoomCreateRate, 0, 1_000_000, "ROOM_CREATE_RATE")
	if n, v, ok := e.get("TRUSTED_PROXIES"); ok {
		proxies, err := httpapi.ParseTrustedProxies(v)
		if err != nil {
			bad(n, err.Error())
		}
		c.TrustedProxies = proxies
	}
	if n, v, ok := e.get("CORS_ORIGINS"); ok {
		origins, err := parseCORSOrigins(v)
		if err != nil {
			bad(n, err.Error())
		}
		c.CORSOrigins = origins
	}
	integer(&c.MaxPeersPerRoom, 0, 1_000_000, "MAX_PEERS_PER_ROOM")
	integer(&c.MaxProducersPerPeer, 0, 1_000, "MAX_PRODUCERS_PER_PEER")
	duration(&c.SlaveTimeout, "SLAVE_TIMEOUT")
	duration(&c.RouterIdleTimeout, "CONSUMER_ROUTER_IDLE_TIMEOUT")
	if n, v, ok := e.get("ROOM_IDLE_TIMEOUT"); ok {
		if strings.TrimSpace(v) == "0" {
			c.RoomIdleTimeout = 0
		} else if d, err := time.ParseDuration(strings.TrimSpace(v)); err != nil || d <= 0 {
			bad(n, fmt.Sprintf("must be a positive duration like 10m, or 0 to keep empty rooms, got %q", v))
		} else {
			c.RoomIdleTimeout = d
		}
	}
	duration(&c.HeartbeatInterval, "HEARTBEAT_INTERVAL")
	duration(&c.TransportIdleTimeout, "TRANSPORT_IDLE_TIMEOUT")
	if n, v, ok := e.get("DRAIN_TIMEOUT"); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err != nil || d < 0 {
			bad(n, fmt.Sprintf("must be a duration like 5m, or 0 to stop at once, got %q", v))
		} else {
			c.DrainTimeout = d
		}
	}
	if n, v, ok := e.get("SLAVE_ROLE", "SLAVE_FOR"); ok {
		role, err := domain.ParseSlaveRole(strings.TrimSpace(v))
		if err != nil {
			bad(n, fmt.Sprintf("must be producer or consumer, got %q", v))
		}
		c.Role = role
	}
	if n, v, ok := e.get("MASTER_URL"); ok {
		c.MasterURLs = nil
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
				if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
					bad(n, fmt.Sprintf("must be http(s) URLs, got %q", u))
				}
				c.MasterURLs = append(c.MasterURLs, u)
			}
		}
	}
	str(&c.AdvertiseURL, "SLAVE_API_URL")
	integer(&c.MaxTransports, 1, 1_000_000, "SLAVE_MAX_TRANSPORTS", "SLAVE_MAX_TRANSPORT_PER_WORKER")
	if n, v, ok := e.get("MEDIA_CODECS", "MEDIASOUP_MEDIA_CODECS"); ok {
		// Checked here, not when the slave builds its router, so startup stops with the name the operator used.
		if strings.TrimSpace(v) != "" {
			if _, err := ortc.ParseMediaCodecs(v); err != nil {
				bad(n, err.Error())
			}
		}
		c.MediaCodecs = v
	}
	integer(&c.RTCPort, 0, 65535, "RTC_PORT")
	if n, v, ok := e.get("RTC_TCP_PORT"); ok {
		switch v = strings.TrimSpace(v); v {
		case "off":
			c.RTCTCPPort = -1
		case "":
			c.RTCTCPPort = 0
		default:
			if p, err := strconv.Atoi(v); err != nil || p < 1 || p > 65535 {
				bad(n, fmt.Sprintf(`must be a port in 1..65535 or "off", got %q`, v))
			} else {
				c.RTCTCPPort = p
			}
		}
	}
	integer(&c.PipePortMin, 0, 65535, "PIPE_PORT_MIN")
	integer(&c.PipePortMax, 0, 65535, "PIPE_PORT_MAX")
	integer(&c.FanoutWorkers, -1, 1024, "FANOUT_WORKERS")
	if c.PipePortMin > c.PipePortMax {
		bad("PIPE_PORT_MIN", fmt.Sprintf("must not exceed PIPE_PORT_MAX (%d > %d)", c.PipePortMin, c.PipePortMax))
	}
	if n, v, ok := e.get("WEBRTC_LISTEN_IPS", "MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS"); ok {
		ips, err := parseListenIPs(v)
		if err != nil {
			bad(n, err.Error())
		}
		c.ListenIPs = ips
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", fmt.Sprintf("must be debug, info, warn or error, got %q", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		bad("LOG_FORMAT", fmt.Sprintf("must be json or console, got %q", c.LogFormat))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// parseListenIPs accepts the original's JSON `[{"ip":"192.168.6.143","announcedIp":null}]`, or a comma list of
// `ip` / `ip=announced` entries.
func parseListenIPs(v string) ([]ListenIP, error) {
	v = strings.TrimSpace(v)
	var ips []ListenIP
	if strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &ips); err != nil {
			return nil, fmt.Errorf(`must be JSON like [{"ip":"10.0.0.5","announcedIp":null}]: %w`, err)
		}
	} else {
		for _, part := range strings.Split(v, ",") {
			ip, announced, _ := strings.Cut(strings.TrimSpace(part), "=")
			l := ListenIP{IP: ip}
			if announced != "" {
				l.AnnouncedIP = &announced
			}
			ips = append(ips, l)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("needs at least one IP")
	}
	if len(ips) > 1 {
		// A slave binds one media socket, on one IP; silently ignoring the others would hide a misconfiguration.
		return nil, fmt.Errorf("lists %d IPs but a slave binds one (run one slave per IP, or listen on 0.0.0.0 with one announced IP)", len(ips))
	}
	for _, l := range ips {
		if net.ParseIP(l.IP) == nil {
			return nil, fmt.Errorf("ip %q is not an IP address", l.IP)
		}
		if l.AnnouncedIP != nil && *l.AnnouncedIP != "" && net.ParseIP(*l.AnnouncedIP) == nil {
			return nil, fmt.Errorf("announcedIp %q is not an IP address", *l.AnnouncedIP)
		}
	}
	return ips, nil
}

// parseCORSOrigins reads CORS_ORIGINS: "*" or comma-separated origins (scheme://host[:port], no path).
func parseCORSOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
				u.RawQuery != "" || u.User != nil {
				return nil, fmt.Errorf("must be * or origins like https://app.example.com, got %q", o)
			}
			o = u.Scheme + "://" + u.Host
		}
		out = append(out, o)
	}
	return out, nil
}

// ListenAddr is host:port of the HTTP server.
func (c Config) ListenAddr() string { return net.JoinHostPort(c.ListenHost, strconv.Itoa(c.Port)) }

// LoadSlaveConfig reads a slave's settings; its default port follows SLAVE_ROLE (3011 producer, 3012 consumer).
func LoadSlaveConfig(dotenvPath string) (Config, error) {
	cfg, err := LoadConfig(0, dotenvPath)
	if err != nil {
		return Config{}, err
	}
	if cfg.Role == "" {
		return Config{}, fmt.Errorf("configuration: SLAVE_ROLE (or SLAVE_FOR) must be producer or consumer")
	}
	if cfg.Port == 0 {
		if _, _, set := (env{}).get("PORT"); !set {
			cfg.Port = DefaultSlavePort(cfg.Role)
		}
	}
	return cfg, nil
}
