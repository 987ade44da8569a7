package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// API is a thin client of the master's public HTTP API (DESIGN.md's table): JSON in and out, one method per
// endpoint, errors as *APIError. It holds no state beyond the base URL and may be shared by goroutines.
type API struct {
	base *url.URL
	http *http.Client
}

// APIOption tunes an API client.
type APIOption func(*API)

// WithHTTPClient replaces the default client (10 s timeout).
func WithHTTPClient(c *http.Client) APIOption { return func(a *API) { a.http = c } }

// NewAPI makes a client for the master at baseURL, e.g. "http://127.0.0.1:3000".
func NewAPI(baseURL string, opts ...APIOption) (*API, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q must be http(s)://host[:port]", domain.ErrInvalidInput, baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	a := &API{base: u, http: &http.Client{Timeout: 10 * time.Second}}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// APIError is a non-2xx answer. Status is the HTTP status; Code is the body's "error" kind (snake_case, e.g.
// "room_not_found"); Message is the human text.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("api: HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("api: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Is lets errors.Is match the domain sentinel the server named: its Code is the sentinel's text in snake_case
// (domain.ErrRoomNotFound "room not found" ↔ "room_not_found").
func (e *APIError) Is(target error) bool {
	return e.Code != "" && e.Code == strings.ReplaceAll(target.Error(), " ", "_")
}

// errorBody is the server's error JSON: {"code": <status>, "error": "<kind>", "message": "<text>"}.
type errorBody struct {
	Code    int    `json:"code"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

// do sends one request; in (if not nil) is the JSON body, out (if not nil) receives the JSON answer.
func (a *API) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	// path is already escaped (p escapes each id): set RawPath so that "/" or "%" inside an id stays one segment.
	u := *a.base
	u.RawPath = a.base.EscapedPath() + path
	unescaped, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return fmt.Errorf("api: %s %s: %w", method, path, err)
	}
	u.Path = unescaped
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("api: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("api: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("api: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	recordServerTime(ctx, resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // let the connection be reused
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("api: decode %s %s: %w", method, path, err)
	}
	return nil
}

func decodeError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{Status: resp.StatusCode}
	var b errorBody
	if err := json.Unmarshal(raw, &b); err == nil && (b.Error != "" || b.Message != "") {
		e.Code, e.Message = b.Error, b.Message
		return e
	}
	e.Message = strings.TrimSpace(string(raw))
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// p builds a path from literal segments and escaped ids: p("rooms", id, "producer_peers").
func p(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

var errEmptyID = errors.New("id must not be empty")

// requireIDs rejects empty ids before a request is made (an empty path segment would reach another route).
func requireIDs(ids ...string) error {
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("%w: api: %w", domain.ErrInvalidInput, errEmptyID)
		}
	}
	return nil
}
