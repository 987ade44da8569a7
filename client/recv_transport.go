package client

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ConsumerInfo is the answer of the consume endpoint, in mediasoup's shape; Consume needs ID, Kind and
// RtpParameters.
type ConsumerInfo struct {
	ID             string               `json:"id"`
	ProducerID     string               `json:"producerId"`
	Kind           domain.MediaKind     `json:"kind"`
	RtpParameters  domain.RtpParameters `json:"rtpParameters"`
	Type           string               `json:"type,omitempty"`
	ProducerPaused bool                 `json:"producerPaused"`
}

// RecvTransport receives consumers from a server transport. The server's side is a synthesized offer holding one
// sendonly section per consumer, in the order consumed (a=setup:actpass; Pion answers active, so it is the DTLS
// client); the client answers.
type RecvTransport struct {
	*transport

	consumersMu sync.Mutex
	byMid       map[string]*Consumer
	bySSRC      map[uint32]*Consumer
	noReaders   bool // set by Close before it waits: no reader may start after that (WaitGroup rule)
	readers     sync.WaitGroup
}

// NewRecvTransport creates the client side of a server's receive (consumer) transport.
func (d *Device) NewRecvTransport(info domain.TransportInfo, onConnect ConnectFunc) (*RecvTransport, error) {
	t, err := newTransport(d, info, "actpass", onConnect)
	if err != nil {
		return nil, err
	}
	r := &RecvTransport{transport: t, byMid: map[string]*Consumer{}, bySSRC: map[uint32]*Consumer{}}
	t.pc.OnTrack(r.onTrack)
	return r, nil
}

// Consume adds the consumer's section to the remote offer and renegotiates; the first Consume also triggers
// onConnect. Media flows once the server resumes the consumer.
func (t *RecvTransport) Consume(ctx context.Context, info ConsumerInfo) (*Consumer, error) {
	if err := validateConsumerInfo(info); err != nil {
		return nil, err
	}
	if err := t.begin(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()

	mid := info.RtpParameters.MID
	if mid == "" {
		// mediasoup-client's fallback when the server assigns none: a local id counting up.
		mid = strconv.Itoa(len(t.remote.sections))
	}
	if t.remote.section(mid) >= 0 {
		return nil, fmt.Errorf("%w: mid %q is already used on transport %s", domain.ErrConflict, mid, t.id)
	}
	c := newConsumer(info, mid, t.pc)
	t.register(c)
	t.remote.upsert(consumerSection(info, mid))
	if err := t.negotiate(ctx); err != nil {
		t.unregister(c)
		return nil, err
	}
	return c, nil
}

func (t *RecvTransport) negotiate(ctx context.Context) error {
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: t.remote.render()}
	if err := t.pc.SetRemoteDescription(offer); err != nil {
		return fmt.Errorf("client: set remote offer: %w", err)
	}
	answer, err := t.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("client: create answer: %w", err)
	}
	if err := t.connectOnce(ctx); err != nil {
		return err
	}
	if err := t.pc.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("client: set local answer: %w", err)
	}
	return nil
}

// Close closes the PeerConnection, which ends every consumer's track, and waits for the consumers' readers.
func (t *RecvTransport) Close() error {
	t.consumersMu.Lock()
	t.noReaders = true
	t.consumersMu.Unlock()
	err := t.closePC()
	t.readers.Wait()
	return err
}

func validateConsumerInfo(info ConsumerInfo) error {
	if info.ID == "" {
		return fmt.Errorf("%w: consumer id is required", domain.ErrInvalidInput)
	}
	if _, err := domain.ParseMediaKind(string(info.Kind)); err != nil {
		return err
	}
	if err := info.RtpParameters.Validate(info.Kind); err != nil {
		return err
	}
	if info.RtpParameters.Encodings[0].SSRC == 0 {
		return fmt.Errorf("%w: consumer %s has no SSRC", domain.ErrInvalidInput, info.ID)
	}
	return nil
}

// consumerSection is the server's sendonly section for one consumer (mediasoup-client's RemoteSdp.receive).
func consumerSection(info ConsumerInfo, mid string) mediaSection {
	p := info.RtpParameters
	s := mediaSection{
		mid:        mid,
		kind:       info.Kind,
		direction:  "sendonly",
		codecs:     p.Codecs,
		extensions: p.HeaderExtensions,
		ssrc:       p.Encodings[0].SSRC,
		cname:      p.RTCP.CNAME,
		streamID:   p.RTCP.CNAME,
		trackID:    info.ID,
	}
	if s.cname == "" {
		s.cname = "sfu-cluster"
		s.streamID = s.cname
	}
	if rtx := p.Encodings[0].RTX; rtx != nil {
		s.rtxSSRC = rtx.SSRC
	}
	return s
}

func (t *RecvTransport) register(c *Consumer) {
	t.consumersMu.Lock()
	defer t.consumersMu.Unlock()
	t.byMid[c.mid] = c
	t.bySSRC[c.ssrc] = c
}

func (t *RecvTransport) unregister(c *Consumer) {
	t.consumersMu.Lock()
	defer t.consumersMu.Unlock()
	delete(t.byMid, c.mid)
	delete(t.bySSRC, c.ssrc)
}

// onTrack hands a remote track to its consumer, found by the transceiver's mid, else by SSRC.
func (t *RecvTransport) onTrack(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	mid := ""
	for _, tr := range t.pc.GetTransceivers() {
		if tr.Receiver() == receiver {
			mid = tr.Mid()
			break
		}
	}
	t.consumersMu.Lock()
	c := t.byMid[mid]
	if c == nil {
		c = t.bySSRC[uint32(track.SSRC())]
	}
	if c != nil && !t.noReaders {
		t.readers.Add(1)
	} else {
		c = nil
	}
	t.consumersMu.Unlock()
	if c == nil {
		return // a track of no consumer of ours: Pion stops it when the PeerConnection closes
	}
	defer t.readers.Done()
	c.read(track)
}
