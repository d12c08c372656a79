package params

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/envexec"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// PlanItem is one parameter of an import or copy: what would be written
// and whether that creates, updates or leaves it.
type PlanItem struct {
	Name   string
	Key    string // relative key in the source
	Action Action
	Put    Put
	// OldVersion is the version now at Name (0: none).
	OldVersion int64
}

// ImportOptions shape an import.
type ImportOptions struct {
	Prefix    string
	Type      string // type of created parameters; "" keeps an existing type, String for new
	Overwrite bool
}

// PlanImport compares entries (keys relative to the prefix) with what is
// under the prefix now (one GetParametersByPath listing, decrypted, so
// SecureString values compare as values).
func (c *Client) PlanImport(ctx context.Context, entries []Entry, o ImportOptions) ([]PlanItem, error) {
	prefix, err := ValidatePath(o.Prefix)
	if err != nil {
		return nil, err
	}
	if o.Type != "" {
		if o.Type, err = NormalizeType(o.Type); err != nil {
			return nil, err
		}
	}
	seen := map[string]string{}
	var items []PlanItem
	for _, e := range entries {
		name := Join(prefix, e.Key)
		if prev, ok := seen[name]; ok {
			return nil, usagef("keys %q and %q both name %s", prev, e.Key, name)
		}
		seen[name] = e.Key
		p := Put{Name: name, Value: e.Value, Type: o.Type}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		items = append(items, PlanItem{Name: name, Key: e.Key, Put: p})
	}
	existing, err := c.ByPath(ctx, prefix, true, true)
	if err != nil {
		return nil, err
	}
	have := map[string]Parameter{}
	for _, p := range existing {
		have[p.Name] = p
	}
	for i := range items {
		it := &items[i]
		cur, ok := have[it.Name]
		if !ok {
			it.Action = Create
			if it.Put.Type == "" {
				it.Put.Type = "String"
			}
			continue
		}
		it.OldVersion = cur.Version
		if it.Put.Type == "" {
			it.Put.Type = cur.Type
		}
		if cur.Value == it.Put.Value && cur.Type == it.Put.Type {
			it.Action = Unchanged
			continue
		}
		it.Action = Update
		it.Put.Overwrite = true
		it.Put.PrevVersion = cur.Version
	}
	return items, nil
}

// Apply writes the creates and updates of a plan with WriteAll.
// Unchanged items are returned as they are.
func (c *Client) Apply(ctx context.Context, items []PlanItem, st *Stats, progress func(done, failed int)) []WriteResult {
	var puts []Put
	var idx []int
	results := make([]WriteResult, len(items))
	for i, it := range items {
		if it.Action == Unchanged {
			results[i] = WriteResult{Name: it.Name, Action: Unchanged, Version: it.OldVersion}
			continue
		}
		puts = append(puts, it.Put)
		idx = append(idx, i)
	}
	for j, r := range c.WriteAll(ctx, puts, st, progress) {
		results[idx[j]] = r
	}
	return results
}

// Source is a parameter to copy: its value and the settings a copy keeps.
type Source struct {
	Parameter
	Tier           string
	KeyID          string
	Description    string
	AllowedPattern string
	Policies       []string
}

// ReadSources reads what copying needs: for a path, every parameter under
// it (recursive, or one level); for a name, that parameter. Values are
// decrypted.
func (c *Client) ReadSources(ctx context.Context, src string, path, recursive bool) ([]Source, error) {
	var values []Parameter
	var md []Metadata
	var err error
	if path {
		if values, err = c.ByPath(ctx, src, recursive, true); err != nil {
			return nil, err
		}
		if md, err = c.Describe(ctx, src, recursive); err != nil {
			return nil, err
		}
	} else {
		p, err := c.GetOne(ctx, src, true)
		if err != nil {
			return nil, err
		}
		values = []Parameter{p}
		if md, err = c.DescribeNames(ctx, []string{p.Name}); err != nil {
			return nil, err
		}
	}
	byName := map[string]Metadata{}
	for _, m := range md {
		byName[m.Name] = m
	}
	out := make([]Source, 0, len(values))
	for _, v := range values {
		m := byName[v.Name]
		out = append(out, Source{Parameter: v, Tier: m.Tier, KeyID: m.KeyID, Description: m.Description, AllowedPattern: m.AllowedPattern, Policies: m.Policies})
	}
	return out, nil
}

// CopyOptions shape a copy.
type CopyOptions struct {
	Src, Dst  string
	Path      bool // Src and Dst are paths (-r)
	Overwrite bool
	// SameKeys: the destination is in the same account and region, so a
	// customer managed KMS key can be kept.
	SameKeys bool
}

// PlanCopy maps sources to destination writes, keeping type, tier,
// description, allowed pattern, data type, policies (Advanced only) and,
// with SameKeys, the KMS key. Destination parameters are read to tell
// creates, updates and unchanged ones apart. Notes says what could not be
// kept.
func PlanCopy(sources []Source, existing map[string]Parameter, o CopyOptions) (items []PlanItem, notes []string) {
	for _, s := range sources {
		name := o.Dst
		if o.Path {
			dst, _ := ValidatePath(o.Dst)
			src, _ := ValidatePath(o.Src)
			name = Join(dst, Relative(src, s.Name))
		}
		p := Put{Name: name, Value: s.Value, Type: s.Type, Description: s.Description, AllowedPattern: s.AllowedPattern, DataType: s.DataType}
		if s.Tier == "Advanced" {
			p.Tier = "Advanced"
			if len(s.Policies) > 0 {
				p.Policies = "[" + strings.Join(s.Policies, ",") + "]"
			}
		}
		if s.Secure() && s.KeyID != "" && s.KeyID != "alias/aws/ssm" {
			if o.SameKeys {
				p.KeyID = s.KeyID
			} else {
				notes = append(notes, s.Name+": KMS key "+s.KeyID+" is not used in the destination; it gets the AWS managed key alias/aws/ssm")
			}
		}
		it := PlanItem{Name: name, Key: s.Name, Put: p, Action: Create}
		if cur, ok := existing[name]; ok {
			it.OldVersion = cur.Version
			if cur.Value == p.Value && cur.Type == p.Type {
				it.Action = Unchanged
			} else {
				it.Action = Update
				it.Put.Overwrite = true
				it.Put.PrevVersion = cur.Version
			}
		}
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	return items, notes
}

// Change is one difference between two paths.
type Change struct {
	Key    string
	Kind   string // added, removed, changed
	A, B   *Parameter
	Reason string // for changed: value, type or value and type
}

// Diff compares the parameters under two paths by relative key: keys only
// under b are added, only under a removed, under both with another value
// or type changed.
func Diff(pathA string, a []Parameter, pathB string, b []Parameter) []Change {
	am, bm := map[string]*Parameter{}, map[string]*Parameter{}
	for i := range a {
		am[Relative(pathA, a[i].Name)] = &a[i]
	}
	for i := range b {
		bm[Relative(pathB, b[i].Name)] = &b[i]
	}
	var out []Change
	for k, pa := range am {
		pb, ok := bm[k]
		switch {
		case !ok:
			out = append(out, Change{Key: k, Kind: "removed", A: pa})
		case pa.Value != pb.Value || pa.Type != pb.Type:
			var why []string
			if pa.Value != pb.Value {
				why = append(why, "value")
			}
			if pa.Type != pb.Type {
				why = append(why, "type")
			}
			out = append(out, Change{Key: k, Kind: "changed", A: pa, B: pb, Reason: strings.Join(why, " and ")})
		}
	}
	for k, pb := range bm {
		if _, ok := am[k]; !ok {
			out = append(out, Change{Key: k, Kind: "added", B: pb})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// EnvVar is one variable exec sets.
type EnvVar = envexec.Var

// Override is a variable a later path set again.
type Override = envexec.Override

// Env reads the parameters under each path (decrypted) and maps them to
// environment variables by EnvName of their key relative to the path.
// Later paths win; each override is reported, as is a collision within one
// path (the later name in order wins). empty lists the paths that gave no
// variable, in the order given.
func (c *Client) Env(ctx context.Context, paths []string, recursive bool) (vars []EnvVar, over []Override, empty []string, err error) {
	for _, p := range paths {
		if _, err := ValidatePath(p); err != nil {
			return nil, nil, nil, err
		}
	}
	var set envexec.Set
	for _, path := range paths {
		ps, err := c.ByPath(ctx, path, recursive, true)
		if err != nil {
			return nil, nil, nil, err
		}
		clean, _ := ValidatePath(path)
		found := false
		for _, p := range ps {
			name := EnvName(Relative(clean, p.Name))
			if name == "" {
				continue
			}
			found = true
			set.Add(name, p.Value, p.Name)
		}
		if !found {
			empty = append(empty, clean)
		}
	}
	return set.Vars, set.Overrides, empty, nil
}

// NothingUnder is the error of a read that found no parameter under
// paths where the caller needs some (param exec, param export): exit 254,
// naming them, as a missing name is; allow says what --allow-empty does
// instead. Read one level deep, a path whose parameters are all deeper is
// not told from one with none: the message says -r.
func NothingUnder(paths []string, recursive bool, allow string) error {
	where := "directly under"
	if recursive {
		where = "under"
	}
	msg := fmt.Sprintf("no parameters %s %s", where, strings.Join(paths, ", "))
	if !recursive {
		msg += " (-r reads every level)"
	}
	return exitcode.New(exitcode.AWS, "%s; %s", msg, allow)
}
