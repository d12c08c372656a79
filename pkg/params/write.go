package params

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Put is one PutParameter request as ssmctl builds it. Empty fields are
// left to AWS's defaults (type String on create, the account's default
// tier, the AWS managed key).
type Put struct {
	Name           string
	Value          string
	Type           string
	KeyID          string
	Tier           string
	Overwrite      bool
	Description    string
	AllowedPattern string
	DataType       string
	Tags           map[string]string
	Policies       string
	// PrevVersion is the version an overwrite replaces (0: the parameter
	// does not exist). After a failure that may have landed, the
	// parameter is read back: PrevVersion+1 (or a later version) holding
	// Value means the write landed and is not made again.
	PrevVersion int64
}

// Validate checks the request by AWS's rules before any call.
func (p *Put) Validate() error {
	if err := ValidateWriteName(p.Name); err != nil {
		return err
	}
	var err error
	if p.Type != "" {
		if p.Type, err = NormalizeType(p.Type); err != nil {
			return err
		}
	}
	if p.Tier != "" {
		if p.Tier, err = NormalizeTier(p.Tier); err != nil {
			return err
		}
	}
	if p.DataType != "" {
		if p.DataType, err = NormalizeDataType(p.DataType); err != nil {
			return err
		}
	}
	if p.KeyID != "" {
		if err := ValidateKeyID(p.KeyID); err != nil {
			return err
		}
		if p.Type != "" && p.Type != "SecureString" {
			return usagef("--key-id applies to SecureString parameters only")
		}
	}
	if len(p.Description) > MaxDescriptionLength {
		return usagef("description is %d characters long, more than %d", len(p.Description), MaxDescriptionLength)
	}
	if len(p.AllowedPattern) > MaxAllowedPatternLength {
		return usagef("allowed pattern is %d characters long, more than %d", len(p.AllowedPattern), MaxAllowedPatternLength)
	}
	if p.Policies != "" && p.Tier == "Standard" {
		return usagef("parameter policies need the Advanced or Intelligent-Tiering tier, not Standard")
	}
	if len(p.Tags) > 0 && p.Overwrite {
		return usagef("--tag applies when creating a parameter; AWS refuses tags with --overwrite")
	}
	return ValidateValue(p.Name, p.Value, p.Tier)
}

func (p *Put) input() *ssm.PutParameterInput {
	in := &ssm.PutParameterInput{Name: aws.String(p.Name), Value: aws.String(p.Value), Overwrite: aws.Bool(p.Overwrite)}
	if p.Type != "" {
		in.Type = types.ParameterType(p.Type)
	}
	if p.KeyID != "" {
		in.KeyId = aws.String(p.KeyID)
	}
	if p.Tier != "" {
		in.Tier = types.ParameterTier(p.Tier)
	}
	if p.Description != "" {
		in.Description = aws.String(p.Description)
	}
	if p.AllowedPattern != "" {
		in.AllowedPattern = aws.String(p.AllowedPattern)
	}
	if p.DataType != "" {
		in.DataType = aws.String(p.DataType)
	}
	if p.Policies != "" {
		in.Policies = aws.String(p.Policies)
	}
	for _, k := range sortedKeys(p.Tags) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(p.Tags[k])})
	}
	return in
}

// PutResult is what AWS answered.
type PutResult struct {
	Name    string
	Version int64
	Tier    string
}

// Put writes one parameter, as one write of a bulk run (see WriteAll).
// Without a type, a new parameter is a String and an overwritten one keeps
// its type.
func (c *Client) Put(ctx context.Context, p Put) (PutResult, error) {
	if err := p.Validate(); err != nil {
		return PutResult{}, err
	}
	if p.Overwrite {
		// The version being replaced tells, after a lost answer, whether
		// the write landed; AWS keeps the type of a parameter being
		// overwritten when none is given.
		md, err := c.DescribeNames(ctx, []string{p.Name})
		if err != nil {
			return PutResult{}, err
		}
		if len(md) == 1 {
			p.PrevVersion = md[0].Version
		} else if p.Type == "" {
			p.Type = "String"
		}
	} else if p.Type == "" {
		// AWS needs a type to create a parameter.
		p.Type = "String"
	}
	r := c.writeOne(ctx, p, nil)
	if r.Err != nil {
		return PutResult{}, r.Err
	}
	return PutResult{Name: p.Name, Version: r.Version, Tier: r.Tier}, nil
}

// Label attaches labels to a version of name (0: the latest). AWS
// answers labels that break its rules in InvalidLabels rather than
// failing; they are returned.
func (c *Client) Label(ctx context.Context, name string, version int64, labels []string) (int64, []string, error) {
	if err := ValidateName(name); err != nil {
		return 0, nil, err
	}
	if len(labels) == 0 {
		return 0, nil, usagef("no label given")
	}
	if len(labels) > BatchSize {
		return 0, nil, usagef("%d labels: a version takes at most %d", len(labels), BatchSize)
	}
	for _, l := range labels {
		if err := ValidateLabel(l); err != nil {
			return 0, nil, err
		}
	}
	in := &ssm.LabelParameterVersionInput{Name: aws.String(name), Labels: labels}
	if version > 0 {
		in.ParameterVersion = aws.Int64(version)
	}
	var out *ssm.LabelParameterVersionOutput
	_, err := c.call(ctx, nil, func(ctx context.Context, opt func(*ssm.Options)) error {
		var err error
		out, err = c.API.LabelParameterVersion(ctx, in, opt)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return out.ParameterVersion, out.InvalidLabels, nil
}

// Unlabel removes labels from a version of name. Labels that were not on
// that version come back in invalid.
func (c *Client) Unlabel(ctx context.Context, name string, version int64, labels []string) (removed, invalid []string, err error) {
	if err := ValidateName(name); err != nil {
		return nil, nil, err
	}
	if version < 1 {
		return nil, nil, usagef("unlabel needs NAME:VERSION")
	}
	if len(labels) == 0 {
		return nil, nil, usagef("no label given")
	}
	for _, l := range labels {
		if err := ValidateLabel(l); err != nil {
			return nil, nil, err
		}
	}
	for _, batch := range chunks(labels, BatchSize) {
		var out *ssm.UnlabelParameterVersionOutput
		_, err := c.call(ctx, nil, func(ctx context.Context, opt func(*ssm.Options)) error {
			var err error
			out, err = c.API.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(version), Labels: batch}, opt)
			return err
		})
		if err != nil {
			return removed, invalid, err
		}
		removed = append(removed, out.RemovedLabels...)
		invalid = append(invalid, out.InvalidLabels...)
	}
	return removed, invalid, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
