package patch

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// Patch baselines: AWS's predefined ones and the account's own, and
// DescribePatchBaselines, GetPatchBaseline, CreatePatchBaseline,
// UpdatePatchBaseline and DeletePatchBaseline.

// patchFilter, filterGroup, rule and ruleGroup are the model's PatchFilter,
// PatchFilterGroup, PatchRule and PatchRuleGroup, in state and on the wire.
type patchFilter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

type filterGroup struct {
	PatchFilters []patchFilter `json:"PatchFilters"`
}

type rule struct {
	PatchFilterGroup  filterGroup `json:"PatchFilterGroup"`
	ComplianceLevel   string      `json:"ComplianceLevel,omitempty"`
	ApproveAfterDays  *int32      `json:"ApproveAfterDays,omitempty"`
	ApproveUntilDate  string      `json:"ApproveUntilDate,omitempty"`
	EnableNonSecurity *bool       `json:"EnableNonSecurity,omitempty"`
}

type ruleGroup struct {
	PatchRules []rule `json:"PatchRules"`
}

type patchSource struct {
	Name          string   `json:"Name"`
	Products      []string `json:"Products"`
	Configuration string   `json:"Configuration"`
}

// baseline is a patch baseline. An AWS baseline's ID is its ARN, as
// AWS reports it; the account's own are pb- and 17 hex digits.
type baseline struct {
	ID                                       string            `json:"id"`
	Name                                     string            `json:"name"`
	OperatingSystem                          string            `json:"operatingSystem"`
	Description                              string            `json:"description,omitempty"`
	GlobalFilters                            *filterGroup      `json:"globalFilters,omitempty"`
	ApprovalRules                            *ruleGroup        `json:"approvalRules,omitempty"`
	ApprovedPatches                          []string          `json:"approvedPatches,omitempty"`
	ApprovedPatchesComplianceLevel           string            `json:"approvedPatchesComplianceLevel,omitempty"`
	ApprovedPatchesEnableNonSecurity         bool              `json:"approvedPatchesEnableNonSecurity,omitempty"`
	RejectedPatches                          []string          `json:"rejectedPatches,omitempty"`
	RejectedPatchesAction                    string            `json:"rejectedPatchesAction,omitempty"`
	Sources                                  []patchSource     `json:"sources,omitempty"`
	AvailableSecurityUpdatesComplianceStatus string            `json:"availableSecurityUpdatesComplianceStatus,omitempty"`
	ClientToken                              string            `json:"clientToken,omitempty"`
	Tags                                     map[string]string `json:"tags,omitempty"`
	Created                                  time.Time         `json:"created"`
	Modified                                 time.Time         `json:"modified"`

	aws bool
}

// Enums and limits from the model.
var (
	operatingSystems = []string{"WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "UBUNTU", "REDHAT_ENTERPRISE_LINUX", "SUSE", "CENTOS", "ORACLE_LINUX", "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX", "ALMA_LINUX", "AMAZON_LINUX_2023"}
	filterKeys       = []string{"ARCH", "ADVISORY_ID", "BUGZILLA_ID", "PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "CVE_ID", "EPOCH", "MSRC_SEVERITY", "NAME", "PATCH_ID", "SECTION", "PRIORITY", "REPOSITORY", "RELEASE", "SEVERITY", "SECURITY", "VERSION"}
	complianceLevels = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"}
	patchActions     = []string{"ALLOW_AS_DEPENDENCY", "BLOCK"}
	complianceStatus = []string{"COMPLIANT", "NON_COMPLIANT"}

	baselineIDPattern   = lazyre.New(`^[a-zA-Z0-9_\-:/]{20,128}$`)
	baselineNamePattern = lazyre.New(`^[a-zA-Z0-9_\-.]{3,128}$`)
	patchGroupPattern   = lazyre.New(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	sourceNamePattern   = lazyre.New(`^[a-zA-Z0-9_\-.]{3,50}$`)
	untilDatePattern    = lazyre.New(`^\d{4}-\d{2}-\d{2}$`)
)

// awsOwner is the account that owns AWS's predefined baselines in
// us-east-1 (their ARNs in the AWS CLI's describe-patch-baselines example
// and the User Guide's get-patch-baseline note).
const awsOwner = "075727635805"

// predefined are AWS's baselines, one default per operating system: names,
// IDs (us-east-1's) and descriptions as DescribePatchBaselines reports
// them; rules as "Predefined baselines" (AWS Systems Manager User Guide)
// describes them. docs/sandbox-patch.md cites the sources.
var predefined = []struct {
	os, name, id, desc string
	rules              []rule
}{
	{"WINDOWS", "AWS-DefaultPatchBaseline", "pb-09ca3fb51f0412ec3", "Default Patch Baseline Provided by AWS.",
		[]rule{mkRule(7, "CLASSIFICATION", "CriticalUpdates,SecurityUpdates", "MSRC_SEVERITY", "Critical,Important")}},
	{"AMAZON_LINUX", "AWS-AmazonLinuxDefaultPatchBaseline", "pb-0c10e657807c7a700", "Default Patch Baseline for Amazon Linux Provided by AWS.", yumRules()},
	{"AMAZON_LINUX_2", "AWS-AmazonLinux2DefaultPatchBaseline", "pb-0be8c61cde3be63f3", "Baseline containing all Security and Bugfix updates approved for Amazon Linux 2 instances", yumRules()},
	{"AMAZON_LINUX_2022", "AWS-AmazonLinux2022DefaultPatchBaseline", "pb-0028ca011460d5eaf", "Default Patch Baseline for Amazon Linux 2022 Provided by AWS.", yumRules()},
	{"AMAZON_LINUX_2023", "AWS-AmazonLinux2023DefaultPatchBaseline", "pb-05c9c9bf778d4c4d0", "Default Patch Baseline for Amazon Linux 2023 Provided by AWS.", yumRules()},
	{"UBUNTU", "AWS-UbuntuDefaultPatchBaseline", "pb-0c7e89f711c3095f4", "Default Patch Baseline for Ubuntu Provided by AWS.",
		[]rule{mkRule(0, "PRIORITY", "Required,Important,Standard,Optional,Extra")}},
	{"DEBIAN", "AWS-DebianDefaultPatchBaseline", "pb-09a5f8eb62bde80b1", "Default Patch Baseline for Debian Provided by AWS.",
		[]rule{mkRule(0, "PRIORITY", "Required,Important")}},
	{"REDHAT_ENTERPRISE_LINUX", "AWS-RedHatDefaultPatchBaseline", "pb-0cbb3a633de00f07c", "Default Patch Baseline for Redhat Enterprise Linux Provided by AWS.", yumRules()},
	{"CENTOS", "AWS-CentOSDefaultPatchBaseline", "pb-03e3f588eec25344c", "Default Patch Baseline for CentOS Provided by AWS.", yumRules()},
	{"SUSE", "AWS-SuseDefaultPatchBaseline", "pb-07d8884178197b66b", "Default Patch Baseline for Suse Provided by AWS.",
		[]rule{mkRule(7, "CLASSIFICATION", "Security", "SEVERITY", "Critical,Important")}},
	{"ORACLE_LINUX", "AWS-OracleLinuxDefaultPatchBaseline", "pb-06bff38e95fe85c02", "Default Patch Baseline for Oracle Linux Server Provided by AWS.",
		[]rule{mkRule(7, "CLASSIFICATION", "Security", "SEVERITY", "Important,Moderate"), mkRule(7, "CLASSIFICATION", "Bugfix")}},
	{"ROCKY_LINUX", "AWS-RockyLinuxDefaultPatchBaseline", "pb-03ec98bc512aa3ac0", "Default Patch Baseline for Rocky Linux Provided by AWS.", yumRules()},
	{"ALMA_LINUX", "AWS-AlmaLinuxDefaultPatchBaseline", "pb-0cb0c4966f86b059b", "Default Patch Baseline for Alma Linux Provided by AWS.", yumRules()},
	{"MACOS", "AWS-MacOSDefaultPatchBaseline", "pb-0ee4f94581368c0d4", "Default Patch Baseline for MacOS Provided by AWS.",
		[]rule{mkRule(7, "CLASSIFICATION", "*")}},
}

// yumRules: Security patches of severity Critical or Important, and
// Bugfix patches, 7 days after release.
func yumRules() []rule {
	return []rule{
		mkRule(7, "CLASSIFICATION", "Security", "SEVERITY", "Critical,Important"),
		mkRule(7, "CLASSIFICATION", "Bugfix"),
	}
}

// mkRule is an approval rule: ApproveAfterDays days, PRODUCT * and the
// key, "v1,v2" pairs given.
func mkRule(days int32, kv ...string) rule {
	r := rule{ApproveAfterDays: &days, ComplianceLevel: "UNSPECIFIED", PatchFilterGroup: filterGroup{PatchFilters: []patchFilter{{Key: "PRODUCT", Values: []string{"*"}}}}}
	no := false
	r.EnableNonSecurity = &no
	for i := 0; i+1 < len(kv); i += 2 {
		r.PatchFilterGroup.PatchFilters = append(r.PatchFilterGroup.PatchFilters, patchFilter{Key: kv[i], Values: strings.Split(kv[i+1], ",")})
	}
	return r
}

// awsBaselines are the predefined baselines in the sandbox's region.
func (a *Area) awsBaselines() []*baseline {
	out := make([]*baseline, 0, len(predefined))
	created := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range predefined {
		out = append(out, &baseline{
			ID:   fmt.Sprintf("arn:%s:ssm:%s:%s:patchbaseline/%s", area.Partition(a.h.Region), a.h.Region, awsOwner, p.id),
			Name: p.name, OperatingSystem: p.os, Description: p.desc,
			GlobalFilters: &filterGroup{PatchFilters: []patchFilter{}}, ApprovalRules: &ruleGroup{PatchRules: p.rules},
			ApprovedPatchesComplianceLevel: "UNSPECIFIED", RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
			Created: created, Modified: created, aws: true,
		})
	}
	return out
}

// all is every baseline: AWS's, then the account's in creation order.
func (a *Area) all(st *state) []*baseline {
	return append(a.awsBaselines(), st.Baselines...)
}

// find looks a baseline up by ID: an AWS baseline by its ARN only, the
// account's by pb-… or its ARN.
func (a *Area) find(st *state, id string) *baseline {
	for _, b := range a.awsBaselines() {
		if b.ID == id {
			return b
		}
	}
	short := id
	if i := strings.LastIndex(id, "patchbaseline/"); strings.HasPrefix(id, "arn:") && i >= 0 {
		if id != a.customARN(id[i+len("patchbaseline/"):]) {
			return nil
		}
		short = id[i+len("patchbaseline/"):]
	}
	for _, b := range st.Baselines {
		if b.ID == short {
			return b
		}
	}
	return nil
}

func (a *Area) customARN(id string) string {
	return a.h.ARN("ssm", a.h.Region, "patchbaseline/"+id)
}

// defaultFor is the default baseline of an operating system: the one
// registered, else AWS's.
func (a *Area) defaultFor(st *state, os string) *baseline {
	if id, ok := st.Defaults[os]; ok {
		if b := a.find(st, id); b != nil {
			return b
		}
	}
	for _, b := range a.awsBaselines() {
		if b.OperatingSystem == os {
			return b
		}
	}
	return nil
}

func (a *Area) isDefault(st *state, b *baseline) bool {
	d := a.defaultFor(st, b.OperatingSystem)
	return d != nil && d.ID == b.ID
}

func errDoesNotExist(id string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "DoesNotExistException", "Patch Baseline %s does not exist.", id)
}

func errInvalidResourceID(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidResourceId", "%s", msg)
}

// Wire types.

type orchestratorFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type baselineIdentity struct {
	BaselineId          string `json:"BaselineId"`
	BaselineName        string `json:"BaselineName"`
	OperatingSystem     string `json:"OperatingSystem"`
	BaselineDescription string `json:"BaselineDescription,omitempty"`
	DefaultBaseline     bool   `json:"DefaultBaseline"`
}

type describePatchBaselinesInput struct {
	Filters    []orchestratorFilter `json:"Filters"`
	MaxResults *int32               `json:"MaxResults"`
	NextToken  *string              `json:"NextToken"`
}

type describePatchBaselinesOutput struct {
	BaselineIdentities []baselineIdentity `json:"BaselineIdentities"`
	NextToken          string             `json:"NextToken,omitempty"`
}

type baselineIDInput struct {
	BaselineId *string `json:"BaselineId"`
}

type baselineIDOutput struct {
	BaselineId string `json:"BaselineId"`
}

type baselineWire struct {
	BaselineId                               string              `json:"BaselineId"`
	Name                                     string              `json:"Name"`
	OperatingSystem                          string              `json:"OperatingSystem"`
	GlobalFilters                            *filterGroup        `json:"GlobalFilters,omitempty"`
	ApprovalRules                            *ruleGroup          `json:"ApprovalRules,omitempty"`
	ApprovedPatches                          []string            `json:"ApprovedPatches"`
	ApprovedPatchesComplianceLevel           string              `json:"ApprovedPatchesComplianceLevel,omitempty"`
	ApprovedPatchesEnableNonSecurity         bool                `json:"ApprovedPatchesEnableNonSecurity"`
	RejectedPatches                          []string            `json:"RejectedPatches"`
	RejectedPatchesAction                    string              `json:"RejectedPatchesAction,omitempty"`
	PatchGroups                              []string            `json:"PatchGroups,omitempty"`
	CreatedDate                              *protocol.EpochTime `json:"CreatedDate,omitempty"`
	ModifiedDate                             *protocol.EpochTime `json:"ModifiedDate,omitempty"`
	Description                              string              `json:"Description,omitempty"`
	Sources                                  []patchSource       `json:"Sources"`
	AvailableSecurityUpdatesComplianceStatus string              `json:"AvailableSecurityUpdatesComplianceStatus,omitempty"`
}

// baselineFields are the members CreatePatchBaseline and
// UpdatePatchBaseline share.
type baselineFields struct {
	Name                                     *string       `json:"Name"`
	GlobalFilters                            *filterGroup  `json:"GlobalFilters"`
	ApprovalRules                            *ruleGroup    `json:"ApprovalRules"`
	ApprovedPatches                          []string      `json:"ApprovedPatches"`
	ApprovedPatchesComplianceLevel           *string       `json:"ApprovedPatchesComplianceLevel"`
	ApprovedPatchesEnableNonSecurity         *bool         `json:"ApprovedPatchesEnableNonSecurity"`
	RejectedPatches                          []string      `json:"RejectedPatches"`
	RejectedPatchesAction                    *string       `json:"RejectedPatchesAction"`
	Description                              *string       `json:"Description"`
	Sources                                  []patchSource `json:"Sources"`
	AvailableSecurityUpdatesComplianceStatus *string       `json:"AvailableSecurityUpdatesComplianceStatus"`
}

type createPatchBaselineInput struct {
	baselineFields
	OperatingSystem *string     `json:"OperatingSystem"`
	ClientToken     *string     `json:"ClientToken"`
	Tags            []tags.Wire `json:"Tags"`
}

type updatePatchBaselineInput struct {
	baselineFields
	BaselineId *string `json:"BaselineId"`
	Replace    *bool   `json:"Replace"`
}

func (a *Area) identity(st *state, b *baseline) baselineIdentity {
	return baselineIdentity{BaselineId: b.ID, BaselineName: b.Name, OperatingSystem: b.OperatingSystem, BaselineDescription: b.Description, DefaultBaseline: a.isDefault(st, b)}
}

func (a *Area) wire(st *state, b *baseline) baselineWire {
	w := baselineWire{
		BaselineId: b.ID, Name: b.Name, OperatingSystem: b.OperatingSystem,
		GlobalFilters: b.GlobalFilters, ApprovalRules: b.ApprovalRules,
		ApprovedPatches: nonNil(b.ApprovedPatches), ApprovedPatchesComplianceLevel: b.ApprovedPatchesComplianceLevel,
		ApprovedPatchesEnableNonSecurity: b.ApprovedPatchesEnableNonSecurity,
		RejectedPatches:                  nonNil(b.RejectedPatches), RejectedPatchesAction: b.RejectedPatchesAction,
		CreatedDate: protocol.Epoch(b.Created), ModifiedDate: protocol.Epoch(b.Modified),
		Description: b.Description, Sources: b.Sources, AvailableSecurityUpdatesComplianceStatus: b.AvailableSecurityUpdatesComplianceStatus,
	}
	if w.Sources == nil {
		w.Sources = []patchSource{}
	}
	for _, g := range st.Groups {
		if a.sameBaseline(st, g.BaselineID, b) {
			w.PatchGroups = append(w.PatchGroups, g.PatchGroup)
		}
	}
	return w
}

func (a *Area) sameBaseline(st *state, id string, b *baseline) bool {
	f := a.find(st, id)
	return f != nil && f.ID == b.ID
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// validateFields applies the model's rules to a baseline's members.
func validateFields(v *protocol.Validator, f *baselineFields) {
	if f.Name != nil {
		v.Length("name", *f.Name, 3, 128)
		v.Pattern("name", *f.Name, baselineNamePattern)
	}
	if f.GlobalFilters != nil {
		validateFilterGroup(v, "globalFilters", f.GlobalFilters)
	}
	if f.ApprovalRules != nil {
		v.Count("approvalRules.patchRules", len(f.ApprovalRules.PatchRules), 0, 10)
		for i, r := range f.ApprovalRules.PatchRules {
			p := fmt.Sprintf("approvalRules.patchRules.%d.member", i+1)
			validateFilterGroup(v, p+".patchFilterGroup", &r.PatchFilterGroup)
			if r.ComplianceLevel != "" {
				v.Enum(p+".complianceLevel", r.ComplianceLevel, complianceLevels...)
			}
			v.IntRange(p+".approveAfterDays", r.ApproveAfterDays, 0, 360)
			if r.ApproveUntilDate != "" {
				v.Length(p+".approveUntilDate", r.ApproveUntilDate, 1, 10)
			}
		}
	}
	v.Count("approvedPatches", len(f.ApprovedPatches), 0, 50)
	for _, id := range f.ApprovedPatches {
		v.Length("approvedPatches.member", id, 1, 100)
	}
	v.Count("rejectedPatches", len(f.RejectedPatches), 0, 50)
	for _, id := range f.RejectedPatches {
		v.Length("rejectedPatches.member", id, 1, 100)
	}
	if f.ApprovedPatchesComplianceLevel != nil {
		v.Enum("approvedPatchesComplianceLevel", *f.ApprovedPatchesComplianceLevel, complianceLevels...)
	}
	if f.RejectedPatchesAction != nil {
		v.Enum("rejectedPatchesAction", *f.RejectedPatchesAction, patchActions...)
	}
	if f.Description != nil {
		v.Length("description", *f.Description, 1, 1024)
	}
	v.Count("sources", len(f.Sources), 0, 20)
	for i, s := range f.Sources {
		p := fmt.Sprintf("sources.%d.member", i+1)
		v.Pattern(p+".name", s.Name, sourceNamePattern)
		v.Count(p+".products", len(s.Products), 1, 20)
		v.Length(p+".configuration", s.Configuration, 1, 1024)
	}
	if f.AvailableSecurityUpdatesComplianceStatus != nil {
		v.Enum("availableSecurityUpdatesComplianceStatus", *f.AvailableSecurityUpdatesComplianceStatus, complianceStatus...)
	}
}

func validateFilterGroup(v *protocol.Validator, path string, g *filterGroup) {
	v.Count(path+".patchFilters", len(g.PatchFilters), 0, 4)
	for i, f := range g.PatchFilters {
		p := fmt.Sprintf("%s.patchFilters.%d.member", path, i+1)
		v.Enum(p+".key", f.Key, filterKeys...)
		v.Count(p+".values", len(f.Values), 1, 20)
		for _, val := range f.Values {
			v.Length(p+".values.member", val, 1, 64)
		}
	}
}

// checkRules applies the rules the model documents in prose: each
// approval rule needs ApproveAfterDays or ApproveUntilDate (not both),
// ApproveUntilDate is YYYY-MM-DD, and a filter key appears once per
// group.
func checkRules(f *baselineFields) *protocol.APIError {
	groups := []*filterGroup{f.GlobalFilters}
	if f.ApprovalRules != nil {
		for i, r := range f.ApprovalRules.PatchRules {
			switch {
			case r.ApproveAfterDays == nil && r.ApproveUntilDate == "":
				return protocol.ErrValidation(fmt.Sprintf("Approval rule %d must specify ApproveAfterDays or ApproveUntilDate.", i+1))
			case r.ApproveAfterDays != nil && r.ApproveUntilDate != "":
				return protocol.ErrValidation(fmt.Sprintf("Approval rule %d specifies both ApproveAfterDays and ApproveUntilDate.", i+1))
			case r.ApproveUntilDate != "" && !validDate(r.ApproveUntilDate):
				return protocol.ErrValidation(fmt.Sprintf("ApproveUntilDate %s is not a date in the format YYYY-MM-DD.", r.ApproveUntilDate))
			}
			groups = append(groups, &f.ApprovalRules.PatchRules[i].PatchFilterGroup)
		}
	}
	for _, g := range groups {
		if g == nil {
			continue
		}
		seen := map[string]bool{}
		for _, pf := range g.PatchFilters {
			if seen[pf.Key] {
				return protocol.ErrValidation(fmt.Sprintf("Patch filter key %s is used more than once in a filter group.", pf.Key))
			}
			seen[pf.Key] = true
		}
	}
	return nil
}

func validDate(s string) bool {
	if !untilDatePattern.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// apply sets b's members from f: every member when replace, else those
// given.
func (b *baseline) apply(f *baselineFields, replace bool) {
	if f.Name != nil {
		b.Name = *f.Name
	}
	if f.GlobalFilters != nil || replace {
		b.GlobalFilters = f.GlobalFilters
	}
	if f.ApprovalRules != nil || replace {
		b.ApprovalRules = f.ApprovalRules
	}
	if f.ApprovedPatches != nil || replace {
		b.ApprovedPatches = f.ApprovedPatches
	}
	if f.RejectedPatches != nil || replace {
		b.RejectedPatches = f.RejectedPatches
	}
	if f.ApprovedPatchesComplianceLevel != nil {
		b.ApprovedPatchesComplianceLevel = *f.ApprovedPatchesComplianceLevel
	} else if replace {
		b.ApprovedPatchesComplianceLevel = "UNSPECIFIED"
	}
	if f.ApprovedPatchesEnableNonSecurity != nil {
		b.ApprovedPatchesEnableNonSecurity = *f.ApprovedPatchesEnableNonSecurity
	} else if replace {
		b.ApprovedPatchesEnableNonSecurity = false
	}
	if f.RejectedPatchesAction != nil {
		b.RejectedPatchesAction = *f.RejectedPatchesAction
	} else if replace {
		b.RejectedPatchesAction = "ALLOW_AS_DEPENDENCY"
	}
	if f.Description != nil {
		b.Description = *f.Description
	} else if replace {
		b.Description = ""
	}
	if f.Sources != nil || replace {
		b.Sources = f.Sources
	}
	if f.AvailableSecurityUpdatesComplianceStatus != nil {
		b.AvailableSecurityUpdatesComplianceStatus = *f.AvailableSecurityUpdatesComplianceStatus
	} else if replace {
		b.AvailableSecurityUpdatesComplianceStatus = ""
	}
}

func newBaselineID() string {
	var b [9]byte
	rand.Read(b[:])
	return "pb-" + hex.EncodeToString(b[:])[:17]
}

// defaultBaselinesPage is DescribePatchBaselines' page when MaxResults is
// missing (the model gives 1..100 and no default; the sandbox answers at
// most 100, the largest page).
const defaultBaselinesPage = 100

func (a *Area) describePatchBaselines(in *describePatchBaselinesInput) (*describePatchBaselinesOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 100)
	validateOrchestratorFilters(&v, in.Filters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	match, aerr := baselineMatcher(in.Filters, "NAME_PREFIX", "OWNER", "OPERATING_SYSTEM")
	if aerr != nil {
		return nil, aerr
	}
	size := defaultBaselinesPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribePatchBaselines", in.Filters)
	var out describePatchBaselinesOutput
	var err error
	a.view(func(st *state) {
		var list []*baseline
		for _, b := range a.all(st) {
			if match(b.Name, b.OperatingSystem, b.aws) {
				list = append(list, b)
			}
		}
		var ok bool
		if out.BaselineIdentities, out.NextToken, ok = protocol.PageOf(list, protocol.Deref(in.NextToken), fp, size, func(b *baseline) baselineIdentity { return a.identity(st, b) }); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// validateOrchestratorFilters applies PatchOrchestratorFilterList's rules.
func validateOrchestratorFilters(v *protocol.Validator, filters []orchestratorFilter) {
	v.Count("filters", len(filters), 0, 5)
	for i, f := range filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if f.Key != nil {
			v.Length(p+".key", *f.Key, 1, 128)
		}
		for _, val := range f.Values {
			v.Length(p+".values.member", val, 1, 256)
		}
	}
}

// baselineMatcher turns DescribePatchBaselines' or DescribePatchGroups'
// filters into a predicate on a name (baseline or patch group), an
// operating system and the owner. Keys other than the operation's are
// refused (the documentation lists the keys; the model no error).
func baselineMatcher(filters []orchestratorFilter, keys ...string) (func(name, os string, aws bool) bool, *protocol.APIError) {
	type cond struct {
		key    string
		values []string
	}
	var conds []cond
	for _, f := range filters {
		k := protocol.Deref(f.Key)
		if !slices.Contains(keys, k) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Invalid filter key %s. Valid keys: %s.", k, strings.Join(keys, ", ")))
		}
		conds = append(conds, cond{k, f.Values})
	}
	return func(name, os string, aws bool) bool {
		for _, c := range conds {
			ok := false
			for _, val := range c.values {
				switch c.key {
				case "NAME_PREFIX":
					ok = ok || strings.HasPrefix(name, val)
				case "OWNER":
					ok = ok || (val == "AWS" && aws) || (val == "Self" && !aws)
				case "OPERATING_SYSTEM":
					ok = ok || val == os
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

func (a *Area) getPatchBaseline(in *baselineIDInput) (*baselineWire, error) {
	id, err := validateBaselineID(in.BaselineId)
	if err != nil {
		return nil, err
	}
	var out *baselineWire
	a.view(func(st *state) {
		if b := a.find(st, id); b != nil {
			w := a.wire(st, b)
			out = &w
		}
	})
	if out == nil {
		return nil, errDoesNotExist(id)
	}
	return out, nil
}

func validateBaselineID(id *string) (string, error) {
	var v protocol.Validator
	if v.Required("baselineId", id != nil) {
		v.Length("baselineId", *id, 20, 128)
		v.Pattern("baselineId", *id, baselineIDPattern)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return *id, nil
}

func (a *Area) createPatchBaseline(in *createPatchBaselineInput) (*baselineIDOutput, error) {
	var v protocol.Validator
	v.Required("name", in.Name != nil)
	validateFields(&v, &in.baselineFields)
	if in.OperatingSystem != nil {
		v.Enum("operatingSystem", *in.OperatingSystem, operatingSystems...)
	}
	if in.ClientToken != nil {
		v.Length("clientToken", *in.ClientToken, 1, 64)
	}
	tags.ValidateList(&v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkRules(&in.baselineFields); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	b := &baseline{OperatingSystem: "WINDOWS", Created: now, Modified: now}
	if in.OperatingSystem != nil {
		b.OperatingSystem = *in.OperatingSystem
	}
	b.apply(&in.baselineFields, true)
	b.ClientToken = protocol.Deref(in.ClientToken)
	for _, t := range in.Tags {
		if b.Tags == nil {
			b.Tags = map[string]string{}
		}
		b.Tags[protocol.Deref(t.Key)] = protocol.Deref(t.Value)
	}
	var out baselineIDOutput
	err := a.mutate(func(st *state) error {
		if b.ClientToken != "" {
			for _, old := range st.Baselines {
				if old.ClientToken == b.ClientToken {
					if old.Name != b.Name || old.OperatingSystem != b.OperatingSystem {
						return protocol.Errorf(http.StatusBadRequest, "IdempotentParameterMismatch", "Error: Request has same client token as a previous request, but the requests are not identical.")
					}
					out.BaselineId = old.ID
					return nil
				}
			}
		}
		if len(st.Baselines) >= maxBaselines {
			return protocol.Errorf(http.StatusBadRequest, "ResourceLimitExceededException", "Patch baselines limit of %d reached.", maxBaselines)
		}
		b.ID = newBaselineID()
		st.Baselines = append(st.Baselines, b)
		out.BaselineId = b.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// maxBaselines bounds the account's own baselines. AWS has such a quota
// ("Systems Manager service quotas"); its value was not checked here, so
// this is the sandbox's own bound (docs/sandbox-patch.md).
const maxBaselines = 50

func (a *Area) updatePatchBaseline(in *updatePatchBaselineInput) (*baselineWire, error) {
	id, err := validateBaselineID(in.BaselineId)
	if err != nil {
		return nil, err
	}
	var v protocol.Validator
	validateFields(&v, &in.baselineFields)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkRules(&in.baselineFields); err != nil {
		return nil, err
	}
	replace := in.Replace != nil && *in.Replace
	if replace && in.Name == nil {
		return nil, protocol.ErrValidation("Name is required when Replace is true.")
	}
	var out baselineWire
	err = a.mutate(func(st *state) error {
		b := a.find(st, id)
		if b == nil || b.aws {
			return errDoesNotExist(id)
		}
		b.apply(&in.baselineFields, replace)
		b.Modified = a.h.Clock()
		out = a.wire(st, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) deletePatchBaseline(in *baselineIDInput) (*baselineIDOutput, error) {
	id, err := validateBaselineID(in.BaselineId)
	if err != nil {
		return nil, err
	}
	err = a.mutate(func(st *state) error {
		b := a.find(st, id)
		if b == nil || b.aws {
			return errDoesNotExist(id)
		}
		if a.isDefault(st, b) {
			return protocol.Errorf(http.StatusBadRequest, "ResourceInUseException", "Patch Baseline %s is the default patch baseline for %s.", b.ID, b.OperatingSystem)
		}
		for _, g := range st.Groups {
			if a.sameBaseline(st, g.BaselineID, b) {
				return protocol.Errorf(http.StatusBadRequest, "ResourceInUseException", "Patch Baseline %s is registered with patch group %s.", b.ID, g.PatchGroup)
			}
		}
		st.Baselines = slices.DeleteFunc(st.Baselines, func(x *baseline) bool { return x == b })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &baselineIDOutput{BaselineId: id}, nil
}

// sortedGroups are the registrations in patch group order.
func sortedGroups(st *state) []*groupRegistration {
	out := slices.Clone(st.Groups)
	sort.SliceStable(out, func(i, j int) bool { return out[i].PatchGroup < out[j].PatchGroup })
	return out
}
