// Package sts is the sandbox's AWS Security Token Service: GetCallerIdentity,
// so that the caller's ARN is known (`aws sts get-caller-identity` works
// against the sandbox, and Automation's approvers are checked against the
// same identity). STS speaks the Query protocol: a form-encoded POST /
// with Action and Version, answered in XML. It keeps no state.
package sts

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// namespace is STS's XML namespace (its botocore model's xmlNamespace).
const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// service is STS: the errors from its model's common shapes.
var service = &router.Service{
	SigningName: "sts", Protocol: protocol.Query,
	Throttle:        protocol.APIError{Status: 400, Type: "Throttling", Message: "Rate exceeded"},
	Internal:        protocol.APIError{Status: 500, Type: "InternalFailure", Message: "An internal error occurred."},
	ValidationError: "ValidationError",
	// STS's error for an unknown access key: 403 InvalidClientTokenId,
	// "The security token included in the request is invalid."
	// (aws-azure-login/aws-azure-login#251 shows the XML, Type Sender;
	// jrl84/amazon-sp-api#218 the message with its period).
	UnknownKey: &protocol.APIError{Status: 403, Type: "InvalidClientTokenId", Message: "The security token included in the request is invalid."},
}

// userID is the unique ID of the sandbox's IAM user (an AIDA... ID, as
// IAM issues for users).
const userID = "AIDASANDBOXUSER000001"

// New registers STS's one operation.
func New(h *area.Host) {
	h.Router.RegisterREST(service, "GetCallerIdentity", http.MethodPost, "/", func(body []byte) (any, error) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, protocol.Errorf(http.StatusBadRequest, "MalformedQueryString", "The request body is not a form.")
		}
		switch action := form.Get("Action"); action {
		case "GetCallerIdentity":
			return getCallerIdentity(h), nil
		case "":
			return nil, protocol.Errorf(http.StatusBadRequest, "MissingAction", "The request has no Action.")
		default:
			return nil, protocol.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, form.Get("Version"))
		}
	})
}

func getCallerIdentity(h *area.Host) *protocol.QueryResponse {
	type result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}
	type response struct {
		XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Result    result   `xml:"GetCallerIdentityResult"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}
	b, err := xml.Marshal(response{Xmlns: namespace, Result: result{Arn: h.CallerARN(), UserID: userID, Account: h.AccountID}, RequestID: protocol.NewRequestID()})
	if err != nil {
		panic(fmt.Sprintf("sts: %v", err))
	}
	return &protocol.QueryResponse{Body: b}
}
