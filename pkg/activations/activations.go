package activations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Limits from the SSM model (botocore ssm/2014-11-06) and the
// CreateActivation documentation.
const (
	MinLimit       = 1
	MaxLimit       = 1000
	MaxExpiry      = 30 * 24 * time.Hour // "You can specify a date up to 30 days in advance."
	DefaultExpiry  = 24 * time.Hour      // "If you don't provide an expiration date, the activation code expires in 24 hours."
	maxRoleLen     = 64                  // IamRole
	maxDescription = 256                 // ActivationDescription
	maxName        = 256                 // DefaultInstanceName
)

var (
	// IamRole: a role name as IAM allows it ([\w+=,.@-]{1,64}), with an
	// optional path (service-role/NAME); CreateActivation wants the name,
	// not the ARN.
	rolePattern = lazyre.New(`^([\w+=,.@-]+/)*[\w+=,.@-]+$`)
	// DefaultInstanceName and TagKey/TagValue patterns.
	namePattern = lazyre.New(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	// ActivationId pattern.
	idPattern = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// ManagedInstanceId pattern (the mi- form).
	nodePattern = lazyre.New(`^mi-[0-9a-f]{17}$`)
)

// CreateInput is an activation to create.
type CreateInput struct {
	Role        string
	Name        string // DefaultInstanceName
	Description string
	Limit       int       // 0: AWS's default, 1
	Expires     time.Time // zero: AWS's default, 24 hours
	Tags        map[string]string
	Metadata    map[string]string // RegistrationMetadata
}

// Created is a new activation: its ID and its code, which AWS shows once.
type Created struct {
	ID      string
	Code    string
	Expires time.Time
}

// Validate applies AWS's rules to in, now being the time of the call.
func (in *CreateInput) Validate(now time.Time) error {
	switch {
	case in.Role == "":
		return exitcode.Usagef("no IAM role: --role NAME (the service role the nodes use, e.g. SSMServiceRole)")
	case len(in.Role) > maxRoleLen:
		return exitcode.Usagef("role %q is %d characters: at most %d", in.Role, len(in.Role), maxRoleLen)
	case strings.HasPrefix(in.Role, "arn:"):
		return exitcode.Usagef("role %q is an ARN: give the role's name (with its path, if any), e.g. service-role/SSMServiceRole", in.Role)
	case !rolePattern.MatchString(in.Role):
		return exitcode.Usagef("role %q is not an IAM role name: letters, digits and +=,.@_- (with an optional path, e.g. service-role/NAME)", in.Role)
	case strings.HasPrefix(in.Role, "aws-service-role/"):
		return exitcode.Usagef("role %q is a service-linked role, which activations can't use: create a role that trusts ssm.amazonaws.com", in.Role)
	case in.Limit != 0 && (in.Limit < MinLimit || in.Limit > MaxLimit):
		return exitcode.Usagef("registration limit %d: want %d to %d", in.Limit, MinLimit, MaxLimit)
	case len([]rune(in.Description)) > maxDescription:
		return exitcode.Usagef("description is %d characters: at most %d", len([]rune(in.Description)), maxDescription)
	case len([]rune(in.Name)) > maxName:
		return exitcode.Usagef("name is %d characters: at most %d", len([]rune(in.Name)), maxName)
	case !namePattern.MatchString(in.Name):
		return exitcode.Usagef("name %q: letters, digits, spaces and _.:/=+-@ only", in.Name)
	}
	if !in.Expires.IsZero() {
		if !in.Expires.After(now) {
			return exitcode.Usagef("expiry %s is not in the future", in.Expires.UTC().Format(time.RFC3339))
		}
		if in.Expires.Sub(now) > MaxExpiry {
			return exitcode.Usagef("expiry %s is more than 30 days ahead: an activation expires at most 30 days after it is created", in.Expires.UTC().Format(time.RFC3339))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(in.Tags)) {
		v := in.Tags[k]
		switch {
		case k == "" || len([]rune(k)) > 128 || !namePattern.MatchString(k):
			return exitcode.Usagef("tag key %q: 1 to 128 letters, digits, spaces and _.:/=+-@", k)
		case len([]rune(v)) > 256 || !namePattern.MatchString(v):
			return exitcode.Usagef("tag %s value %q: at most 256 letters, digits, spaces and _.:/=+-@", k, v)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return exitcode.Usagef("tag key %q: keys beginning with aws: are reserved for AWS", k)
		}
	}
	if len(in.Tags) > 50 {
		return exitcode.Usagef("%d tags: at most 50", len(in.Tags))
	}
	for _, k := range slices.Sorted(maps.Keys(in.Metadata)) {
		v := in.Metadata[k]
		if strings.TrimSpace(k) == "" || len([]rune(k)) > 128 || strings.TrimSpace(v) == "" || len([]rune(v)) > 2048 {
			return exitcode.Usagef("registration metadata %q=%q: a key of 1 to 128 and a value of 1 to 2048 characters, not blank", k, v)
		}
	}
	return nil
}

// ParseExpiry reads --expires: a duration from now (90m, 36h, 7d) or a
// date (2006-01-02, or RFC 3339 with a time).
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.Add(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("want a positive duration")
		}
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want a duration (90m, 36h, 7d) or a date (2006-01-02 or 2006-01-02T15:04:05Z)")
}

// Create validates in and creates the activation.
func (c *Client) Create(ctx context.Context, in CreateInput, now time.Time) (*Created, error) {
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	req := &ssm.CreateActivationInput{IamRole: aws.String(in.Role)}
	if in.Name != "" {
		req.DefaultInstanceName = aws.String(in.Name)
	}
	if in.Description != "" {
		req.Description = aws.String(in.Description)
	}
	if in.Limit != 0 {
		req.RegistrationLimit = aws.Int32(int32(in.Limit))
	}
	expires := now.Add(DefaultExpiry)
	if !in.Expires.IsZero() {
		req.ExpirationDate = aws.Time(in.Expires)
		expires = in.Expires
	}
	for _, k := range slices.Sorted(maps.Keys(in.Tags)) {
		req.Tags = append(req.Tags, types.Tag{Key: aws.String(k), Value: aws.String(in.Tags[k])})
	}
	for _, k := range slices.Sorted(maps.Keys(in.Metadata)) {
		req.RegistrationMetadata = append(req.RegistrationMetadata, types.RegistrationMetadataItem{Key: aws.String(k), Value: aws.String(in.Metadata[k])})
	}
	out, err := c.API.CreateActivation(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Created{ID: aws.ToString(out.ActivationId), Code: aws.ToString(out.ActivationCode), Expires: expires}, nil
}

// Activation is one activation as DescribeActivations reports it.
type Activation struct {
	ID            string
	Name          string
	Description   string
	Role          string
	Limit         int
	Registrations int
	Created       time.Time
	Expires       time.Time
	Expired       bool
	Tags          map[string]string
}

// Filter selects activations; empty fields select all.
type Filter struct {
	IDs  []string
	Name string
	Role string
}

// List pages through DescribeActivations.
func (c *Client) List(ctx context.Context, f Filter) ([]Activation, error) {
	in := &ssm.DescribeActivationsInput{}
	if len(f.IDs) > 0 {
		in.Filters = append(in.Filters, types.DescribeActivationsFilter{FilterKey: types.DescribeActivationsFilterKeysActivationIds, FilterValues: f.IDs})
	}
	if f.Name != "" {
		in.Filters = append(in.Filters, types.DescribeActivationsFilter{FilterKey: types.DescribeActivationsFilterKeysDefaultInstanceName, FilterValues: []string{f.Name}})
	}
	if f.Role != "" {
		in.Filters = append(in.Filters, types.DescribeActivationsFilter{FilterKey: types.DescribeActivationsFilterKeysIamRole, FilterValues: []string{f.Role}})
	}
	var out []Activation
	p := ssm.NewDescribeActivationsPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range page.ActivationList {
			act := Activation{
				ID: aws.ToString(a.ActivationId), Name: aws.ToString(a.DefaultInstanceName), Description: aws.ToString(a.Description),
				Role: aws.ToString(a.IamRole), Limit: int(aws.ToInt32(a.RegistrationLimit)), Registrations: int(aws.ToInt32(a.RegistrationsCount)),
				Created: aws.ToTime(a.CreatedDate), Expires: aws.ToTime(a.ExpirationDate), Expired: a.Expired,
			}
			if len(a.Tags) > 0 {
				act.Tags = map[string]string{}
				for _, t := range a.Tags {
					act.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			out = append(out, act)
		}
	}
	return out, nil
}

// CheckID refuses what is not an activation ID, before any call.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return exitcode.Usagef("%q is not an activation ID (8-4-4-4-12 hexadecimal digits, as create prints it)", id)
	}
	return nil
}

// Get is one activation; an ID no activation has is exit 254.
func (c *Client) Get(ctx context.Context, id string) (*Activation, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	acts, err := c.List(ctx, Filter{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(acts) == 0 {
		return nil, exitcode.AWSErrorf("DescribeActivations", "InvalidActivationId", "no activation %s in %s", id, c.Region)
	}
	return &acts[0], nil
}

// Delete deletes an activation; its nodes stay registered.
func (c *Client) Delete(ctx context.Context, id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	_, err := c.API.DeleteActivation(ctx, &ssm.DeleteActivationInput{ActivationId: aws.String(id)})
	return err
}

// CheckNode refuses what is not an on-premises node ID, before any call.
func CheckNode(id string) error {
	if !nodePattern.MatchString(id) {
		if strings.HasPrefix(id, "i-") {
			return exitcode.Usagef("%s is an EC2 instance: only on-premises (mi-) nodes are deregistered", id)
		}
		return exitcode.Usagef("%q is not an on-premises node ID (mi- and 17 hexadecimal digits)", id)
	}
	return nil
}

// Deregister removes an on-premises node.
func (c *Client) Deregister(ctx context.Context, id string) error {
	if err := CheckNode(id); err != nil {
		return err
	}
	_, err := c.API.DeregisterManagedInstance(ctx, &ssm.DeregisterManagedInstanceInput{InstanceId: aws.String(id)})
	return err
}

// Node is an on-premises node as DescribeInstanceInformation reports it.
type Node struct {
	ID           string
	Name         string
	ActivationID string
	Ping         string
	Platform     string
	PlatformName string
	AgentVersion string
	IP           string
	ComputerName string
	Registered   time.Time
}

// Nodes are the mi- nodes registered through activation id, or all
// on-premises nodes when id is "".
func (c *Client) Nodes(ctx context.Context, id string) ([]Node, error) {
	in := &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)}
	if id != "" {
		if err := CheckID(id); err != nil {
			return nil, err
		}
		in.Filters = []types.InstanceInformationStringFilter{{Key: aws.String("ActivationIds"), Values: []string{id}}}
	} else {
		in.Filters = []types.InstanceInformationStringFilter{{Key: aws.String("ResourceType"), Values: []string{"ManagedInstance"}}}
	}
	var out []Node
	p := ssm.NewDescribeInstanceInformationPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range page.InstanceInformationList {
			out = append(out, Node{
				ID: aws.ToString(n.InstanceId), Name: aws.ToString(n.Name), ActivationID: aws.ToString(n.ActivationId),
				Ping: string(n.PingStatus), Platform: string(n.PlatformType), PlatformName: aws.ToString(n.PlatformName),
				AgentVersion: aws.ToString(n.AgentVersion), IP: aws.ToString(n.IPAddress), ComputerName: aws.ToString(n.ComputerName),
				Registered: aws.ToTime(n.RegistrationDate),
			})
		}
	}
	return out, nil
}

// TierSetting is the service setting that holds the activation tier.
const TierSetting = "/ssm/managed-instance/activation-tier"

// Tiers are the values of the activation tier.
var Tiers = []string{"standard", "advanced"}

// Tier is the account's managed-instance activation tier in the region.
type Tier struct {
	Value        string
	Status       string // Default, Customized, PendingUpdate
	LastModified time.Time
	ModifiedBy   string
	ARN          string
}

// Tier reads the activation tier.
func (c *Client) Tier(ctx context.Context) (*Tier, error) {
	out, err := c.API.GetServiceSetting(ctx, &ssm.GetServiceSettingInput{SettingId: aws.String(TierSetting)})
	if err != nil {
		return nil, err
	}
	s := out.ServiceSetting
	return &Tier{Value: aws.ToString(s.SettingValue), Status: aws.ToString(s.Status), LastModified: aws.ToTime(s.LastModifiedDate),
		ModifiedBy: aws.ToString(s.LastModifiedUser), ARN: aws.ToString(s.ARN)}, nil
}

// SetTier changes the activation tier.
func (c *Client) SetTier(ctx context.Context, tier string) error {
	if !slices.Contains(Tiers, tier) {
		return exitcode.Usagef("tier %q: want standard or advanced", tier)
	}
	_, err := c.API.UpdateServiceSetting(ctx, &ssm.UpdateServiceSettingInput{SettingId: aws.String(TierSetting), SettingValue: aws.String(tier)})
	return err
}

// String names an activation in messages.
func (a *Activation) String() string {
	if a.Name != "" {
		return fmt.Sprintf("%s (%s)", a.ID, a.Name)
	}
	return a.ID
}
