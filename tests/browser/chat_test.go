package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// chatResult is what chat.mjs measured (its RESULT_FILE).
type chatResult struct {
	OK                      bool   `json:"ok"`
	Error                   string `json:"error"`
	RoomID                  string `json:"roomId"`
	PublisherDataProducerID string `json:"publisherDataProducerId"`
	ReplyDataProducerID     string `json:"replyDataProducerId"`
	Viewers                 []struct {
		Name            string `json:"name"`
		TextLatencyMs   int    `json:"textLatencyMs"`
		BinaryLatencyMs int    `json:"binaryLatencyMs"`
	} `json:"viewers"`
	ReplyLatencyMs int `json:"replyLatencyMs"`
}

// TestBrowserChatThroughThePipe is issue 19's browser test: the demo's chat on data channels (mediasoup-client's
// produceData/consumeData, unchanged, in Chromium). The publisher's text message and a 64 KiB binary message reach
// two viewers through the pipe in order, and a viewer's reply (its own data producer on a producer peer of its
// own) reaches the publisher, which reads it through its consumer router. The data crossed a pipe: the consumer
// slave held the data consumers and received every message from the pipe.
func TestBrowserChatThroughThePipe(t *testing.T) {
	chromium := requireBrowser(t)
	c := startCluster(t)
	stop := c.watch()
	var r chatResult
	runScript(t, chromium, c, "chat.mjs", &r)
	p := stop()
	require.True(t, r.OK, r.Error)
	line := "browser chat (data channels through the pipe):"
	for _, v := range r.Viewers {
		line += fmt.Sprintf(" %s text_ms=%d binary_64KiB_ms=%d;", v.Name, v.TextLatencyMs, v.BinaryLatencyMs)
	}
	line += fmt.Sprintf(" reply_to_publisher_ms=%d\n", r.ReplyLatencyMs)
	fmt.Print(line)
	require.NoError(t, os.WriteFile(filepath.Join(artifactsDir(t), "chat-latency.txt"), []byte(line), 0o600))

	require.Len(t, r.Viewers, 2)
	require.GreaterOrEqual(t, p.ConsumerPipes, 1, "no pipe transport on the consumer slave: %+v", p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.slaveStats(ctx, c.consumerURL)
	require.NoError(t, err)
	// Two messages of the publisher to two viewers, the reply to the publisher and to viewer-2 (who reads every
	// writer of the room too): 6 sent by the consumer slave, each of the 3 messages came over the pipe once.
	require.EqualValues(t, 3, cs.DataMessagesIn, "messages the consumer slave received from the pipe: %+v", cs)
	require.EqualValues(t, 6, cs.DataMessagesOut, "messages the consumer slave sent to readers: %+v", cs)
	ps, err := c.slaveStats(ctx, c.producerURL)
	require.NoError(t, err)
	require.EqualValues(t, 3, ps.DataMessagesIn, "messages the producer slave received from writers: %+v", ps)
	require.Zero(t, ps.DataMessagesDropped+cs.DataMessagesDropped)
}
