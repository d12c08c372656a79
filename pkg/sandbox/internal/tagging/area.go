// Package tagging serves the tag APIs: SSM's AddTagsToResource,
// RemoveTagsFromResource and ListTagsForResource (ManagedInstance,
// Parameter, and the types other areas serve through Serve: OpsItem), the Resource Groups Tagging API (GetResources) and Resource
// Groups (ListGroupResources). It has no state of its own: tags belong to
// the areas that own the resources.
package tagging

import (
	"net/http"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// Area is the tag APIs.
type Area struct {
	h      *area.Host
	nodes  *nodes.Area
	params *params.Area
	served map[string]taggable // more resource types (Serve)
}

var (
	// The tagging model's throttling error is ThrottledException and its
	// internal error InternalServiceException.
	svcTagging = &router.Service{
		SigningName: "tagging", TargetPrefix: "ResourceGroupsTaggingAPI_20170126", Protocol: protocol.JSON11,
		Throttle:        protocol.APIError{Status: 400, Type: "ThrottledException", Message: "Rate exceeded"},
		Internal:        protocol.APIError{Status: 500, Type: "InternalServiceException", Message: "The request processing failed because of an unknown error, exception, or failure."},
		ValidationError: "ValidationException",
	}
	// Resource Groups is REST-JSON; its model gives throttling as 429
	// TooManyRequestsException, validation as 400 BadRequestException.
	svcResourceGroups = &router.Service{
		SigningName: "resource-groups", Protocol: protocol.RESTJSON,
		Throttle:        protocol.APIError{Status: 429, Type: "TooManyRequestsException", Message: "Rate exceeded"},
		Internal:        protocol.APIError{Status: 500, Type: "InternalServerErrorException", Message: "An internal error occurred while processing the request. Try again later."},
		ValidationError: "BadRequestException",
	}
)

// New registers the tag operations.
func New(h *area.Host, n *nodes.Area, p *params.Area) *Area {
	a := &Area{h: h, nodes: n, params: p}
	r := h.Router
	r.Register(router.SSM, "AddTagsToResource", router.Handle(a.addTagsToResource))
	r.Register(router.SSM, "RemoveTagsFromResource", router.Handle(a.removeTagsFromResource))
	r.Register(router.SSM, "ListTagsForResource", router.Handle(a.listTagsForResource))
	r.Register(svcTagging, "GetResources", router.Handle(a.getResources))
	r.RegisterREST(svcResourceGroups, "ListGroupResources", http.MethodPost, "/list-group-resources", router.Handle(a.listGroupResources))
	return a
}
