package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
	"go.uber.org/zap"
)

// driverLog is where the database driver's own messages go (a listener connection it discarded, a dropped
// notification): they are process-wide in bun and pgdriver, so the last SetDriverLogger wins.
var driverLog atomic.Pointer[zap.Logger]

// SetDriverLogger sends what bun and its PostgreSQL driver log (plain text on stderr by default) to log, at warn
// level, as structured lines like the rest of the process's.
func SetDriverLogger(log *zap.Logger) {
	driverLog.Store(log.WithOptions(zap.AddCallerSkip(2)))
	pgdriver.Logger = pgdriverLogger{}
	bun.SetLogger(bunLogger{})
}

type (
	pgdriverLogger struct{}
	bunLogger      struct{}
)

// Printf is pgdriver's logging interface.
func (pgdriverLogger) Printf(_ context.Context, format string, v ...any) {
	writeDriverLog(format, v...)
}

// Printf is bun's logging interface.
func (bunLogger) Printf(format string, v ...any) { writeDriverLog(format, v...) }

func writeDriverLog(format string, v ...any) {
	if log := driverLog.Load(); log != nil {
		log.Warn(strings.TrimSpace(fmt.Sprintf(format, v...)), zap.String("component", "database driver"))
	}
}
