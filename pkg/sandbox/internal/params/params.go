package params

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// Parameter Store: PutParameter, GetParameter, GetParameters,
// GetParametersByPath, DescribeParameters, GetParameterHistory,
// LabelParameterVersion, UnlabelParameterVersion, DeleteParameter and
// DeleteParameters. Limits and error names come from botocore's
// ssm/2014-11-06 model and AWS's documentation; docs/sandbox-parameters.md
// lists each rule with its source and the decisions the sandbox made.

// State.

type parameter struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags,omitempty"`
	// Versions, oldest first; at most maxParamVersions.
	Versions []*paramVersion `json:"versions"`
}

type paramVersion struct {
	Version int64  `json:"version"`
	Type    string `json:"type"`
	// Value is the plaintext of a String or StringList and the ciphertext
	// blob (base64) of a SecureString.
	Value          string    `json:"value"`
	KeyID          string    `json:"keyId,omitempty"`
	Description    string    `json:"description,omitempty"`
	AllowedPattern string    `json:"allowedPattern,omitempty"`
	Tier           string    `json:"tier"`
	DataType       string    `json:"dataType"`
	Policies       []policy  `json:"policies,omitempty"`
	Labels         []string  `json:"labels,omitempty"`
	Modified       time.Time `json:"modified"`
	User           string    `json:"user"`
}

func (p *parameter) latest() *paramVersion { return p.Versions[len(p.Versions)-1] }

// expiry is when the parameter's Expiration policy deletes it (zero:
// never). Policies belong to the parameter: the latest version's count.
func (p *parameter) expiry() time.Time {
	for _, pol := range p.latest().Policies {
		if !pol.Expires.IsZero() {
			return pol.Expires
		}
	}
	return time.Time{}
}

func (p *parameter) version(n int64) *paramVersion {
	for _, v := range p.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

func (p *parameter) labelled(label string) *paramVersion {
	for _, v := range p.Versions {
		if slices.Contains(v.Labels, label) {
			return v
		}
	}
	return nil
}

// liveParam finds a parameter that exists and has not expired.
func (st *state) liveParam(name string, now time.Time) *parameter {
	p := st.paramByName[name]
	if p == nil {
		return nil
	}
	if e := p.expiry(); !e.IsZero() && !now.Before(e) {
		return nil
	}
	return p
}

func (st *state) addParam(p *parameter) {
	st.Parameters = append(st.Parameters, p)
	st.paramByName[p.Name] = p
	i, _ := slices.BinarySearch(st.paramNames, p.Name)
	st.paramNames = slices.Insert(st.paramNames, i, p.Name)
}

func (st *state) removeParam(name string) {
	if st.paramByName[name] == nil {
		return
	}
	delete(st.paramByName, name)
	if i, ok := slices.BinarySearch(st.paramNames, name); ok {
		st.paramNames = slices.Delete(st.paramNames, i, i+1)
	}
	st.Parameters = slices.DeleteFunc(st.Parameters, func(p *parameter) bool { return p.Name == name })
}

// sweepExpired deletes the parameters whose Expiration policy has come,
// as Parameter Store does when "the expiration time is reached".
func (st *state) sweepExpired(now time.Time) {
	var gone []string
	for _, p := range st.Parameters {
		if e := p.expiry(); !e.IsZero() && !now.Before(e) {
			gone = append(gone, p.Name)
		}
	}
	for _, name := range gone {
		st.removeParam(name)
	}
}

// tierCounts counts the live parameters per tier, for the account limits.
func (st *state) tierCounts() (standard, advanced int) {
	for _, p := range st.Parameters {
		if p.latest().Tier == tierAdvanced {
			advanced++
		} else {
			standard++
		}
	}
	return standard, advanced
}

// Wire types.

type putParameterInput struct {
	Name           *string     `json:"Name"`
	Description    *string     `json:"Description"`
	Value          *string     `json:"Value"`
	Type           *string     `json:"Type"`
	KeyId          *string     `json:"KeyId"`
	Overwrite      *bool       `json:"Overwrite"`
	AllowedPattern *string     `json:"AllowedPattern"`
	Tags           []tags.Wire `json:"Tags"`
	Tier           *string     `json:"Tier"`
	Policies       *string     `json:"Policies"`
	DataType       *string     `json:"DataType"`
}

type putParameterOutput struct {
	Version int64  `json:"Version"`
	Tier    string `json:"Tier"`
}

type getParameterInput struct {
	Name           *string `json:"Name"`
	WithDecryption *bool   `json:"WithDecryption"`
}

type parameterWire struct {
	Name             string              `json:"Name"`
	Type             string              `json:"Type"`
	Value            string              `json:"Value"`
	Version          int64               `json:"Version"`
	Selector         string              `json:"Selector,omitempty"`
	SourceResult     string              `json:"SourceResult,omitempty"`
	LastModifiedDate *protocol.EpochTime `json:"LastModifiedDate,omitempty"`
	ARN              string              `json:"ARN"`
	DataType         string              `json:"DataType"`
}

type getParameterOutput struct {
	Parameter parameterWire `json:"Parameter"`
}

type getParametersInput struct {
	Names          []string `json:"Names"`
	WithDecryption *bool    `json:"WithDecryption"`
}

type getParametersOutput struct {
	Parameters        []parameterWire `json:"Parameters"`
	InvalidParameters []string        `json:"InvalidParameters"`
}

type parameterStringFilter struct {
	Key    *string  `json:"Key"`
	Option *string  `json:"Option"`
	Values []string `json:"Values"`
}

type getParametersByPathInput struct {
	Path             *string                 `json:"Path"`
	Recursive        *bool                   `json:"Recursive"`
	ParameterFilters []parameterStringFilter `json:"ParameterFilters"`
	WithDecryption   *bool                   `json:"WithDecryption"`
	MaxResults       *int32                  `json:"MaxResults"`
	NextToken        *string                 `json:"NextToken"`
}

type getParametersByPathOutput struct {
	Parameters []parameterWire `json:"Parameters"`
	NextToken  string          `json:"NextToken,omitempty"`
}

type parametersFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type describeParametersInput struct {
	Filters          []parametersFilter      `json:"Filters"`
	ParameterFilters []parameterStringFilter `json:"ParameterFilters"`
	MaxResults       *int32                  `json:"MaxResults"`
	NextToken        *string                 `json:"NextToken"`
	Shared           *bool                   `json:"Shared"`
}

type parameterInlinePolicy struct {
	PolicyText   string `json:"PolicyText"`
	PolicyType   string `json:"PolicyType"`
	PolicyStatus string `json:"PolicyStatus"`
}

type parameterMetadata struct {
	Name             string                  `json:"Name"`
	ARN              string                  `json:"ARN"`
	Type             string                  `json:"Type"`
	KeyId            string                  `json:"KeyId,omitempty"`
	LastModifiedDate *protocol.EpochTime     `json:"LastModifiedDate,omitempty"`
	LastModifiedUser string                  `json:"LastModifiedUser"`
	Description      string                  `json:"Description,omitempty"`
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	Version          int64                   `json:"Version"`
	Tier             string                  `json:"Tier"`
	Policies         []parameterInlinePolicy `json:"Policies"`
	DataType         string                  `json:"DataType"`
}

type describeParametersOutput struct {
	Parameters []parameterMetadata `json:"Parameters"`
	NextToken  string              `json:"NextToken,omitempty"`
}

type getParameterHistoryInput struct {
	Name           *string `json:"Name"`
	WithDecryption *bool   `json:"WithDecryption"`
	MaxResults     *int32  `json:"MaxResults"`
	NextToken      *string `json:"NextToken"`
}

type parameterHistory struct {
	Name             string                  `json:"Name"`
	Type             string                  `json:"Type"`
	KeyId            string                  `json:"KeyId,omitempty"`
	LastModifiedDate *protocol.EpochTime     `json:"LastModifiedDate,omitempty"`
	LastModifiedUser string                  `json:"LastModifiedUser"`
	Description      string                  `json:"Description,omitempty"`
	Value            string                  `json:"Value"`
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	Version          int64                   `json:"Version"`
	Labels           []string                `json:"Labels"`
	Tier             string                  `json:"Tier"`
	Policies         []parameterInlinePolicy `json:"Policies"`
	DataType         string                  `json:"DataType"`
}

type getParameterHistoryOutput struct {
	Parameters []parameterHistory `json:"Parameters"`
	NextToken  string             `json:"NextToken,omitempty"`
}

type labelParameterVersionInput struct {
	Name             *string  `json:"Name"`
	ParameterVersion *int64   `json:"ParameterVersion"`
	Labels           []string `json:"Labels"`
}

type labelParameterVersionOutput struct {
	InvalidLabels    []string `json:"InvalidLabels"`
	ParameterVersion int64    `json:"ParameterVersion"`
}

type unlabelParameterVersionInput struct {
	Name             *string  `json:"Name"`
	ParameterVersion *int64   `json:"ParameterVersion"`
	Labels           []string `json:"Labels"`
}

type unlabelParameterVersionOutput struct {
	RemovedLabels []string `json:"RemovedLabels"`
	InvalidLabels []string `json:"InvalidLabels"`
}

type deleteParameterInput struct {
	Name *string `json:"Name"`
}

type deleteParametersInput struct {
	Names []string `json:"Names"`
}

type deleteParametersOutput struct {
	DeletedParameters []string `json:"DeletedParameters"`
	InvalidParameters []string `json:"InvalidParameters"`
}

// Page sizes: the model's MaxResults bounds; the defaults are AWS's
// (GetParametersByPath 10, DescribeParameters 10, GetParameterHistory 50).
const (
	defaultByPathPage   = 10
	defaultDescribePage = 10
	defaultHistoryPage  = 50
)

// Errors.

// errParameterNotFound is how AWS answers GetParameter and DeleteParameter
// for a missing name: with no message.
func errParameterNotFound() *protocol.APIError {
	return &protocol.APIError{Status: http.StatusBadRequest, Type: "ParameterNotFound"}
}

func errParameterVersionNotFound(version, name string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "ParameterVersionNotFound", "Systems Manager could not find version %s of %s. Verify the version and try again.", version, name)
}

// Name resolution.

var digits = regexp.MustCompile(`^[0-9]+$`)

// lookup resolves a name as GetParameter takes it: a name or an ARN of
// this account and region, optionally with a :VERSION or :LABEL selector.
// It returns the selector as AWS echoes it (":3", ":prod").
func (a *Area) lookup(st *state, raw string, now time.Time) (*parameter, *paramVersion, string, *protocol.APIError) {
	name := cleanName(raw)
	arnPrefix := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/", area.Partition(a.h.Region), a.h.Region, a.h.AccountID)
	var candidates []string
	if strings.HasPrefix(name, "arn:") {
		if !strings.HasPrefix(name, arnPrefix) {
			return nil, nil, "", errParameterNotFound()
		}
		rest := strings.TrimPrefix(name, arnPrefix)
		name = "/" + rest
		candidates = []string{"/" + rest, rest}
	}
	base, sel, hasSel := name, "", false
	if i := strings.LastIndex(name, ":"); i >= 0 {
		base, sel, hasSel = name[:i], name[i+1:], true
	}
	if candidates == nil {
		candidates = []string{base}
	} else if hasSel {
		candidates = []string{base, strings.TrimPrefix(base, "/")}
	}
	var p *parameter
	for _, c := range candidates {
		if strings.Contains(c, ":") {
			continue
		}
		if p = st.liveParam(c, now); p != nil {
			break
		}
	}
	if p == nil {
		return nil, nil, "", errParameterNotFound()
	}
	if !hasSel {
		return p, p.latest(), "", nil
	}
	if digits.MatchString(sel) {
		n, err := strconv.ParseInt(sel, 10, 64)
		v := p.version(n)
		if err != nil || v == nil {
			return nil, nil, "", errParameterVersionNotFound(sel, p.Name)
		}
		return p, v, ":" + sel, nil
	}
	v := p.labelled(sel)
	if v == nil {
		return nil, nil, "", errParameterNotFound()
	}
	return p, v, ":" + sel, nil
}

// historyTarget resolves GetParameterHistory's and the label operations'
// Name: a name or an ARN, no selector.
func (a *Area) historyTarget(st *state, raw string, now time.Time) (*parameter, *protocol.APIError) {
	name := cleanName(raw)
	arnPrefix := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/", area.Partition(a.h.Region), a.h.Region, a.h.AccountID)
	candidates := []string{name}
	if strings.HasPrefix(name, arnPrefix) {
		rest := strings.TrimPrefix(name, arnPrefix)
		candidates = []string{"/" + rest, rest}
	}
	for _, c := range candidates {
		if p := st.liveParam(c, now); p != nil {
			return p, nil
		}
	}
	return nil, protocol.Errorf(http.StatusBadRequest, "ParameterNotFound", "Parameter %s not found.", name)
}

// Rendering.

func (a *Area) renderValue(st *state, p *parameter, v *paramVersion, decrypt bool) (string, error) {
	if v.Type == typeSecureString && decrypt {
		return openValue(st, a.paramARN(p.Name), v.Value)
	}
	return v.Value, nil
}

func (a *Area) parameterWire(st *state, p *parameter, v *paramVersion, selector string, decrypt bool) (parameterWire, error) {
	val, err := a.renderValue(st, p, v, decrypt)
	if err != nil {
		return parameterWire{}, err
	}
	return parameterWire{
		Name: p.Name, Type: v.Type, Value: val, Version: v.Version, Selector: selector,
		LastModifiedDate: protocol.Epoch(v.Modified), ARN: a.paramARN(p.Name), DataType: v.DataType,
	}, nil
}

func inlinePolicies(ps []policy) []parameterInlinePolicy {
	out := make([]parameterInlinePolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, parameterInlinePolicy{PolicyText: p.Text, PolicyType: p.Type, PolicyStatus: "Pending"})
	}
	return out
}

func (a *Area) metadata(p *parameter) parameterMetadata {
	v := p.latest()
	return parameterMetadata{
		Name: p.Name, ARN: a.paramARN(p.Name), Type: v.Type, KeyId: v.KeyID,
		LastModifiedDate: protocol.Epoch(v.Modified), LastModifiedUser: v.User, Description: v.Description,
		AllowedPattern: v.AllowedPattern, Version: v.Version, Tier: v.Tier,
		Policies: inlinePolicies(v.Policies), DataType: v.DataType,
	}
}

// Handlers.

// putParameter validates the request, then, under the lock, builds the
// new version from the request and the previous one, places it in a tier,
// seals a SecureString's value and stores the version.
func (a *Area) putParameter(in *putParameterInput) (*putParameterOutput, error) {
	if err := validatePutParameter(in); err != nil {
		return nil, err
	}
	if err := a.checkPutParameter(in); err != nil {
		return nil, err
	}
	name := cleanName(*in.Name)
	overwrite := in.Overwrite != nil && *in.Overwrite
	now := a.h.Clock()
	var out putParameterOutput
	err := a.mutate(func(st *state) error {
		st.sweepExpired(now)
		p := st.paramByName[name]
		if p != nil && !overwrite {
			return protocol.Errorf(http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		}
		var prev *paramVersion
		if p != nil {
			prev = p.latest()
		}
		nv, err := a.newVersion(in, name, prev, now)
		if err != nil {
			return err
		}
		if err := st.placeTier(nv, in, p, prev); err != nil {
			return err
		}
		if err := a.setValue(st, nv, in, name); err != nil {
			return err
		}
		if err := st.storeVersion(p, nv, name, in); err != nil {
			return err
		}
		out = putParameterOutput{Version: nv.Version, Tier: nv.Tier}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// validatePutParameter applies the model's rules to PutParameter's members.
func validatePutParameter(in *putParameterInput) error {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	v.Required("value", in.Value != nil)
	if in.Description != nil {
		v.Length("description", *in.Description, 0, 1024)
	}
	if in.Type != nil {
		v.Enum("type", *in.Type, paramTypes...)
	}
	if in.KeyId != nil {
		v.Length("keyId", *in.KeyId, 1, 256)
		v.Pattern("keyId", *in.KeyId, keyIDPattern)
	}
	if in.AllowedPattern != nil {
		v.Length("allowedPattern", *in.AllowedPattern, 0, 1024)
	}
	if in.Tags != nil {
		tags.ValidateList(&v, in.Tags)
	}
	if in.Tier != nil {
		v.Enum("tier", *in.Tier, paramTiers...)
	}
	if in.Policies != nil {
		v.Length("policies", *in.Policies, 1, 4096)
	}
	if in.DataType != nil {
		v.Length("dataType", *in.DataType, 0, 128)
	}
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// checkPutParameter applies Parameter Store's own rules that need no
// state: a value, tags only on creation, the name rules, no aws: tags.
func (a *Area) checkPutParameter(in *putParameterInput) error {
	// The value is sensitive: no message ever quotes it.
	if *in.Value == "" {
		return protocol.ErrValidation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.")
	}
	if in.Overwrite != nil && *in.Overwrite && len(in.Tags) > 0 {
		return protocol.ErrValidation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	if err := a.checkNewName(cleanName(*in.Name)); err != nil {
		return err
	}
	for _, t := range in.Tags {
		if tags.Reserved(*t.Key) {
			return protocol.ErrValidation(fmt.Sprintf("Tag key %q is invalid: keys beginning with aws: are reserved for AWS use.", *t.Key))
		}
	}
	return nil
}

// newVersion builds the next version of a parameter: what the request
// gives, the rest inherited from the previous version.
func (a *Area) newVersion(in *putParameterInput, name string, prev *paramVersion, now time.Time) (*paramVersion, error) {
	nv := &paramVersion{Version: 1, Modified: now, User: a.h.CallerARN(), DataType: dataTypeText}
	if prev != nil {
		nv.Version = prev.Version + 1
		nv.Type, nv.Description, nv.AllowedPattern, nv.DataType = prev.Type, prev.Description, prev.AllowedPattern, prev.DataType
		nv.KeyID, nv.Policies = prev.KeyID, prev.Policies
	}
	if in.Type != nil {
		if prev != nil && *in.Type != prev.Type {
			return nil, protocol.Errorf(http.StatusBadRequest, "HierarchyTypeMismatchException", "The parameter type can't be changed: %s is a %s parameter. Parameter Store doesn't support changing a parameter type in a hierarchy; create a new, unique parameter.", name, prev.Type)
		}
		nv.Type = *in.Type
	}
	if nv.Type == "" {
		return nil, protocol.ErrValidation("A parameter type is required when you create a parameter.")
	}
	if in.Description != nil {
		nv.Description = *in.Description
	}
	if in.AllowedPattern != nil {
		nv.AllowedPattern = *in.AllowedPattern
	}
	if in.DataType != nil && *in.DataType != "" {
		nv.DataType = *in.DataType
	}
	if err := checkDataType(nv.DataType, nv.Type, *in.Value); err != nil {
		return nil, err
	}
	if in.Policies != nil {
		ps, err := parsePolicies(*in.Policies, now)
		if err != nil {
			return nil, err
		}
		nv.Policies = ps
	}
	if nv.AllowedPattern != "" {
		re, err := regexp.Compile(nv.AllowedPattern)
		if err != nil {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidAllowedPatternException", "The allowed pattern %s isn't a valid regular expression.", nv.AllowedPattern)
		}
		if !re.MatchString(*in.Value) {
			return nil, protocol.Errorf(http.StatusBadRequest, "ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: %s", nv.AllowedPattern)
		}
	}
	return nv, nil
}

// placeTier decides the version's tier and checks the account's
// parameter limits for it.
func (st *state) placeTier(nv *paramVersion, in *putParameterInput, p *parameter, prev *paramVersion) error {
	tier, err := resolveTier(in.Tier, prev, len(*in.Value), len(nv.Policies), st)
	if err != nil {
		return err
	}
	nv.Tier = tier
	if p == nil || prev.Tier != tier {
		standard, advanced := st.tierCounts()
		if tier == tierStandard && standard >= maxStandardParams {
			return protocol.Errorf(http.StatusBadRequest, "ParameterLimitExceeded", "You have exceeded the number of parameters for this Amazon Web Services account. Delete one or more parameters and try again.")
		}
		if tier == tierAdvanced && advanced >= maxAdvancedParams {
			return protocol.Errorf(http.StatusBadRequest, "ParameterLimitExceeded", "You have exceeded the number of parameters for this Amazon Web Services account. Delete one or more parameters and try again.")
		}
	}
	return nil
}

// setValue stores the value in the version: sealed with its KMS key for
// a SecureString, as given otherwise.
func (a *Area) setValue(st *state, nv *paramVersion, in *putParameterInput, name string) error {
	if nv.Type == typeSecureString {
		if in.KeyId != nil {
			nv.KeyID = *in.KeyId
		}
		if nv.KeyID == "" {
			nv.KeyID = ssmManagedAlias
		}
		key, kerr := a.resolveKey(st, nv.KeyID)
		if kerr != nil {
			return kerr
		}
		sealed, err := sealValue(key, a.paramARN(name), *in.Value)
		if err != nil {
			return err
		}
		nv.Value = sealed
	} else {
		if in.KeyId != nil {
			return protocol.ErrValidation(fmt.Sprintf("KeyId applies to SecureString parameters only; %s is a %s parameter.", name, nv.Type))
		}
		nv.KeyID = ""
		nv.Value = *in.Value
	}
	return nil
}

// storeVersion adds the version to its parameter, dropping the oldest
// version beyond the limit, or creates the parameter with its tags.
func (st *state) storeVersion(p *parameter, nv *paramVersion, name string, in *putParameterInput) error {
	if p != nil && len(p.Versions) >= maxParamVersions {
		oldest := p.Versions[0]
		if len(oldest.Labels) > 0 {
			return protocol.Errorf(http.StatusBadRequest, "ParameterMaxVersionLimitExceeded", "You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", name, oldest.Version)
		}
		p.Versions = p.Versions[1:]
	}
	if p == nil {
		p = &parameter{Name: name}
		for _, t := range in.Tags {
			if p.Tags == nil {
				p.Tags = map[string]string{}
			}
			p.Tags[*t.Key] = *t.Value
		}
		if len(p.Tags) > tags.MaxPerResource {
			return protocol.ErrTooManyTags()
		}
		p.Versions = []*paramVersion{nv}
		st.addParam(p)
	} else {
		p.Versions = append(p.Versions, nv)
	}
	return nil
}

// resolveTier decides a new version's tier from the requested tier, the
// previous version, the value's size in bytes and the policy count.
func resolveTier(requested *string, prev *paramVersion, size, policies int, st *state) (string, error) {
	prevTier := ""
	if prev != nil {
		prevTier = prev.Tier
	}
	needAdvanced := size > maxStandardValue || policies > 0
	var tier string
	switch {
	case requested == nil:
		// The default tier setting is Standard; an update without a
		// tier keeps the parameter's tier (docs/sandbox-parameters.md).
		tier = tierStandard
		if prevTier != "" {
			tier = prevTier
		}
	case *requested == tierIntelligent:
		tier = tierStandard
		if needAdvanced || prevTier == tierAdvanced {
			tier = tierAdvanced
		} else if prev == nil {
			if standard, _ := st.tierCounts(); standard >= maxStandardParams {
				tier = tierAdvanced
			}
		}
	default:
		tier = *requested
	}
	if tier == tierStandard && prevTier == tierAdvanced {
		return "", protocol.ErrValidation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
	}
	if tier == tierStandard && size > maxStandardValue {
		return "", protocol.ErrValidation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	}
	if tier == tierStandard && policies > 0 {
		return "", protocol.ErrValidation("Standard tier parameters don't support parameter policies. To use parameter policies, upgrade the parameter to use the advanced-parameter tier.")
	}
	if tier == tierAdvanced && size > maxAdvancedValue {
		return "", protocol.ErrValidation("Advanced tier parameters support a maximum parameter value of 8192 characters.")
	}
	return tier, nil
}

func (a *Area) getParameter(in *getParameterInput) (*getParameterOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	var out getParameterOutput
	var err error
	a.view(func(st *state) {
		p, pv, sel, lerr := a.lookup(st, *in.Name, now)
		if lerr != nil {
			err = lerr
			return
		}
		out.Parameter, err = a.parameterWire(st, p, pv, sel, in.WithDecryption != nil && *in.WithDecryption)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) getParameters(in *getParametersInput) (*getParametersOutput, error) {
	var v protocol.Validator
	if v.Required("names", in.Names != nil) {
		v.Count("names", len(in.Names), 1, 10)
		for _, n := range in.Names {
			v.Length("names.member", n, 1, 2048)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := getParametersOutput{Parameters: []parameterWire{}, InvalidParameters: []string{}}
	var err error
	a.view(func(st *state) {
		seen := map[string]bool{}
		for _, n := range in.Names {
			if seen[n] {
				continue
			}
			seen[n] = true
			p, pv, sel, lerr := a.lookup(st, n, now)
			if lerr != nil {
				out.InvalidParameters = append(out.InvalidParameters, n)
				continue
			}
			w, werr := a.parameterWire(st, p, pv, sel, in.WithDecryption != nil && *in.WithDecryption)
			if werr != nil {
				err = werr
				return
			}
			out.Parameters = append(out.Parameters, w)
		}
	})
	if err != nil {
		return nil, err
	}
	// "The results for GetParameters requests are listed in alphabetical
	// order."
	sort.SliceStable(out.Parameters, func(i, j int) bool { return out.Parameters[i].Name < out.Parameters[j].Name })
	return &out, nil
}

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

func (a *Area) getParametersByPath(in *getParametersByPathInput) (*getParametersByPathOutput, error) {
	var v protocol.Validator
	if v.Required("path", in.Path != nil) {
		v.Length("path", *in.Path, 1, 2048)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 10)
	validateStringFilters(&v, in.ParameterFilters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	filters, ferr := parseParamFilters(in.ParameterFilters, true)
	if ferr != nil {
		return nil, ferr
	}
	path := cleanName(*in.Path)
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	recursive := in.Recursive != nil && *in.Recursive
	size := defaultByPathPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("GetParametersByPath", path, recursive, in.ParameterFilters)
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		last, ok := decodeCursorToken(*in.NextToken, fp)
		if !ok {
			return nil, protocol.ErrInvalidNextToken()
		}
		after = last
	}
	prefix := path + "/"
	if path == "/" {
		prefix = "/"
	}
	now := a.h.Clock()
	decrypt := in.WithDecryption != nil && *in.WithDecryption
	out := getParametersByPathOutput{Parameters: []parameterWire{}}
	var err error
	a.view(func(st *state) {
		limit := pageLimit(after+"\x00"+path, size)
		i, _ := slices.BinarySearch(st.paramNames, prefix)
		if after != "" {
			j, found := slices.BinarySearch(st.paramNames, after)
			if found {
				j++
			}
			i = max(i, j)
		}
		last := ""
		for ; i < len(st.paramNames); i++ {
			name := st.paramNames[i]
			if !strings.HasPrefix(name, prefix) {
				break
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeCursorToken(fp, last)
				return
			}
			last = name
			if !recursive && strings.Contains(name[len(prefix):], "/") {
				continue
			}
			p := st.liveParam(name, now)
			if p == nil {
				continue
			}
			pv := matchByPathFilters(p, filters)
			if pv == nil {
				continue
			}
			w, werr := a.parameterWire(st, p, pv, "", decrypt)
			if werr != nil {
				err = werr
				return
			}
			out.Parameters = append(out.Parameters, w)
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) describeParameters(in *describeParametersInput) (*describeParametersOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "Name", "Type", "KeyId")
		}
		if v.Required(p+".values", f.Values != nil) {
			v.Count(p+".values", len(f.Values), 1, 50)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, 1024)
			}
		}
	}
	validateStringFilters(&v, in.ParameterFilters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, protocol.ErrValidation("You can use either Filters or ParameterFilters in a single request.")
	}
	filters, ferr := parseParamFilters(in.ParameterFilters, false)
	if ferr != nil {
		return nil, ferr
	}
	for _, f := range in.Filters {
		// The legacy filters: Name matches names that begin with a value,
		// Type and KeyId match exactly.
		opt := "Equals"
		if *f.Key == "Name" {
			opt = "BeginsWith"
		}
		filters = append(filters, paramFilter{key: *f.Key, option: opt, values: f.Values})
	}
	size := defaultDescribePage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeParameters", in.Filters, in.ParameterFilters, in.Shared)
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		last, ok := decodeCursorToken(*in.NextToken, fp)
		if !ok {
			return nil, protocol.ErrInvalidNextToken()
		}
		after = last
	}
	out := describeParametersOutput{Parameters: []parameterMetadata{}}
	if in.Shared != nil && *in.Shared {
		// No other account shares parameters with the sandbox's.
		return &out, nil
	}
	now := a.h.Clock()
	a.view(func(st *state) {
		limit := pageLimit(after+"\x00describe", size)
		i := 0
		if after != "" {
			j, found := slices.BinarySearch(st.paramNames, after)
			if found {
				j++
			}
			i = j
		}
		last := ""
		for ; i < len(st.paramNames); i++ {
			name := st.paramNames[i]
			if len(out.Parameters) == limit {
				out.NextToken = encodeCursorToken(fp, last)
				return
			}
			last = name
			p := st.liveParam(name, now)
			if p == nil || !matchDescribeFilters(p, filters) {
				continue
			}
			out.Parameters = append(out.Parameters, a.metadata(p))
		}
	})
	return &out, nil
}

func (a *Area) getParameterHistory(in *getParameterHistoryInput) (*getParameterHistoryOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultHistoryPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	now := a.h.Clock()
	decrypt := in.WithDecryption != nil && *in.WithDecryption
	out := getParameterHistoryOutput{Parameters: []parameterHistory{}}
	var err error
	a.view(func(st *state) {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			err = perr
			return
		}
		fp := protocol.PageFingerprint("GetParameterHistory", p.Name)
		token := ""
		if in.NextToken != nil {
			token = *in.NextToken
		}
		// The offset counts from the first version the token was issued
		// against, so versions dropped meanwhile do not shift a page.
		offset, ok := protocol.DecodePageToken(token, fp, int(p.latest().Version))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		var start int
		if offset > 0 {
			start = sort.Search(len(p.Versions), func(i int) bool { return p.Versions[i].Version > int64(offset) })
		}
		end := min(start+size, len(p.Versions))
		for _, pv := range p.Versions[start:end] {
			val, verr := a.renderValue(st, p, pv, decrypt)
			if verr != nil {
				err = verr
				return
			}
			labels := append([]string{}, pv.Labels...)
			out.Parameters = append(out.Parameters, parameterHistory{
				Name: p.Name, Type: pv.Type, KeyId: pv.KeyID, LastModifiedDate: protocol.Epoch(pv.Modified),
				LastModifiedUser: pv.User, Description: pv.Description, Value: val,
				AllowedPattern: pv.AllowedPattern, Version: pv.Version, Labels: labels, Tier: pv.Tier,
				Policies: inlinePolicies(pv.Policies), DataType: pv.DataType,
			})
		}
		if end < len(p.Versions) {
			out.NextToken = protocol.EncodePageToken(fp, int(p.Versions[end-1].Version))
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func validateLabels(v *protocol.Validator, labels []string) {
	if v.Required("labels", labels != nil) {
		v.Count("labels", len(labels), 1, maxLabelsPerVersion)
		for _, l := range labels {
			v.Length("labels.member", l, 1, maxLabelLength)
		}
	}
}

func (a *Area) labelParameterVersion(in *labelParameterVersionInput) (*labelParameterVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	validateLabels(&v, in.Labels)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := labelParameterVersionOutput{InvalidLabels: []string{}}
	err := a.mutate(func(st *state) error {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			return perr
		}
		pv := p.latest()
		if in.ParameterVersion != nil {
			if pv = p.version(*in.ParameterVersion); pv == nil {
				return errParameterVersionNotFound(strconv.FormatInt(*in.ParameterVersion, 10), p.Name)
			}
		}
		var add []string
		for _, l := range in.Labels {
			switch {
			case !validLabel(l):
				if !slices.Contains(out.InvalidLabels, l) {
					out.InvalidLabels = append(out.InvalidLabels, l)
				}
			case !slices.Contains(pv.Labels, l) && !slices.Contains(add, l):
				add = append(add, l)
			}
		}
		if len(pv.Labels)+len(add) > maxLabelsPerVersion {
			return protocol.Errorf(http.StatusBadRequest, "ParameterVersionLabelLimitExceeded", "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.")
		}
		// A label names one version: attaching it here moves it.
		for _, other := range p.Versions {
			if other != pv {
				other.Labels = slices.DeleteFunc(other.Labels, func(l string) bool { return slices.Contains(add, l) })
			}
		}
		pv.Labels = append(pv.Labels, add...)
		out.ParameterVersion = pv.Version
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) unlabelParameterVersion(in *unlabelParameterVersionInput) (*unlabelParameterVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	v.Required("parameterVersion", in.ParameterVersion != nil)
	validateLabels(&v, in.Labels)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := unlabelParameterVersionOutput{RemovedLabels: []string{}, InvalidLabels: []string{}}
	err := a.mutate(func(st *state) error {
		p, perr := a.historyTarget(st, *in.Name, now)
		if perr != nil {
			return perr
		}
		pv := p.version(*in.ParameterVersion)
		if pv == nil {
			return errParameterVersionNotFound(strconv.FormatInt(*in.ParameterVersion, 10), p.Name)
		}
		for _, l := range in.Labels {
			if slices.Contains(pv.Labels, l) {
				pv.Labels = slices.DeleteFunc(pv.Labels, func(x string) bool { return x == l })
				out.RemovedLabels = append(out.RemovedLabels, l)
			} else if !slices.Contains(out.RemovedLabels, l) && !slices.Contains(out.InvalidLabels, l) {
				out.InvalidLabels = append(out.InvalidLabels, l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) deleteParameter(in *deleteParameterInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Length("name", *in.Name, 1, 2048)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := cleanName(*in.Name)
	now := a.h.Clock()
	err := a.mutate(func(st *state) error {
		st.sweepExpired(now)
		if st.paramByName[name] == nil {
			return errParameterNotFound()
		}
		st.removeParam(name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) deleteParameters(in *deleteParametersInput) (*deleteParametersOutput, error) {
	var v protocol.Validator
	if v.Required("names", in.Names != nil) {
		v.Count("names", len(in.Names), 1, 10)
		for _, n := range in.Names {
			v.Length("names.member", n, 1, 2048)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := a.h.Clock()
	out := deleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	err := a.mutate(func(st *state) error {
		st.sweepExpired(now)
		for _, raw := range in.Names {
			name := cleanName(raw)
			if st.paramByName[name] == nil {
				if !slices.Contains(out.InvalidParameters, raw) && !slices.Contains(out.DeletedParameters, raw) {
					out.InvalidParameters = append(out.InvalidParameters, raw)
				}
				continue
			}
			st.removeParam(name)
			out.DeletedParameters = append(out.DeletedParameters, raw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Filters.

type paramFilter struct {
	key, option string
	values      []string
}

// ParameterStringFilter's model constraints.
var paramFilterKeyPattern = regexp.MustCompile(`^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$`)

func validateStringFilters(v *protocol.Validator, fs []parameterStringFilter) {
	for i, f := range fs {
		p := fmt.Sprintf("parameterFilters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Length(p+".key", *f.Key, 1, 132)
			if !paramFilterKeyPattern.MatchString(*f.Key) {
				v.Add(protocol.QuoteValue(*f.Key), p+".key", "Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType")
			}
		}
		if f.Option != nil {
			v.Length(p+".option", *f.Option, 1, 10)
		}
		if f.Values != nil {
			v.Count(p+".values", len(f.Values), 1, 50)
			for _, val := range f.Values {
				v.Length(p+".values.member", val, 1, 1024)
			}
		}
	}
}

// parseParamFilters applies the rules the ParameterStringFilter
// documentation gives: which keys each operation takes, which options
// each key takes, and values where a key needs them.
func parseParamFilters(fs []parameterStringFilter, byPath bool) ([]paramFilter, *protocol.APIError) {
	var out []paramFilter
	seen := map[string]bool{}
	for _, f := range fs {
		key := *f.Key
		isTag := strings.HasPrefix(key, "tag:")
		if byPath && key != "Type" && key != "KeyId" && key != "Label" {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label].", key)
		}
		if !byPath && key == "Label" {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier, DataType, tag:KEY].")
		}
		if seen[key] {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterKey", "The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", key)
		}
		seen[key] = true
		option := "Equals"
		if key == "Path" {
			option = "OneLevel"
		}
		if f.Option != nil {
			option = *f.Option
		}
		switch {
		case key == "Path":
			if option != "Recursive" && option != "OneLevel" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", option)
			}
		case key == "Label":
			if option != "Equals" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Equals].", option)
			}
		case key == "Name":
			if option != "Equals" && option != "BeginsWith" && option != "Contains" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Contains, Equals].", option)
			}
		default:
			if option != "Equals" && option != "BeginsWith" {
				return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", option)
			}
		}
		if len(f.Values) == 0 && !isTag {
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter values are missing : null for filter key %s.", key)
		}
		for _, val := range f.Values {
			switch key {
			case "Type":
				if option == "Equals" && !slices.Contains(paramTypes, val) {
					return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter value is not valid: %s. Valid values include: [String, StringList, SecureString].", val)
				}
			case "Tier":
				if option == "Equals" && !slices.Contains(paramTiers, val) {
					return nil, protocol.Errorf(http.StatusBadRequest, "InvalidFilterValue", "The following filter value is not valid: %s. Valid values include: [Standard, Advanced, Intelligent-Tiering].", val)
				}
			case "Path":
				lower := strings.ToLower(val)
				if strings.HasPrefix(lower, "/aws") || strings.HasPrefix(lower, "/ssm") {
					return nil, protocol.ErrValidation(`Filters for common parameters can't be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.`)
				}
				if err := checkPath(val); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, paramFilter{key: key, option: option, values: f.Values})
	}
	return out, nil
}

func matchValue(option, have string, values []string) bool {
	for _, v := range values {
		switch option {
		case "Equals":
			if have == v {
				return true
			}
		case "BeginsWith":
			if strings.HasPrefix(have, v) {
				return true
			}
		case "Contains":
			if strings.Contains(have, v) {
				return true
			}
		}
	}
	return false
}

func pathMatches(name, option string, values []string) bool {
	for _, v := range values {
		if v != "/" {
			v = strings.TrimSuffix(v, "/")
		}
		prefix := v + "/"
		if v == "/" {
			prefix = "/"
		}
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if option == "Recursive" || !strings.Contains(name[len(prefix):], "/") {
			return true
		}
	}
	return false
}

func matchDescribeFilters(p *parameter, fs []paramFilter) bool {
	v := p.latest()
	for _, f := range fs {
		ok := false
		switch {
		case f.key == "Path":
			ok = pathMatches(p.Name, f.option, f.values)
		case f.key == "Name":
			ok = matchValue(f.option, p.Name, f.values)
		case f.key == "Type":
			ok = matchValue(f.option, v.Type, f.values)
		case f.key == "KeyId":
			ok = v.Type == typeSecureString && matchValue(f.option, v.KeyID, f.values)
		case f.key == "Tier":
			ok = matchValue(f.option, v.Tier, f.values)
		case f.key == "DataType":
			ok = matchValue(f.option, v.DataType, f.values)
		case strings.HasPrefix(f.key, "tag:"):
			val, has := p.Tags[strings.TrimPrefix(f.key, "tag:")]
			ok = has && (len(f.values) == 0 || matchValue(f.option, val, f.values))
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchByPathFilters returns the version GetParametersByPath reports for
// a parameter, or nil when the filters exclude it: the latest version,
// or with a Label filter the version carrying the label.
func matchByPathFilters(p *parameter, fs []paramFilter) *paramVersion {
	v := p.latest()
	for _, f := range fs {
		if f.key == "Label" {
			var found *paramVersion
			for _, l := range f.values {
				if lv := p.labelled(l); lv != nil {
					found = lv
					break
				}
			}
			if found == nil {
				return nil
			}
			v = found
		}
	}
	for _, f := range fs {
		switch f.key {
		case "Type":
			if !matchValue(f.option, v.Type, f.values) {
				return nil
			}
		case "KeyId":
			if v.Type != typeSecureString || !matchValue(f.option, v.KeyID, f.values) {
				return nil
			}
		}
	}
	return v
}
