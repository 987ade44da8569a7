package bootstrap

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/audiolevel"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SlaveConfig is what only a slave reads.
type SlaveConfig struct {
	Role          domain.SlaveRole // SLAVE_ROLE (alias SLAVE_FOR)
	MasterURLs    []string         // MASTER_URL, comma-separated
	AdvertiseURL  string           // SLAVE_API_URL: how the master reaches this slave (default http://<host>:<port>)
	MaxTransports int              // SLAVE_MAX_TRANSPORTS (alias SLAVE_MAX_TRANSPORT_PER_WORKER)
	MediaCodecs   string           // MEDIA_CODECS (alias MEDIASOUP_MEDIA_CODECS): JSON array; empty = defaults
	ListenIPs     []ListenIP       // WEBRTC_LISTEN_IPS (alias MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS)
	RTCPort       int              // RTC_PORT: the slave's one UDP port for WebRTC (0 = any free port)
	// RTCTCPPort is RTC_TCP_PORT, the ICE-TCP port beside RTC_PORT: 0 (unset) the same number as RTC_PORT,
	// -1 ("off") no ICE-TCP.
	RTCTCPPort  int
	PipePortMin int // PIPE_PORT_MIN, PIPE_PORT_MAX: UDP ports of pipe transports (0, 0 = any)
	PipePortMax int
	// PipeListen is PIPE_LISTEN_IP / PIPE_ANNOUNCED_IP: where pipe transports bind and what they announce to the
	// other slave (a private network between slaves); empty IP means the first of ListenIPs.
	PipeListen        ListenIP
	FanoutWorkers     int           // FANOUT_WORKERS: goroutines sharing large fan-outs (0 = GOMAXPROCS-1, -1 = none)
	HeartbeatInterval time.Duration // HEARTBEAT_INTERVAL (default 2s)
	// InitialAvailableOutgoingBitrate is where a WebRTC transport's downlink estimate starts, bit/s
	// (INITIAL_AVAILABLE_OUTGOING_BITRATE, alias MEDIASOUP_WEBRTC_TRANSPORT_INITIAL_AVAILABLE_OUTGOING_BITRATE).
	InitialAvailableOutgoingBitrate int
	// MaxIncomingBitrate caps what each publisher sends to this slave, bit/s, by REMB; 0: no cap
	// (MAX_INCOMING_BITRATE, alias MEDIASOUP_WEBRTC_TRANSPORT_MAX_INCOMING_BITRATE).
	MaxIncomingBitrate int
	// SctpMaxMessageSize is the largest data channel message a WebRTC transport accepts, bytes (the maxMessageSize
	// of its sctpParameters); larger ones are dropped and counted (SCTP_MAX_MESSAGE_SIZE, default 262144).
	SctpMaxMessageSize int
	// SctpMaxBufferedAmount caps each data consumer's queued outbound SCTP bytes; a message over it is dropped for
	// that consumer and counted (SCTP_MAX_BUFFERED_AMOUNT, default 1 MiB, at least SCTP_MAX_MESSAGE_SIZE).
	SctpMaxBufferedAmount int
	// TransportIdleTimeout closes a client's WebRTC transport that received nothing (no ICE consent check, no
	// media) for this long, and the master forgets it (TRANSPORT_IDLE_TIMEOUT, default 30s).
	TransportIdleTimeout time.Duration
	// DrainTimeout is how long a slave stopping gracefully waits for its transports to close (DRAIN_TIMEOUT; 0:
	// it stops at once, closing them).
	DrainTimeout time.Duration
	// Audio tunes the audio observers (AUDIO_VOLUMES_*, ACTIVE_SPEAKER_*; config_audio.go).
	Audio audiolevel.Config
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

func defaultSlaveConfig() SlaveConfig {
	return SlaveConfig{MaxTransports: 500, ListenIPs: []ListenIP{{IP: "127.0.0.1"}}, HeartbeatInterval: 2 * time.Second,
		InitialAvailableOutgoingBitrate: 1_000_000, MaxIncomingBitrate: 1_500_000, SctpMaxMessageSize: domain.DefaultMaxMessageSize, SctpMaxBufferedAmount: 1 << 20, TransportIdleTimeout: 30 * time.Second, MasterURLs: []string{"http://127.0.0.1:3010"},
		Audio: defaultAudio()}
}

func (c *SlaveConfig) load(s *settings) {
	s.duration(&c.HeartbeatInterval, "HEARTBEAT_INTERVAL")
	s.duration(&c.TransportIdleTimeout, "TRANSPORT_IDLE_TIMEOUT")
	c.loadAudio(s)
	if n, v, ok := s.get("DRAIN_TIMEOUT"); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err != nil || d < 0 {
			s.bad(n, fmt.Sprintf("must be a duration like 5m, or 0 to stop at once, got %q", v))
		} else {
			c.DrainTimeout = d
		}
	}
	if n, v, ok := s.get("SLAVE_ROLE", "SLAVE_FOR"); ok {
		role, err := domain.ParseSlaveRole(strings.TrimSpace(v))
		if err != nil {
			s.bad(n, fmt.Sprintf("must be producer or consumer, got %q", v))
		}
		c.Role = role
	}
	if n, v, ok := s.get("MASTER_URL"); ok {
		c.MasterURLs = nil
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
				if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
					s.bad(n, fmt.Sprintf("must be http(s) URLs, got %q", u))
				}
				c.MasterURLs = append(c.MasterURLs, u)
			}
		}
	}
	s.str(&c.AdvertiseURL, "SLAVE_API_URL")
	s.integer(&c.MaxTransports, 1, 1_000_000, "SLAVE_MAX_TRANSPORTS", "SLAVE_MAX_TRANSPORT_PER_WORKER")
	if n, v, ok := s.get("MEDIA_CODECS", "MEDIASOUP_MEDIA_CODECS"); ok {
		// Checked here, not when the slave builds its router, so startup stops with the name the operator used.
		if strings.TrimSpace(v) != "" {
			if _, err := ortc.ParseMediaCodecs(v); err != nil {
				s.bad(n, err.Error())
			}
		}
		c.MediaCodecs = v
	}
	s.integer(&c.RTCPort, 0, 65535, "RTC_PORT")
	if n, v, ok := s.get("RTC_TCP_PORT"); ok {
		switch v = strings.TrimSpace(v); v {
		case "off":
			c.RTCTCPPort = -1
		case "":
			c.RTCTCPPort = 0
		default:
			if p, err := strconv.Atoi(v); err != nil || p < 1 || p > 65535 {
				s.bad(n, fmt.Sprintf(`must be a port in 1..65535 or "off", got %q`, v))
			} else {
				c.RTCTCPPort = p
			}
		}
	}
	s.integer(&c.PipePortMin, 0, 65535, "PIPE_PORT_MIN")
	s.integer(&c.PipePortMax, 0, 65535, "PIPE_PORT_MAX")
	s.integer(&c.FanoutWorkers, -1, 1024, "FANOUT_WORKERS")
	s.integer(&c.InitialAvailableOutgoingBitrate, 30_000, 100_000_000, "INITIAL_AVAILABLE_OUTGOING_BITRATE",
		"MEDIASOUP_WEBRTC_TRANSPORT_INITIAL_AVAILABLE_OUTGOING_BITRATE")
	s.integer(&c.MaxIncomingBitrate, 0, 1_000_000_000, "MAX_INCOMING_BITRATE", "MEDIASOUP_WEBRTC_TRANSPORT_MAX_INCOMING_BITRATE")
	s.integer(&c.SctpMaxMessageSize, 1024, 16<<20, "SCTP_MAX_MESSAGE_SIZE")
	s.integer(&c.SctpMaxBufferedAmount, 1024, 1<<30, "SCTP_MAX_BUFFERED_AMOUNT")
	if c.SctpMaxBufferedAmount < c.SctpMaxMessageSize {
		s.bad("SCTP_MAX_BUFFERED_AMOUNT", fmt.Sprintf("must be at least SCTP_MAX_MESSAGE_SIZE (%d < %d)", c.SctpMaxBufferedAmount, c.SctpMaxMessageSize))
	}
	if c.PipePortMin > c.PipePortMax {
		s.bad("PIPE_PORT_MIN", fmt.Sprintf("must not exceed PIPE_PORT_MAX (%d > %d)", c.PipePortMin, c.PipePortMax))
	}
	c.loadPipeListen(s)
	if n, v, ok := s.get("WEBRTC_LISTEN_IPS", "MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS"); ok {
		ips, err := parseListenIPs(v)
		if err != nil {
			s.bad(n, err.Error())
		}
		c.ListenIPs = ips
	}
}

// loadPipeListen reads PIPE_LISTEN_IP and PIPE_ANNOUNCED_IP.
func (c *SlaveConfig) loadPipeListen(s *settings) {
	_, listen, hasListen := s.get("PIPE_LISTEN_IP")
	_, announced, hasAnnounced := s.get("PIPE_ANNOUNCED_IP")
	listen, announced = strings.TrimSpace(listen), strings.TrimSpace(announced)
	if !hasListen && !hasAnnounced {
		return
	}
	switch ip := net.ParseIP(listen); {
	case listen == "" && announced != "":
		s.bad("PIPE_ANNOUNCED_IP", "needs PIPE_LISTEN_IP (the address pipe transports bind)")
	case listen == "":
		return
	case ip == nil:
		s.bad("PIPE_LISTEN_IP", fmt.Sprintf("must be an IP address, got %q", listen))
	case announced != "" && (net.ParseIP(announced) == nil || net.ParseIP(announced).IsUnspecified()):
		s.bad("PIPE_ANNOUNCED_IP", fmt.Sprintf("must be a unicast IP address, got %q", announced))
	case ip.IsUnspecified() && announced == "":
		s.bad("PIPE_LISTEN_IP", fmt.Sprintf("%s needs PIPE_ANNOUNCED_IP (the address other slaves reach)", listen))
	}
	c.PipeListen = ListenIP{IP: listen}
	if announced != "" {
		c.PipeListen.AnnouncedIP = &announced
	}
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
	if len(ips) > 16 {
		return nil, fmt.Errorf("lists %d IPs, at most 16", len(ips))
	}
	for _, l := range ips {
		if net.ParseIP(l.IP) == nil {
			return nil, fmt.Errorf("ip %q is not an IP address", l.IP)
		}
		if l.AnnouncedIP != nil && *l.AnnouncedIP != "" && net.ParseIP(*l.AnnouncedIP) == nil {
			return nil, fmt.Errorf("announcedIp %q is not an IP address", *l.AnnouncedIP)
		}
		if ip := net.ParseIP(l.IP); ip.IsUnspecified() && (l.AnnouncedIP == nil || *l.AnnouncedIP == "") {
			return nil, fmt.Errorf("ip %s needs an announcedIp (the address clients reach)", l.IP)
		}
	}
	return ips, nil
}

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
