package patch

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Patch groups and default baselines: RegisterPatchBaselineForPatchGroup,
// DeregisterPatchBaselineForPatchGroup, DescribePatchGroups,
// GetPatchBaselineForPatchGroup, GetDefaultPatchBaseline and
// RegisterDefaultPatchBaseline.

type patchGroupInput struct {
	BaselineId *string `json:"BaselineId"`
	PatchGroup *string `json:"PatchGroup"`
}

type patchGroupOutput struct {
	BaselineId string `json:"BaselineId"`
	PatchGroup string `json:"PatchGroup"`
}

type describePatchGroupsInput struct {
	Filters    []orchestratorFilter `json:"Filters"`
	MaxResults *int32               `json:"MaxResults"`
	NextToken  *string              `json:"NextToken"`
}

type patchGroupMapping struct {
	PatchGroup       string           `json:"PatchGroup"`
	BaselineIdentity baselineIdentity `json:"BaselineIdentity"`
}

type describePatchGroupsOutput struct {
	Mappings  []patchGroupMapping `json:"Mappings"`
	NextToken string              `json:"NextToken,omitempty"`
}

type getForPatchGroupInput struct {
	PatchGroup      *string `json:"PatchGroup"`
	OperatingSystem *string `json:"OperatingSystem"`
}

type getForPatchGroupOutput struct {
	BaselineId      string `json:"BaselineId"`
	PatchGroup      string `json:"PatchGroup"`
	OperatingSystem string `json:"OperatingSystem"`
}

type operatingSystemInput struct {
	OperatingSystem *string `json:"OperatingSystem"`
}

type defaultBaselineOutput struct {
	BaselineId      string `json:"BaselineId"`
	OperatingSystem string `json:"OperatingSystem"`
}

// maxPatchGroups bounds the patch groups of one baseline: the sandbox's
// own bound, standing for AWS's quota, whose value was not checked here
// (docs/sandbox-patch.md).
const maxPatchGroups = 25

func validatePatchGroup(v *protocol.Validator, g *string) {
	if v.Required("patchGroup", g != nil) {
		v.Length("patchGroup", *g, 1, 256)
		v.Pattern("patchGroup", *g, patchGroupPattern)
	}
}

func (a *Area) registerPatchBaselineForPatchGroup(in *patchGroupInput) (*patchGroupOutput, error) {
	id, group, err := validateGroupInput(in)
	if err != nil {
		return nil, err
	}
	err = a.mutate(func(st *state) error {
		b := a.find(st, id)
		if b == nil {
			return errDoesNotExist(id)
		}
		if b.aws {
			// AWS's predefined baselines can't be registered to a patch
			// group: a group without one uses the default.
			return errInvalidResourceID(fmt.Sprintf("Patch Baseline %s is provided by AWS and can't be registered to a patch group.", id))
		}
		n := 0
		for _, g := range st.Groups {
			other := a.find(st, g.BaselineID)
			if g.PatchGroup == group && other != nil && other.OperatingSystem == b.OperatingSystem {
				return protocol.Errorf(http.StatusBadRequest, "AlreadyExistsException", "Patch Group %s is already registered with a patch baseline for %s.", group, b.OperatingSystem)
			}
			if other != nil && other.ID == b.ID {
				n++
			}
		}
		if n >= maxPatchGroups {
			return protocol.Errorf(http.StatusBadRequest, "ResourceLimitExceededException", "Patch Baseline %s is registered with %d patch groups, the maximum.", b.ID, maxPatchGroups)
		}
		st.Groups = append(st.Groups, &groupRegistration{PatchGroup: group, BaselineID: b.ID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &patchGroupOutput{BaselineId: id, PatchGroup: group}, nil
}

func validateGroupInput(in *patchGroupInput) (string, string, error) {
	var v protocol.Validator
	if v.Required("baselineId", in.BaselineId != nil) {
		v.Length("baselineId", *in.BaselineId, 20, 128)
		v.Pattern("baselineId", *in.BaselineId, baselineIDPattern)
	}
	validatePatchGroup(&v, in.PatchGroup)
	if err := v.Err(); err != nil {
		return "", "", err
	}
	return *in.BaselineId, *in.PatchGroup, nil
}

func (a *Area) deregisterPatchBaselineForPatchGroup(in *patchGroupInput) (*patchGroupOutput, error) {
	id, group, err := validateGroupInput(in)
	if err != nil {
		return nil, err
	}
	err = a.mutate(func(st *state) error {
		b := a.find(st, id)
		i := slices.IndexFunc(st.Groups, func(g *groupRegistration) bool {
			return g.PatchGroup == group && b != nil && a.sameBaseline(st, g.BaselineID, b)
		})
		if i < 0 {
			return errInvalidResourceID(fmt.Sprintf("Patch Baseline %s is not registered with patch group %s.", id, group))
		}
		st.Groups = slices.Delete(st.Groups, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &patchGroupOutput{BaselineId: id, PatchGroup: group}, nil
}

func (a *Area) describePatchGroups(in *describePatchGroupsInput) (*describePatchGroupsOutput, error) {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 100)
	validateOrchestratorFilters(&v, in.Filters)
	if err := v.Err(); err != nil {
		return nil, err
	}
	match, aerr := baselineMatcher(in.Filters, "NAME_PREFIX", "OPERATING_SYSTEM")
	if aerr != nil {
		return nil, aerr
	}
	size := defaultBaselinesPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribePatchGroups", in.Filters)
	var out describePatchGroupsOutput
	var err error
	a.view(func(st *state) {
		var list []patchGroupMapping
		for _, g := range sortedGroups(st) {
			b := a.find(st, g.BaselineID)
			if b != nil && match(g.PatchGroup, b.OperatingSystem, b.aws) {
				list = append(list, patchGroupMapping{PatchGroup: g.PatchGroup, BaselineIdentity: a.identity(st, b)})
			}
		}
		var ok bool
		if out.Mappings, out.NextToken, ok = protocol.PageOf(list, protocol.Deref(in.NextToken), fp, size, func(m patchGroupMapping) patchGroupMapping { return m }); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func optionalOS(v *protocol.Validator, os *string) string {
	if os == nil {
		return "WINDOWS" // the documented default
	}
	v.Enum("operatingSystem", *os, operatingSystems...)
	return *os
}

func (a *Area) getPatchBaselineForPatchGroup(in *getForPatchGroupInput) (*getForPatchGroupOutput, error) {
	var v protocol.Validator
	validatePatchGroup(&v, in.PatchGroup)
	os := optionalOS(&v, in.OperatingSystem)
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &getForPatchGroupOutput{PatchGroup: *in.PatchGroup, OperatingSystem: os}
	a.view(func(st *state) {
		if b := a.baselineForGroup(st, *in.PatchGroup, os); b != nil {
			out.BaselineId = b.ID
		}
	})
	return out, nil
}

// baselineForGroup is the baseline a node of a patch group and an
// operating system uses: the one registered for the group, else the
// default (group "" is no group).
func (a *Area) baselineForGroup(st *state, group, os string) *baseline {
	if group != "" {
		for _, g := range st.Groups {
			if g.PatchGroup != group {
				continue
			}
			if b := a.find(st, g.BaselineID); b != nil && b.OperatingSystem == os {
				return b
			}
		}
	}
	return a.defaultFor(st, os)
}

func (a *Area) getDefaultPatchBaseline(in *operatingSystemInput) (*defaultBaselineOutput, error) {
	var v protocol.Validator
	os := optionalOS(&v, in.OperatingSystem)
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &defaultBaselineOutput{OperatingSystem: os}
	a.view(func(st *state) {
		if b := a.defaultFor(st, os); b != nil {
			out.BaselineId = b.ID
		}
	})
	return out, nil
}

func (a *Area) registerDefaultPatchBaseline(in *baselineIDInput) (*baselineIDOutput, error) {
	id, err := validateBaselineID(in.BaselineId)
	if err != nil {
		return nil, err
	}
	err = a.mutate(func(st *state) error {
		b := a.find(st, id)
		if b == nil {
			return errDoesNotExist(id)
		}
		if b.aws {
			delete(st.Defaults, b.OperatingSystem)
		} else {
			st.Defaults[b.OperatingSystem] = b.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &baselineIDOutput{BaselineId: id}, nil
}
