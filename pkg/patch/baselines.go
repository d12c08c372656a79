package patch

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Baseline is a patch baseline as DescribePatchBaselines lists it.
type Baseline struct {
	ID              string
	Name            string
	OperatingSystem string
	Description     string
	Default         bool
	Owner           string // AWS or Self
}

// OperatingSystems are the model's OperatingSystem values.
var OperatingSystems = func() []string {
	var out []string
	for _, v := range types.OperatingSystem("").Values() {
		out = append(out, string(v))
	}
	return out
}()

// Owners are the values of DescribePatchBaselines' OWNER filter.
var Owners = []string{"AWS", "Self"}

// BaselineFilter selects baselines: by operating system, owner and name
// prefix ("" is any).
type BaselineFilter struct {
	OS, Owner, NamePrefix string
}

// baselinesPage is DescribePatchBaselines' largest page (MaxResults 1..100).
const baselinesPage = 100

// Baselines lists the baselines the filter selects, in AWS's order.
func (c *Client) Baselines(ctx context.Context, f BaselineFilter) ([]Baseline, error) {
	in := &ssm.DescribePatchBaselinesInput{MaxResults: aws.Int32(baselinesPage),
		Filters: filters("OPERATING_SYSTEM", f.OS, "OWNER", f.Owner, "NAME_PREFIX", f.NamePrefix)}
	var out []Baseline
	p := ssm.NewDescribePatchBaselinesPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.BaselineIdentities {
			out = append(out, baselineFrom(b))
		}
	}
	return out, nil
}

// filters are the orchestrator filters of the key, value pairs given
// whose value is not empty.
func filters(kv ...string) []types.PatchOrchestratorFilter {
	var out []types.PatchOrchestratorFilter
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, types.PatchOrchestratorFilter{Key: aws.String(kv[i]), Values: []string{kv[i+1]}})
		}
	}
	return out
}

func baselineFrom(b types.PatchBaselineIdentity) Baseline {
	out := Baseline{ID: aws.ToString(b.BaselineId), Name: aws.ToString(b.BaselineName), OperatingSystem: string(b.OperatingSystem),
		Description: aws.ToString(b.BaselineDescription), Default: b.DefaultBaseline, Owner: "Self"}
	// AWS's predefined baselines are named by their ARN, in an account
	// of AWS's; the account's own by pb-….
	if strings.HasPrefix(out.ID, "arn:") {
		out.Owner = "AWS"
	}
	return out
}

// Rule is an approval rule.
type Rule struct {
	Filters          map[string][]string
	FilterOrder      []string
	ComplianceLevel  string
	ApproveAfterDays *int32
	ApproveUntilDate string
	EnableNonSecure  bool
}

// BaselineDetail is one baseline in full (GetPatchBaseline).
type BaselineDetail struct {
	Baseline
	GlobalFilters                  map[string][]string
	Rules                          []Rule
	ApprovedPatches                []string
	ApprovedPatchesComplianceLevel string
	RejectedPatches                []string
	RejectedPatchesAction          string
	PatchGroups                    []string
	Created, Modified              time.Time
}

// LooksLikeID says whether s is a baseline ID or ARN rather than a name.
func LooksLikeID(s string) bool {
	return strings.HasPrefix(s, "pb-") || strings.HasPrefix(s, "arn:")
}

// Baseline finds a baseline by ID, ARN or exact name. An AWS baseline's
// ID is its ARN; its pb- ID alone does not find it on AWS.
func (c *Client) Baseline(ctx context.Context, idOrName string) (*BaselineDetail, error) {
	var ident *Baseline
	if !LooksLikeID(idOrName) {
		list, err := c.Baselines(ctx, BaselineFilter{NamePrefix: idOrName})
		if err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].Name == idOrName {
				ident = &list[i]
				break
			}
		}
		if ident == nil {
			return nil, exitcode.New(exitcode.AWS, "patch baseline %s not found", idOrName)
		}
		idOrName = ident.ID
	}
	out, err := c.API.GetPatchBaseline(ctx, &ssm.GetPatchBaselineInput{BaselineId: aws.String(idOrName)})
	if err != nil {
		return nil, err
	}
	d := &BaselineDetail{
		Baseline: Baseline{ID: aws.ToString(out.BaselineId), Name: aws.ToString(out.Name), OperatingSystem: string(out.OperatingSystem),
			Description: aws.ToString(out.Description), Owner: "Self"},
		ApprovedPatches: out.ApprovedPatches, ApprovedPatchesComplianceLevel: string(out.ApprovedPatchesComplianceLevel),
		RejectedPatches: out.RejectedPatches, RejectedPatchesAction: string(out.RejectedPatchesAction),
		PatchGroups: out.PatchGroups, Created: aws.ToTime(out.CreatedDate), Modified: aws.ToTime(out.ModifiedDate),
	}
	if strings.HasPrefix(d.ID, "arn:") {
		d.Owner = "AWS"
	}
	if ident != nil {
		d.Default = ident.Default
	} else if list, err := c.Baselines(ctx, BaselineFilter{NamePrefix: d.Name, OS: d.OperatingSystem}); err == nil {
		for _, b := range list {
			if b.ID == d.ID {
				d.Default = b.Default
			}
		}
	}
	if out.GlobalFilters != nil {
		d.GlobalFilters, _ = filterMap(out.GlobalFilters.PatchFilters)
	}
	if out.ApprovalRules != nil {
		for _, r := range out.ApprovalRules.PatchRules {
			rule := Rule{ComplianceLevel: string(r.ComplianceLevel), ApproveAfterDays: r.ApproveAfterDays,
				ApproveUntilDate: aws.ToString(r.ApproveUntilDate), EnableNonSecure: aws.ToBool(r.EnableNonSecurity)}
			if r.PatchFilterGroup != nil {
				rule.Filters, rule.FilterOrder = filterMap(r.PatchFilterGroup.PatchFilters)
			}
			d.Rules = append(d.Rules, rule)
		}
	}
	return d, nil
}

func filterMap(fs []types.PatchFilter) (map[string][]string, []string) {
	m := map[string][]string{}
	var order []string
	for _, f := range fs {
		m[string(f.Key)] = f.Values
		order = append(order, string(f.Key))
	}
	return m, order
}

// Group is a patch group and the baseline registered for it.
type Group struct {
	Name     string
	Baseline Baseline
}

// Groups lists the patch groups.
func (c *Client) Groups(ctx context.Context) ([]Group, error) {
	var out []Group
	p := ssm.NewDescribePatchGroupsPaginator(c.API, &ssm.DescribePatchGroupsInput{MaxResults: aws.Int32(baselinesPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Mappings {
			g := Group{Name: aws.ToString(m.PatchGroup)}
			if m.BaselineIdentity != nil {
				g.Baseline = baselineFrom(*m.BaselineIdentity)
			}
			out = append(out, g)
		}
	}
	return out, nil
}
