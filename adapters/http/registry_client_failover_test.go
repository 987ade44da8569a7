package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// fakeMaster records the registry calls it gets and answers them like a master.
type fakeMaster struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string
}

func newFakeMaster(t *testing.T, status int) *fakeMaster {
	t.Helper()
	m := &fakeMaster{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.calls = append(m.calls, r.Method+" "+r.URL.Path)
		m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{"id":"slave-1"}`))
			return
		}
		_, _ = w.Write([]byte(`{"code":404,"error":"slave_not_found","message":"slave slave-1 not found"}`))
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *fakeMaster) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.calls)
}

// downURL is a loopback address nobody listens on: a master that is down.
func downURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	return url
}

func TestRegistryClientFailsOverToTheNextMaster(t *testing.T) {
	ctx := context.Background()
	b := newFakeMaster(t, http.StatusOK)
	r, err := NewRegistryClient([]string{downURL(t), b.URL}, SlaveClientOptions{Secret: "s"})
	require.NoError(t, err)

	id, err := r.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleConsumer, APIURL: "http://127.0.0.1:1", MaxTransports: 1})
	require.NoError(t, err, "the first master is down: the second one registers the slave")
	require.Equal(t, "slave-1", id)
	require.NoError(t, r.Heartbeat(ctx, id, domain.SlaveLoad{}))
	require.NoError(t, r.TransportClosed(ctx, id, "t1"))
	require.NoError(t, r.Deregister(ctx, id))
	require.Equal(t, []string{"POST /slaves", "POST /slaves/slave-1/heartbeat", "POST /slaves/slave-1/transports/t1/closed",
		"DELETE /slaves/slave-1"}, b.calls, "every call reached the master that answers, in order")
}

func TestRegistryClientSticksToTheMasterThatAnswered(t *testing.T) {
	ctx := context.Background()
	a, b := newFakeMaster(t, http.StatusOK), newFakeMaster(t, http.StatusOK)
	r, err := NewRegistryClient([]string{a.URL, b.URL}, SlaveClientOptions{})
	require.NoError(t, err)
	require.NoError(t, r.Heartbeat(ctx, "slave-1", domain.SlaveLoad{}))
	require.Equal(t, 1, a.callCount(), "the first master while it answers")
	a.Close() // a goes down: b takes over
	require.NoError(t, r.Heartbeat(ctx, "slave-1", domain.SlaveLoad{}))
	require.NoError(t, r.Heartbeat(ctx, "slave-1", domain.SlaveLoad{}))
	require.Equal(t, 2, b.callCount(), "b took over and kept the calls")
	require.Equal(t, 1, a.callCount())
}

func TestRegistryClientDoesNotFailOverOnAnAnswer(t *testing.T) {
	ctx := context.Background()
	a, b := newFakeMaster(t, http.StatusNotFound), newFakeMaster(t, http.StatusOK)
	r, err := NewRegistryClient([]string{a.URL, b.URL}, SlaveClientOptions{})
	require.NoError(t, err)
	// A 404 is the master's answer (it forgot the slave: register again), not a master being down.
	err = r.Heartbeat(ctx, "slave-1", domain.SlaveLoad{})
	require.ErrorIs(t, err, domain.ErrSlaveNotFound)
	require.Equal(t, 1, a.callCount())
	require.Zero(t, b.callCount(), "an answering master is not skipped")
}

func TestRegistryClientAllMastersDown(t *testing.T) {
	r, err := NewRegistryClient([]string{downURL(t), downURL(t)}, SlaveClientOptions{})
	require.NoError(t, err)
	err = r.Heartbeat(context.Background(), "slave-1", domain.SlaveLoad{})
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	_, err = NewRegistryClient(nil, SlaveClientOptions{})
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}
