package httpapi

import (
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// idsByDecoding is what topLevelIDs must find, the slow way: decode the object's fields and unquote the string
// values of the names that end in "Id".
func idsByDecoding(body []byte) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	var out []string
	for k, raw := range top {
		var v string
		if strings.HasSuffix(k, "Id") && json.Unmarshal(raw, &v) == nil && v != "" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

func TestTopLevelIDs(t *testing.T) {
	device, err := os.ReadFile("../../testdata/mediasoup-client-3.24.1-chromium-156.json")
	require.NoError(t, err)
	bodies := []string{
		`{}`,
		` { "userId" : "u1" } `,
		`{"producerId":"p-1","rtpCapabilities":` + string(device) + `,"paused":true}`,
		`{"rtpCapabilities":{"codecs":[{"x":"}{\"","yId":"nested, not checked"}]},"userId":"after-nesting"}`,
		`{"user\u0049d":"escaped-name","roomId":"r\u00e9"}`,
		`{"userId":"","consumerId":"c","n":-1.5e3,"ok":false,"none":null,"list":[1,[2,{"aId":"x"}]]}`,
		`{"userId":7,"roomId":["a"],"producerId":{"id":"x"}}`,
		`{"userId":"a\\"}`,
		`{"kind":"audio","text":"a \"quoted\" userId\":\"x"}`,
	}
	for _, body := range bodies {
		var got []string
		require.NoError(t, topLevelIDs([]byte(body), func(k, v string) error {
			got = append(got, k+"="+v)
			return nil
		}), body)
		sort.Strings(got)
		require.Equal(t, idsByDecoding([]byte(body)), got, body)
	}

	// Not an object, or cut short: nothing is checked (the route's decoding refuses it), and nothing panics.
	for _, body := range []string{`[]`, `"userId"`, `{"userId"`, `{"userId":"x`, `{"userId" "x"}`, `{"a":{"b":`, `{`} {
		require.NoError(t, topLevelIDs([]byte(body), func(k, v string) error {
			return errors.New("called for " + k)
		}), body)
	}

	stop := errors.New("stop")
	calls := 0
	err = topLevelIDs([]byte(`{"userId":"a","roomId":"b"}`), func(string, string) error { calls++; return stop })
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, calls, "the first error ends the walk")
}
