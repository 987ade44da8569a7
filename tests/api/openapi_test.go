package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.yaml.in/yaml/v3"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/docs"
)

// openAPIDoc is the part of docs/openapi.yaml these tests read.
type openAPIDoc struct {
	OpenAPI    string                               `yaml:"openapi"`
	Paths      map[string]map[string]yaml.Node      `yaml:"paths"`
	Components map[string]map[string]map[string]any `yaml:"components"`
}

// operation is the part of an operation these tests read.
type operation struct {
	OperationID string           `yaml:"operationId"`
	Tags        []string         `yaml:"tags"`
	Parameters  []map[string]any `yaml:"parameters"`
	Responses   map[string]any   `yaml:"responses"`
}

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	require.NoError(t, yaml.Unmarshal(docs.OpenAPI, &doc))
	require.Equal(t, "3.1.0", doc.OpenAPI)
	return doc
}

// fullMaster is the master's app with every optional route on: the event stream, readiness and metrics
// (opts.Metrics is filled in when nil).
func fullMaster(t *testing.T, opts httpapi.MasterServerOptions) *fiber.App {
	t.Helper()
	d, err := application.NewDeps(application.Deps{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo(),
		Nodes: apptest.NewFakeNodes(), Events: memory.NewEventBus(),
		Clock: apptest.NewFixedClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), IDs: &apptest.SeqIDs{}})
	require.NoError(t, err)
	if opts.Metrics == nil {
		opts.Metrics, err = httpapi.NewMetrics(nil, httpapi.MasterMetricsNamespace)
		require.NoError(t, err)
	}
	peers := application.NewPeers(d)
	rooms, producerPeers := application.NewRooms(d), application.NewProducerPeers(d, peers)
	consumerRouters, consumerPeers := application.NewConsumerRouters(d), application.NewConsumerPeers(d, peers, application.NewPipes(d, true))
	return httpapi.NewMasterServer(httpapi.MasterUseCases{
		Rooms: rooms, Peers: peers, ProducerPeers: producerPeers, Whip: application.NewWhip(rooms, peers, producerPeers),
		Whep:            application.NewWhep(d, peers, consumerRouters, consumerPeers),
		ConsumerRouters: consumerRouters, ConsumerPeers: consumerPeers,
		DataChannels: application.NewDataChannels(d, peers, application.NewPipes(d, true)),
		Slaves:       application.NewSlaves(d, peers), Events: memory.NewEventBus(),
		Ready: func(context.Context) error { return nil },
	}, opts)
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// registeredRoutes is "METHOD /path/{param}" for every handler route of app (HEAD, which Fiber adds for each
// GET, and middleware left out).
func registeredRoutes(app *fiber.App) []string {
	set := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead {
			continue
		}
		set[r.Method+" "+fiberParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	return sortedKeys(set)
}

func documentedRoutes(doc openAPIDoc) []string {
	set := map[string]bool{}
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(openAPIMethods, key) {
				set[strings.ToUpper(key)+" "+path] = true
			}
		}
	}
	return sortedKeys(set)
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// productionMaster is the master's app as cmd/master builds it (bootstrap.Master: readiness, metrics, events, the
// registry), on the in-memory store; built, not started.
func productionMaster(t *testing.T) *fiber.App {
	t.Helper()
	for k, v := range map[string]string{"DATABASE_URL": bootstrap.MemoryStoreURL, "LISTEN_HOST": "127.0.0.1", "PORT": "0",
		"LOG_LEVEL": "error", "CLUSTER_SECRET": "openapi-test-cluster-secret", "API_TOKEN_SECRET": tokenSecret} {
		t.Setenv(k, v)
	}
	cfg, err := bootstrap.LoadConfig(bootstrap.MasterPort, "")
	require.NoError(t, err)
	var app *fiber.App
	fxApp := fx.New(bootstrap.Master(cfg), fx.NopLogger, fx.Populate(&app))
	require.NoError(t, fxApp.Err())
	return app
}

func TestOpenAPIMatchesRegisteredRoutes(t *testing.T) {
	documented := documentedRoutes(loadOpenAPI(t))
	for name, app := range map[string]*fiber.App{
		"production":                      productionMaster(t),
		"every option of NewMasterServer": fullMaster(t, httpapi.MasterServerOptions{}),
	} {
		t.Run(name, func(t *testing.T) {
			registered := registeredRoutes(app)
			require.Contains(t, registered, "GET /readyz")
			for _, r := range registered {
				require.Contains(t, documented, r, "route registered by the master but missing from docs/openapi.yaml")
			}
			for _, r := range documented {
				require.Contains(t, registered, r, "route in docs/openapi.yaml that the master does not register")
			}
		})
	}
}

func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	seenIDs := map[string]string{}
	for path, item := range doc.Paths {
		var shared []map[string]any
		if node, ok := item["parameters"]; ok {
			require.NoError(t, node.Decode(&shared), path)
		}
		for method, node := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue
			}
			name := strings.ToUpper(method) + " " + path
			t.Run(name, func(t *testing.T) {
				var op operation
				require.NoError(t, node.Decode(&op))
				require.NotEmpty(t, op.OperationID, "operationId")
				require.NotContains(t, seenIDs, op.OperationID, "operationId reused by %s", seenIDs[op.OperationID])
				seenIDs[op.OperationID] = name
				require.Len(t, op.Tags, 1)
				// Every operation documents its success, except one the API refuses by design (WHIP's PATCH: 405).
				success := slices.ContainsFunc([]string{"200", "201", "204"}, func(c string) bool { _, ok := op.Responses[c]; return ok })
				_, refused := op.Responses["405"]
				require.True(t, success || (refused && len(op.Responses) == 1), "no 2xx response documented")
				if strings.HasPrefix(path, "/slaves") {
					require.Equal(t, []string{"cluster-internal"}, op.Tags)
				}
				declared := map[string]bool{}
				for _, p := range append(slices.Clone(shared), op.Parameters...) {
					p = resolveParameter(t, doc, p)
					if p["in"] == "path" {
						declared[p["name"].(string)] = true
					}
				}
				for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
					require.True(t, declared[m[1]], "path parameter %s not declared", m[1])
					delete(declared, m[1])
				}
				require.Empty(t, declared, "path parameters declared but not in the path")
			})
		}
	}
}

// resolveParameter follows a "#/components/parameters/x" reference.
func resolveParameter(t *testing.T, doc openAPIDoc, p map[string]any) map[string]any {
	t.Helper()
	ref, ok := p["$ref"].(string)
	if !ok {
		return p
	}
	name, found := strings.CutPrefix(ref, "#/components/parameters/")
	require.True(t, found, "unexpected parameter ref %s", ref)
	target, ok := doc.Components["parameters"][name]
	require.True(t, ok, "dangling ref %s", ref)
	return target
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	refs := regexp.MustCompile(`\$ref: '#/components/([A-Za-z]+)/([A-Za-z0-9_]+)'`).FindAllStringSubmatch(string(docs.OpenAPI), -1)
	require.NotEmpty(t, refs)
	used := map[string]bool{}
	for _, m := range refs {
		_, ok := doc.Components[m[1]][m[2]]
		require.True(t, ok, "dangling $ref #/components/%s/%s", m[1], m[2])
		used[m[1]+"/"+m[2]] = true
	}
	for kind, items := range doc.Components {
		if kind == "securitySchemes" {
			continue
		}
		for name := range items {
			require.True(t, used[kind+"/"+name], "components/%s/%s is never used", kind, name)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	app := fullMaster(t, httpapi.MasterServerOptions{})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, httpapi.OpenAPIPath, nil), -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/yaml", resp.Header.Get("Content-Type"))
	require.Equal(t, docs.OpenAPI, body)
}
