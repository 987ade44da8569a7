package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// With -simulcast, each publisher's video has len(client.DemoSimulcastEncodings) layers and subscriber i prefers
// layer i mod that: the viewers spread evenly over the layers, and each receives its layer's packets only.

// preferLayer sets the subscriber's preferred spatial layer on each of its simulcast consumers (the highest
// temporal layer).
func (r *runner) preferLayer(ctx context.Context, sub *client.Subscriber, layer int) error {
	for _, c := range sub.Consumers {
		if c.Type() != "simulcast" {
			continue
		}
		if err := r.api.SetPreferredLayers(ctx, c.ID(), client.Layers(layer, -1)); err != nil {
			return fmt.Errorf("preferred layers of %s: %w", c.ID(), err)
		}
	}
	return nil
}

// layersSent is what the publishers' simulcast layers sent so far, by layer (nil without -simulcast).
func (r *runner) layersSent() []uint64 {
	if !r.cfg.Simulcast {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]uint64, len(client.DemoSimulcastEncodings))
	for _, p := range r.publishers {
		if p.Simulcast == nil {
			continue
		}
		for i, l := range p.Simulcast.Layers {
			out[i] += l.PacketsSent()
		}
	}
	return out
}

// layerView is one simulcast layer in the summary.
type layerView struct {
	width, height int
	sentPPS       float64 // what the publishers sent on it per second in the window
	preferring    int     // joined viewers that prefer it
	receiving     int     // of those, how many last received a keyframe of this layer's size
}

// summarizeLayers counts the joined viewers per layer; sent is the layers' sent packets since the window opened.
func summarizeLayers(subs []*subscriber, sent []uint64, window float64) []layerView {
	if sent == nil {
		return nil
	}
	out := make([]layerView, len(client.DemoSimulcastEncodings))
	for i, e := range client.DemoSimulcastEncodings {
		out[i].width, out[i].height = int(1280/e.ScaleResolutionDownBy), int(720/e.ScaleResolutionDownBy)
		out[i].sentPPS = float64(sent[i]) / window
	}
	for _, s := range subs {
		if !s.done || s.err != nil {
			continue
		}
		l := &out[s.layer]
		l.preferring++
		for _, c := range s.sub.Consumers {
			if c.Type() == "simulcast" && c.Stats().Width == l.width {
				l.receiving++
				break
			}
		}
	}
	return out
}

// expectedLayerPPS is what the viewers should receive per second of video: each its layer's rate.
func expectedLayerPPS(layers []layerView) float64 {
	var pps float64
	for _, l := range layers {
		pps += float64(l.preferring) * l.sentPPS
	}
	return pps
}

func printLayers(w io.Writer, layers []layerView) {
	if len(layers) == 0 {
		return
	}
	fmt.Fprintln(w, "simulcast layers (viewer i prefers layer i mod 3; receiving: its last keyframe had the layer's size):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tsize\tsent pps\tviewers\treceiving\t")
	for i, l := range layers {
		fmt.Fprintf(tw, "%d\t%dx%d\t%s\t%d\t%d\t\n", i, l.width, l.height, stats.FormatNumber(l.sentPPS, 1), l.preferring, l.receiving)
	}
	_ = tw.Flush()
}
