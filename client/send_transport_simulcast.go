package client

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ProduceSimulcast sends one video producer in several encodings (simulcast), lowest first: tracks[i] is the
// encoding encodings[i] and must carry its RID (webrtc.WithRTPStreamID; SyntheticSimulcast's tracks do). The
// encodings share one m-section and one RTPSender (Pion's AddEncoding), and the producer is announced by SSRC: Pion
// does not write the rid header extension, so each encoding is the SSRC (and RTX SSRC) Pion chose for it, with its
// scalabilityMode and maxBitrate.
func (t *SendTransport) ProduceSimulcast(ctx context.Context, tracks []webrtc.TrackLocal, encodings []SimulcastEncoding, onProduce ProduceFunc) (*Producer, error) {
	if len(tracks) == 0 || len(tracks) != len(encodings) || len(tracks) > domain.MaxSimulcastEncodings {
		return nil, fmt.Errorf("%w: simulcast needs 1 to %d tracks, one per encoding", domain.ErrInvalidInput, domain.MaxSimulcastEncodings)
	}
	for i, tr := range tracks {
		if tr.Kind() != webrtc.RTPCodecTypeVideo || tr.RID() != encodings[i].RID || tr.RID() == "" {
			return nil, fmt.Errorf("%w: simulcast track %d must be video with rid %q", domain.ErrInvalidInput, i, encodings[i].RID)
		}
	}
	if !t.device.CanProduce(domain.MediaKindVideo) {
		return nil, fmt.Errorf("%w: the router has no video codec", domain.ErrUnsupported)
	}
	if err := t.begin(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()

	tr, err := t.pc.AddTransceiverFromTrack(tracks[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, fmt.Errorf("client: add track: %w", err)
	}
	for _, track := range tracks[1:] {
		if err := tr.Sender().AddEncoding(track); err != nil {
			return nil, fmt.Errorf("client: add encoding %s: %w", track.RID(), err)
		}
	}
	offer, err := t.negotiate(ctx)
	if err != nil {
		return nil, err
	}
	params, err := producerParameters(offer, tr.Mid(), tr.Sender(), tracks[0])
	if err != nil {
		return nil, err
	}
	if params.Encodings, err = simulcastEncodings(tr.Sender(), encodings, len(params.Codecs) > 1); err != nil {
		return nil, err
	}
	p := &Producer{kind: domain.MediaKindVideo, rtpParameters: params, sender: tr.Sender(), track: tracks[0]}
	if onProduce != nil {
		if p.id, err = onProduce(ctx, domain.MediaKindVideo, params); err != nil {
			return nil, fmt.Errorf("client: produce simulcast video: %w", err)
		}
	}
	return p, nil
}

// simulcastEncodings are the sender's encodings by SSRC, in the order of encodings (matched by RID).
func simulcastEncodings(sender *webrtc.RTPSender, encodings []SimulcastEncoding, rtx bool) ([]domain.RtpEncodingParameters, error) {
	sent := sender.GetParameters().Encodings
	out := make([]domain.RtpEncodingParameters, 0, len(encodings))
	for _, want := range encodings {
		var found *webrtc.RTPEncodingParameters
		for i := range sent {
			if sent[i].RID == want.RID {
				found = &sent[i]
			}
		}
		if found == nil || found.SSRC == 0 {
			return nil, fmt.Errorf("client: the sender has no SSRC for rid %q", want.RID)
		}
		enc := domain.RtpEncodingParameters{SSRC: uint32(found.SSRC), ScalabilityMode: want.ScalabilityMode, MaxBitrate: want.MaxBitrate}
		if rtx && found.RTX.SSRC != 0 {
			enc.RTX = &domain.RtxParameters{SSRC: uint32(found.RTX.SSRC)}
		}
		out = append(out, enc)
	}
	return out, nil
}
