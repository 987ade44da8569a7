// Package apptest holds hand-written fakes of the application ports, shared by the tests of the application,
// the HTTP adapter and bootstrap. It imports only application and domain.
package apptest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// FakeNode is an SFUNode that keeps its objects in maps, so a test can assert what is left open, and fails any
// method named in Fail.
type FakeNode struct {
	mu sync.Mutex
	// Fail maps a method name ("CreateRouter", "Consume", ...) to the error it returns.
	Fail map[string]error
	// Calls counts calls by method name.
	Calls map[string]int

	Routers    map[string]bool
	Transports map[string]string // transport id → router id
	Connected  map[string]domain.DtlsParameters
	Producers  map[string]string // producer id → transport id
	Paused     map[string]bool
	Consumers  map[string]string // consumer id → transport id
	Resumed    map[string]bool
	Layers     map[string]domain.ConsumerLayers // consumer id → preferred layers set
	// Described holds what Produce and PipeProduce were given (kind, rtpParameters) by producer id: PipeConsume
	// answers it, Consume and GetConsumer derive the consumer's kind and type from it.
	Described      map[string]application.PipedProducer
	ConsumerOf     map[string]string // consumer id → producer id
	PipeTransports map[string]string // pipe transport id → router id
	PipeRemote     map[string]application.PipeConnectRequest
	PipedProducers map[string]string // producer id → pipe transport id (target side copies)
	PipeConsumed   map[string]string // producer id → pipe transport id (source side)
	Port           int
	Data           FakeData // data channels (fake_node_data.go)
}

// NewFakeNode returns an empty node.
func NewFakeNode() *FakeNode {
	return &FakeNode{Fail: map[string]error{}, Calls: map[string]int{}, Routers: map[string]bool{}, Transports: map[string]string{},
		Connected: map[string]domain.DtlsParameters{}, Producers: map[string]string{}, Paused: map[string]bool{},
		Consumers: map[string]string{}, Resumed: map[string]bool{}, Layers: map[string]domain.ConsumerLayers{},
		Described: map[string]application.PipedProducer{}, ConsumerOf: map[string]string{}, PipeTransports: map[string]string{},
		PipeRemote: map[string]application.PipeConnectRequest{}, PipedProducers: map[string]string{}, PipeConsumed: map[string]string{}, Port: 40000,
		Data: newFakeData()}
}

// FakeCapabilities are the router capabilities the fake answers with.
func FakeCapabilities() domain.RtpCapabilities {
	return domain.RtpCapabilities{
		Codecs: []domain.RtpCodecCapability{
			{Kind: domain.MediaKindAudio, MimeType: "audio/opus", PreferredPayloadType: 100, ClockRate: 48000, Channels: 2, Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{}},
			{Kind: domain.MediaKindVideo, MimeType: "video/VP8", PreferredPayloadType: 101, ClockRate: 90000, Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}},
		},
		HeaderExtensions: []domain.RtpHeaderExtension{{Kind: domain.MediaKindVideo, URI: "urn:ietf:params:rtp-hdrext:sdes:mid", PreferredID: 1, Direction: "sendrecv"}},
	}
}

func (n *FakeNode) enter(method string) (func(), error) {
	n.mu.Lock()
	n.Calls[method]++
	if err := n.Fail[method]; err != nil {
		n.mu.Unlock()
		return nil, err
	}
	return n.mu.Unlock, nil
}

// Open lists every object still open, sorted ("router:<id>", "transport:<id>", ...): empty means nothing leaked.
func (n *FakeNode) Open() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for id := range n.Routers {
		out = append(out, "router:"+id)
	}
	for id := range n.Transports {
		out = append(out, "transport:"+id)
	}
	for id := range n.Producers {
		out = append(out, "producer:"+id)
	}
	for id := range n.Consumers {
		out = append(out, "consumer:"+id)
	}
	for id := range n.PipeTransports {
		out = append(out, "pipe:"+id)
	}
	for id := range n.PipedProducers {
		out = append(out, "piped:"+id)
	}
	out = append(out, n.Data.open()...)
	sort.Strings(out)
	return out
}

func (n *FakeNode) Ping(context.Context) error {
	unlock, err := n.enter("Ping")
	if err != nil {
		return err
	}
	unlock()
	return nil
}

func (n *FakeNode) CreateRouter(_ context.Context, routerID string) (application.RouterInfo, error) {
	unlock, err := n.enter("CreateRouter")
	if err != nil {
		return application.RouterInfo{}, err
	}
	defer unlock()
	n.Routers[routerID] = true
	return application.RouterInfo{ID: routerID, RtpCapabilities: FakeCapabilities()}, nil
}

func (n *FakeNode) CloseRouter(_ context.Context, routerID string) error {
	unlock, err := n.enter("CloseRouter")
	if err != nil {
		return err
	}
	defer unlock()
	delete(n.Routers, routerID)
	for t, r := range n.Transports {
		if r == routerID {
			n.closeTransportLocked(t)
		}
	}
	for t, r := range n.PipeTransports {
		if r == routerID {
			n.closePipeLocked(t)
		}
	}
	return nil
}

func (n *FakeNode) CreateWebRtcTransport(_ context.Context, routerID, transportID string) (domain.TransportInfo, error) {
	unlock, err := n.enter("CreateWebRtcTransport")
	if err != nil {
		return domain.TransportInfo{}, err
	}
	defer unlock()
	if !n.Routers[routerID] {
		return domain.TransportInfo{}, fmt.Errorf("%w: %s", domain.ErrRouterNotFound, routerID)
	}
	n.Transports[transportID] = routerID
	return domain.TransportInfo{
		ID:             transportID,
		IceParameters:  domain.IceParameters{UsernameFragment: "fakeufrag", Password: "fakepassword0123456789ab", IceLite: true},
		IceCandidates:  []domain.IceCandidate{{Foundation: "udpcandidate", Priority: 1076302079, Address: "127.0.0.1", IP: "127.0.0.1", Protocol: "udp", Port: n.Port, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto, Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD"}}},
	}, nil
}

func (n *FakeNode) ConnectTransport(_ context.Context, transportID string, dtls domain.DtlsParameters) error {
	unlock, err := n.enter("ConnectTransport")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Transports[transportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	if _, ok := n.Connected[transportID]; ok {
		return fmt.Errorf("%w: %s", domain.ErrAlreadyConnected, transportID)
	}
	n.Connected[transportID] = dtls
	return nil
}

// RestartIce answers new credentials, counted in Restarts.
func (n *FakeNode) RestartIce(_ context.Context, transportID string) (domain.IceParameters, error) {
	unlock, err := n.enter("RestartIce")
	if err != nil {
		return domain.IceParameters{}, err
	}
	defer unlock()
	if _, ok := n.Transports[transportID]; !ok {
		return domain.IceParameters{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	return domain.IceParameters{UsernameFragment: fmt.Sprintf("fakeufrag%d", n.Calls["RestartIce"]),
		Password: "fakerestartedpassword0123456789", IceLite: true}, nil
}

func (n *FakeNode) CloseTransport(_ context.Context, transportID string) error {
	unlock, err := n.enter("CloseTransport")
	if err != nil {
		return err
	}
	defer unlock()
	n.closeTransportLocked(transportID)
	return nil
}

func (n *FakeNode) closeTransportLocked(transportID string) {
	delete(n.Transports, transportID)
	delete(n.Connected, transportID)
	for p, t := range n.Producers {
		if t == transportID {
			n.closeProducerLocked(p)
		}
	}
	for c, t := range n.Consumers {
		if t == transportID {
			delete(n.Consumers, c)
		}
	}
	n.Data.closeTransport(transportID)
}

func (n *FakeNode) closeProducerLocked(producerID string) {
	delete(n.Producers, producerID)
	delete(n.Paused, producerID)
	delete(n.PipeConsumed, producerID)
	delete(n.PipedProducers, producerID) // a piped copy has its source's id, as on a real slave
	delete(n.Described, producerID)
}

func (n *FakeNode) Produce(_ context.Context, req application.ProduceRequest) error {
	unlock, err := n.enter("Produce")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Transports[req.TransportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	n.Producers[req.ProducerID] = req.TransportID
	n.Described[req.ProducerID] = application.PipedProducer{ProducerID: req.ProducerID, Kind: req.Kind, RtpParameters: req.RtpParameters}
	return nil
}

func (n *FakeNode) setPaused(method, producerID string, paused bool) error {
	unlock, err := n.enter(method)
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Producers[producerID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	n.Paused[producerID] = paused
	return nil
}

func (n *FakeNode) PauseProducer(_ context.Context, id string) error {
	return n.setPaused("PauseProducer", id, true)
}
func (n *FakeNode) ResumeProducer(_ context.Context, id string) error {
	return n.setPaused("ResumeProducer", id, false)
}

func (n *FakeNode) CloseProducer(_ context.Context, producerID string) error {
	unlock, err := n.enter("CloseProducer")
	if err != nil {
		return err
	}
	defer unlock()
	n.closeProducerLocked(producerID)
	return nil
}
