package params

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// PutParameter: validation, the new version, its tier and value.

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
