package main

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseConfigDefaults(t *testing.T) {
	t.Setenv("CLUSTER_SECRET", "")
	c, err := parseConfig(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, config{MasterURL: "http://127.0.0.1:3010", Publishers: 1, Subscribers: 10, Duration: 20 * time.Second, Settle: 5 * time.Second,
		JoinRate: 10, JoinConcurrency: 50, JoinTimeout: 30 * time.Second, HTTPTimeout: 10 * time.Second, Audio: true,
		Video: true, AudioPPS: 50, VideoPPS: 100, VideoPayload: 1200, DataRate: 50, DataSize: 64, Loopback: true, TransportCC: true, Progress: time.Second,
		APIWarmup: 2 * time.Second}, c)
	require.Equal(t, 150, c.packetsPerSubscriber())
}

func TestParseConfigFlags(t *testing.T) {
	t.Setenv("CLUSTER_SECRET", "from-env")
	c, err := parseConfig([]string{"-master", "http://10.0.0.5:3010", "-publishers", "2", "-subscribers", "200",
		"-duration", "5s", "-join-rate", "0", "-slave-pids", " 123, 456,", "-video=false", "-audio-pps", "25",
		"-loopback=false", "-seed-only"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "http://10.0.0.5:3010", c.MasterURL)
	require.Equal(t, []int{123, 456}, c.SlavePIDs)
	require.Equal(t, "from-env", c.Secret)
	require.Zero(t, c.JoinRate)
	require.False(t, c.Loopback)
	require.True(t, c.SeedOnly)
	require.Equal(t, 50, c.packetsPerSubscriber(), "2 publishers × 25 pps of audio")
}

func TestParseConfigSimulcast(t *testing.T) {
	c, err := parseConfig([]string{"-simulcast", "-publishers", "2"}, io.Discard)
	require.NoError(t, err)
	require.True(t, c.Simulcast)
	require.Equal(t, 100, c.packetsPerSubscriber(), "audio only: a viewer's video rate is its layer's")
}

func TestParseConfigRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad master", []string{"-master", "127.0.0.1:3010"}, "-master"},
		{"no publisher", []string{"-publishers", "0"}, "-publishers"},
		{"negative subscribers", []string{"-subscribers", "-1"}, "-subscribers"},
		{"zero duration", []string{"-duration", "0s"}, "-duration"},
		{"negative rate", []string{"-join-rate", "-2"}, "-join-rate"},
		{"nothing to send", []string{"-audio=false", "-video=false"}, "nothing to send"},
		{"simulcast without video", []string{"-simulcast", "-video=false"}, "-simulcast"},
		{"payload over the MTU", []string{"-video-payload", "1400"}, "-video-payload"},
		{"bad pid", []string{"-slave-pids", "12,abc"}, "-slave-pids"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
		{"unknown flag", []string{"-nope"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, io.Discard)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	require.Equal(t, 2, run([]string{"-publishers", "0"}, io.Discard, io.Discard))
	require.Equal(t, 0, run([]string{"-h"}, io.Discard, io.Discard))
}

func TestParseConfigAPIOnly(t *testing.T) {
	c, err := parseConfig([]string{"-api-only", "-api-rate", "250", "-api-masters", "http://127.0.0.1:3020/, http://127.0.0.1:3030",
		"-pg-port", "5432", "-api-leave"}, io.Discard)
	require.NoError(t, err)
	require.True(t, c.APIOnly)
	require.True(t, c.APILeave)
	require.InDelta(t, 250.0, c.APIRate, 0)
	require.Equal(t, []string{"http://127.0.0.1:3020", "http://127.0.0.1:3030"}, c.APIMasters)
	require.Equal(t, 5432, c.PGPort)
	for _, bad := range [][]string{{"-api-rate", "-1"}, {"-api-masters", "ftp://x"}, {"-pg-port", "70000"}, {"-api-only", "-seed-only"}} {
		_, err := parseConfig(bad, io.Discard)
		require.Error(t, err, "%v", bad)
	}
}
