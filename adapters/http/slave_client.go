package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SlaveClient is application.SFUNode over one slave's internal API: what the master holds per slave. Every call
// has a deadline (SlaveClientOptions.Timeout) even when the caller's context has none: the master must never wait
// on a slave forever. A call under a context with a request id (WithRequestID) sends it as X-Request-ID. A
// SlaveClient is safe for concurrent use and holds no connection of its own (the http.Client's pool does).
type SlaveClient struct {
	baseURL string
	timeout time.Duration
	secret  string
	http    *http.Client
	// unreachable is told of a call that got no answer (SlaveClientOptions.OnUnreachable); slaveID is the id of the
	// slave last seen at baseURL (SlaveDialer.Node sets it).
	unreachable func(slaveID string)
	slaveID     atomic.Pointer[string]
}

// SlaveClientOptions configure NewSlaveClient and NewSlaveDialer.
type SlaveClientOptions struct {
	// Timeout bounds each call; 0 means DefaultSlaveCallTimeout.
	Timeout time.Duration
	// Secret is sent as "Authorization: Bearer <secret>" when set (the slave's SlaveServerOptions.Secret).
	Secret string
	// HTTPClient to use; nil means one built for slave calls (pooled, no proxy, no redirects).
	HTTPClient *http.Client
	// TLS configures https:// calls of that built client (the CA to trust, the certificate to present); nil: Go's
	// defaults. Ignored with HTTPClient.
	TLS *tls.Config
	// OnUnreachable, when set, is called (synchronously) with the slave's id when a call got no answer at all:
	// connection refused or reset, or no answer within Timeout. The master marks the slave suspect there.
	OnUnreachable func(slaveID string)
}

// PingTimeout bounds SlaveClient.Ping: a slave that does not answer its health check this fast is not one to
// send a viewer to.
const PingTimeout = time.Second

// DefaultSlaveCallTimeout bounds a slave call when SlaveClientOptions.Timeout is 0.
const DefaultSlaveCallTimeout = 5 * time.Second

const (
	// maxSlaveAnswer bounds what the master reads from a slave (an answer is a few KB).
	maxSlaveAnswer = 4 << 20
	// slaveIdleConnTimeout stays below slaveServerIdleTimeout, see there.
	slaveIdleConnTimeout = 90 * time.Second
)

var _ application.SFUNode = (*SlaveClient)(nil)

// NewSlaveClient returns the SFUNode of the slave whose internal API is at baseURL (e.g. http://10.0.0.5:3011).
func NewSlaveClient(baseURL string, opts SlaveClientOptions) *SlaveClient {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultSlaveCallTimeout
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = newSlaveHTTPClient(opts.TLS)
	}
	return &SlaveClient{
		baseURL: strings.TrimRight(baseURL, "/"),
		timeout: opts.Timeout,
		secret:  opts.Secret,
		http:    opts.HTTPClient,

		unreachable: opts.OnUnreachable,
	}
}

// noAnswer wraps err, the failure of a call that got no answer, as domain.ErrSlaveUnreachable and reports it to
// OnUnreachable, unless the caller gave up first (its ctx ended): that says nothing about the slave.
func (s *SlaveClient) noAnswer(caller context.Context, method, path string, err error) error {
	if caller.Err() != nil {
		return s.failed(method, path, err)
	}
	if s.unreachable != nil {
		if id := s.slaveID.Load(); id != nil {
			s.unreachable(*id)
		}
	}
	return fmt.Errorf("%w: %s %s%s: %w", domain.ErrSlaveUnreachable, method, s.baseURL, path, err)
}

// newSlaveHTTPClient is tuned for many small calls to a few hosts. It ignores HTTP_PROXY (internal traffic must
// not leave through a proxy) and follows no redirect (a slave never redirects; following one would let a slave
// point the master at any host).
func newSlaveHTTPClient(tlsConfig *tls.Config) *http.Client {
	transport := &http.Transport{
		Proxy:           nil,
		TLSClientConfig: tlsConfig,
		DialContext: (&net.Dialer{
			Timeout:   3 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       slaveIdleConnTimeout,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// call sends in (JSON, when not nil) and decodes a 2xx answer into out (when not nil). Errors: the slave's domain
// error mapped back to its sentinel for a 4xx it named; domain.ErrSlaveFailed for everything else (no answer,
// timeout, 5xx, an answer that is not ours).
func (s *SlaveClient) call(caller context.Context, method, path string, in, out any) error {
	return s.callWithin(caller, s.timeout, method, path, in, out)
}

// callWithin is call with its own bound on the call.
func (s *SlaveClient) callWithin(caller context.Context, timeout time.Duration, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(caller, timeout)
	defer cancel()

	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%w: encode %s %s: %w", domain.ErrInvalidInput, method, path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.baseURL+path, body)
	if err != nil {
		return s.failed(method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.secret != "" {
		req.Header.Set("Authorization", "Bearer "+s.secret)
	}
	// The public request this call serves, if any: the slave logs a failure with the same id as the master.
	if id, ok := RequestIDFrom(ctx); ok {
		req.Header.Set(fiber.HeaderXRequestID, id)
	}

	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // our message names the URL already
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", timeout, err)
		}
		return s.noAnswer(caller, method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSlaveAnswer+1))
	if err != nil {
		return s.failed(method, path, fmt.Errorf("read answer: %w", err))
	}
	if len(data) > maxSlaveAnswer {
		return s.failed(method, path, fmt.Errorf("answer larger than %d bytes", maxSlaveAnswer))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return s.statusError(method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return s.failed(method, path, fmt.Errorf("undecodable answer (status %d): %w", resp.StatusCode, err))
	}
	return nil
}

// statusError turns a non-2xx answer into an error. A 4xx whose error name is in errorTable is the slave saying
// "no" for a domain reason: it becomes that sentinel with the slave's message (no slave URL: the message may reach
// public clients). A 5xx is the slave failing, whatever it names, and an unknown name (unauthorized, route_not_found:
// a misconfigured secret or a slave of another API version) is a failed call too.
func (s *SlaveClient) statusError(method, path string, status int, data []byte) error {
	var eb ErrorBody
	if err := json.Unmarshal(data, &eb); err != nil || eb.Error == "" {
		return s.failed(method, path, fmt.Errorf("status %d with an undecodable body %q", status, slaveSnippet(data)))
	}
	// 401/403 from a slave is the cluster's own misconfiguration (a wrong CLUSTER_SECRET), never the client's
	// fault: it stays a failed call instead of becoming the public API's 401.
	if status < 500 && status != http.StatusUnauthorized && status != http.StatusForbidden {
		if sentinel, ok := sentinelByName(eb.Error); ok {
			return remoteDomainError(sentinel, eb.Message)
		}
	}
	return s.failed(method, path, fmt.Errorf("status %d %s: %s", status, eb.Error, eb.Message))
}

// remoteDomainError wraps sentinel with the slave's message, without repeating the sentinel's text when the slave
// had already wrapped it ("producer not found: p1", not "producer not found: producer not found: p1").
func remoteDomainError(sentinel error, msg string) error {
	rest := msg
	if msg == sentinel.Error() {
		rest = ""
	} else if r, ok := strings.CutPrefix(msg, sentinel.Error()+": "); ok {
		rest = r
	}
	if rest == "" {
		return fmt.Errorf("%w", sentinel)
	}
	return fmt.Errorf("%w: %s", sentinel, rest)
}

func (s *SlaveClient) failed(method, path string, err error) error {
	return fmt.Errorf("%w: %s %s%s: %w", domain.ErrSlaveFailed, method, s.baseURL, path, err)
}

// slaveSnippet keeps error messages short when a slave answers with something that is not ours (an HTML page...).
func slaveSnippet(data []byte) string {
	const limit = 200
	if len(data) > limit {
		return string(data[:limit]) + "…"
	}
	return string(data)
}
