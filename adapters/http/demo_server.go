package httpapi

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// NewDemoHandler serves the demo web app from static and proxies /api/* to the master, so the browser talks to
// one HTTPS origin (an https page may not call an http API). It is net/http rather than Fiber because
// httputil.ReverseProxy streams the room events (server-sent events) as they come.
func NewDemoHandler(static fs.FS, masterURL string) (http.Handler, error) {
	return NewDemoHandlerVia(static, masterURL, nil)
}

// NewDemoHandlerVia is NewDemoHandler whose calls to the master go through rt (nil: http.DefaultTransport), e.g.
// one that fails over between several masters.
func NewDemoHandlerVia(static fs.FS, masterURL string, rt http.RoundTripper) (http.Handler, error) {
	target, err := url.Parse(masterURL)
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{
		Transport: rt,
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, "/api")
			r.Out.URL.RawPath = ""
			r.SetXForwarded()
		},
		FlushInterval: -1, // flush every write: server-sent events must not wait in a buffer
		// A WHIP session's Location is a master path: put the prefix back, as nginx's proxy_redirect does.
		ModifyResponse: func(res *http.Response) error {
			if loc := res.Header.Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") {
				res.Header.Set("Location", "/api"+loc)
			}
			return nil
		},
		// The master is down or restarting: the page gets the API's error shape, which it knows how to show.
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			_ = json.NewEncoder(w).Encode(ErrorBody{Code: http.StatusBadGateway, Error: "master_unreachable",
				Message: "the master API did not answer: " + err.Error()})
		},
	}
	files := http.FileServerFS(static)
	mux := http.NewServeMux()
	mux.Handle("/api/", proxy)
	mux.Handle("/", files)
	return mux, nil
}
