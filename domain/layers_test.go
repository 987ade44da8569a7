package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConsumerLayersValidate(t *testing.T) {
	two, minus, three := 2, -1, 3
	tests := []struct {
		name   string
		layers ConsumerLayers
		ok     bool
	}{
		{"lowest", ConsumerLayers{SpatialLayer: 0}, true},
		{"highest with temporal", ConsumerLayers{SpatialLayer: 2, TemporalLayer: &two}, true},
		{"negative spatial", ConsumerLayers{SpatialLayer: -1}, false},
		{"spatial above", ConsumerLayers{SpatialLayer: 3}, false},
		{"negative temporal", ConsumerLayers{SpatialLayer: 1, TemporalLayer: &minus}, false},
		{"temporal above", ConsumerLayers{SpatialLayer: 1, TemporalLayer: &three}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.layers.Validate(3, 3)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalidInput)
			}
		})
	}
}
