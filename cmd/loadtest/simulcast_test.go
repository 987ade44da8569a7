package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
)

func TestSummarizeLayers(t *testing.T) {
	require.Nil(t, summarizeLayers(nil, nil, 10), "no layers without -simulcast")
	var subs []*subscriber
	for i := range 7 {
		subs = append(subs, &subscriber{layer: i % 3, done: true, sub: &client.Subscriber{}})
	}
	subs = append(subs, &subscriber{layer: 2, done: true, err: errors.New("join failed")}, &subscriber{layer: 1})
	layers := summarizeLayers(subs, []uint64{250, 750, 1750}, 10)
	require.Len(t, layers, 3)
	require.Equal(t, []int{3, 2, 2}, []int{layers[0].preferring, layers[1].preferring, layers[2].preferring}, "joined viewers only")
	require.Equal(t, [3][2]int{{320, 180}, {640, 360}, {1280, 720}},
		[3][2]int{{layers[0].width, layers[0].height}, {layers[1].width, layers[1].height}, {layers[2].width, layers[2].height}})
	require.InDelta(t, 3*25+2*75+2*175, expectedLayerPPS(layers), 1e-9)
}
