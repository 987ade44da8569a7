package ortc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestParseH264ProfileLevelID(t *testing.T) {
	tests := []struct {
		in      string
		profile h264Profile
		level   h264Level
		wantErr bool
	}{
		{in: "42e01f", profile: h264ConstrainedBaseline, level: 31},
		{in: "42E01F", profile: h264ConstrainedBaseline, level: 31},
		{in: "4d801f", profile: h264ConstrainedBaseline, level: 31},
		{in: "4d401f", profile: h264Main, level: 31},
		{in: "58a01f", profile: h264Baseline, level: 31},
		{in: "42001f", profile: h264Baseline, level: 31},
		{in: "4d0032", profile: h264Main, level: 50},
		{in: "640c1f", profile: h264ConstrainedHigh, level: 31},
		{in: "640032", profile: h264High, level: 50},
		{in: "f4001f", profile: h264PredictiveHigh444, level: 31},
		{in: "42f00b", profile: h264ConstrainedBaseline, level: h264Level1b},
		{in: "42e00b", profile: h264ConstrainedBaseline, level: 11},
		{in: "42e0", wantErr: true},
		{in: "42e01fff", wantErr: true},
		{in: "zze01f", wantErr: true},
		{in: "000000", wantErr: true},
		{in: "42e0ff", wantErr: true}, // unknown level
		{in: "58a11f", wantErr: true}, // reserved constraint bits set
		{in: "650c1f", wantErr: true}, // unknown profile_idc
		{in: "-2e01f", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseH264ProfileLevelID(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, errBadProfileLevelID)
				return
			}
			require.NoError(t, err)
			require.Equal(t, h264ProfileLevel{profile: tt.profile, level: tt.level}, got)
		})
	}
}

func TestH264AnswerProfileLevelID(t *testing.T) {
	p := func(kv ...any) domain.CodecParameters {
		out := domain.CodecParameters{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name          string
		local, remote domain.CodecParameters
		want          string
		wantErr       bool
	}{
		{name: "neither names one", local: p(), remote: p(), want: ""},
		{name: "asymmetry keeps local level", local: p("profile-level-id", "42e034", "level-asymmetry-allowed", 1),
			remote: p("profile-level-id", "42e01f", "level-asymmetry-allowed", "1"), want: "42e034"},
		{name: "no asymmetry takes the lower", local: p("profile-level-id", "42e034"),
			remote: p("profile-level-id", "42e01f", "level-asymmetry-allowed", 1), want: "42e01f"},
		{name: "no asymmetry, remote lower", local: p("profile-level-id", "4d0032"), remote: p("profile-level-id", "4d001f"), want: "4d001f"},
		{name: "level 1b below 1.1", local: p("profile-level-id", "42e00c"), remote: p("profile-level-id", "42f00b"), want: "42f00b"},
		{name: "level 1 below 1b", local: p("profile-level-id", "42e00a"), remote: p("profile-level-id", "42f00b"), want: "42e00a"},
		{name: "default side", local: p(), remote: p("profile-level-id", "42e034"), want: "42e01f"},
		{name: "high profile", local: p("profile-level-id", "640c34"), remote: p("profile-level-id", "640c1f"), want: "640c1f"},
		{name: "profile mismatch", local: p("profile-level-id", "42e01f"), remote: p("profile-level-id", "4d001f"), wantErr: true},
		{name: "invalid remote", local: p("profile-level-id", "42e01f"), remote: p("profile-level-id", "nope"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h264AnswerProfileLevelID(tt.local, tt.remote)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestH264ProfileLevelEncode(t *testing.T) {
	tests := []struct {
		in      h264ProfileLevel
		want    string
		wantErr bool
	}{
		{in: h264ProfileLevel{h264Baseline, h264Level1b}, want: "42100b"},
		{in: h264ProfileLevel{h264Main, h264Level1b}, want: "4d100b"},
		{in: h264ProfileLevel{h264High, 52}, want: "640034"},
		{in: h264ProfileLevel{h264High, h264Level1b}, wantErr: true},
		{in: h264ProfileLevel{h264ProfileUnknown, 31}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, err := tt.in.encode()
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
