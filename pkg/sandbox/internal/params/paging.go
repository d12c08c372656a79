package params

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
)

// Page sizes and the cursor tokens of the paginated operations.

// Page sizes: the model's MaxResults bounds; the defaults are AWS's
// (GetParametersByPath 10, DescribeParameters 10, GetParameterHistory 50).
const (
	defaultByPathPage   = 10
	defaultDescribePage = 10
	defaultHistoryPage  = 50
)

// Cursor tokens for the name-ordered listings: they carry the last name
// returned, so parameters created or deleted between pages shift nothing.

func encodeCursorToken(fingerprint uint64, last string) string {
	b := make([]byte, 9, 9+len(last))
	b[0] = 2
	binary.BigEndian.PutUint64(b[1:9], fingerprint)
	return base64.StdEncoding.EncodeToString(append(b, last...))
}

func decodeCursorToken(token string, fingerprint uint64) (last string, ok bool) {
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(b) < 10 || b[0] != 2 || binary.BigEndian.Uint64(b[1:9]) != fingerprint {
		return "", false
	}
	return string(b[9:]), true
}

// pageLimit is how many items a page may hold. AWS documents that
// GetParametersByPath and DescribeParameters return "between zero and the
// value of MaxResults" items with a NextToken when the service "reaches an
// internal limit"; the sandbox cuts about one page in three to half its
// size, chosen by a hash of where the page starts, so a run is
// reproducible and clients must follow NextToken.
func pageLimit(start string, max int) int {
	h := fnv.New32a()
	h.Write([]byte(start))
	if max > 1 && h.Sum32()%3 == 0 {
		return max / 2
	}
	return max
}
