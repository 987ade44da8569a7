package httpapi

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScanFlatObject(t *testing.T) {
	device, err := os.ReadFile("../../testdata/mediasoup-client-3.24.1-chromium-156.json")
	require.NoError(t, err)
	caps := string(device)
	for _, tc := range []struct {
		name, body, id string
		ok             bool
	}{
		{"usual", `{"producerId":"p-1","rtpCapabilities":` + caps + `}`, "p-1", true},
		{"either order, white space", ` { "rtpCapabilities" : ` + caps + ` , "producerId" : "p\u00e9" } `, "pé", true},
		{"no producer id (the query's)", `{"rtpCapabilities":` + caps + `}`, "", true},
		{"no capabilities", `{"producerId":"p-1"}`, "", false},
		{"another field", `{"producerId":"p-1","rtpCapabilities":` + caps + `,"paused":true}`, "", false},
		{"a field twice", `{"producerId":"p-1","producerId":"p-2","rtpCapabilities":` + caps + `}`, "", false},
		{"a name in another case", `{"ProducerId":"p-1","rtpCapabilities":` + caps + `}`, "", false},
		{"producer id not a string", `{"producerId":5,"rtpCapabilities":` + caps + `}`, "", false},
		{"capabilities not an object", `{"producerId":"p","rtpCapabilities":[1]}`, "", false},
		{"trailing text", `{"producerId":"p","rtpCapabilities":{}} x`, "", false},
		{"unterminated", `{"producerId":"p","rtpCapabilities":{"codecs":[}`, "", false},
		{"control byte in a string", "{\"producerId\":\"p\",\"rtpCapabilities\":{\"a\":\"\x01\"}}", "", false},
		{"bad escape", `{"producerId":"p","rtpCapabilities":{"a":"\q"}}`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ids [1]string
			raw, ok := scanFlatObject([]byte(tc.body), []string{"producerId"}, ids[:], "rtpCapabilities")
			require.Equal(t, tc.ok, ok)
			if ok {
				require.Equal(t, tc.id, ids[0])
				require.JSONEq(t, caps, string(raw))
			}
		})
	}
}
