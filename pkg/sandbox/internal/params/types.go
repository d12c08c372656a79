package params

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
)

// Wire types of the Parameter Store operations.

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
