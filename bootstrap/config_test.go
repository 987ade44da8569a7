package bootstrap

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestConfigDefaultsAndNames(t *testing.T) {
	c, err := loadFrom(env{dotenv: map[string]string{}}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, 3011, c.Port)
	require.True(t, c.PipeSRTP)
	require.Equal(t, 5500*time.Millisecond, c.SlaveTimeout)

	c, err = loadFrom(env{dotenv: map[string]string{
		"PORT": "4000", "SLAVE_ROLE": "consumer", "MASTER_URL": "http://a:3010/, http://b:3010", "SLAVE_MAX_TRANSPORTS": "7",
		"WEBRTC_LISTEN_IPS": "127.0.0.1=203.0.113.9", "PIPE_SRTP": "false", "SLAVE_TIMEOUT": "9s",
		"FANOUT_WORKERS": "-1", "INITIAL_AVAILABLE_OUTGOING_BITRATE": "600000",
		"MEDIASOUP_WEBRTC_TRANSPORT_MAX_INCOMING_BITRATE": "0",
	}}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, 4000, c.Port)
	require.Equal(t, domain.SlaveRoleConsumer, c.Role)
	require.Equal(t, []string{"http://a:3010", "http://b:3010"}, c.MasterURLs)
	require.Equal(t, 7, c.MaxTransports)
	require.Equal(t, "203.0.113.9", c.ListenIPs[0].Announced())
	require.False(t, c.PipeSRTP)
	require.Equal(t, 9*time.Second, c.SlaveTimeout)
	require.Equal(t, -1, c.FanoutWorkers)
	require.Equal(t, 600000, c.InitialAvailableOutgoingBitrate)
	require.Zero(t, c.MaxIncomingBitrate, "0: no cap")
}

func TestConfigProxiesAndOrigins(t *testing.T) {
	c, err := loadFrom(env{dotenv: map[string]string{
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.10", "CORS_ORIGINS": "https://app.example.com/, http://localhost:5173",
	}}, defaultConfig(3010))
	require.NoError(t, err)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.10/32")}, c.TrustedProxies)
	require.Equal(t, []string{"https://app.example.com", "http://localhost:5173"}, c.CORSOrigins)
	c, err = loadFrom(env{dotenv: map[string]string{"CORS_ORIGINS": "*"}}, defaultConfig(3010))
	require.NoError(t, err)
	require.Equal(t, []string{"*"}, c.CORSOrigins)
}

func TestConfigAcceptsTheOriginalsEnv(t *testing.T) {
	// The original mediasoup-cluster .env.dev, names and quoting as it ships them.
	dot, err := parseDotEnv(`
DATABASE_URL = "postgresql://postgres:123456@localhost:5432/mediasoup"
SLAVE_FOR=producer
SLAVE_MAX_TRANSPORT_PER_WORKER=100
MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS = '[
   {
      "ip": "192.168.6.143",
      "announcedIp": null
   }
]'
MEDIASOUP_MEDIA_CODECS='[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2}]'
# a comment
`)
	require.NoError(t, err)
	c, err := loadFrom(env{dotenv: dot}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, "postgresql://postgres:123456@localhost:5432/mediasoup", c.DatabaseURL)
	require.Equal(t, domain.SlaveRoleProducer, c.Role)
	require.Equal(t, 100, c.MaxTransports)
	require.Equal(t, "192.168.6.143", c.ListenIPs[0].IP)
	require.Equal(t, "192.168.6.143", c.ListenIPs[0].Announced())
	require.Contains(t, c.MediaCodecs, "audio/opus")
}

func TestConfigRejectsBadValuesNamingTheVariable(t *testing.T) {
	for name, tc := range map[string]struct{ key, value, want string }{
		"port":                    {"PORT", "http", "PORT"},
		"role":                    {"SLAVE_FOR", "both", "SLAVE_FOR"},
		"bool":                    {"PIPE_SRTP", "maybe", "PIPE_SRTP"},
		"duration":                {"SLAVE_TIMEOUT", "soon", "SLAVE_TIMEOUT"},
		"listen ips":              {"MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS", `[{"ip": "not-an-ip"}]`, "MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS"},
		"json":                    {"WEBRTC_LISTEN_IPS", `[{"ip":`, "WEBRTC_LISTEN_IPS"},
		"master url":              {"MASTER_URL", "ftp://x", "MASTER_URL"},
		"log level":               {"LOG_LEVEL", "loud", "LOG_LEVEL"},
		"capacity":                {"SLAVE_MAX_TRANSPORTS", "0", "SLAVE_MAX_TRANSPORTS"},
		"workers":                 {"FANOUT_WORKERS", "-2", "FANOUT_WORKERS"},
		"trusted proxies":         {"TRUSTED_PROXIES", "lb.example.com", "TRUSTED_PROXIES"},
		"cors origin path":        {"CORS_ORIGINS", "https://app.example.com/page", "CORS_ORIGINS"},
		"cors origin scheme":      {"CORS_ORIGINS", "app.example.com", "CORS_ORIGINS"},
		"unspecified unannounced": {"WEBRTC_LISTEN_IPS", "0.0.0.0", "WEBRTC_LISTEN_IPS"},
		"capacity alias":          {"SLAVE_MAX_TRANSPORT_PER_WORKER", "many", "SLAVE_MAX_TRANSPORT_PER_WORKER"},
		"codecs":                  {"MEDIA_CODECS", `[{"kind":"audio","mimeType":"audio/opus"}]`, "MEDIA_CODECS"},
		"codecs json":             {"MEDIA_CODECS", `[{`, "MEDIA_CODECS"},
		"codecs alias":            {"MEDIASOUP_MEDIA_CODECS", `[{"kind":"sound","mimeType":"audio/opus","clockRate":48000}]`, "MEDIASOUP_MEDIA_CODECS"},
		"room idle timeout":       {"ROOM_IDLE_TIMEOUT", "-1m", "ROOM_IDLE_TIMEOUT"},
		"pipe port range":         {"PIPE_PORT_MIN", "5000", "PIPE_PORT_MIN"},
		"pipe listen ip":          {"PIPE_LISTEN_IP", "pipes.local", "PIPE_LISTEN_IP"},
		"pipe listen unspecified": {"PIPE_LISTEN_IP", "0.0.0.0", "PIPE_LISTEN_IP"},
		"pipe announced alone":    {"PIPE_ANNOUNCED_IP", "10.1.0.5", "PIPE_ANNOUNCED_IP"},
		"rtc tcp port":            {"RTC_TCP_PORT", "0", "RTC_TCP_PORT"},
		"rtc tcp port word":       {"RTC_TCP_PORT", "no", "RTC_TCP_PORT"},
		"max incoming":            {"MAX_INCOMING_BITRATE", "-1", "MAX_INCOMING_BITRATE"},
		"sctp buffer below msg":   {"SCTP_MAX_BUFFERED_AMOUNT", "4096", "SCTP_MAX_BUFFERED_AMOUNT"},
		"initial bitrate":         {"MEDIASOUP_WEBRTC_TRANSPORT_INITIAL_AVAILABLE_OUTGOING_BITRATE", "5", "MEDIASOUP_WEBRTC_TRANSPORT_INITIAL_AVAILABLE_OUTGOING_BITRATE"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadFrom(env{dotenv: map[string]string{tc.key: tc.value}}, defaultConfig(3010))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestSeveralListenIPs(t *testing.T) {
	for value, want := range map[string][][2]string{
		"10.0.0.1,10.0.0.2=203.0.113.7,::1": {{"10.0.0.1", "10.0.0.1"}, {"10.0.0.2", "203.0.113.7"}, {"::1", "::1"}},
		`[{"ip":"0.0.0.0","announcedIp":"203.0.113.7"},{"ip":"::","announcedIp":"2001:db8::7"}]`: {
			{"0.0.0.0", "203.0.113.7"}, {"::", "2001:db8::7"}},
	} {
		c, err := loadFrom(env{dotenv: map[string]string{"MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS": value}}, defaultConfig(3011))
		require.NoError(t, err, value)
		var got [][2]string
		for _, l := range c.ListenIPs {
			got = append(got, [2]string{l.IP, l.Announced()})
		}
		require.Equal(t, want, got, value)
	}
}

func TestPipeListenIP(t *testing.T) {
	c, err := loadFrom(env{dotenv: map[string]string{"WEBRTC_LISTEN_IPS": "0.0.0.0=203.0.113.7"}}, defaultConfig(3011))
	require.NoError(t, err)
	require.Empty(t, c.PipeListen.IP, "unset: pipes use the first WEBRTC_LISTEN_IPS entry")
	c, err = loadFrom(env{dotenv: map[string]string{"WEBRTC_LISTEN_IPS": "0.0.0.0=203.0.113.7",
		"PIPE_LISTEN_IP": "0.0.0.0", "PIPE_ANNOUNCED_IP": "10.1.0.5"}}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, "0.0.0.0", c.PipeListen.IP)
	require.Equal(t, "10.1.0.5", c.PipeListen.Announced())
	require.Equal(t, "203.0.113.7", c.ListenIPs[0].Announced(), "clients keep the public address")
	c, err = loadFrom(env{dotenv: map[string]string{"PIPE_LISTEN_IP": "10.1.0.5"}}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, "10.1.0.5", c.PipeListen.Announced(), "a specific listen IP announces itself")
}

func TestRTCTCPPort(t *testing.T) {
	for value, want := range map[string]int{"": 0, "off": -1, "40001": 40001, " 443 ": 443} {
		c, err := loadFrom(env{dotenv: map[string]string{"RTC_TCP_PORT": value}}, defaultConfig(3011))
		require.NoError(t, err, value)
		require.Equal(t, want, c.RTCTCPPort, value)
	}
	c, err := loadFrom(env{}, defaultConfig(3011))
	require.NoError(t, err)
	require.Zero(t, c.RTCTCPPort, "unset: the same number as RTC_PORT")
}

func TestEnvironmentWinsOverDotEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("PORT=4001\nLOG_LEVEL=debug\n"), 0o600))
	t.Setenv("PORT", "4002")
	c, err := LoadConfig(3010, path)
	require.NoError(t, err)
	require.Equal(t, 4002, c.Port)
	require.Equal(t, "debug", c.LogLevel)
	_, err = parseDotEnv("KEY='unterminated\n")
	require.Error(t, err)
}

func TestEnvExampleLoads(t *testing.T) {
	dot, err := readDotEnv(filepath.Join("..", ".env.example"))
	require.NoError(t, err)
	c, err := loadFrom(env{dotenv: dot}, defaultConfig(3011))
	require.NoError(t, err)
	require.Equal(t, domain.SlaveRoleProducer, c.Role)
	require.Equal(t, "127.0.0.1", c.ListenIPs[0].IP)
}

// TestDefaultPorts: the original's ports, written out rather than read from the constants they check.
func TestDefaultPorts(t *testing.T) {
	for _, k := range []string{"PORT", "SLAVE_ROLE", "SLAVE_FOR"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	master, err := LoadConfig(MasterPort, "")
	require.NoError(t, err)
	require.Equal(t, 3010, master.Port)
	t.Setenv("SLAVE_ROLE", "producer")
	producer, err := LoadSlaveConfig("")
	require.NoError(t, err)
	require.Equal(t, 3011, producer.Port)
	t.Setenv("SLAVE_ROLE", "consumer")
	consumer, err := LoadSlaveConfig("")
	require.NoError(t, err)
	require.Equal(t, 3012, consumer.Port)
	require.Equal(t, []string{"http://127.0.0.1:3010"}, consumer.MasterURLs, "slaves find the master at its default port")
}
