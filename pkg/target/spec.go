package target

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Kind says what a Spec selects by.
type Kind int

// The kinds of target spec.
const (
	KindID Kind = iota + 1
	KindTag
	KindName
	KindAlias
	KindGroup
)

func (k Kind) String() string {
	switch k {
	case KindID:
		return "id"
	case KindTag:
		return "tag"
	case KindName:
		return "name"
	case KindAlias:
		return "alias"
	case KindGroup:
		return "group"
	}
	return "unknown"
}

// Spec is one parsed target spec. Raw is what the user wrote; the field that
// goes with Kind holds the parsed value.
type Spec struct {
	Raw  string
	Kind Kind
	// ID is the node ID of a KindID spec.
	ID string
	// TagKey and TagValues are the key and the accepted values (any one
	// matches) of a KindTag spec. TagValues has at least one element, which
	// may be "" for "tag:Key=".
	TagKey    string
	TagValues []string
	// Pattern is the name or glob of a KindName spec.
	Pattern string
	// Alias is the alias name, without "@", of a KindAlias spec.
	Alias string
	// Group is the resource group name of a KindGroup spec.
	Group string
}

// String returns the spec as the user wrote it.
func (s Spec) String() string { return s.Raw }

// IsGlob reports whether a KindName spec is a glob rather than a literal name.
func (s Spec) IsGlob() bool { return s.Kind == KindName && isGlob(s.Pattern) }

// Limits from the AWS models (see doc.go).
const (
	maxTagKeyLen   = 128 // SSM TagKey
	maxTagValueLen = 256 // SSM TagValue
	maxTagValues   = 50  // SSM TargetValues
	maxNameLen     = 256 // a Name tag value, at most TagValue
	maxGroupLen    = 300 // Resource Groups GroupName
)

var (
	// idShaped is anything a user could have meant as a node ID.
	idShaped = lazyre.New(`^(?i:m?i)-[0-9A-Za-z]+$`)
	ec2ID    = lazyre.New(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)
	hybridID = lazyre.New(`^mi-[0-9a-f]{17}$`)
	// Resource Groups GroupName pattern, anchored.
	groupName = lazyre.New(`^([a-zA-Z0-9_.-]{1,300}|[a-zA-Z0-9_.-]{1,150}/[a-z0-9]{26})$`)
	aliasName = lazyre.New(`^[A-Za-z0-9_.-]+$`)
)

// Parse parses one target spec. Errors are usage errors (exit 252).
func Parse(raw string) (Spec, error) {
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, exitcode.Usagef("target %q: "+format, append([]any{raw}, args...)...)
	}
	if strings.TrimSpace(raw) == "" {
		return Spec{}, exitcode.Usagef("empty target spec")
	}
	if !utf8.ValidString(raw) {
		return bad("not valid UTF-8")
	}
	if i := strings.IndexFunc(raw, unicode.IsControl); i >= 0 {
		return bad("contains a control character")
	}
	s := Spec{Raw: raw}
	switch {
	case strings.HasPrefix(raw, "tag:"):
		return parseTag(raw)
	case strings.HasPrefix(raw, "group:"):
		name := raw[len("group:"):]
		if name == "" {
			return bad("missing resource group name after group:")
		}
		if len(name) > maxGroupLen || !groupName.MatchString(name) {
			return bad("invalid resource group name: 1 to %d of A-Z a-z 0-9 _ . -", maxGroupLen)
		}
		s.Kind, s.Group = KindGroup, name
		return s, nil
	case strings.HasPrefix(raw, "@"):
		name := raw[1:]
		if !aliasName.MatchString(name) {
			return bad("invalid alias name: letters, digits, _ . - after @")
		}
		s.Kind, s.Alias = KindAlias, name
		return s, nil
	}
	if i := strings.IndexByte(raw, ':'); i > 0 {
		switch prefix := strings.ToLower(raw[:i]); prefix {
		case "tag", "group":
			return bad("prefix %s: must be lower-case", prefix)
		case "tag-key", "resource-groups", "instanceids":
			return bad("unknown prefix %s: (targets are IDs, tag:Key=Value, group:Name, @alias or names)", raw[:i])
		}
	}
	if idShaped.MatchString(raw) {
		if ec2ID.MatchString(raw) || hybridID.MatchString(raw) {
			s.Kind, s.ID = KindID, raw
			return s, nil
		}
		return bad("not a valid node ID (i- and 8 or 17 lower-case hex digits, or mi- and 17); to match a node named so, write [%c]%s", raw[0], raw[1:])
	}
	if n := utf8.RuneCountInString(raw); n > maxNameLen {
		return bad("name longer than %d characters", maxNameLen)
	}
	if isGlob(raw) {
		if _, err := path.Match(raw, ""); err != nil {
			return bad("invalid glob: %v", err)
		}
	}
	s.Kind, s.Pattern = KindName, raw
	return s, nil
}

func parseTag(raw string) (Spec, error) {
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, exitcode.Usagef("target %q: "+format, append([]any{raw}, args...)...)
	}
	body := raw[len("tag:"):]
	key, values, ok := strings.Cut(body, "=")
	if !ok {
		return bad("missing =VALUE: tag targets select by value, e.g. tag:%s=prod", orDefault(key, "Env"))
	}
	if key == "" {
		return bad("missing tag key before =")
	}
	if utf8.RuneCountInString(key) > maxTagKeyLen {
		return bad("tag key longer than %d characters", maxTagKeyLen)
	}
	s := Spec{Raw: raw, Kind: KindTag, TagKey: key}
	if values == "" {
		s.TagValues = []string{""}
		return s, nil
	}
	seen := map[string]bool{}
	for _, v := range strings.Split(values, ",") {
		if v == "" {
			return bad("empty value in the list (\"tag:Key=\" alone matches the empty value)")
		}
		if utf8.RuneCountInString(v) > maxTagValueLen {
			return bad("tag value longer than %d characters", maxTagValueLen)
		}
		if !seen[v] {
			seen[v] = true
			s.TagValues = append(s.TagValues, v)
		}
	}
	if len(s.TagValues) > maxTagValues {
		return bad("more than %d values", maxTagValues)
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ParseAll parses specs and expands @aliases recursively. aliases maps an
// alias name (without "@") to the specs it stands for. Duplicate specs are
// dropped, keeping the first. Unknown aliases and alias cycles are usage
// errors naming the chain.
func ParseAll(raws []string, aliases map[string][]string) ([]Spec, error) {
	var out []Spec
	seen := map[string]bool{}
	var expand func(raw string, chain []string) error
	expand = func(raw string, chain []string) error {
		s, err := Parse(raw)
		if err != nil {
			if len(chain) > 0 {
				return exitcode.Usagef("%s: %s", chainString(chain), exitcode.Message(err))
			}
			return err
		}
		if s.Kind != KindAlias {
			if !seen[s.Raw] {
				seen[s.Raw] = true
				out = append(out, s)
			}
			return nil
		}
		next := append(chain[:len(chain):len(chain)], s.Alias)
		for _, c := range chain {
			if c == s.Alias {
				return exitcode.Usagef("alias cycle: %s", chainString(next))
			}
		}
		vals, ok := aliases[s.Alias]
		if !ok {
			if len(chain) > 0 {
				return exitcode.Usagef("unknown alias @%s (via %s)", s.Alias, chainString(chain))
			}
			return exitcode.Usagef("unknown alias @%s", s.Alias)
		}
		if len(vals) == 0 {
			return exitcode.Usagef("alias %s is empty", chainString(next))
		}
		for _, v := range vals {
			if err := expand(v, next); err != nil {
				return err
			}
		}
		return nil
	}
	for _, raw := range raws {
		if err := expand(raw, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func chainString(chain []string) string {
	parts := make([]string, len(chain))
	for i, c := range chain {
		parts[i] = "@" + c
	}
	return strings.Join(parts, " -> ")
}

func isGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// match reports whether name matches the pattern of a name spec: equality for
// a literal, path.Match syntax for a glob but with "*" and "?" matching "/".
// The pattern's syntax was checked by Parse.
func match(pattern, name string) bool {
	if !isGlob(pattern) {
		return pattern == name
	}
	items := compileGlob(pattern)
	n := []rune(name)
	pi, ni := 0, 0
	star, starNi := -1, 0
	for ni < len(n) {
		if pi < len(items) && items[pi].star {
			star, starNi = pi, ni
			pi++
			continue
		}
		if pi < len(items) && items[pi].matches(n[ni]) {
			pi++
			ni++
			continue
		}
		if star >= 0 {
			pi = star + 1
			starNi++
			ni = starNi
			continue
		}
		return false
	}
	for pi < len(items) && items[pi].star {
		pi++
	}
	return pi == len(items)
}

type globItem struct {
	star, any bool
	lit       rune
	class     bool
	negated   bool
	ranges    [][2]rune
}

func (g globItem) matches(r rune) bool {
	switch {
	case g.any:
		return true
	case g.class:
		in := false
		for _, rg := range g.ranges {
			if rg[0] <= r && r <= rg[1] {
				in = true
				break
			}
		}
		return in != g.negated
	}
	return g.lit == r
}

// compileGlob splits a syntactically valid path.Match pattern into items.
func compileGlob(pattern string) []globItem {
	p := []rune(pattern)
	var items []globItem
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			if len(items) == 0 || !items[len(items)-1].star {
				items = append(items, globItem{star: true})
			}
		case '?':
			items = append(items, globItem{any: true})
		case '\\':
			i++
			items = append(items, globItem{lit: p[i]})
		case '[':
			it := globItem{class: true}
			i++
			if p[i] == '^' {
				it.negated = true
				i++
			}
			for first := true; first || p[i] != ']'; first = false {
				lo := p[i]
				if lo == '\\' {
					i++
					lo = p[i]
				}
				i++
				hi := lo
				if p[i] == '-' {
					i++
					hi = p[i]
					if hi == '\\' {
						i++
						hi = p[i]
					}
					i++
				}
				it.ranges = append(it.ranges, [2]rune{lo, hi})
			}
			items = append(items, it)
		default:
			items = append(items, globItem{lit: p[i]})
		}
	}
	return items
}
