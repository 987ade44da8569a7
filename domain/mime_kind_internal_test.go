package domain

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// MimeKind accepts exactly what the regular expression it replaced matched.
func TestMimeKindMatchesItsRegularExpression(t *testing.T) {
	re := regexp.MustCompile(`^(audio|video)/([^/\s]+)$`)
	for _, m := range []string{
		"audio/opus", "video/VP8", "video/rtx", "video/H264", "audio/", "video", "", "/opus", "Audio/opus",
		"video/VP8/x", "video/VP 8", "video/VP8\n", "video/\tVP8", "application/json", "audio/opus\r", "video/\f",
		"video/\v", "video/é", "video/\xff", "audio//", "videos/VP8", " audio/opus",
	} {
		kind, err := MimeKind("f", m)
		if sub := re.FindStringSubmatch(m); sub != nil {
			require.NoError(t, err, m)
			require.Equal(t, MediaKind(sub[1]), kind, m)
		} else {
			require.ErrorIs(t, err, ErrInvalidInput, m)
		}
	}
}
