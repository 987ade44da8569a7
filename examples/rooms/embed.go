// Package rooms embeds the built demo web app (dist/: index.html, app.js, style.css) so the cluster binary can serve
// it without Node. dist/ is committed; rebuild it with `npm ci && npm run build` after changing src/.
package rooms

import "embed"

// Dist holds dist/ (paths start with "dist/"; use fs.Sub(Dist, "dist") to serve it at a root).
//
//go:embed dist
var Dist embed.FS
