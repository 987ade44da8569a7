package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net"
	"strings"
	"testing"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// fakeServer plays a slave's WebRTC transport with a second Pion PeerConnection: ICE-lite on a known UDP port
// (through a UDP mux, so the candidate exists before any SDP), fixed ICE credentials, a known certificate, and
// always the DTLS server. It learns the client's ICE credentials from the client's own SDP, which a real slave
// never needs (its ICE-lite responder checks only its own ufrag); that is the one shortcut of this harness.
type fakeServer struct {
	pc   *webrtc.PeerConnection
	mux  ice.UDPMux
	conn net.PacketConn
	info domain.TransportInfo
}

func newFakeServer(t *testing.T, caps domain.RtpCapabilities) *fakeServer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	mux := webrtc.NewICEUDPMux(nil, conn)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	cert, err := webrtc.GenerateCertificate(key)
	require.NoError(t, err)

	const ufrag, pwd = "fakesrvufrag0001", "fakeserverpassword0123456789ab"
	var se webrtc.SettingEngine
	se.SetLite(true)
	se.SetICECredentials(ufrag, pwd)
	se.SetICEUDPMux(mux)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	require.NoError(t, se.SetAnsweringDTLSRole(webrtc.DTLSRoleServer))
	recv, err := recvCapabilities(caps)
	require.NoError(t, err)
	me, err := newMediaEngine(recv)
	require.NoError(t, err)
	reg, err := newInterceptors()
	require.NoError(t, err)
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg))
	pc, err := api.NewPeerConnection(webrtc.Configuration{Certificates: []webrtc.Certificate{*cert}})
	require.NoError(t, err)

	fps, err := cert.GetFingerprints()
	require.NoError(t, err)
	port := conn.LocalAddr().(*net.UDPAddr).Port
	s := &fakeServer{pc: pc, mux: mux, conn: conn, info: domain.TransportInfo{
		ID:            "fake-transport",
		IceParameters: domain.IceParameters{UsernameFragment: ufrag, Password: pwd, IceLite: true},
		IceCandidates: []domain.IceCandidate{{Foundation: "udpcandidate", Priority: 1076302079, Address: "127.0.0.1",
			IP: "127.0.0.1", Protocol: "udp", Port: port, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto, Fingerprints: []domain.DtlsFingerprint{
			{Algorithm: fps[0].Algorithm, Value: strings.ToUpper(fps[0].Value)}}},
	}}
	t.Cleanup(s.close)
	return s
}

func (s *fakeServer) close() {
	_ = s.pc.Close()
	_ = s.mux.Close()
	_ = s.conn.Close()
}

// answer applies the client's offer and answers it (the server's real answer, which the client never sees: the
// client synthesized its own from the server's JSON).
func (s *fakeServer) answer(t *testing.T, clientOffer *webrtc.SessionDescription) {
	t.Helper()
	require.NoError(t, s.pc.SetRemoteDescription(*clientOffer))
	answer, err := s.pc.CreateAnswer(nil)
	require.NoError(t, err)
	require.NoError(t, s.pc.SetLocalDescription(answer))
}
