package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func validTransportInfo() TransportInfo {
	return TransportInfo{
		ID:            "t1",
		IceParameters: IceParameters{UsernameFragment: "abcd1234", Password: "0123456789abcdefghijkl+/", IceLite: true},
		IceCandidates: []IceCandidate{{Foundation: "udpcandidate", Priority: 1076302079, Address: "127.0.0.1", IP: "127.0.0.1",
			Protocol: "udp", Port: 40000, Type: "host"}},
		DtlsParameters: DtlsParameters{Role: DtlsRoleAuto, Fingerprints: []DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD:EF"}}},
	}
}

func TestTransportInfoValidate(t *testing.T) {
	require.NoError(t, validTransportInfo().Validate())
	cases := map[string]func(*TransportInfo){
		"no id":                     func(i *TransportInfo) { i.ID = "" },
		"short ufrag":               func(i *TransportInfo) { i.IceParameters.UsernameFragment = "abc" },
		"ufrag with a space":        func(i *TransportInfo) { i.IceParameters.UsernameFragment = "abc d" },
		"short password":            func(i *TransportInfo) { i.IceParameters.Password = "0123456789abcdefghijk" },
		"password with a colon":     func(i *TransportInfo) { i.IceParameters.Password = "0123456789abcdefghijkl:" },
		"no candidates":             func(i *TransportInfo) { i.IceCandidates = nil },
		"empty foundation":          func(i *TransportInfo) { i.IceCandidates[0].Foundation = "" },
		"zero priority":             func(i *TransportInfo) { i.IceCandidates[0].Priority = 0 },
		"host name":                 func(i *TransportInfo) { i.IceCandidates[0].IP, i.IceCandidates[0].Address = "example.com", "" },
		"address and ip differ":     func(i *TransportInfo) { i.IceCandidates[0].Address = "127.0.0.2" },
		"port 0":                    func(i *TransportInfo) { i.IceCandidates[0].Port = 0 },
		"port too big":              func(i *TransportInfo) { i.IceCandidates[0].Port = 65536 },
		"unknown type":              func(i *TransportInfo) { i.IceCandidates[0].Type = "peer" },
		"unknown protocol":          func(i *TransportInfo) { i.IceCandidates[0].Protocol = "sctp" },
		"tcpType on udp":            func(i *TransportInfo) { i.IceCandidates[0].TCPType = "passive" },
		"tcp without tcpType":       func(i *TransportInfo) { i.IceCandidates[0].Protocol = "tcp" },
		"no fingerprints":           func(i *TransportInfo) { i.DtlsParameters.Fingerprints = nil },
		"bad role":                  func(i *TransportInfo) { i.DtlsParameters.Role = "both" },
		"fingerprint not hex pairs": func(i *TransportInfo) { i.DtlsParameters.Fingerprints[0].Value = "ABCDEF" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			info := validTransportInfo()
			mutate(&info)
			require.ErrorIs(t, info.Validate(), ErrInvalidInput)
		})
	}
	t.Run("accepted variants", func(t *testing.T) {
		for _, mutate := range []func(*TransportInfo){
			func(i *TransportInfo) { i.IceCandidates[0].Address = "" },                               // ip only (new clients)
			func(i *TransportInfo) { i.IceCandidates[0].IP = "" },                                    // address only (old clients)
			func(i *TransportInfo) { i.IceCandidates[0].IP, i.IceCandidates[0].Address = "::1", "" }, // IPv6
			func(i *TransportInfo) { i.IceCandidates[0].Protocol, i.IceCandidates[0].TCPType = "tcp", "passive" },
		} {
			info := validTransportInfo()
			mutate(&info)
			require.NoError(t, info.Validate())
		}
	})
}
