package ortc

import "github.com/sfu-cluster/sfu-cluster/domain"

// MaxEncodings bounds a producer's simulcast encodings (spatial layers): the domain's rule, sized arrays here.
const MaxEncodings = domain.MaxSimulcastEncodings

// TemporalLayers returns the temporal layers of an encoding (1 when it does not say); the encoding must have
// passed domain.RtpParameters.ValidateEncodings.
func TemporalLayers(enc domain.RtpEncodingParameters) int {
	_, t, err := domain.ParseScalabilityMode(enc.ScalabilityMode)
	if err != nil {
		return 1
	}
	return t
}
