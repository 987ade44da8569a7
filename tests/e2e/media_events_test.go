package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A producer slave's observer events, posted to master A's registry as the slave posts them, reach a viewer's
// event stream on master B (through PostgreSQL) with their volumes and score.
func TestMediaEventsAcrossMasters(t *testing.T) {
	requirePostgres(t)
	c := newCluster(t, domain.SlaveRoleProducer)
	cfgB := c.masterCfg
	cfgB.Port = freePort(t)
	b := fxtest.New(t, bootstrap.Master(cfgB), fx.NopLogger)
	b.RequireStart()
	defer b.RequireStop()
	ctx := ctxT(t, 30*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	producer := pub.ProducerIDs()[0]
	events := roomEvents(ctx, t, "http://"+cfgB.ListenAddr(), room.ID)

	slaves := c.aliveSlaves()
	require.Len(t, slaves, 1)
	body, err := json.Marshal(map[string]any{"events": []map[string]any{
		{"type": "volumes", "producerId": producer, "volumes": []map[string]any{{"producerId": producer, "volume": -9}}},
		{"type": "active_speaker", "producerId": producer},
		{"type": "producer_score", "producerId": producer, "score": 5},
	}})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.MasterURL+"/slaves/"+slaves[0].ID+"/media_events", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	want := map[string]func(e map[string]any){
		"volumes": func(e map[string]any) {
			require.Equal(t, []any{map[string]any{"producerId": producer, "volume": -9.0}}, e["volumes"])
		},
		"active_speaker": func(e map[string]any) { require.Equal(t, producer, e["producerId"]) },
		"producer_score": func(e map[string]any) {
			require.Equal(t, producer, e["producerId"])
			require.Equal(t, 5.0, e["score"])
		},
	}
	for len(want) > 0 {
		select {
		case e := <-events:
			typ, _ := e["type"].(string)
			if check, ok := want[typ]; ok {
				require.Equal(t, room.ID, e["roomId"])
				check(e)
				delete(want, typ)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("master B's stream did not carry %v", want)
		}
	}
}
