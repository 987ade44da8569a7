package bootstrap

import (
	"fmt"
	"strings"
)

// MinClusterSecretLen is the shortest CLUSTER_SECRET a master or slave accepts: the secret is a bearer token that
// lets whoever holds it drive every slave's SFU and register slaves with the master, so it must not be guessable.
const MinClusterSecretLen = 16

// placeholderSecrets are values shipped in examples and docs: a process started with one of them has a secret
// everybody knows.
var placeholderSecrets = []string{
	"change-me-to-a-long-random-string", // .env.example
	"change-me",
}

// checkClusterSecret is the startup rule of CLUSTER_SECRET for a master or a slave (who): unset only on a loopback
// listen address (nobody else can reach the internal routes); when set, never an example placeholder and at least
// MinClusterSecretLen bytes. cmd/cluster makes a random 64-character one when it is unset.
func checkClusterSecret(cfg Config, who string) error {
	secret := cfg.ClusterSecret
	if secret == "" {
		if isLoopbackHost(cfg.ListenHost) {
			return nil
		}
		return fmt.Errorf("CLUSTER_SECRET: a %s listening on %q (not loopback) needs a cluster secret, or anyone who "+
			"can reach it could %s; set one (e.g. `openssl rand -hex 32`)", who, cfg.ListenHost, exposure(who))
	}
	for _, p := range placeholderSecrets {
		if strings.EqualFold(secret, p) {
			return fmt.Errorf("CLUSTER_SECRET: %q is the example placeholder; set a long random value shared by the "+
				"master and its slaves (e.g. `openssl rand -hex 32`)", secret)
		}
	}
	if len(secret) < MinClusterSecretLen {
		return fmt.Errorf("CLUSTER_SECRET: must be at least %d bytes, got %d; use a long random value "+
			"(e.g. `openssl rand -hex 32`)", MinClusterSecretLen, len(secret))
	}
	return nil
}

func exposure(who string) string {
	if who == "master" {
		return "register itself as a slave and receive the cluster's media"
	}
	return "drive its SFU"
}
