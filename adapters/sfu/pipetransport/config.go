package pipetransport

import (
	"net/netip"
	"time"
)

// Handler receives what the remote sent, already decrypted. Both methods run on the transport's read goroutine;
// pkt is valid only during the call (copy it to keep it) and the methods must not block.
type Handler interface {
	OnRTP(pkt []byte)
	OnRTCP(pkt []byte)
}

// Config describes one pipe transport.
type Config struct {
	// ListenIP is the local address to bind (required), e.g. "10.0.0.5" or "0.0.0.0".
	ListenIP string
	// AnnouncedIP is the address the remote should send to (NAT, container); required when ListenIP is
	// unspecified, since "0.0.0.0" is not an address anyone can reach.
	AnnouncedIP string
	// PortMin and PortMax bound the local port (inclusive); 0, 0 lets the kernel pick any free port.
	PortMin, PortMax int
	// SRTP turns on encryption and authentication of everything sent and received.
	SRTP bool
	// SRTPCryptoSuite is the mediasoup name of the suite we send with; empty means SuiteAEADAES128GCM.
	SRTPCryptoSuite string
	// Handler receives the remote's RTP and RTCP (required).
	Handler Handler
	// SocketBufferSize is the socket's receive and send buffer in bytes (SO_RCVBUF/SO_SNDBUF, best effort: Linux
	// caps it at net.core.rmem_max/wmem_max); 0 means DefaultSocketBufferSize.
	SocketBufferSize int
	// IdleTimeout closes the transport when nothing arrives from the remote for that long after Connect; 0 never.
	IdleTimeout time.Duration
	// OnSCTP, if set, receives the remote's SCTP packets (data channels: RFC 7983's first byte below 128 that is
	// not RTP, since SCTP's common header starts with the source port 5000), on the read goroutine; pkt is valid
	// only during the call. Without it they count as malformed.
	OnSCTP func(pkt []byte)
	// OnClose, if set, is called once when the transport closes: with nil after Close, with ErrIdleTimeout after
	// an idle timeout. It runs on the goroutine that closed the transport and may call Close.
	OnClose func(error)
}

// DefaultSocketBufferSize is larger than Linux's default (208 KiB) because one pipe carries every producer piped
// between two routers: keyframe bursts of several video streams arrive together and the kernel drops what overflows.
const DefaultSocketBufferSize = 1 << 20

// settings is a validated Config.
type settings struct {
	listen    netip.Addr
	announced netip.Addr // zero when not set
	portMin   int
	portMax   int
	sockBuf   int
	suite     *suite // nil without SRTP
}

func (c *Config) validate() (settings, error) {
	var s settings
	if c.Handler == nil {
		return s, invalid("handler is required")
	}
	listen, err := netip.ParseAddr(c.ListenIP)
	if err != nil {
		return s, invalid("listenIp %q: %w", c.ListenIP, err)
	}
	s.listen = listen.Unmap()
	if c.AnnouncedIP != "" {
		a, err := netip.ParseAddr(c.AnnouncedIP)
		if err != nil || a.IsUnspecified() || a.IsMulticast() {
			return s, invalid("announcedIp %q is not a unicast address", c.AnnouncedIP)
		}
		s.announced = a.Unmap()
	} else if s.listen.IsUnspecified() {
		return s, invalid("announcedIp is required when listenIp is %s", s.listen)
	}
	switch {
	case c.PortMin == 0 && c.PortMax == 0:
	case c.PortMin < 1 || c.PortMax > 65535 || c.PortMin > c.PortMax:
		return s, invalid("port range [%d, %d] is not within 1..65535", c.PortMin, c.PortMax)
	}
	s.portMin, s.portMax = c.PortMin, c.PortMax
	switch {
	case c.SocketBufferSize < 0:
		return s, invalid("socketBufferSize %d is negative", c.SocketBufferSize)
	case c.SocketBufferSize == 0:
		s.sockBuf = DefaultSocketBufferSize
	default:
		s.sockBuf = c.SocketBufferSize
	}
	if c.IdleTimeout < 0 {
		return s, invalid("idleTimeout %s is negative", c.IdleTimeout)
	}
	if c.SRTP {
		name := c.SRTPCryptoSuite
		if name == "" {
			name = SuiteAEADAES128GCM
		}
		st, err := lookupSuite(name)
		if err != nil {
			return s, err
		}
		s.suite = st
	} else if c.SRTPCryptoSuite != "" {
		return s, invalid("srtpCryptoSuite set without SRTP")
	}

	return s, nil
}
