package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is everything the flags set.
type config struct {
	MasterURL   string
	Publishers  int
	Subscribers int
	// Duration is the measurement window, which opens once every subscriber has joined (or failed): the joins
	// are measured on their own, and the window sees the steady state only.
	Duration time.Duration
	// Settle is the longest wait, after the joins, for every consumer's first packet before the window opens (so
	// the window does not count a late joiner's setup as missing media).
	Settle          time.Duration
	JoinRate        float64 // subscribers started per second; 0 starts them all at once
	JoinConcurrency int     // at most this many joins in flight; the schedule waits beyond it
	JoinTimeout     time.Duration
	HTTPTimeout     time.Duration

	Audio, Video bool
	AudioPPS     int
	VideoPPS     int
	VideoPayload int // bytes per video packet: 100 pps × 1200 B ≈ 1 Mbit/s
	// Simulcast publishes video in mediasoup-demo's three layers (client.DemoSimulcastEncodings) instead of
	// -video-pps × -video-payload; subscriber i prefers spatial layer i mod 3.
	Simulcast bool
	// Compare runs the load test twice in one invocation, with simple video consumers and then with simulcast ones
	// (a fresh room each), and prints their forwarded packets per CPU-second side by side (compare.go).
	Compare bool
	// Data replaces media with data channels: each publisher has one reliable, ordered data producer and sends
	// DataRate messages of DataSize bytes a second; every subscriber reads every publisher (data.go).
	Data     bool
	DataRate int
	DataSize int

	Loopback bool // gather only 127.0.0.0/8 candidates (client.LoopbackOnly)
	// TransportCC: subscribers negotiate transport-cc (as browsers do); false leaves it out (client.WithoutTransportCC).
	TransportCC  bool
	ClientRcvBuf int    // SO_RCVBUF of every client socket (client.WithReceiveBuffer); 0: the system's default
	SlavePIDs    []int  // processes whose CPU counts as the slaves'; empty: found from the slaves' ports
	Secret       string // bearer token for GET /slaves when the master has a cluster secret
	Progress     time.Duration
	SeedOnly     bool // create the room and its publishers, print SEED, hold them until interrupted
	// APIOnly drives viewers' joins and leaves through the API without media (apijoin.go): -join-concurrency
	// back to back, or -api-rate per second; APIWarmup runs first, unmeasured.
	APIOnly   bool
	APIRate   float64
	APILeave  bool // each viewer logs out right after its join (else at the cleanup)
	APIWarmup time.Duration
	PGPort    int // PostgreSQL's port on this host, for its CPU in -api-only (0: not measured)
	// APIMasters are more masters (on the same database) that -api-only viewers call too, as a load balancer
	// would: step s of viewer i goes to master (i+s) mod n of -master and these; with APIStickyViewers, every step
	// of viewer i goes to master i mod n (an L4 balancer that keeps a client's keep-alive connection on one master).
	APIMasters       []string
	APIStickyViewers bool
	CPUProfile       string // write this process's CPU profile over the measurement window there
}

// parseConfig reads the flags (args without the program name). Errors name the flag.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.MasterURL, "master", "http://127.0.0.1:3010", "master's public API base URL")
	fs.IntVar(&c.Publishers, "publishers", 1, "publishers in the room, each sending the enabled kinds")
	fs.IntVar(&c.Subscribers, "subscribers", 10, "subscribers, each consuming every producer of the room")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "measurement window, opened when every subscriber has joined")
	fs.DurationVar(&c.Settle, "settle", 5*time.Second, "longest wait after the joins for every consumer's first packet, before the window opens")
	fs.Float64Var(&c.JoinRate, "join-rate", 10, "subscribers started per second (0: all at once)")
	fs.IntVar(&c.JoinConcurrency, "join-concurrency", 50, "joins in flight at most; the schedule waits beyond it")
	fs.DurationVar(&c.JoinTimeout, "join-timeout", 30*time.Second, "time allowed for one subscriber's join")
	fs.DurationVar(&c.HTTPTimeout, "http-timeout", 10*time.Second, "timeout of one API request")
	fs.BoolVar(&c.Audio, "audio", true, "publishers send Opus-shaped audio")
	fs.BoolVar(&c.Video, "video", true, "publishers send VP8-shaped video")
	fs.IntVar(&c.AudioPPS, "audio-pps", 50, "audio packets per second per publisher")
	fs.IntVar(&c.VideoPPS, "video-pps", 100, "video packets per second per publisher")
	fs.IntVar(&c.VideoPayload, "video-payload", 1200, "video RTP payload bytes (100 pps × 1200 B ≈ 1 Mbit/s)")
	fs.BoolVar(&c.Simulcast, "simulcast", false, "publish video as simulcast in mediasoup-demo's 3 layers (150 k/500 k/1.5 Mbit/s, L1T3; replaces -video-pps and -video-payload); subscriber i prefers layer i mod 3")
	fs.BoolVar(&c.Compare, "compare", false, "run twice, simple video consumers then simulcast ones (-simulcast), each in a fresh room, and print forwarded packets per CPU-second and join figures side by side (every viewer negotiates transport-cc)")
	fs.BoolVar(&c.Data, "data", false, "data channels instead of media: each publisher sends -data-rate messages/s to every subscriber; reports delivery and latency percentiles")
	fs.IntVar(&c.DataRate, "data-rate", 50, "with -data: messages per second per publisher")
	fs.IntVar(&c.DataSize, "data-size", 64, "with -data: bytes per message (at least 20: publisher, sequence, send time)")
	fs.BoolVar(&c.Loopback, "loopback", true, "gather only loopback ICE candidates (the cluster is on this host)")
	fs.BoolVar(&c.TransportCC, "transport-cc", true, "subscribers negotiate transport-cc and send its feedback, as browsers do (false: the side-by-side without downlink estimation)")
	fs.IntVar(&c.ClientRcvBuf, "client-rcvbuf", 0, "receive buffer (bytes) of every client UDP socket, capped by net.core.rmem_max (0: system default)")
	pids := fs.String("slave-pids", "", "comma-separated pids of the slave processes, for CPU from /proc (default: found from the slaves' ports)")
	fs.StringVar(&c.Secret, "secret", os.Getenv("CLUSTER_SECRET"), "bearer token for GET /slaves (default $CLUSTER_SECRET)")
	fs.DurationVar(&c.Progress, "progress", time.Second, "progress line interval on stderr (0: none)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write the clients' CPU profile (this process, measurement window only) to this file")
	fs.BoolVar(&c.SeedOnly, "seed-only", false, "only create a room with the publishers, print 'SEED room_id=…', hold until interrupted")
	fs.BoolVar(&c.APIOnly, "api-only", false, "only the API: viewers join (consumer_routers, consumer_peers, consume, resume) and leave (logout) without media for -duration; reports joins/s, per-step latency, errors by status and the CPU per join of the master, slaves and PostgreSQL seen in /proc")
	fs.Float64Var(&c.APIRate, "api-rate", 0, "with -api-only: viewers started per second, whatever the answers' pace (0: -join-concurrency viewers back to back)")
	fs.BoolVar(&c.APILeave, "api-leave", false, "with -api-only: each viewer logs out right after joining, measured as the step leave (default: viewers stay until the cleanup, like a live event's audience)")
	fs.DurationVar(&c.APIWarmup, "api-warmup", 2*time.Second, "with -api-only: unmeasured joins first (the room's routers and pipes get made)")
	masters := fs.String("api-masters", "", "with -api-only: comma-separated base URLs of more masters on the same database; each viewer's calls alternate between -master and these, as behind a load balancer")
	fs.BoolVar(&c.APIStickyViewers, "api-sticky-viewers", false, "with -api-masters: all of a viewer's calls go to one master (viewers alternate), as an L4 balancer keeps a client's keep-alive connection on one master (default: each call to the next master)")
	fs.IntVar(&c.PGPort, "pg-port", 0, "with -api-only: port of the PostgreSQL server on this host, whose processes' CPU is measured (0: none)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, m := range strings.Split(*masters, ",") {
		if m = strings.TrimSpace(m); m != "" {
			c.APIMasters = append(c.APIMasters, strings.TrimSuffix(m, "/"))
		}
	}
	var err error
	if c.SlavePIDs, err = parsePIDs(*pids); err != nil {
		return config{}, err
	}
	return c, c.validate()
}

func (c config) validate() error {
	var errs []error
	check := func(ok bool, format string, a ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	u, err := url.Parse(c.MasterURL)
	check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "-master %q: want http(s)://host:port", c.MasterURL)
	check(c.Publishers >= 1, "-publishers must be at least 1")
	check(c.Subscribers >= 0, "-subscribers must not be negative")
	check(c.Duration > 0, "-duration must be positive")
	check(c.ClientRcvBuf >= 0, "-client-rcvbuf must not be negative")
	check(c.Settle >= 0, "-settle must not be negative")
	check(c.JoinRate >= 0, "-join-rate must not be negative")
	check(c.JoinConcurrency >= 1, "-join-concurrency must be at least 1")
	check(c.JoinTimeout > 0 && c.HTTPTimeout > 0, "-join-timeout and -http-timeout must be positive")
	check(c.Audio || c.Video, "-audio=false and -video=false leave nothing to send")
	check(!c.Audio || (c.AudioPPS >= 1 && c.AudioPPS <= 1000), "-audio-pps must be in 1..1000")
	check(!c.Video || (c.VideoPPS >= 1 && c.VideoPPS <= 10000), "-video-pps must be in 1..10000")
	// 1200 B leaves room for RTP and SRTP headers under a 1500-byte MTU.
	check(!c.Video || (c.VideoPayload >= 16 && c.VideoPayload <= 1200), "-video-payload must be in 16..1200")
	check(c.Progress >= 0, "-progress must not be negative")
	check(!c.Simulcast || c.Video, "-simulcast needs -video")
	check(!c.Compare || c.Video && !c.Simulcast && !c.Data && !c.APIOnly && !c.SeedOnly,
		"-compare needs -video and runs -simulcast itself (not with -simulcast, -data, -api-only or -seed-only)")
	check(c.APIRate >= 0 && c.APIWarmup >= 0, "-api-rate and -api-warmup must not be negative")
	check(c.PGPort >= 0 && c.PGPort <= 65535, "-pg-port must be a port")
	for _, m := range c.APIMasters {
		u, err := url.Parse(m)
		check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "-api-masters %q: want http(s)://host:port", m)
	}
	check(!c.APIOnly || !c.SeedOnly, "-api-only and -seed-only exclude each other")
	check(!c.Data || (c.DataRate >= 1 && c.DataRate <= 10000), "-data-rate must be in 1..10000")
	check(!c.Data || (c.DataSize >= dataHeader && c.DataSize <= 262144), "-data-size must be in 20..262144")
	return errors.Join(errs...)
}

// parsePIDs reads "123,456".
func parsePIDs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("-slave-pids: %q is not a pid", f)
		}
		out = append(out, pid)
	}
	return out, nil
}

// packetsPerSubscriber is the forwarded rate one subscriber should receive: every kind of every publisher.
func (c config) packetsPerSubscriber() int {
	per := 0
	if c.Audio {
		per += c.AudioPPS
	}
	if c.Video && !c.Simulcast {
		per += c.VideoPPS // a simulcast viewer's video rate depends on its layer: see summary
	}
	return per * c.Publishers
}
