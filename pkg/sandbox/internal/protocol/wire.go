// Package protocol is the sandbox's wire: AWS JSON 1.1 and REST-JSON decoding and
// answers, SigV4 verification, AWS error values, epoch timestamps,
// pagination tokens, the models' validation rules, and the Session Manager
// data channel's message framing (datachannel.go).
package protocol

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is an error answer in AWS's shape: an HTTP status, the exception
// name AWS puts in "__type" (and X-Amzn-ErrorType), and a message.
type APIError struct {
	Status  int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// Errorf builds an error answer; format is used as is when no args follow.
func Errorf(status int, typ, format string, args ...any) *APIError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &APIError{Status: status, Type: typ, Message: msg}
}

// Constructors for the exceptions the sandbox answers with. The names come
// from the services' botocore models (errors per operation) or, for the
// front-end errors every AWS JSON service shares, from AWS's common errors.

func ErrValidation(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "ValidationException", "%s", msg)
}

func ErrSerialization(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "SerializationException", "%s", msg)
}

func ErrUnknownOperation() *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "UnknownOperationException"}
}

func ErrInvalidNextToken() *APIError {
	return Errorf(http.StatusBadRequest, "InvalidNextToken", "The specified token isn't valid.")
}

func ErrInvalidInstanceID(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "InvalidInstanceId", "%s", msg)
}

func ErrInvalidFilterKey(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "InvalidFilterKey", "%s", msg)
}

func ErrInvalidFilterValue(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "InvalidInstanceInformationFilterValue", "%s", msg)
}

func ErrInvalidResourceID() *APIError {
	return Errorf(http.StatusBadRequest, "InvalidResourceId", "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
}

func ErrInvalidResourceType() *APIError {
	return Errorf(http.StatusBadRequest, "InvalidResourceType", "The resource type isn't valid.")
}

func ErrTooManyTags() *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "TooManyTagsError"}
}

// EpochTime is a timestamp as AWS's JSON protocols encode it: seconds since
// the epoch as a JSON number, with millisecond fractions.
type EpochTime time.Time

func (t EpochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func (t *EpochTime) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s is not a number of epoch seconds", b)
	}
	sec := int64(f)
	*t = EpochTime(time.Unix(sec, int64((f-float64(sec))*1e9)).UTC())
	return nil
}

func Epoch(t time.Time) *EpochTime {
	if t.IsZero() {
		return nil
	}
	e := EpochTime(t)
	return &e
}

// DecodeJSON reads a JSON 1.1 / REST-JSON request body. AWS ignores members
// it does not know (the SDKs rely on that when a model gains members), so
// this does too; a body that is not JSON, or a member of the wrong JSON type,
// is a SerializationException as AWS answers it.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return ErrSerialization(fmt.Sprintf("Unexpected value type for member %q: %s", typeErr.Field, typeErr.Value))
		}
		return ErrSerialization("Start of structure or map found where not expected, or the request body is not valid JSON.")
	}
	if dec.More() {
		return ErrSerialization("Unexpected content after the end of the JSON document.")
	}
	return nil
}

// Pagination tokens are opaque to clients: base64 of a version byte, a
// fingerprint of the listing (operation and filters), and an offset. A token
// from another listing, or one that was tampered with, is refused.

func PageFingerprint(parts ...any) uint64 {
	h := sha256.New()
	for _, p := range parts {
		b, _ := json.Marshal(p)
		h.Write(b)
		h.Write([]byte{0})
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

func EncodePageToken(fingerprint uint64, offset int) string {
	var b [17]byte
	b[0] = 1
	binary.BigEndian.PutUint64(b[1:9], fingerprint)
	binary.BigEndian.PutUint64(b[9:], uint64(offset))
	return base64.StdEncoding.EncodeToString(b[:])
}

// DecodePageToken returns the offset a token points at. An empty token is
// offset 0. ok is false for a token that this listing did not issue.
func DecodePageToken(token string, fingerprint uint64, total int) (offset int, ok bool) {
	if token == "" {
		return 0, true
	}
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(b) != 17 || b[0] != 1 {
		return 0, false
	}
	if binary.BigEndian.Uint64(b[1:9]) != fingerprint {
		return 0, false
	}
	off := binary.BigEndian.Uint64(b[9:])
	if off > uint64(total) {
		return 0, false
	}
	return int(off), true
}

// page cuts one page out of n items: it returns the bounds and the next
// token ("" on the last page).
func Page(n, offset, size int, fingerprint uint64) (from, to int, next string) {
	to = min(offset+size, n)
	if to < n {
		next = EncodePageToken(fingerprint, to)
	}
	return offset, to, next
}

// Validator collects constraint violations in AWS's words. AWS reports
// member paths in lowerCamelCase ("maxResults", "tags.1.member.key") and
// joins several violations: "2 validation errors detected: ...; ...".
// The rules (lengths, ranges, patterns, enums) are written per field from
// the botocore service models.
type Validator struct {
	errs []string
}

func (v *Validator) Add(value, path, constraint string) {
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

func QuoteValue(s string) string { return "'" + s + "'" }

// required reports a missing required member.
func (v *Validator) Required(path string, present bool) bool {
	if !present {
		v.Add("null", path, "Member must not be null")
	}
	return present
}

func (v *Validator) IntRange(path string, n *int32, lo, hi int64) {
	if n == nil {
		return
	}
	x := int64(*n)
	if x < lo {
		v.Add(QuoteValue(strconv.FormatInt(x, 10)), path, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if x > hi {
		v.Add(QuoteValue(strconv.FormatInt(x, 10)), path, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
}

// length checks a string's length in characters; hi < 0 means no maximum.
func (v *Validator) Length(path, s string, lo, hi int) {
	n := utf8.RuneCountInString(s)
	if n < lo {
		v.Add(QuoteValue(s), path, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	}
	if hi >= 0 && n > hi {
		v.Add(QuoteValue(s), path, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

func (v *Validator) Count(path string, n, lo, hi int) {
	if n < lo {
		v.Add("'[...]'", path, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	}
	if hi >= 0 && n > hi {
		v.Add("'[...]'", path, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

// Pattern is a compiled regular expression: a *regexp.Regexp or a
// *lazyre.Regexp.
type Pattern interface {
	MatchString(string) bool
	String() string
}

func (v *Validator) Pattern(path, s string, re Pattern) {
	if !re.MatchString(s) {
		v.Add(QuoteValue(s), path, "Member must satisfy regular expression pattern: "+re.String())
	}
}

func (v *Validator) Enum(path, s string, values ...string) {
	for _, e := range values {
		if s == e {
			return
		}
	}
	v.Add(QuoteValue(s), path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// err returns the ValidationException for what was collected, or nil.
func (v *Validator) Err() *APIError {
	if len(v.errs) == 0 {
		return nil
	}
	word := "error"
	if len(v.errs) > 1 {
		word = "errors"
	}
	return ErrValidation(fmt.Sprintf("%d validation %s detected: %s", len(v.errs), word, strings.Join(v.errs, "; ")))
}

// Empty is an answer with no members.
type Empty struct{}

// Deref is a string member's value, "" when it is missing.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// PlatformTypes is SSM's PlatformType enum, in the model's order.
var PlatformTypes = []string{"Windows", "Linux", "MacOS"}

// ParseFilterTime parses a timestamp given as a filter value
// (ListCommands' InvokedAfter, DescribeSessions' InvokedBefore, ...).
func ParseFilterTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp")
}

// PageOf answers one page of a listing: it finds the offset token points
// at, cuts that page out of items and converts it with wire. ok is false
// for a token this listing (fingerprint) did not issue.
func PageOf[T, W any](items []T, token string, fingerprint uint64, size int, wire func(T) W) (page []W, next string, ok bool) {
	off, ok := DecodePageToken(token, fingerprint, len(items))
	if !ok {
		return nil, "", false
	}
	from, to, next := Page(len(items), off, size, fingerprint)
	page = make([]W, 0, to-from)
	for _, it := range items[from:to] {
		page = append(page, wire(it))
	}
	return page, next, true
}
