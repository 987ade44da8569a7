package client

import (
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// Option tunes how a Device's transports reach the network.
type Option func(*options)

type options struct {
	networkTypes    []webrtc.NetworkType
	interfaceFilter func(string) bool
	ipFilter        func(net.IP) bool
	includeLoopback bool
	tune            []func(*webrtc.SettingEngine)
	receiveBuffer   int // SO_RCVBUF of the transports' UDP sockets; 0: the system's default
	noTransportCC   bool
	// Used by Publish only.
	audioSource, videoSource []SyntheticOption
	simulcast                []SimulcastEncoding
}

func defaultOptions() options {
	// UDP4 only: the cluster's transports announce UDP/IPv4 candidates, and gathering nothing else keeps
	// connection setup fast.
	return options{networkTypes: []webrtc.NetworkType{webrtc.NetworkTypeUDP4}}
}

// WithInterfaceFilter keeps only the network interfaces for which keep returns true (by name, e.g. "lo").
func WithInterfaceFilter(keep func(name string) bool) Option {
	return func(o *options) { o.interfaceFilter = keep }
}

// WithNetworkTypes replaces the default (UDP4 only).
func WithNetworkTypes(types ...webrtc.NetworkType) Option {
	return func(o *options) { o.networkTypes = types }
}

// LoopbackOnly gathers only 127.0.0.0/8 over UDP4: tests and a local cluster, where no traffic may leave the host.
func LoopbackOnly() Option {
	return func(o *options) {
		o.networkTypes = []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
		o.includeLoopback = true
		o.ipFilter = func(ip net.IP) bool { return ip.IsLoopback() }
	}
}

// WithSettingEngine lets the caller adjust anything else Pion allows (applied last).
func WithSettingEngine(tune func(*webrtc.SettingEngine)) Option {
	return func(o *options) { o.tune = append(o.tune, tune) }
}

// settingEngine builds the SettingEngine of one transport. Every transport answers (recv) as DTLS client, because
// the server is always the DTLS server; mDNS is off because the server never sends .local candidates and the mDNS
// socket would only cost a goroutine.
func (o options) settingEngine() (webrtc.SettingEngine, error) {
	var se webrtc.SettingEngine
	se.SetNetworkTypes(o.networkTypes)
	if o.interfaceFilter != nil {
		se.SetInterfaceFilter(o.interfaceFilter)
	}
	if o.ipFilter != nil {
		se.SetIPFilter(o.ipFilter)
	}
	se.SetIncludeLoopbackCandidate(o.includeLoopback)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return se, err
	}
	if o.receiveBuffer > 0 {
		n, err := newBufferedNet(o.receiveBuffer)
		if err != nil {
			return se, err
		}
		se.SetNet(n)
	}
	for _, tune := range o.tune {
		tune(&se)
	}
	return se, nil
}

// WithoutTransportCC leaves transport-cc (the header extension and the RTCP feedback) out of what the device
// receives with, as a browser without it would: the server then stamps nothing for it and estimates its downlink
// from nothing (a load test's side-by-side of the feature off and on).
func WithoutTransportCC() Option { return func(o *options) { o.noTransportCC = true } }

// WithAudioSource tunes the synthetic audio that Publish sends.
func WithAudioSource(opts ...SyntheticOption) Option {
	return func(o *options) { o.audioSource = append(o.audioSource, opts...) }
}

// WithVideoSource tunes the synthetic video that Publish sends (e.g. WithPacketRate for a load test).
func WithVideoSource(opts ...SyntheticOption) Option {
	return func(o *options) { o.videoSource = append(o.videoSource, opts...) }
}

// WithSimulcast makes Publish send its video as simulcast in these encodings (DemoSimulcastEncodings is
// mediasoup-demo's three layers); WithVideoSource options then apply to every layer.
func WithSimulcast(encodings ...SimulcastEncoding) Option {
	return func(o *options) { o.simulcast = encodings }
}
