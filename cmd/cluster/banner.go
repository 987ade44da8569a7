package main

import (
	"fmt"
	"io"
	"strings"
)

// printBanner tells a newcomer where the demo is, what the browser will say about its certificate, and how to
// call the operator routes (the cluster secret) and run the load tool.
func printBanner(w io.Writer, demo, master, secret string, secretFromConfig bool) {
	secretNote := "random for this run; set CLUSTER_SECRET in .env to keep one"
	if secretFromConfig {
		secretNote = "from CLUSTER_SECRET"
	}
	lines := []string{
		"",
		"sfu-cluster is up: master, producer slave and consumer slave in this process.",
		"",
		"  Demo     " + demo,
		"           The certificate is self-signed (./data/tls/cert.pem): the browser warns once. Chrome: Advanced,",
		"           then \"Proceed to localhost (unsafe)\"; Firefox: Advanced, then \"Accept the Risk and Continue\".",
		"           Open the room link in a second tab or browser to watch yourself through the pipe.",
		"  API      " + master + "   (curl " + master + "/rooms)",
		"  Secret   " + secret + "   (" + secretNote + ")",
		"           curl -H \"Authorization: Bearer " + secret + "\" " + master + "/slaves",
		"           CLUSTER_SECRET=" + secret + " go run ./cmd/loadtest -master " + master,
		"  Stop     Ctrl-C",
		"",
	}
	_, _ = fmt.Fprintln(w, strings.Join(lines, "\n"))
}
