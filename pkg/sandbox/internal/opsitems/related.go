package opsitems

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// AssociateOpsItemRelatedItem, DisassociateOpsItemRelatedItem and
// ListOpsItemRelatedItems.

// "OpsCenter supports IsParentOf and RelatesTo association types."
var associationTypes = []string{"IsParentOf", "RelatesTo"}

// The resource types OpsCenter supports, with the ARN each one's
// ResourceUri must be.
var resourceTypes = map[string]*lazyre.Regexp{
	"AWS::SSMIncidents::IncidentRecord": lazyre.New(`^arn:aws[a-zA-Z-]*:ssm-incidents::[0-9]{12}:incident-record/.+`),
	"AWS::SSM::Document":                lazyre.New(`^arn:aws[a-zA-Z-]*:ssm:[a-z0-9-]+:[0-9]{12}:document/.+`),
}

type associateInput struct {
	OpsItemId       *string `json:"OpsItemId"`
	AssociationType *string `json:"AssociationType"`
	ResourceType    *string `json:"ResourceType"`
	ResourceUri     *string `json:"ResourceUri"`
}

type associateOutput struct {
	AssociationId string `json:"AssociationId"`
}

func (a *Area) associateRelatedItem(in *associateInput) (*associateOutput, error) {
	var v protocol.Validator
	validateID(&v, in.OpsItemId)
	v.Required("associationType", in.AssociationType != nil)
	v.Required("resourceType", in.ResourceType != nil)
	v.Required("resourceUri", in.ResourceUri != nil)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(associationTypes, *in.AssociationType) {
		return nil, errInvalidParameter("AssociationType %q isn't valid: use IsParentOf or RelatesTo.", *in.AssociationType)
	}
	uriPattern, ok := resourceTypes[*in.ResourceType]
	if !ok {
		return nil, errInvalidParameter("ResourceType %q isn't supported: use AWS::SSMIncidents::IncidentRecord or AWS::SSM::Document.", *in.ResourceType)
	}
	if !uriPattern.MatchString(*in.ResourceUri) {
		return nil, errInvalidParameter("ResourceUri %q isn't the ARN of a resource of type %s.", *in.ResourceUri, *in.ResourceType)
	}
	now := a.h.Clock()
	var out associateOutput
	err := a.mutate(func(st *state) error {
		it := st.byID[*in.OpsItemId]
		if it == nil {
			return errNotFound(*in.OpsItemId)
		}
		for _, r := range it.Related {
			if r.ResourceURI == *in.ResourceUri {
				return protocol.Errorf(http.StatusBadRequest, "OpsItemRelatedItemAlreadyExistsException",
					"The resource %s is already associated with the OpsItem %s.", *in.ResourceUri, it.ID)
			}
		}
		// The association ID is a UUID, as AWS answers.
		r := &relatedItem{AssociationID: protocol.NewRequestID(), AssociationType: *in.AssociationType,
			ResourceType: *in.ResourceType, ResourceURI: *in.ResourceUri, CreatedBy: a.h.CallerARN(), Created: now}
		it.Related = append(it.Related, r)
		out.AssociationId = r.AssociationID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type disassociateInput struct {
	OpsItemId     *string `json:"OpsItemId"`
	AssociationId *string `json:"AssociationId"`
}

func (a *Area) disassociateRelatedItem(in *disassociateInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateID(&v, in.OpsItemId)
	v.Required("associationId", in.AssociationId != nil)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := a.mutate(func(st *state) error {
		it := st.byID[*in.OpsItemId]
		if it == nil {
			return errNotFound(*in.OpsItemId)
		}
		i := slices.IndexFunc(it.Related, func(r *relatedItem) bool { return r.AssociationID == *in.AssociationId })
		if i < 0 {
			return protocol.Errorf(http.StatusBadRequest, "OpsItemRelatedItemAssociationNotFoundException",
				"The association %s wasn't found for the OpsItem %s.", *in.AssociationId, it.ID)
		}
		it.Related = slices.Delete(it.Related, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

type relatedFilterWire struct {
	Key      *string  `json:"Key"`
	Values   []string `json:"Values"`
	Operator *string  `json:"Operator"`
}

type listRelatedInput struct {
	OpsItemId  *string             `json:"OpsItemId"`
	Filters    []relatedFilterWire `json:"Filters"`
	MaxResults *int32              `json:"MaxResults"`
	NextToken  *string             `json:"NextToken"`
}

type identityWire struct {
	Arn string `json:"Arn"`
}

type relatedSummaryWire struct {
	OpsItemId        string              `json:"OpsItemId"`
	AssociationId    string              `json:"AssociationId"`
	ResourceType     string              `json:"ResourceType"`
	AssociationType  string              `json:"AssociationType"`
	ResourceUri      string              `json:"ResourceUri"`
	CreatedBy        identityWire        `json:"CreatedBy"`
	CreatedTime      *protocol.EpochTime `json:"CreatedTime"`
	LastModifiedBy   identityWire        `json:"LastModifiedBy"`
	LastModifiedTime *protocol.EpochTime `json:"LastModifiedTime"`
}

type listRelatedOutput struct {
	NextToken string               `json:"NextToken,omitempty"`
	Summaries []relatedSummaryWire `json:"Summaries"`
}

func (a *Area) listRelatedItems(in *listRelatedInput) (*listRelatedOutput, error) {
	var v protocol.Validator
	if in.OpsItemId != nil {
		v.Pattern("opsItemId", *in.OpsItemId, opsItemIDPattern)
	}
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "ResourceType", "AssociationId", "ResourceUri")
		}
		v.Required(p+".values", f.Values != nil)
		if v.Required(p+".operator", f.Operator != nil) {
			v.Enum(p+".operator", *f.Operator, "Equal")
		}
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.OpsItemId == nil {
		return nil, errInvalidParameter("OpsItemId is required.")
	}
	size := defaultPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	var out listRelatedOutput
	var err error
	a.view(func(st *state) {
		it := st.byID[*in.OpsItemId]
		if it == nil {
			err = errNotFound(*in.OpsItemId)
			return
		}
		var items []*relatedItem
		for _, r := range it.Related {
			if relatedMatches(r, in.Filters) {
				items = append(items, r)
			}
		}
		fp := protocol.PageFingerprint("ListOpsItemRelatedItems", *in.OpsItemId, in.Filters)
		page, next, ok := protocol.PageOf(items, protocol.Deref(in.NextToken), fp, size, func(r *relatedItem) relatedSummaryWire {
			t := protocol.Epoch(r.Created)
			return relatedSummaryWire{OpsItemId: it.ID, AssociationId: r.AssociationID, ResourceType: r.ResourceType,
				AssociationType: r.AssociationType, ResourceUri: r.ResourceURI, CreatedBy: identityWire{r.CreatedBy},
				CreatedTime: t, LastModifiedBy: identityWire{r.CreatedBy}, LastModifiedTime: t}
		})
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		out = listRelatedOutput{NextToken: next, Summaries: page}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func relatedMatches(r *relatedItem, filters []relatedFilterWire) bool {
	for _, f := range filters {
		got := map[string]string{"ResourceType": r.ResourceType, "AssociationId": r.AssociationID, "ResourceUri": r.ResourceURI}[*f.Key]
		if !slices.Contains(f.Values, got) {
			return false
		}
	}
	return true
}
