package pipetransport

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/pion/srtp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// mediasoup's names of the SRTP crypto suites (its SrtpCryptoSuite type).
const (
	SuiteAEADAES256GCM       = "AEAD_AES_256_GCM"
	SuiteAEADAES128GCM       = "AEAD_AES_128_GCM"
	SuiteAESCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAESCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
)

// replayWindow is the receive-side replay window (RFC 3711 §3.3.2), as the WebRTC transports use: pion/srtp turns
// replay protection off unless asked, and 1024 packets tolerate reordered video bursts.
const replayWindow = 1024

// suite is a crypto suite with its master key and salt lengths: keyBase64 carries key || salt.
type suite struct {
	name    string
	profile srtp.ProtectionProfile
	keyLen  int
	saltLen int
}

var suites = []suite{
	{SuiteAEADAES128GCM, srtp.ProtectionProfileAeadAes128Gcm, 16, 12},
	{SuiteAEADAES256GCM, srtp.ProtectionProfileAeadAes256Gcm, 32, 12},
	{SuiteAESCM128HMACSHA1_80, srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14},
	{SuiteAESCM128HMACSHA1_32, srtp.ProtectionProfileAes128CmHmacSha1_32, 16, 14},
}

func lookupSuite(name string) (*suite, error) {
	for i := range suites {
		if suites[i].name == name {
			return &suites[i], nil
		}
	}

	return nil, invalid("srtp cryptoSuite %q is not supported", name)
}

// localKeys is our side of SRTP: a fresh random master key and salt, and the context that sends with them.
type localKeys struct {
	params domain.SrtpParameters
	tx     *srtp.Context
}

func newLocalKeys(st *suite) (*localKeys, error) {
	master := make([]byte, st.keyLen+st.saltLen)
	if _, err := rand.Read(master); err != nil {
		return nil, fmt.Errorf("pipetransport: srtp key: %w", err)
	}
	// The send context needs no replay window: it only encrypts.
	tx, err := srtp.CreateContext(master[:st.keyLen], master[st.keyLen:], st.profile)
	if err != nil {
		return nil, fmt.Errorf("pipetransport: srtp send context: %w", err)
	}

	return &localKeys{
		params: domain.SrtpParameters{CryptoSuite: st.name, KeyBase64: base64.StdEncoding.EncodeToString(master)},
		tx:     tx,
	}, nil
}

// receiveContext builds the context that decrypts what the remote sends with its own key (remote's parameters).
func receiveContext(remote *domain.SrtpParameters) (*srtp.Context, error) {
	if remote == nil {
		return nil, invalid("srtpParameters are required: the transport has SRTP enabled")
	}
	st, err := lookupSuite(remote.CryptoSuite)
	if err != nil {
		return nil, err
	}
	master, err := base64.StdEncoding.DecodeString(remote.KeyBase64)
	if err != nil {
		return nil, invalid("srtpParameters.keyBase64 is not base64: %w", err)
	}
	if len(master) != st.keyLen+st.saltLen {
		return nil, invalid("srtpParameters.keyBase64 holds %d bytes, %s needs %d",
			len(master), st.name, st.keyLen+st.saltLen)
	}
	rx, err := srtp.CreateContext(master[:st.keyLen], master[st.keyLen:], st.profile,
		srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
	if err != nil {
		return nil, fmt.Errorf("pipetransport: srtp receive context: %w", err)
	}

	return rx, nil
}
