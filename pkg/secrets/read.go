package secrets

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Value is one version of a secret with its value: String for a text
// secret, Binary for a binary one.
type Value struct {
	Name, ARN, VersionID string
	Stages               []string
	Created              time.Time
	String               *string
	Binary               []byte
}

// Get reads a secret's value: the version with versionID, or the one with
// stage, or AWSCURRENT.
func (c *Client) Get(ctx context.Context, id, versionID, stage string) (*Value, error) {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	if stage != "" {
		in.VersionStage = aws.String(stage)
	}
	out, err := c.API.GetSecretValue(ctx, in)
	if err != nil {
		return nil, err
	}
	return &Value{Name: aws.ToString(out.Name), ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId),
		Stages: out.VersionStages, Created: aws.ToTime(out.CreatedDate), String: out.SecretString, Binary: out.SecretBinary}, nil
}

// Field finds a key of a JSON secret: a top-level key, or a dotted path
// into nested objects (a key that itself holds dots is found whole
// first). A string is its text; anything else its JSON. A missing key is
// exit 254 naming the keys that exist, never a value.
func Field(name, value, path string) (string, error) {
	var obj map[string]any
	if err := decodeObject(value, &obj); err != nil || obj == nil {
		return "", exitcode.New(exitcode.AWS, "secret %s is not a JSON object: --field needs one (--value-only prints the whole value)", name)
	}
	v, ok := lookup(obj, path)
	if !ok {
		return "", exitcode.New(exitcode.AWS, "secret %s has no key %q; its keys: %s", name, path, strings.Join(keysOf(obj, path), ", "))
	}
	return render(v), nil
}

// lookup walks a dotted path, trying the longest key first at each level.
func lookup(obj map[string]any, path string) (any, bool) {
	if v, ok := obj[path]; ok {
		return v, true
	}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 1; i-- {
		head := strings.Join(parts[:i], ".")
		v, ok := obj[head]
		if !ok {
			continue
		}
		sub, isObj := v.(map[string]any)
		if !isObj {
			continue
		}
		if got, ok := lookup(sub, strings.Join(parts[i:], ".")); ok {
			return got, true
		}
	}
	return nil, false
}

// keysOf lists the keys at the deepest level of path that exists.
func keysOf(obj map[string]any, path string) []string {
	parts := strings.Split(path, ".")
	prefix := ""
	for i := 1; i < len(parts); i++ {
		sub, ok := obj[parts[i-1]].(map[string]any)
		if !ok {
			break
		}
		obj, prefix = sub, prefix+parts[i-1]+"."
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, prefix+k)
	}
	sort.Strings(keys)
	return keys
}

func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Summary is a secret as ListSecrets and DescribeSecret show it: never
// its value.
type Summary struct {
	Name, ARN, Description, KmsKeyID string
	RotationEnabled                  bool
	RotationLambda                   string
	RotationDays                     int64
	Schedule, Window                 string
	LastRotated, NextRotation        time.Time
	LastChanged, LastAccessed        time.Time
	Created, Deleted                 time.Time
	Tags                             map[string]string
	Versions                         map[string][]string
	PrimaryRegion                    string
	Replication                      []Replica
}

// Replica is a region the secret is replicated to.
type Replica struct {
	Region, Status, Message string
}

// Filter is one ListSecrets filter: name, description, tag-key,
// tag-value, primary-region, owning-service or all; a value starting with
// ! negates.
type Filter struct {
	Key    string
	Values []string
}

// FilterKeys are the keys ListSecrets filters on.
var FilterKeys = []string{"name", "description", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

// ParseFilter reads KEY=VALUE[,VALUE...].
func ParseFilter(s string) (Filter, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || v == "" {
		return Filter{}, exitcode.Usagef("filter %q: want KEY=VALUE (keys: %s)", s, strings.Join(FilterKeys, ", "))
	}
	for _, key := range FilterKeys {
		if k == key {
			return Filter{Key: k, Values: strings.Split(v, ",")}, nil
		}
	}
	return Filter{}, exitcode.Usagef("filter %q: unknown key %q (keys: %s)", s, k, strings.Join(FilterKeys, ", "))
}

// List lists the secrets the filters match, every page; with
// includeDeleted, also those scheduled for deletion.
func (c *Client) List(ctx context.Context, filters []Filter, includeDeleted bool) ([]Summary, error) {
	in := &secretsmanager.ListSecretsInput{SortBy: types.SortByTypeName, SortOrder: types.SortOrderTypeAsc}
	if includeDeleted {
		in.IncludePlannedDeletion = aws.Bool(true)
	}
	for _, f := range filters {
		in.Filters = append(in.Filters, types.Filter{Key: types.FilterNameStringType(f.Key), Values: f.Values})
	}
	var out []Summary
	p := secretsmanager.NewListSecretsPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.SecretList {
			out = append(out, summary(e.Name, e.ARN, e.Description, e.KmsKeyId, e.RotationEnabled, e.RotationLambdaARN, e.RotationRules,
				e.LastRotatedDate, e.NextRotationDate, e.LastChangedDate, e.LastAccessedDate, e.CreatedDate, e.DeletedDate, e.Tags, e.SecretVersionsToStages, e.PrimaryRegion))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Names lists the names of the secrets starting with prefix, for
// completion.
func (c *Client) Names(ctx context.Context, prefix string) ([]string, error) {
	var fs []Filter
	if prefix != "" {
		fs = []Filter{{Key: "name", Values: []string{prefix}}}
	}
	ss, err := c.List(ctx, fs, false)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ss))
	for _, s := range ss {
		names = append(names, s.Name)
	}
	return names, nil
}

// Describe describes a secret, never its value.
func (c *Client) Describe(ctx context.Context, id string) (*Summary, error) {
	e, err := c.API.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	s := summary(e.Name, e.ARN, e.Description, e.KmsKeyId, e.RotationEnabled, e.RotationLambdaARN, e.RotationRules,
		e.LastRotatedDate, e.NextRotationDate, e.LastChangedDate, e.LastAccessedDate, e.CreatedDate, e.DeletedDate, e.Tags, e.VersionIdsToStages, e.PrimaryRegion)
	for _, r := range e.ReplicationStatus {
		s.Replication = append(s.Replication, Replica{Region: aws.ToString(r.Region), Status: string(r.Status), Message: aws.ToString(r.StatusMessage)})
	}
	return &s, nil
}

func summary(name, arn, desc, kms *string, rotEnabled *bool, lambda *string, rules *types.RotationRulesType,
	lastRot, nextRot, changed, accessed, created, deleted *time.Time, tags []types.Tag, versions map[string][]string, region *string) Summary {
	s := Summary{Name: aws.ToString(name), ARN: aws.ToString(arn), Description: aws.ToString(desc), KmsKeyID: aws.ToString(kms),
		RotationEnabled: aws.ToBool(rotEnabled), RotationLambda: aws.ToString(lambda),
		LastRotated: aws.ToTime(lastRot), NextRotation: aws.ToTime(nextRot), LastChanged: aws.ToTime(changed),
		LastAccessed: aws.ToTime(accessed), Created: aws.ToTime(created), Deleted: aws.ToTime(deleted),
		Versions: versions, PrimaryRegion: aws.ToString(region)}
	if rules != nil {
		s.RotationDays = aws.ToInt64(rules.AutomaticallyAfterDays)
		s.Schedule, s.Window = aws.ToString(rules.ScheduleExpression), aws.ToString(rules.Duration)
	}
	if len(tags) > 0 {
		s.Tags = map[string]string{}
		for _, t := range tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return s
}

// Version is one version of a secret, without its value.
type Version struct {
	ID           string
	Stages       []string
	Created      time.Time
	LastAccessed time.Time
}

// History lists a secret's versions, newest first, deprecated ones (no
// staging label) included.
func (c *Client) History(ctx context.Context, id string) ([]Version, error) {
	var out []Version
	p := secretsmanager.NewListSecretVersionIdsPaginator(c.API, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(id), IncludeDeprecated: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Versions {
			out = append(out, Version{ID: aws.ToString(v.VersionId), Stages: v.VersionStages, Created: aws.ToTime(v.CreatedDate), LastAccessed: aws.ToTime(v.LastAccessedDate)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Password asks Secrets Manager for a random password.
type Password struct {
	Length                                                                 int64
	Exclude                                                                string
	NoNumbers, NoPunctuation, NoUppercase, NoLowercase, Space, NotEachType bool
}

// RandomPassword is GetRandomPassword.
func (c *Client) RandomPassword(ctx context.Context, p Password) (string, error) {
	in := &secretsmanager.GetRandomPasswordInput{}
	if p.Length > 0 {
		in.PasswordLength = aws.Int64(p.Length)
	}
	if p.Exclude != "" {
		in.ExcludeCharacters = aws.String(p.Exclude)
	}
	set := func(b bool) *bool {
		if b {
			return aws.Bool(true)
		}
		return nil
	}
	in.ExcludeNumbers, in.ExcludePunctuation, in.ExcludeUppercase, in.ExcludeLowercase, in.IncludeSpace =
		set(p.NoNumbers), set(p.NoPunctuation), set(p.NoUppercase), set(p.NoLowercase), set(p.Space)
	if p.NotEachType {
		in.RequireEachIncludedType = aws.Bool(false)
	}
	out, err := c.API.GetRandomPassword(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.RandomPassword), nil
}
