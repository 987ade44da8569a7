package bootstrap

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
)

func testConfig(t *testing.T, port int) Config {
	t.Helper()
	c := defaultConfig(port)
	c.ListenHost = "127.0.0.1"
	c.LogLevel = "error"
	c.DatabaseURL = MemoryStoreURL
	return c
}

func TestMasterGraphIsValid(t *testing.T) {
	require.NoError(t, fx.ValidateApp(Master(testConfig(t, 0))))
}

func TestMasterStartsAndAnswers(t *testing.T) {
	cfg := testConfig(t, freePort(t))
	cfg.DatabaseURL = "sqlite://" + t.TempDir() + "/cluster.db"
	app := fxtest.New(t, Master(cfg))
	app.RequireStart()
	defer app.RequireStop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+cfg.ListenAddr()+"/rooms", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.JSONEq(t, `{"items":[],"pagination":{"page":1,"pageSize":20,"total":0}}`, string(body))
}
