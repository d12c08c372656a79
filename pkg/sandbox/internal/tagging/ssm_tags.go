package tagging

import (
	"fmt"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// SSM's tag operations (AddTagsToResource, RemoveTagsFromResource,
// ListTagsForResource) for the resource types the sandbox serves:
// ManagedInstance (the nodes area) and Parameter (Parameter Store).

type addTagsToResourceInput struct {
	ResourceType *string     `json:"ResourceType"`
	ResourceId   *string     `json:"ResourceId"`
	Tags         []tags.Wire `json:"Tags"`
}

type removeTagsFromResourceInput struct {
	ResourceType *string  `json:"ResourceType"`
	ResourceId   *string  `json:"ResourceId"`
	TagKeys      []string `json:"TagKeys"`
}

// ResourceTypeForTagging enum.
var taggableResourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}

type listTagsForResourceInput struct {
	ResourceType *string `json:"ResourceType"`
	ResourceId   *string `json:"ResourceId"`
}

type listTagsForResourceOutput struct {
	TagList []tags.Tag `json:"TagList"`
}

// validateTagTarget applies the model's rules shared by the three tag
// operations. ManagedInstance and Parameter are served; the other
// taggable types arrive with their API areas.
func (a *Area) validateTagTarget(v *protocol.Validator, resourceType, resourceID *string) error {
	if v.Required("resourceType", resourceType != nil) {
		v.Enum("resourceType", *resourceType, taggableResourceTypes...)
	}
	v.Required("resourceId", resourceID != nil)
	if err := v.Err(); err != nil {
		return err
	}
	if _, ok := a.served[*resourceType]; !ok && *resourceType != "ManagedInstance" && *resourceType != "Parameter" {
		return protocol.ErrInvalidResourceType()
	}
	return nil
}

// taggable is an area that owns resources the SSM tag operations name.
type taggable interface {
	// AddTags runs merge on a resource's tags under the area's lock and
	// saves the tags it returns.
	AddTags(id string, merge func(tags map[string]string) (map[string]string, error)) error
	// RemoveTags deletes tags by key and saves.
	RemoveTags(id string, keys []string) error
	// Tags are a copy of a resource's tags.
	Tags(id string) (map[string]string, error)
}

// tagTarget finds the area that owns the resource type the tag operations
// name. For a Parameter the ResourceId is the parameter's name
// (AddTagsToResource documentation).
func (a *Area) tagTarget(resourceType string) taggable {
	if resourceType == "Parameter" {
		return a.params
	}
	if t, ok := a.served[resourceType]; ok {
		return t
	}
	return a.nodes
}

func (a *Area) addTagsToResource(in *addTagsToResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("tags", in.Tags != nil) {
		tags.ValidateList(&v, in.Tags)
	}
	if err := a.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		// AWS tagging rules: the aws: prefix is reserved for AWS. The model
		// names no exception for it; the sandbox answers ValidationException.
		if tags.Reserved(*t.Key) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Tag key %q is invalid: keys beginning with aws: are reserved for AWS use.", *t.Key))
		}
	}
	err := a.tagTarget(*in.ResourceType).AddTags(*in.ResourceId, func(old map[string]string) (map[string]string, error) {
		merged := make(map[string]string, len(old)+len(in.Tags))
		for k, val := range old {
			merged[k] = val
		}
		for _, t := range in.Tags {
			merged[*t.Key] = *t.Value
		}
		if len(merged) > tags.MaxPerResource {
			return nil, protocol.ErrTooManyTags()
		}
		return merged, nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) removeTagsFromResource(in *removeTagsFromResourceInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("tagKeys", in.TagKeys != nil) {
		for _, k := range in.TagKeys {
			v.Length("tagKeys.member", k, 1, 128)
			v.Pattern("tagKeys.member", k, tags.KeyPattern)
		}
	}
	if err := a.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	if err := a.tagTarget(*in.ResourceType).RemoveTags(*in.ResourceId, in.TagKeys); err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) listTagsForResource(in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	var v protocol.Validator
	if err := a.validateTagTarget(&v, in.ResourceType, in.ResourceId); err != nil {
		return nil, err
	}
	t, err := a.tagTarget(*in.ResourceType).Tags(*in.ResourceId)
	if err != nil {
		return nil, err
	}
	return &listTagsForResourceOutput{TagList: tags.List(t)}, nil
}
