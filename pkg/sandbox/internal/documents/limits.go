package documents

import (
	"net/http"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Model patterns, enums, limits and the documents' API errors.

// Model patterns, enums and limits.
var (
	documentNamePattern  = lazyre.New(`^[a-zA-Z0-9_\-.]{3,128}$`)
	DocumentARNPattern   = lazyre.New(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	VersionPattern       = lazyre.New(`([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`)
	versionNumberPattern = lazyre.New(`(^[1-9][0-9]*$)`)
	versionNamePattern   = lazyre.New(`^[a-zA-Z0-9_\-.]{1,128}$`)
	displayNamePattern   = lazyre.New(`^[\w\.\-\:\/ ]*$`)
	targetTypePattern    = lazyre.New(`^\/[\w\.\-\:\/]*$`)
	documentTypes        = []string{"Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy"}
	documentFormats      = []string{"YAML", "JSON", "TEXT"}
	// The agent's parameter name rule (docparser/parameters: ^[a-zA-Z0-9]+$).
	documentParamNamePattern = lazyre.New(`^[a-zA-Z0-9]+$`)
	// {{ name }} placeholders, as the agent finds them.
	placeholderPattern = lazyre.New(`{{\s*([a-zA-Z0-9_:.\-/]+)\s*}}`)
	// CreateDocument's Name documentation: prefixes reserved by AWS.
	reservedDocumentPrefixes = []string{"aws", "amazon", "amzn", "AWSEC2", "AWSConfigRemediation", "AWSSupport"}
	// Parameter types of SSM documents ("SSM document data elements and
	// parameters", AWS Systems Manager User Guide).
	documentParamTypes = []string{"String", "StringList", "Integer", "Boolean", "MapList", "StringMap"}
)

const (
	// CreateDocument's Content documentation: "must not exceed 64KB".
	maxDocumentSize = 64 * 1024
	// Systems Manager service quotas: 1,000 versions per document.
	maxDocumentVersions = 1000
	// Systems Manager service quotas: 500 documents per account.
	maxOwnDocuments         = 500
	defaultListDocumentPage = 50
	// The agent's aws:runDocument plugin stops at this nesting depth
	// (plugins/rundocument: executeCommandMaxDepth).
	MaxRunDocumentDepth = 3
)

func ErrInvalidDocument(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocument", "%s", msg)
}

func errInvalidDocumentVersion(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentVersion", "%s", msg)
}

func errInvalidDocumentContent(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentContent", "%s", msg)
}

func errInvalidDocumentOperation(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentOperation", "%s", msg)
}

func errInvalidParameters(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidParameters", "%s", msg)
}
