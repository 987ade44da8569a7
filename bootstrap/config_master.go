package bootstrap

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// MasterConfig is what only a master reads.
type MasterConfig struct {
	DatabaseURL         string         // DATABASE_URL: postgres://..., sqlite://path, or empty for ./data/cluster.db
	Migrate             bool           // MIGRATE: run migrations at start (default true)
	PipeSRTP            bool           // PIPE_SRTP: protect slave-to-slave pipes with SRTP (default true)
	APITokenSecret      string         // API_TOKEN_SECRET: when set, the public API requires HS256 bearer tokens
	APITokenAudience    string         // API_TOKEN_AUDIENCE: when set, a token's aud must name it
	RoomCreateRate      int            // ROOM_CREATE_RATE: rooms one client IP may create per minute (0: no cap)
	TrustedProxies      []netip.Prefix // TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the client
	CORSOrigins         []string       // CORS_ORIGINS: origins whose browser apps may call the API directly
	MaxPeersPerRoom     int            // MAX_PEERS_PER_ROOM (0: no limit)
	MaxProducersPerPeer int            // MAX_PRODUCERS_PER_PEER (0: no limit)
	RouterIdleTimeout   time.Duration  // CONSUMER_ROUTER_IDLE_TIMEOUT: a consumer router without peers this long closes (10s)
	RoomIdleTimeout     time.Duration  // ROOM_IDLE_TIMEOUT: a room without peers this long is removed (10m; 0 keeps it)
	SlaveTimeout        time.Duration  // SLAVE_TIMEOUT: silence after which a slave is dead (default 5.5s: under three 2s heartbeats)
	// ConsumerPlacement is CONSUMER_PLACEMENT: fill (default) or spread, how a room's viewers use consumer slaves.
	ConsumerPlacement domain.PlacementMode
	// CacheTTL is MASTER_CACHE_TTL: how stale the master's snapshot of the slaves may be (1s; 0 reads them per request).
	CacheTTL time.Duration
	// HTTP_READ_HEADER_TIMEOUT, HTTP_READ_TIMEOUT, HTTP_WRITE_TIMEOUT, HTTP_IDLE_TIMEOUT: the master's HTTP timeouts.
	HTTPTimeouts  httpapi.MasterTimeouts
	MaxConnsPerIP int // MAX_CONNS_PER_IP: open connections one client address may hold (0: no cap; trusted proxies exempt)
	// EventRetention is EVENT_RETENTION: how long room events are kept for streams that reconnect (5m).
	EventRetention time.Duration
}

func defaultMasterConfig() MasterConfig {
	return MasterConfig{Migrate: true, PipeSRTP: true, RouterIdleTimeout: 10 * time.Second, RoomIdleTimeout: 10 * time.Minute,
		RoomCreateRate: 60, MaxPeersPerRoom: 1000, MaxProducersPerPeer: 16, SlaveTimeout: 5500 * time.Millisecond,
		ConsumerPlacement: domain.PlacementFill, CacheTTL: application.DefaultCacheTTL,
		HTTPTimeouts: httpapi.DefaultMasterTimeouts, MaxConnsPerIP: 256,
		EventRetention: application.DefaultEventRetention}
}

func (c *MasterConfig) load(s *settings) {
	s.str(&c.DatabaseURL, "DATABASE_URL")
	s.boolean(&c.Migrate, "MIGRATE")
	s.boolean(&c.PipeSRTP, "PIPE_SRTP")
	s.str(&c.APITokenSecret, "API_TOKEN_SECRET")
	s.str(&c.APITokenAudience, "API_TOKEN_AUDIENCE")
	s.integer(&c.RoomCreateRate, 0, 1_000_000, "ROOM_CREATE_RATE")
	if n, v, ok := s.get("TRUSTED_PROXIES"); ok {
		proxies, err := httpapi.ParseTrustedProxies(v)
		if err != nil {
			s.bad(n, err.Error())
		}
		c.TrustedProxies = proxies
	}
	if n, v, ok := s.get("CORS_ORIGINS"); ok {
		origins, err := parseCORSOrigins(v)
		if err != nil {
			s.bad(n, err.Error())
		}
		c.CORSOrigins = origins
	}
	s.integer(&c.MaxPeersPerRoom, 0, 1_000_000, "MAX_PEERS_PER_ROOM")
	s.integer(&c.MaxProducersPerPeer, 0, 1_000, "MAX_PRODUCERS_PER_PEER")
	s.duration(&c.SlaveTimeout, "SLAVE_TIMEOUT")
	s.duration(&c.RouterIdleTimeout, "CONSUMER_ROUTER_IDLE_TIMEOUT")
	s.duration(&c.EventRetention, "EVENT_RETENTION")
	if n, v, ok := s.get("CONSUMER_PLACEMENT"); ok {
		mode, err := domain.ParsePlacementMode(strings.TrimSpace(v))
		if err != nil {
			s.bad(n, "must be fill or spread, got "+fmt.Sprintf("%q", v))
		}
		c.ConsumerPlacement = mode
	}
	if n, v, ok := s.get("MASTER_CACHE_TTL"); ok {
		if strings.TrimSpace(v) == "0" {
			c.CacheTTL = 0
		} else if d, err := time.ParseDuration(strings.TrimSpace(v)); err != nil || d <= 0 || d > time.Minute {
			s.bad(n, fmt.Sprintf("must be a duration up to 1m like 1s, or 0 to read slaves per request, got %q", v))
		} else {
			c.CacheTTL = d
		}
	}
	s.duration(&c.HTTPTimeouts.ReadHeader, "HTTP_READ_HEADER_TIMEOUT")
	s.duration(&c.HTTPTimeouts.Read, "HTTP_READ_TIMEOUT")
	s.duration(&c.HTTPTimeouts.Write, "HTTP_WRITE_TIMEOUT")
	s.duration(&c.HTTPTimeouts.Idle, "HTTP_IDLE_TIMEOUT")
	s.integer(&c.MaxConnsPerIP, 0, 1_000_000, "MAX_CONNS_PER_IP")
	if n, v, ok := s.get("ROOM_IDLE_TIMEOUT"); ok {
		if strings.TrimSpace(v) == "0" {
			c.RoomIdleTimeout = 0
		} else if d, err := time.ParseDuration(strings.TrimSpace(v)); err != nil || d <= 0 {
			s.bad(n, fmt.Sprintf("must be a positive duration like 10m, or 0 to keep empty rooms, got %q", v))
		} else {
			c.RoomIdleTimeout = d
		}
	}
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
