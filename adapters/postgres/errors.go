package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dbErr turns a driver error into the domain's vocabulary, keeping the original in the chain:
// no rows → notFound (when given), unique violation → ErrConflict, check violation → ErrInvalidInput, a database
// that cannot be reached → ErrUnavailable. Anything else is wrapped as it is.
func dbErr(what string, err error, notFound error) error {
	switch {
	case err == nil:
		return nil
	case notFound != nil && errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, notFound)
	case isUniqueViolation(err):
		return fmt.Errorf("%s: %w: %w", what, domain.ErrConflict, err)
	case isCheckViolation(err):
		return fmt.Errorf("%s: %w: %w", what, domain.ErrInvalidInput, err)
	case isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", what, domain.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
)

func pgCode(err error) string {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C')
	}
	return ""
}

// pgConstraint names the constraint a PostgreSQL error is about ("" for SQLite, whose messages do not).
func pgConstraint(err error) string {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('n')
	}
	return ""
}

// SQLite reports constraints in its message only ("constraint failed: UNIQUE constraint failed: routers.room_id,
// routers.slave_id (2067)").
func sqliteMessage(err error, what string) bool {
	return strings.Contains(err.Error(), what+" constraint failed")
}

func isUniqueViolation(err error) bool {
	return pgCode(err) == pgUniqueViolation || sqliteMessage(err, "UNIQUE") || sqliteMessage(err, "PRIMARY KEY")
}

func isForeignKeyViolation(err error) bool {
	return pgCode(err) == pgForeignKeyViolation || sqliteMessage(err, "FOREIGN KEY")
}

func isCheckViolation(err error) bool {
	return pgCode(err) == pgCheckViolation || sqliteMessage(err, "CHECK")
}

// isUnavailable: the database cannot be reached or refuses work for now, as opposed to a query it rejects.
func isUnavailable(err error) bool {
	if code := pgCode(err); code != "" {
		// Class 08: connection exception; 53: insufficient resources; 57P0x: shutdown / cannot connect now.
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P0")
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "database is locked") // SQLite: busy_timeout ran out
}
