package webrtctransport

import (
	"github.com/pion/logging"
	"go.uber.org/zap"
)

// pionLoggerFactory routes pion/dtls's own logging into zap at debug level:
// whatever makes a transport fail reaches the owner through OnClose and is
// logged once there, so Pion's copies are only interesting when debugging.
// Pion's trace level is dropped: it logs every record.
type pionLoggerFactory struct{ log *zap.Logger }

func (f pionLoggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With(zap.String("pion", scope)).Sugar()}
}

type pionLogger struct{ log *zap.SugaredLogger }

func (pionLogger) Trace(string)                   {}
func (pionLogger) Tracef(string, ...any)          {}
func (l pionLogger) Debug(msg string)             { l.log.Debug(msg) }
func (l pionLogger) Debugf(f string, args ...any) { l.log.Debugf(f, args...) }
func (l pionLogger) Info(msg string)              { l.log.Debug(msg) }
func (l pionLogger) Infof(f string, args ...any)  { l.log.Debugf(f, args...) }
func (l pionLogger) Warn(msg string)              { l.log.Debug(msg) }
func (l pionLogger) Warnf(f string, args ...any)  { l.log.Debugf(f, args...) }
func (l pionLogger) Error(msg string)             { l.log.Debug(msg) }
func (l pionLogger) Errorf(f string, args ...any) { l.log.Debugf(f, args...) }
