package bootstrap

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// The sender posts the node's batches to the master's registry, in posts of at most MaxMediaEvents, and only
// once the slave is registered.
func TestMediaEventSender(t *testing.T) {
	var mu sync.Mutex
	var posts []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Events []application.MediaEvent `json:"events"`
		}
		if r.URL.Path != "/slaves/s1/media_events" || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, `{"code":400,"error":"invalid_input","message":"bad"}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		posts = append(posts, len(body.Events))
		mu.Unlock()
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	registry, err := httpapi.NewRegistryClient([]string{srv.URL}, httpapi.SlaveClientOptions{})
	require.NoError(t, err)
	reg := &registration{registry: registry}
	s := newMediaEventSender(reg, zap.NewNop())
	s.start()
	defer func() { require.NoError(t, s.stop(context.Background())) }()
	posted := func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), posts...)
	}
	event := application.MediaEvent{Type: application.EventActiveSpeaker, ProducerID: "p1"}

	s.enqueue([]application.MediaEvent{event})
	require.Never(t, func() bool { return len(posted()) > 0 }, 300*time.Millisecond, 20*time.Millisecond, "not registered: nothing to post")

	reg.mu.Lock()
	reg.id = "s1"
	reg.mu.Unlock()
	s.enqueue([]application.MediaEvent{event, event})
	require.Eventually(t, func() bool { return len(posted()) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []int{2}, posted())

	big := make([]application.MediaEvent, application.MaxMediaEvents+500)
	for i := range big {
		big[i] = event
	}
	s.enqueue(big)
	require.Eventually(t, func() bool { return len(posted()) == 3 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []int{2, application.MaxMediaEvents, 500}, posted())
}
