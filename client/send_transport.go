package client

import (
	"context"
	"fmt"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ProduceFunc is mediasoup-client's "produce" event: post kind and rtpParameters to the produce endpoint and return
// the server's producer id.
type ProduceFunc func(ctx context.Context, kind domain.MediaKind, rtpParameters domain.RtpParameters) (producerID string, err error)

// SendTransport sends tracks to a server transport. The client makes every offer; the server's answer is
// synthesized (a=ice-lite, a=setup:passive, recvonly sections mirroring the offer).
type SendTransport struct {
	*transport
	device *Device
}

// Producer is one track being sent.
type Producer struct {
	id            string
	kind          domain.MediaKind
	rtpParameters domain.RtpParameters
	sender        *webrtc.RTPSender
	track         webrtc.TrackLocal
}

// NewSendTransport creates the client side of a server's send (producer) transport.
func (d *Device) NewSendTransport(info domain.TransportInfo, onConnect ConnectFunc) (*SendTransport, error) {
	t, err := newTransport(d, info, "passive", onConnect)
	if err != nil {
		return nil, err
	}
	return &SendTransport{transport: t, device: d}, nil
}

// Produce adds the track, renegotiates, and reports the producer's rtpParameters to onProduce (which may be nil when
// no server is told, e.g. in tests). The first Produce also triggers onConnect. If Produce fails after the
// renegotiation, the track stays negotiated but unannounced; close the transport.
func (t *SendTransport) Produce(ctx context.Context, track webrtc.TrackLocal, onProduce ProduceFunc) (*Producer, error) {
	kind := domainKind(track.Kind())
	if !t.device.CanProduce(kind) {
		return nil, fmt.Errorf("%w: the router has no codec for %q", domain.ErrUnsupported, kind)
	}
	if err := t.begin(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()

	tr, err := t.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, fmt.Errorf("client: add track: %w", err)
	}
	offer, err := t.negotiate(ctx)
	if err != nil {
		return nil, err
	}
	params, err := producerParameters(offer, tr.Mid(), tr.Sender(), track)
	if err != nil {
		return nil, err
	}
	p := &Producer{kind: kind, rtpParameters: params, sender: tr.Sender(), track: track}
	if onProduce != nil {
		if p.id, err = onProduce(ctx, kind, params); err != nil {
			return nil, fmt.Errorf("client: produce %s: %w", kind, err)
		}
	}
	return p, nil
}

// negotiate runs offer → connect (first time) → local → synthesized answer, and returns the parsed offer.
func (t *SendTransport) negotiate(ctx context.Context) (*sdp.SessionDescription, error) {
	offer, err := t.pc.CreateOffer(nil)
	if err != nil {
		return nil, fmt.Errorf("client: create offer: %w", err)
	}
	if err := t.connectOnce(ctx); err != nil {
		return nil, err
	}
	if err := t.pc.SetLocalDescription(offer); err != nil {
		return nil, fmt.Errorf("client: set local offer: %w", err)
	}
	parsed, err := parseSDP(offer.SDP)
	if err != nil {
		return nil, err
	}
	for _, md := range parsed.MediaDescriptions {
		t.remote.upsert(answerSection(md))
	}
	answer := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: t.remote.render()}
	if err := t.pc.SetRemoteDescription(answer); err != nil {
		return nil, fmt.Errorf("client: set remote answer: %w", err)
	}
	return parsed, nil
}

// Close closes the PeerConnection and with it every producer's sender.
func (t *SendTransport) Close() error { return t.closePC() }

// producerParameters describes what the sender sends, as mediasoup-client does from its local offer: the section's
// first media codec and its rtx, the section's extension ids, one encoding with Pion's SSRCs, the track's cname.
func producerParameters(offer *sdp.SessionDescription, mid string, sender *webrtc.RTPSender, track webrtc.TrackLocal) (domain.RtpParameters, error) {
	md, ok := mediaByMid(offer, mid)
	if !ok {
		return domain.RtpParameters{}, fmt.Errorf("client: offer has no section for mid %q", mid)
	}
	codecs := reduceCodecs(sectionCodecs(md))
	if len(codecs) == 0 {
		return domain.RtpParameters{}, fmt.Errorf("client: offer section %q has no codec", mid)
	}
	encodings := sender.GetParameters().Encodings
	if len(encodings) == 0 || encodings[0].SSRC == 0 {
		return domain.RtpParameters{}, fmt.Errorf("client: sender of mid %q has no SSRC", mid)
	}
	enc := domain.RtpEncodingParameters{SSRC: uint32(encodings[0].SSRC)}
	if rtx := encodings[0].RTX.SSRC; rtx != 0 && len(codecs) > 1 {
		enc.RTX = &domain.RtxParameters{SSRC: uint32(rtx)}
	}
	cname := sectionCNAME(md)
	if cname == "" {
		cname = track.StreamID()
	}
	return domain.RtpParameters{
		MID:              mid,
		Codecs:           codecs,
		HeaderExtensions: sectionExtensions(md),
		Encodings:        []domain.RtpEncodingParameters{enc},
		RTCP:             domain.RtcpParameters{CNAME: cname, ReducedSize: true},
	}, nil
}

// reduceCodecs keeps the first media codec and the rtx codec pointing at it (mediasoup-client's reduceCodecs).
func reduceCodecs(codecs []domain.RtpCodecParameters) []domain.RtpCodecParameters {
	for _, c := range codecs {
		if domain.IsRtxMime(c.MimeType) {
			continue
		}
		out := []domain.RtpCodecParameters{c}
		for _, rtx := range codecs {
			if apt, ok := rtx.Parameters.Number("apt"); ok && domain.IsRtxMime(rtx.MimeType) && apt == c.PayloadType {
				out = append(out, rtx)
				break
			}
		}
		return out
	}
	return nil
}

// ID is the server's producer id ("" when Produce had no onProduce).
func (p *Producer) ID() string { return p.id }

// Kind is audio or video.
func (p *Producer) Kind() domain.MediaKind { return p.kind }

// RtpParameters are what was posted to the produce endpoint.
func (p *Producer) RtpParameters() domain.RtpParameters { return p.rtpParameters }

// Sender is the track's RTPSender (read its RTCP to see PLI/FIR; SyntheticSource.Start does).
func (p *Producer) Sender() *webrtc.RTPSender { return p.sender }

// Track is the track being sent.
func (p *Producer) Track() webrtc.TrackLocal { return p.track }
