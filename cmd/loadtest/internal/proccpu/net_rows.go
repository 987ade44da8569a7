package proccpu

import (
	"bytes"
	"iter"
	"strings"
)

// netRows yields the fields of each row of a /proc/net/tcp, tcp6, udp or udp6 table; the header line ("sl
// local_address rem_address st ...") is skipped.
func netRows(table []byte) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		header := true
		for line := range bytes.Lines(table) {
			if header {
				header = false
				continue
			}
			if f := strings.Fields(string(line)); len(f) > 0 && !yield(f) {
				return
			}
		}
	}
}
