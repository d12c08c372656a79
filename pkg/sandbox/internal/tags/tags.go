// Package tags holds the SSM tag rules and wire shapes that several areas
// share: nodes (fleet files), parameters, documents, Run Command targets
// and the tagging APIs.
package tags

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

var (
	// TagKey / TagValue patterns.
	KeyPattern   = lazyre.New(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	ValuePattern = lazyre.New(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
)

// MaxPerResource is AddTagsToResource's "Most resources can have a
// maximum of 50 tags."
const MaxPerResource = 50

// Wire is a tag as a request carries it (members may be missing).
type Wire struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

// Tag is a tag as an answer carries it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Check applies the SSM tag rules (TagKey 1..128, TagValue 0..256, the
// model's patterns, and the reserved aws: prefix) to a fleet file's tags.
func Check(k, v string) error {
	var vd protocol.Validator
	vd.Length("key", k, 1, 128)
	vd.Pattern("key", k, KeyPattern)
	vd.Length("value", v, 0, 256)
	vd.Pattern("value", v, ValuePattern)
	if e := vd.Err(); e != nil {
		return fmt.Errorf("tag %q=%q: %s", k, v, e.Message)
	}
	if Reserved(k) {
		return fmt.Errorf("tag %q: keys beginning with aws: are reserved for AWS", k)
	}
	return nil
}

// Reserved says whether a key has the aws: prefix AWS keeps for itself.
func Reserved(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

// ValidateList applies the model's rules to a TagList (AddTagsToResource,
// PutParameter, CreateDocument).
func ValidateList(v *protocol.Validator, tags []Wire) {
	v.Count("tags", len(tags), 0, 1000)
	for i, t := range tags {
		p := fmt.Sprintf("tags.%d.member", i+1)
		if v.Required(p+".key", t.Key != nil) {
			v.Length(p+".key", *t.Key, 1, 128)
			v.Pattern(p+".key", *t.Key, KeyPattern)
		}
		if v.Required(p+".value", t.Value != nil) {
			v.Length(p+".value", *t.Value, 0, 256)
			v.Pattern(p+".value", *t.Value, ValuePattern)
		}
	}
}

// List is a tag map as a TagList, sorted by key.
func List(tags map[string]string) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, k := range SortedKeys(tags) {
		out = append(out, Tag{Key: k, Value: tags[k]})
	}
	return out
}

// SortedKeys returns a tag map's keys in order, so answers are stable.
func SortedKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
