package rtpx_test

import (
	"testing"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// browserRTCP are compound RTCP packets as a browser sends them to an SFU: SR + SDES, RR + REMB, transport-cc
// feedback, NACK, PLI, FIR, and a BYE.
func browserRTCP(f *testing.F) [][]byte {
	f.Helper()
	compounds := [][]rtcp.Packet{
		{
			&rtcp.SenderReport{SSRC: 0xCAFE, NTPTime: 0xE8F0_0000_8000_0000, RTPTime: 90000, PacketCount: 100, OctetCount: 120000},
			&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 0xCAFE,
				Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "uQ1vYHsTb3x0k2Zk"}}}}},
		},
		{
			&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 0xBEEF, FractionLost: 12, TotalLost: 3,
				LastSequenceNumber: 70000, Jitter: 20, LastSenderReport: 0x12345678, Delay: 655}}},
			&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 1, Bitrate: 1_500_000, SSRCs: []uint32{0xBEEF}},
		},
		{&rtcp.TransportLayerCC{SenderSSRC: 1, MediaSSRC: 0xBEEF, BaseSequenceNumber: 10, PacketStatusCount: 2, FbPktCount: 1,
			PacketChunks: []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedSmallDelta, RunLength: 2}},
			RecvDeltas:   []*rtcp.RecvDelta{{Type: rtcp.TypeTCCPacketReceivedSmallDelta, Delta: 250}, {Type: rtcp.TypeTCCPacketReceivedSmallDelta, Delta: 500}}}},
		{&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: 0xBEEF, Nacks: []rtcp.NackPair{{PacketID: 65530, LostPackets: 0xFFFF}}}},
		{&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 0xBEEF}},
		{&rtcp.FullIntraRequest{SenderSSRC: 1, MediaSSRC: 0xBEEF, FIR: []rtcp.FIREntry{{SSRC: 0xBEEF, SequenceNumber: 3}}}},
		{&rtcp.Goodbye{Sources: []uint32{0xCAFE}, Reason: "bye"}},
	}
	var out [][]byte
	for _, c := range compounds {
		b, err := rtcp.Marshal(c)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzRTCPUnmarshal parses arbitrary bytes with pion/rtcp and reads every field the slave's RTCP handler reads
// (endpoint.OnRTCP): sender reports, PLI, FIR entries, NACK pairs and their lost-packet bitmaps, reception reports.
func FuzzRTCPUnmarshal(f *testing.F) {
	for _, b := range browserRTCP(f) {
		f.Add(b)
	}
	f.Add([]byte{0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add([]byte{0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1})
	f.Add([]byte{0x80, 0xC8, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = rtpx.IsRTCP(b)
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			return
		}
		var sum uint64
		for _, pkt := range pkts {
			_ = pkt.DestinationSSRC()
			switch v := pkt.(type) {
			case *rtcp.SenderReport:
				sum += v.NTPTime + uint64(v.RTPTime) + uint64(v.SSRC)
			case *rtcp.PictureLossIndication:
				sum += uint64(v.MediaSSRC)
			case *rtcp.FullIntraRequest:
				for _, e := range v.FIR {
					sum += uint64(e.SSRC)
				}
			case *rtcp.TransportLayerNack:
				for _, pair := range v.Nacks {
					sum += uint64(len(pair.PacketList()))
				}
			case *rtcp.ReceiverReport:
				for _, rr := range v.Reports {
					sum += uint64(rr.SSRC) + uint64(rr.LastSenderReport) + uint64(rr.Delay)
				}
			}
			// What parsed re-encodes without a panic (pion's own round trip is not exact for every type).
			_, _ = pkt.Marshal()
		}
		_ = sum
	})
}

// FuzzPutPLI: the hand-written PLI parses with pion as the PLI it means.
func FuzzPutPLI(f *testing.F) {
	f.Add(uint32(0), uint32(0))
	f.Add(uint32(1), uint32(0xFFFFFFFF))
	f.Fuzz(func(t *testing.T, sender, media uint32) {
		var buf [rtpx.PLISize]byte
		b := rtpx.PutPLI(buf[:], sender, media)
		if !rtpx.IsRTCP(b) {
			t.Fatal("a PLI is not classified as RTCP")
		}
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 1 {
			t.Fatalf("%d packets", len(pkts))
		}
		pli, ok := pkts[0].(*rtcp.PictureLossIndication)
		if !ok || pli.SenderSSRC != sender || pli.MediaSSRC != media {
			t.Fatalf("parsed %#v", pkts[0])
		}
	})
}
