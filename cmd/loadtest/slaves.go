package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// slaveView is one row of the master's GET /slaves (decoded here rather than imported from the HTTP adapter:
// the load tool is a client and sees only the wire format).
type slaveView struct {
	ID         string           `json:"id"`
	Role       string           `json:"role"`
	APIURL     string           `json:"apiUrl"`
	Status     string           `json:"status"`
	Load       domain.SlaveLoad `json:"load"`
	LastSeenAt time.Time        `json:"lastSeenAt"`
}

// slaveLister reads GET /slaves.
type slaveLister struct {
	url    string
	secret string
	http   *http.Client
}

func newSlaveLister(masterURL, secret string, hc *http.Client) slaveLister {
	return slaveLister{url: masterURL + "/slaves", secret: secret, http: hc}
}

func (l slaveLister) list(ctx context.Context) ([]slaveView, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	if err != nil {
		return nil, err
	}
	if l.secret != "" {
		req.Header.Set("Authorization", "Bearer "+l.secret)
	}
	resp, err := l.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /slaves: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("GET /slaves: %w", err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, fmt.Errorf("GET /slaves: HTTP 401: pass the master's CLUSTER_SECRET with -secret or $CLUSTER_SECRET " +
			"(cmd/cluster makes a random one when it is unset), or name the slave processes with -slave-pids")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /slaves: HTTP %d: %.200s", resp.StatusCode, body)
	}
	var out []slaveView
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("GET /slaves: %w", err)
	}
	return out, nil
}

// localPort returns the TCP port of a URL whose host is this machine (a loopback address or one of its
// interfaces' addresses), so that its listener can be looked up in /proc. ok is false for a remote host.
func localPort(raw string) (int, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return 0, false
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		switch u.Scheme {
		case "http":
			port = 80
		case "https":
			port = 443
		default:
			return 0, false
		}
	}
	return port, isLocalHost(u.Hostname())
}

func isLocalHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}
