package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestKeyframeRequestsRateLimitedPerProducer(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	c1 := r.consume(t, b.RecvRtpCapabilities, true)
	c2 := r.consume(t, b.RecvRtpCapabilities, true)
	ssrc := b.videoParams().Encodings[0].SSRC
	ms := func(n int) int64 { return int64(time.Duration(n) * time.Millisecond) }
	t0 := nanotime() + ms(1000) // past the activation requests rig.consume made

	steps := []struct {
		name    string
		do      func(now int64)
		at      int64
		wantPLI int
	}{
		{name: "first PLI goes up at once", do: func(now int64) { c1.onKeyframeRequest(c1.ssrc, now) }, at: t0, wantPLI: 1},
		{name: "another consumer's PLI while it is outstanding waits for its keyframe", do: func(now int64) { c2.onKeyframeRequest(c2.ssrc, now) }, at: t0 + ms(100), wantPLI: 0},
		{name: "a FIR too", do: func(now int64) { c1.onKeyframeRequest(c1.ssrc, now) }, at: t0 + ms(200), wantPLI: 0},
		{name: "the tick inside the interval sends nothing", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(390), wantPLI: 0},
		{name: "no keyframe within it: the tick after it sends the pending one", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(410), wantPLI: 1},
		{name: "nothing pending afterwards", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(1200), wantPLI: 0},
		{name: "a request later goes at once", do: func(now int64) { c2.onKeyframeRequest(c2.ssrc, now) }, at: t0 + ms(2000), wantPLI: 1},
		{name: "its keyframe arrives", do: func(now int64) { r.prod.encs[0].keyframe.keyframe(now) }, at: t0 + ms(2050), wantPLI: 0},
		{name: "a request after the keyframe waits for the sender's gap", do: func(now int64) { c1.onKeyframeRequest(c1.ssrc, now) }, at: t0 + ms(2100), wantPLI: 0},
		{name: "the tick inside the gap sends nothing", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(2300), wantPLI: 0},
		{name: "the tick after the gap sends it", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(2330), wantPLI: 1},
		{name: "a keyframe answers everything pending", do: func(now int64) {
			c2.onKeyframeRequest(c2.ssrc, now)
			r.prod.encs[0].keyframe.keyframe(now)
		}, at: t0 + ms(2400), wantPLI: 0},
		{name: "so the ticks send nothing", do: func(now int64) { r.prod.tick(now, false) }, at: t0 + ms(3000), wantPLI: 0},
	}
	for _, s := range steps {
		s.do(s.at)
		require.Len(t, plisTo(r.up.takeRTCP(t), ssrc), s.wantPLI, s.name)
	}
}

func TestKeyframeRequestsComeThroughTheEndpoint(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	c := r.consume(t, b.RecvRtpCapabilities, true)
	time.Sleep(time.Duration(keyframeInterval)) // let the activation request's interval end
	raw, err := rtcp.Marshal([]rtcp.Packet{&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: c.ssrc}})
	require.NoError(t, err)
	r.downEP.OnRTCP(raw)
	plis := plisTo(r.up.takeRTCP(t), b.videoParams().Encodings[0].SSRC)
	require.Len(t, plis, 1)
	require.Equal(t, r.upEP.rtcpSSRC, plis[0].SenderSSRC)
}

func TestNackGenerator(t *testing.T) {
	ms := func(n int) int64 { return int64(time.Duration(n) * time.Millisecond) }
	var g nackGenerator
	for _, seq := range []uint16{65533, 65534, 65535, 2} { // 0 and 1 lost across the wrap
		require.False(t, g.onPacket(seq, 0))
	}
	require.Equal(t, []uint16{0, 1}, g.due(ms(0), nil))
	require.Empty(t, g.due(ms(50), nil), "not again before the retry interval")
	require.False(t, g.onPacket(0, ms(60)), "0 arrives late")
	require.Equal(t, []uint16{1}, g.due(ms(110), nil))
	for i := 3; i <= nackMaxTries; i++ {
		require.Equal(t, []uint16{1}, g.due(ms(110*i), nil))
	}
	require.Empty(t, g.due(ms(2000), nil), "given up after the last try")

	require.True(t, g.onPacket(2+nackMaxItems+10, ms(2000)), "a gap too wide asks for a keyframe")
	require.Empty(t, g.due(ms(2000), nil))
}

func TestReceiveStatsReport(t *testing.T) {
	s := receiveStats{clockRate: 90000}
	now := int64(0)
	for seq := uint16(0); seq < 100; seq++ {
		if seq%10 == 5 { // 10% loss
			continue
		}
		s.update(seq, uint32(seq)*3000, now, 1000, false)
		now += int64(33 * time.Millisecond)
	}
	s.onSenderReport(0x0001_0002_0003_0004, 1234, now)
	rr, ok := s.report(42, now+int64(500*time.Millisecond))
	require.True(t, ok)
	require.Equal(t, uint32(42), rr.SSRC)
	require.Equal(t, uint32(99), rr.LastSequenceNumber)
	require.Equal(t, uint32(10), rr.TotalLost)
	require.InDelta(t, 256*10/100, int(rr.FractionLost), 1)
	require.Equal(t, uint32(0x0002_0003), rr.LastSenderReport)
	require.InDelta(t, 65536/2, int(rr.Delay), 2)

	rr, _ = s.report(42, now)
	require.Zero(t, rr.FractionLost, "a new interval starts after each report")
}

func TestSenderReportFollowsTheProducerClock(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindAudio, b.audioParams())
	c := r.consume(t, b.RecvRtpCapabilities, true)
	ssrc := b.audioParams().Encodings[0].SSRC
	for i := range 3 {
		r.send(browserPacket(t, 111, ssrc, uint16(i), uint32(i)*960, []byte{1, 2, 3, 4}, nil))
	}
	require.Len(t, r.down.takeRTP(t), 3)

	t.Run("before the producer's SR: local clock", func(t *testing.T) {
		c.tick(nanotime(), time.Now(), true)
		srs := senderReports(r.down.takeRTCP(t))
		require.Len(t, srs, 1)
		require.Equal(t, c.ssrc, srs[0].SSRC)
		require.EqualValues(t, 3, srs[0].PacketCount)
		require.EqualValues(t, 12, srs[0].OctetCount)
		require.GreaterOrEqual(t, srs[0].RTPTime, uint32(2*960))
	})
	t.Run("after it: the sender's NTP/RTP pair extrapolated", func(t *testing.T) {
		ntp := toNTP(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		now := nanotime()
		r.prod.onSenderReport(0, ntp, 100000, now)
		c.tick(now+int64(time.Second), time.Now(), true)
		srs := senderReports(r.down.takeRTCP(t))
		require.Len(t, srs, 1)
		require.Equal(t, ntpAdd(ntp, time.Second), srs[0].NTPTime)
		require.Equal(t, uint32(100000+48000)+c.outs[0].seq.tsOffset, srs[0].RTPTime)
	})
}

func senderReports(pkts []rtcp.Packet) []*rtcp.SenderReport {
	var out []*rtcp.SenderReport
	for _, p := range pkts {
		if sr, ok := p.(*rtcp.SenderReport); ok {
			out = append(out, sr)
		}
	}
	return out
}

func TestProducerAsksForMissingPacketsAndReports(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	ssrc := b.videoParams().Encodings[0].SSRC
	for _, seq := range []uint16{1, 2, 5, 6} {
		r.send(browserPacket(t, 96, ssrc, seq, uint32(seq)*3000, vp8Delta, nil))
	}
	r.prod.tick(nanotime(), true)
	var nacked []uint16
	var rr *rtcp.ReceiverReport
	for _, p := range r.up.takeRTCP(t) {
		switch v := p.(type) {
		case *rtcp.TransportLayerNack:
			require.Equal(t, ssrc, v.MediaSSRC)
			for _, pair := range v.Nacks {
				nacked = append(nacked, pair.PacketList()...)
			}
		case *rtcp.ReceiverReport:
			rr = v
		}
	}
	require.Equal(t, []uint16{3, 4}, nacked)
	require.NotNil(t, rr)
	require.Len(t, rr.Reports, 1)
	require.Equal(t, ssrc, rr.Reports[0].SSRC)
	require.EqualValues(t, 2, rr.Reports[0].TotalLost)

	t.Run("audio is never NACKed", func(t *testing.T) {
		ra := newRig(t, domain.MediaKindAudio, b.audioParams())
		assrc := b.audioParams().Encodings[0].SSRC
		for _, seq := range []uint16{1, 5} {
			ra.send(browserPacket(t, 111, assrc, seq, uint32(seq)*960, []byte{1}, nil))
		}
		ra.prod.tick(nanotime(), false)
		require.Empty(t, ra.up.takeRTCP(t))
	})
}
