package bootstrap

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// env looks a setting up under its name then its aliases: the process environment first, then .env.
type env struct{ dotenv map[string]string }

func (e env) get(names ...string) (string, string, bool) {
	for _, n := range names {
		if v, ok := os.LookupEnv(n); ok {
			return n, v, true
		}
	}
	for _, n := range names {
		if v, ok := e.dotenv[n]; ok {
			return n, v, true
		}
	}
	return "", "", false
}

// settings reads typed values from an env and collects every bad one, so that one error names them all.
type settings struct {
	env
	errs []string
}

func (s *settings) bad(name, msg string) { s.errs = append(s.errs, fmt.Sprintf("%s: %s", name, msg)) }

func (s *settings) str(dst *string, names ...string) {
	if _, v, ok := s.get(names...); ok {
		*dst = strings.TrimSpace(v)
	}
}

func (s *settings) integer(dst *int, min, max int, names ...string) {
	if n, v, ok := s.get(names...); ok {
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < min || i > max {
			s.bad(n, fmt.Sprintf("must be an integer in %d..%d, got %q", min, max, v))
			return
		}
		*dst = i
	}
}

func (s *settings) boolean(dst *bool, names ...string) {
	if n, v, ok := s.get(names...); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			s.bad(n, fmt.Sprintf("must be true or false, got %q", v))
			return
		}
		*dst = b
	}
}

// duration reads a positive duration.
func (s *settings) duration(dst *time.Duration, names ...string) {
	if n, v, ok := s.get(names...); ok {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			s.bad(n, fmt.Sprintf("must be a positive duration like 2s, got %q", v))
			return
		}
		*dst = d
	}
}

// err is every bad value in one error, or nil.
func (s *settings) err() error {
	if len(s.errs) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %s", strings.Join(s.errs, "; "))
}
