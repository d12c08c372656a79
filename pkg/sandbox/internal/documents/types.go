package documents

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// Wire types of the document operations.

// SSM documents: CreateDocument, UpdateDocument, DeleteDocument,
// DescribeDocument, GetDocument, ListDocuments, ListDocumentVersions and
// UpdateDocumentDefaultVersion, over the AWS-owned documents ssmctl runs and
// the account's own Command documents (persisted with the state). Limits,
// patterns, enums and error names come from botocore's ssm/2014-11-06 model;
// docs/sandbox-run-command.md lists the decisions the model leaves open.

type documentParameterWire struct {
	Name         string  `json:"Name"`
	Type         string  `json:"Type"`
	Description  string  `json:"Description,omitempty"`
	DefaultValue *string `json:"DefaultValue,omitempty"`
}

type documentDescription struct {
	Sha1            string                  `json:"Sha1,omitempty"`
	Hash            string                  `json:"Hash"`
	HashType        string                  `json:"HashType"`
	Name            string                  `json:"Name"`
	DisplayName     string                  `json:"DisplayName,omitempty"`
	VersionName     string                  `json:"VersionName,omitempty"`
	Owner           string                  `json:"Owner"`
	CreatedDate     *protocol.EpochTime     `json:"CreatedDate"`
	Status          string                  `json:"Status"`
	DocumentVersion string                  `json:"DocumentVersion"`
	Description     string                  `json:"Description,omitempty"`
	Parameters      []documentParameterWire `json:"Parameters"`
	PlatformTypes   []string                `json:"PlatformTypes"`
	DocumentType    string                  `json:"DocumentType"`
	SchemaVersion   string                  `json:"SchemaVersion"`
	LatestVersion   string                  `json:"LatestVersion"`
	DefaultVersion  string                  `json:"DefaultVersion"`
	DocumentFormat  string                  `json:"DocumentFormat"`
	TargetType      string                  `json:"TargetType,omitempty"`
	Tags            []tags.Tag              `json:"Tags"`
}

type documentIdentifier struct {
	Name            string              `json:"Name"`
	CreatedDate     *protocol.EpochTime `json:"CreatedDate"`
	DisplayName     string              `json:"DisplayName,omitempty"`
	Owner           string              `json:"Owner"`
	VersionName     string              `json:"VersionName,omitempty"`
	PlatformTypes   []string            `json:"PlatformTypes"`
	DocumentVersion string              `json:"DocumentVersion"`
	DocumentType    string              `json:"DocumentType"`
	SchemaVersion   string              `json:"SchemaVersion"`
	DocumentFormat  string              `json:"DocumentFormat"`
	TargetType      string              `json:"TargetType,omitempty"`
	Tags            []tags.Tag          `json:"Tags"`
}

type createDocumentInput struct {
	Content        *string     `json:"Content"`
	Name           *string     `json:"Name"`
	DisplayName    *string     `json:"DisplayName"`
	VersionName    *string     `json:"VersionName"`
	DocumentType   *string     `json:"DocumentType"`
	DocumentFormat *string     `json:"DocumentFormat"`
	TargetType     *string     `json:"TargetType"`
	Tags           []tags.Wire `json:"Tags"`
	Requires       []any       `json:"Requires"`
	Attachments    []any       `json:"Attachments"`
}

type documentDescriptionOutput struct {
	DocumentDescription documentDescription `json:"DocumentDescription"`
}

type updateDocumentInput struct {
	Content         *string `json:"Content"`
	Name            *string `json:"Name"`
	DisplayName     *string `json:"DisplayName"`
	VersionName     *string `json:"VersionName"`
	DocumentVersion *string `json:"DocumentVersion"`
	DocumentFormat  *string `json:"DocumentFormat"`
	TargetType      *string `json:"TargetType"`
	Attachments     []any   `json:"Attachments"`
}

type deleteDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
	Force           *bool   `json:"Force"`
}

type describeDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
}

type describeDocumentOutput struct {
	Document documentDescription `json:"Document"`
}

type getDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
	DocumentFormat  *string `json:"DocumentFormat"`
}

type getDocumentOutput struct {
	Name            string              `json:"Name"`
	CreatedDate     *protocol.EpochTime `json:"CreatedDate"`
	DisplayName     string              `json:"DisplayName,omitempty"`
	VersionName     string              `json:"VersionName,omitempty"`
	DocumentVersion string              `json:"DocumentVersion"`
	Status          string              `json:"Status"`
	Content         string              `json:"Content"`
	DocumentType    string              `json:"DocumentType"`
	DocumentFormat  string              `json:"DocumentFormat"`
}

type documentFilter struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type documentKeyValuesFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type listDocumentsInput struct {
	DocumentFilterList []documentFilter          `json:"DocumentFilterList"`
	Filters            []documentKeyValuesFilter `json:"Filters"`
	MaxResults         *int32                    `json:"MaxResults"`
	NextToken          *string                   `json:"NextToken"`
}

type listDocumentsOutput struct {
	DocumentIdentifiers []documentIdentifier `json:"DocumentIdentifiers"`
	NextToken           string               `json:"NextToken,omitempty"`
}

type listDocumentVersionsInput struct {
	Name       *string `json:"Name"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type documentVersionInfo struct {
	Name             string              `json:"Name"`
	DisplayName      string              `json:"DisplayName,omitempty"`
	DocumentVersion  string              `json:"DocumentVersion"`
	VersionName      string              `json:"VersionName,omitempty"`
	CreatedDate      *protocol.EpochTime `json:"CreatedDate"`
	IsDefaultVersion bool                `json:"IsDefaultVersion"`
	DocumentFormat   string              `json:"DocumentFormat"`
	Status           string              `json:"Status"`
}

type listDocumentVersionsOutput struct {
	DocumentVersions []documentVersionInfo `json:"DocumentVersions"`
	NextToken        string                `json:"NextToken,omitempty"`
}

type updateDocumentDefaultVersionInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
}

type documentDefaultVersionDescription struct {
	Name               string `json:"Name"`
	DefaultVersion     string `json:"DefaultVersion"`
	DefaultVersionName string `json:"DefaultVersionName,omitempty"`
}

type updateDocumentDefaultVersionOutput struct {
	Description documentDefaultVersionDescription `json:"Description"`
}
