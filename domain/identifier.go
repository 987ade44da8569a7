package domain

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxIDLen bounds every identifier a client sends: ids in paths, userId, roomId and the other *Id fields.
const MaxIDLen = 128

// MaxUserIDLen bounds userId, which clients choose (the identifier rule's bound).
const MaxUserIDLen = MaxIDLen

// ValidateIdentifier is the one rule for identifiers from clients: non-empty, at most MaxIDLen bytes of valid
// UTF-8, every character printable (no control characters: NUL, which PostgreSQL refuses in text, newlines,
// escapes, DEL, the C1 range; no format or separator characters other than the ASCII space). field names the
// identifier in the error.
func ValidateIdentifier(field, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s is required", ErrInvalidInput, field)
	}
	if len(v) > MaxIDLen {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalidInput, field, MaxIDLen)
	}
	return ValidateText(field, v)
}

// ValidateText is the identifier rule without the bounds: valid UTF-8 of printable characters only. Free text from
// clients that ends up in the store or a log (query strings, ids lists) must pass it.
func ValidateText(field, v string) error {
	for i, r := range v {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(v[i:]); size <= 1 {
				return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidInput, field)
			}
		}
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: %s contains the non-printable character %U", ErrInvalidInput, field, r)
		}
	}
	return nil
}
