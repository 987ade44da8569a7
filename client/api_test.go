package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// recorded is one request as the fake master saw it.
type recorded struct {
	method, path, query string
	body                map[string]any
}

// fakeMaster answers every request with status and reply, recording it.
func fakeMaster(t *testing.T, status int, reply string) (*API, *[]recorded) {
	t.Helper()
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rec := recorded{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery}
		if len(raw) > 0 {
			require.Equal(t, "application/json", r.Header.Get("Content-Type"))
			require.NoError(t, json.Unmarshal(raw, &rec.body))
		}
		got = append(got, rec)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	api, err := NewAPI(srv.URL + "/")
	require.NoError(t, err)
	return api, &got
}

func TestAPIRequests(t *testing.T) {
	ctx := context.Background()
	dtls := domain.DtlsParameters{Role: domain.DtlsRoleClient, Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD"}}}
	dtlsJSON := map[string]any{"dtlsParameters": map[string]any{"role": "client",
		"fingerprints": []any{map[string]any{"algorithm": "sha-256", "value": "AB:CD"}}}}
	transportReply := `{"id":"peer-1","iceParameters":{"usernameFragment":"u","password":"p","iceLite":true},` +
		`"iceCandidates":[{"foundation":"f","priority":1,"address":"127.0.0.1","ip":"127.0.0.1","protocol":"udp","port":4000,"type":"host"}],` +
		`"dtlsParameters":{"role":"auto","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}}`
	wantTransport := func(t *testing.T, ti domain.TransportInfo) {
		require.Equal(t, "peer-1", ti.ID)
		require.True(t, ti.IceParameters.IceLite)
		require.Equal(t, 4000, ti.IceCandidates[0].Port)
		require.Equal(t, "AB:CD", ti.DtlsParameters.Fingerprints[0].Value)
	}

	tests := []struct {
		name   string
		reply  string
		call   func(t *testing.T, a *API)
		method string
		path   string
		query  string
		body   map[string]any
	}{
		{name: "create room", reply: `{"id":"room-1","rtpCapabilities":{"codecs":[],"headerExtensions":[]}}`,
			method: "POST", path: "/rooms",
			call: func(t *testing.T, a *API) {
				r, err := a.CreateRoom(ctx)
				require.NoError(t, err)
				require.Equal(t, "room-1", r.ID)
			}},
		{name: "get room", reply: `{"id":"room 1","rtpCapabilities":{"codecs":[{"kind":"audio","mimeType":"audio/opus","preferredPayloadType":100,"clockRate":48000,"channels":2}]}}`,
			method: "GET", path: "/rooms/room%201",
			call: func(t *testing.T, a *API) {
				r, err := a.GetRoom(ctx, "room 1")
				require.NoError(t, err)
				require.Equal(t, 100, r.RtpCapabilities.Codecs[0].PreferredPayloadType)
			}},
		{name: "an id with a slash stays one segment", reply: `{"id":"a/b"}`, method: "GET", path: "/rooms/a%2Fb",
			call: func(t *testing.T, a *API) {
				r, err := a.GetRoom(ctx, "a/b")
				require.NoError(t, err)
				require.Equal(t, "a/b", r.ID)
			}},
		{name: "list rooms", reply: `{"items":[{"id":"a"},{"id":"b"}],"pagination":{"page":2,"pageSize":2,"total":9}}`,
			method: "GET", path: "/rooms", query: "page=2&pageSize=2",
			call: func(t *testing.T, a *API) {
				r, err := a.ListRooms(ctx, 2, 2)
				require.NoError(t, err)
				require.Equal(t, []string{"a", "b"}, []string{r.Items[0].ID, r.Items[1].ID})
				require.Equal(t, Pagination{Page: 2, PageSize: 2, Total: 9}, r.Pagination)
			}},
		{name: "delete room", reply: `{}`, method: "DELETE", path: "/rooms/room-1",
			call: func(t *testing.T, a *API) { require.NoError(t, a.DeleteRoom(ctx, "room-1")) }},
		{name: "create producer peer", reply: transportReply, method: "POST", path: "/rooms/room-1/producer_peers",
			body: map[string]any{"userId": "alice"},
			call: func(t *testing.T, a *API) {
				ti, err := a.CreateProducerPeer(ctx, "room-1", "alice")
				require.NoError(t, err)
				wantTransport(t, ti)
			}},
		{name: "connect producer peer", reply: `{}`, method: "POST", path: "/producer_peers/peer-1/connect", body: dtlsJSON,
			call: func(t *testing.T, a *API) { require.NoError(t, a.ConnectProducerPeer(ctx, "peer-1", dtls)) }},
		{name: "produce", reply: `{"id":"producer-1"}`, method: "POST", path: "/producer_peers/peer-1/produce",
			body: map[string]any{"kind": "audio", "rtpParameters": map[string]any{"mid": "0", "codecs": nil,
				"headerExtensions": nil, "encodings": []any{map[string]any{"ssrc": float64(5)}},
				"rtcp": map[string]any{"cname": "c", "reducedSize": true}}},
			call: func(t *testing.T, a *API) {
				id, err := a.Produce(ctx, "peer-1", domain.MediaKindAudio, domain.RtpParameters{MID: "0",
					Encodings: []domain.RtpEncodingParameters{{SSRC: 5}}, RTCP: domain.RtcpParameters{CNAME: "c", ReducedSize: true}})
				require.NoError(t, err)
				require.Equal(t, "producer-1", id)
			}},
		{name: "list producer peers", reply: `[{"id":"peer-1","userId":"alice","producerId":"p1","kind":"video"}]`,
			method: "GET", path: "/rooms/room-1/producer_peers",
			call: func(t *testing.T, a *API) {
				rows, err := a.ListProducerPeers(ctx, "room-1")
				require.NoError(t, err)
				require.Equal(t, []ProducerPeer{{ID: "peer-1", UserID: "alice", ProducerID: "p1", Kind: domain.MediaKindVideo}}, rows)
			}},
		{name: "create consumer router", reply: `{"id":"router-2","rtpCapabilities":{"codecs":[]}}`,
			method: "POST", path: "/rooms/room-1/consumer_routers", body: map[string]any{"userId": "bob"},
			call: func(t *testing.T, a *API) {
				r, err := a.CreateConsumerRouter(ctx, "room-1", "bob")
				require.NoError(t, err)
				require.Equal(t, "router-2", r.ID)
			}},
		{name: "create consumer peer", reply: transportReply, method: "POST", path: "/router/router-2/consumer_peers",
			body: map[string]any{"userId": "bob"},
			call: func(t *testing.T, a *API) {
				ti, err := a.CreateConsumerPeer(ctx, "router-2", "bob")
				require.NoError(t, err)
				wantTransport(t, ti)
			}},
		{name: "connect consumer peer", reply: `{}`, method: "POST", path: "/consumer_peers/peer-2/connect", body: dtlsJSON,
			call: func(t *testing.T, a *API) { require.NoError(t, a.ConnectConsumerPeer(ctx, "peer-2", dtls)) }},
		{name: "consume", reply: `{"id":"c1","producerId":"p1","kind":"video","type":"simple","producerPaused":true,` +
			`"rtpParameters":{"mid":"0","codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":123}],"rtcp":{"cname":"x"}}}`,
			method: "POST", path: "/consumer_peers/peer-2/consume",
			body: map[string]any{"producerId": "p1", "rtpCapabilities": map[string]any{"codecs": nil, "headerExtensions": nil}},
			call: func(t *testing.T, a *API) {
				ci, err := a.Consume(ctx, "peer-2", "p1", domain.RtpCapabilities{})
				require.NoError(t, err)
				require.Equal(t, "c1", ci.ID)
				require.Equal(t, "p1", ci.ProducerID)
				require.Equal(t, domain.MediaKindVideo, ci.Kind)
				require.Equal(t, "simple", ci.Type)
				require.True(t, ci.ProducerPaused)
				require.Equal(t, uint32(123), ci.RtpParameters.Encodings[0].SSRC)
			}},
		{name: "resume", reply: `{}`, method: "POST", path: "/consumer_peers/peer-2/resume", body: map[string]any{"consumerId": "c1"},
			call: func(t *testing.T, a *API) { require.NoError(t, a.Resume(ctx, "peer-2", "c1")) }},
		{name: "preferred layers", reply: `{}`, method: "POST", path: "/consumers/c1/preferred_layers", body: map[string]any{"spatialLayer": 1.0, "temporalLayer": 2.0},
			call: func(t *testing.T, a *API) { require.NoError(t, a.SetPreferredLayers(ctx, "c1", Layers(1, 2))) }},
		{name: "preferred layers, highest temporal", reply: `{}`, method: "POST", path: "/consumers/c1/preferred_layers", body: map[string]any{"spatialLayer": 0.0},
			call: func(t *testing.T, a *API) { require.NoError(t, a.SetPreferredLayers(ctx, "c1", Layers(0, -1))) }},
		{name: "preferred layers of a peer", reply: `{}`, method: "POST", path: "/consumer_peers/peer-2/preferred_layers",
			body: map[string]any{"consumerId": "c1", "spatialLayer": 2.0},
			call: func(t *testing.T, a *API) {
				require.NoError(t, a.SetPreferredLayersOfPeer(ctx, "peer-2", "c1", Layers(2, -1)))
			}},
		{name: "get consumer", method: "GET", path: "/consumers/c1",
			reply: `{"id":"c1","producerId":"p1","kind":"video","type":"simulcast","paused":false,"producerPaused":false,` +
				`"preferredLayers":{"spatialLayer":2,"temporalLayer":2},"currentLayers":{"spatialLayer":1,"temporalLayer":0}}`,
			call: func(t *testing.T, a *API) {
				st, err := a.GetConsumer(ctx, "c1")
				require.NoError(t, err)
				require.Equal(t, "simulcast", st.Type)
				require.Equal(t, Layers(2, 2), *st.PreferredLayers)
				require.Equal(t, Layers(1, 0), *st.CurrentLayers)
			}},
		{name: "logout from a room", reply: `{}`, method: "POST", path: "/user/alice/logout", body: map[string]any{"roomId": "room-1"},
			call: func(t *testing.T, a *API) { require.NoError(t, a.Logout(ctx, "alice", "room-1")) }},
		{name: "logout everywhere", reply: `{}`, method: "POST", path: "/user/alice/logout", body: map[string]any{},
			call: func(t *testing.T, a *API) { require.NoError(t, a.Logout(ctx, "alice", "")) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api, got := fakeMaster(t, http.StatusOK, tc.reply)
			tc.call(t, api)
			require.Len(t, *got, 1)
			require.Equal(t, recorded{method: tc.method, path: tc.path, query: tc.query, body: tc.body}, (*got)[0])
		})
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		reply    string
		want     APIError
		sentinel error
	}{
		{name: "not found", status: 404, reply: `{"code":404,"error":"room_not_found","message":"room x not found"}`,
			want: APIError{Status: 404, Code: "room_not_found", Message: "room x not found"}, sentinel: domain.ErrRoomNotFound},
		{name: "room not empty", status: 409, reply: `{"code":409,"error":"room_not_empty","message":"2 peers remain"}`,
			want: APIError{Status: 409, Code: "room_not_empty", Message: "2 peers remain"}, sentinel: domain.ErrRoomNotEmpty},
		{name: "no capacity", status: 503, reply: `{"code":503,"error":"no_slave_with_capacity","message":"no producer slave"}`,
			want: APIError{Status: 503, Code: "no_slave_with_capacity", Message: "no producer slave"}, sentinel: domain.ErrNoSlaveCapacity},
		{name: "not JSON", status: 502, reply: "Bad Gateway\n", want: APIError{Status: 502, Message: "Bad Gateway"}},
		{name: "empty body", status: 500, reply: "", want: APIError{Status: 500, Message: "Internal Server Error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api, _ := fakeMaster(t, tc.status, tc.reply)
			_, err := api.GetRoom(context.Background(), "x")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tc.want, *apiErr)
			require.Contains(t, err.Error(), tc.want.Message)
			if tc.sentinel != nil {
				require.ErrorIs(t, err, tc.sentinel)
			}
			require.NotErrorIs(t, err, domain.ErrPeerNotFound)
		})
	}
}

func TestAPIRejectsBeforeSending(t *testing.T) {
	api, got := fakeMaster(t, http.StatusOK, `{}`)
	ctx := context.Background()
	require.ErrorIs(t, api.DeleteRoom(ctx, ""), domain.ErrInvalidInput)
	_, err := api.Consume(ctx, "peer", "", domain.RtpCapabilities{})
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	require.Empty(t, *got)

	for _, bad := range []string{"", "localhost:3000", "ftp://x", "http://"} {
		_, err := NewAPI(bad)
		require.ErrorIs(t, err, domain.ErrInvalidInput, bad)
	}

	// A cancelled context fails the call, not the process.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = api.CreateRoom(cctx)
	require.True(t, errors.Is(err, context.Canceled), err)

	// A body that is not the expected JSON is an error.
	bad, _ := fakeMaster(t, http.StatusOK, `[`)
	_, err = bad.CreateRoom(ctx)
	require.ErrorContains(t, err, "decode")
}
