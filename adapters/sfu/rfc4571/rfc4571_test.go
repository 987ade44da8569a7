package rfc4571

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	var stream []byte
	packets := [][]byte{{1}, bytes.Repeat([]byte{2}, 1200), bytes.Repeat([]byte{3}, MaxPacket)}
	for _, p := range packets {
		var err error
		stream, err = AppendFrame(stream, p)
		require.NoError(t, err)
	}
	r := bufio.NewReader(bytes.NewReader(stream))
	buf := make([]byte, MaxPacket)
	for _, want := range packets {
		n, err := ReadFrame(r, buf)
		require.NoError(t, err)
		require.Equal(t, want, buf[:n])
	}
	_, err := ReadFrame(r, buf)
	require.ErrorIs(t, err, io.EOF)
}

func TestReadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		stream []byte
		max    int
		want   error
	}{
		"too large":         {[]byte{0x08, 0x01, 1, 2, 3}, 2048, ErrTooLarge},
		"empty":             {[]byte{0, 0}, 10, ErrEmpty},
		"cut in the header": {[]byte{0}, 10, io.ErrUnexpectedEOF},
		"cut in the packet": {[]byte{0, 5, 1, 2}, 10, io.ErrUnexpectedEOF},
		"nothing":           {nil, 10, io.EOF},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadFrame(bufio.NewReader(bytes.NewReader(tc.stream)), make([]byte, tc.max))
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestAppendErrors(t *testing.T) {
	_, err := AppendFrame(nil, nil)
	require.ErrorIs(t, err, ErrEmpty)
	_, err = AppendFrame(nil, make([]byte, MaxPacket+1))
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestReadAllocatesNothing(t *testing.T) {
	frame, err := AppendFrame(nil, bytes.Repeat([]byte{7}, 1000))
	require.NoError(t, err)
	src := bytes.NewReader(nil)
	r := bufio.NewReaderSize(src, 4096)
	buf := make([]byte, 2048)
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(frame)
		r.Reset(src)
		if _, err := ReadFrame(r, buf); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}
