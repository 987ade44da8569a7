package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
)

// listSlaves reads GET /slaves with the cluster secret.
func listSlaves(masterURL string) ([]httpapi.SlaveView, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", masterURL+"/slaves", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /slaves: %d", resp.StatusCode)
	}
	var out []httpapi.SlaveView
	return out, json.NewDecoder(resp.Body).Decode(&out)
}
