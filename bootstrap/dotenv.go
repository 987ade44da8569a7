package bootstrap

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// readDotEnv parses a .env file: KEY=VALUE lines, # comments, optional `export `, and values in single or double
// quotes that may span several lines (the original's .env.dev keeps MEDIASOUP_WEBRTC_TRANSPORT_LISTEN_IPS as a
// multi-line JSON array in single quotes). "KEY = value" with spaces is accepted too. A missing file is no error.
func readDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the path is the operator's own config file
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return parseDotEnv(string(data))
}

func parseDotEnv(text string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" || strings.HasPrefix(raw, "#") || strings.HasPrefix(raw, "//") {
			continue
		}
		raw = strings.TrimPrefix(raw, "export ")
		key, value, ok := strings.Cut(raw, "=")
		if !ok {
			return nil, fmt.Errorf(".env line %d: expected KEY=VALUE", line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" {
			return nil, fmt.Errorf(".env line %d: empty key", line)
		}
		if len(value) > 0 && (value[0] == '\'' || value[0] == '"') {
			quote := value[0]
			body := value[1:]
			for !strings.HasSuffix(strings.TrimSpace(body), string(quote)) {
				if !sc.Scan() {
					return nil, fmt.Errorf(".env line %d: unterminated %c-quoted value of %s", line, quote, key)
				}
				line++
				body += "\n" + sc.Text()
			}
			body = strings.TrimSpace(body)
			value = body[:len(body)-1]
		} else if i := strings.Index(value, " #"); i >= 0 {
			value = strings.TrimSpace(value[:i])
		}
		out[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read .env: %w", err)
	}
	return out, nil
}
