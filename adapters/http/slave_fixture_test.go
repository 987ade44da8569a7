package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// slaveFixture is what a real mediasoup-client 3.24.1 in Chromium sent (testdata/), so the API is tested with the
// shapes it will carry in production.
type slaveFixture struct {
	RecvRtpCapabilities domain.RtpCapabilities `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          domain.MediaKind     `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
	} `json:"produce"`
	SendConnect domain.DtlsParameters `json:"sendConnect"`
}

func loadSlaveFixture(t testing.TB) slaveFixture {
	t.Helper()
	data, err := os.ReadFile("../../testdata/mediasoup-client-3.24.1-chromium-156.json")
	require.NoError(t, err)
	var f slaveFixture
	require.NoError(t, json.Unmarshal(data, &f))
	require.NotEmpty(t, f.Produce)
	require.Equal(t, domain.MediaKindAudio, f.Produce[0].Kind)
	return f
}

// slaveAnswer is a response read through app.Test.
type slaveAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errorBody decodes the answer as ErrorBody.
func (a slaveAnswer) errorBody(t *testing.T) ErrorBody {
	t.Helper()
	var eb ErrorBody
	require.NoError(t, json.Unmarshal(a.body, &eb), "body: %s", a.body)
	return eb
}

// testSlave sends one request to app. body is nil (no body), a string (sent raw) or a value (sent as JSON).
// headers are name, value pairs.
func testSlave(t *testing.T, app *fiber.App, method, path string, body any, headers ...string) slaveAnswer {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, "/", r)
	// app.Test sends RequestURI verbatim, so a test can send a path url.Parse would refuse (a bad escape).
	req.RequestURI = path
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, 5000)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return slaveAnswer{status: resp.StatusCode, header: resp.Header, body: data}
}

// slaveJSON is the JSON text of v.
func slaveJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}
