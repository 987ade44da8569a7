package client

import (
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Device is mediasoup-client's Device: it is loaded with a router's capabilities and makes transports that speak
// exactly the router's payload types and header extension ids. A Device holds no network resources.
type Device struct {
	routerCaps domain.RtpCapabilities
	recvCaps   domain.RtpCapabilities
	opts       options
}

// NewDevice loads the router's capabilities; it fails when they are invalid or offer neither opus nor VP8.
func NewDevice(routerCaps domain.RtpCapabilities, opts ...Option) (*Device, error) {
	if err := routerCaps.Validate(); err != nil {
		return nil, fmt.Errorf("client: router capabilities: %w", err)
	}
	recv, err := recvCapabilities(routerCaps)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.noTransportCC {
		recv = withoutTransportCC(recv)
	}
	return &Device{routerCaps: routerCaps, recvCaps: recv, opts: o}, nil
}

// RecvRtpCapabilities is what the device can receive: the body of a consume request.
func (d *Device) RecvRtpCapabilities() domain.RtpCapabilities { return d.recvCaps.Clone() }

// CanProduce reports whether the router and this client share a codec of the kind.
func (d *Device) CanProduce(kind domain.MediaKind) bool { return hasKind(d.recvCaps.Codecs, kind) }

// newAPI builds the webrtc.API of one transport: a MediaEngine with exactly the device's codecs and extension ids,
// NACK and RTCP report interceptors, and the device's SettingEngine.
func (d *Device) newAPI() (*webrtc.API, error) {
	me, err := newMediaEngine(d.recvCaps)
	if err != nil {
		return nil, err
	}
	reg, err := newInterceptors()
	if err != nil {
		return nil, err
	}
	se, err := d.opts.settingEngine()
	if err != nil {
		return nil, fmt.Errorf("client: setting engine: %w", err)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}
